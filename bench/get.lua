-- wrk script: an authenticated GET; the token comes from BENCH_TOKEN.
local header = "Bearer " .. os.getenv("BENCH_TOKEN")
request = function()
  return wrk.format("GET", nil, { ["Authorization"] = header })
end
