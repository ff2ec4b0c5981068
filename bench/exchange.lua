-- wrk script: authorization-code exchanges. BENCH_CODES is a file of codes (one per line), all
-- issued with the PKCE verifier BENCH_VERIFIER; each thread takes its own slice and stops when
-- it is used up, so every request redeems a fresh code.
local counter = 0
local threads = 0
local codes = {}

function setup(thread)
  if #codes == 0 then
    for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
    threads = tonumber(os.getenv("BENCH_THREADS"))
  end
  local per = math.floor(#codes / threads)
  local first = counter * per + 1
  thread:set("slice", table.concat(codes, ",", first, first + per - 1))
  counter = counter + 1
end

function init(args)
  mine = {}
  for code in string.gmatch(slice, "[^,]+") do mine[#mine + 1] = code end
  index = 0
  auth = os.getenv("BENCH_AUTH")
  verifier = os.getenv("BENCH_VERIFIER")
  redirect = os.getenv("BENCH_REDIRECT")
end

function request()
  index = index + 1
  if index > #mine then
    wrk.thread:stop()
    index = #mine
  end
  return wrk.format("POST", "/api/auth/mcp/token", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = auth,
  }, "grant_type=authorization_code&code=" .. mine[index] .. "&code_verifier=" .. verifier .. "&redirect_uri=" .. redirect)
end
