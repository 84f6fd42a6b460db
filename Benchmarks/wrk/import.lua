-- Okta's import: GET /Users?startIndex=k&count=100, k walking the whole directory
dofile("Benchmarks/wrk/common.lua")
local page = 0
request = function()
  local start = (page % math.floor(users / 100)) * 100 + 1
  page = page + 1
  return wrk.format("GET", "/scim/v2/Users?startIndex=" .. start .. "&count=100&excludedAttributes=groups")
end
