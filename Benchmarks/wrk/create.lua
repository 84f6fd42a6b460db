-- POST /Users with Okta's create body; userNames unique per thread (setup numbers the threads)
-- and per request, and per run (the run's start time).
dofile("Benchmarks/wrk/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/scim+json; charset=utf-8"
local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end
local counter = 0
local run = tostring(os.time())
request = function()
  counter = counter + 1
  local name = "new" .. run .. "-" .. tostring(tid) .. "-" .. counter .. "@example.test"
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name ..
    '","name":{"givenName":"New","familyName":"User"},"emails":[{"primary":true,"value":"' .. name ..
    '","type":"work"}],"displayName":"New User","locale":"en-US","externalId":"00u' .. counter ..
    '","groups":[],"password":"q7Rz2kLm","active":true}'
  return wrk.format(nil, "/scim/v2/Users", nil, body)
end
