-- wrk script: refresh-token grants. Each thread owns one connection and one token chain:
-- every response's new refresh_token is the next request's, as a real client rotates.
-- Tokens come from BENCH_TOKENS (a file, one refresh token per line); Basic auth from BENCH_AUTH.
-- BENCH_DELAY_MS (optional) paces each thread, for latency at a fixed fraction of the peak.
local counter = 0
local tokens = {}

function setup(thread)
  if #tokens == 0 then
    for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
  end
  counter = counter + 1
  thread:set("rt", tokens[counter])
end

function init(args)
  auth = os.getenv("BENCH_AUTH")
  pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
  failures = 0
end

function request()
  return wrk.format("POST", "/api/auth/mcp/token", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = auth,
  }, "grant_type=refresh_token&refresh_token=" .. rt)
end

function response(status, headers, body)
  if status == 200 then
    rt = body:match('"refresh_token":"([^"]+)"')
  else
    failures = failures + 1
    if failures > 5 then wrk.thread:stop() end
  end
end

function delay()
  return pause
end
