-- GET /Groups: a page holding the 100 000-member group and the 10-member one, with members.
dofile("Benchmarks/wrk/common.lua")
request = function()
  return wrk.format("GET", "/scim/v2/Groups?startIndex=1&count=10")
end
