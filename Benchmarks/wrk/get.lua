-- GET /Users/{id} (the user's groups included: every user is in the 100 000-member group)
dofile("Benchmarks/wrk/common.lua")
request = function()
  return wrk.format("GET", "/scim/v2/Users/" .. user_id(math.random(0, users - 1)))
end
