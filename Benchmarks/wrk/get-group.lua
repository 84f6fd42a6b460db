-- GET one group with all its members: BENCH_GROUP names it (the 100 000-member group).
dofile("Benchmarks/wrk/common.lua")
local group = os.getenv("BENCH_GROUP")
request = function()
  return wrk.format("GET", "/scim/v2/Groups/" .. group)
end
