-- POST /Users with Okta's create body, unique userNames per thread and request
dofile("Benchmarks/wrk/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/scim+json; charset=utf-8"
local counter = 0
local prefix = tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  local name = "new" .. prefix .. "-" .. counter .. "@example.test"
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name ..
    '","name":{"givenName":"New","familyName":"User"},"emails":[{"primary":true,"value":"' .. name ..
    '","type":"work"}],"displayName":"New User","locale":"en-US","externalId":"00u' .. counter ..
    '","groups":[],"password":"q7Rz2kLm","active":true}'
  return wrk.format(nil, nil, nil, body)
end
