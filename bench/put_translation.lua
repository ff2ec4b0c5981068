-- wrk script: PUT of one translation value (a new value each request, so each is a write);
-- the token comes from BENCH_TOKEN, the path from the command line.
local header = "Bearer " .. os.getenv("BENCH_TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"translations":[{"key":"bench.title","namespace":"bench","language":"de","value":"Wert ' .. counter .. '"}]}'
  return wrk.format("PUT", nil, { ["Authorization"] = header, ["Content-Type"] = "application/json" }, body)
end
