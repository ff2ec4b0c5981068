-- wrk script: a public Content API read with a bi_pub_ key (BENCH_KEY), optionally revalidating
-- with If-None-Match (BENCH_ETAG) as a browser or CDN does.
local headers = { ["x-api-key"] = os.getenv("BENCH_KEY") }
local etag = os.getenv("BENCH_ETAG")
if etag and etag ~= "" then headers["If-None-Match"] = etag end
request = function()
  return wrk.format("GET", nil, headers)
end
