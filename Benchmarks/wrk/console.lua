-- A console page with the admin's session cookie (scripts/bench signs in first); the path
-- comes from the environment: BENCH_PATH, e.g. /users?q=user4242.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local path = os.getenv("BENCH_PATH")
request = function()
  return wrk.format("GET", path)
end
