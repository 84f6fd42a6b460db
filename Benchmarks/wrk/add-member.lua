-- Okta's membership PATCH adding one member (a user outside the group) to the group in BENCH_GROUP
dofile("Benchmarks/wrk/common.lua")
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/scim+json; charset=utf-8"
local group = os.getenv("BENCH_GROUP")
request = function()
  local id = user_id(users + math.random(0, 9999))
  local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"' .. id .. '"}]}]}'
  return wrk.format(nil, "/scim/v2/Groups/" .. group, nil, body)
end
