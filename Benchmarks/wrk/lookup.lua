-- Okta's user lookup: GET /Users?filter=userName eq "…"&startIndex=1&count=100
dofile("Benchmarks/wrk/common.lua")
request = function()
  local n = math.random(0, users - 1)
  return wrk.format("GET", "/scim/v2/Users?filter=userName%20eq%20%22user" .. n .. "%40example.test%22&startIndex=1&count=100")
end
