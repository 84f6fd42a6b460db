-- Shared by the wrk scripts of scripts/bench: the token comes from the environment, ids follow
-- StoreBenchmarks' deterministic scheme (user n = 00000000-0000-4000-8000-<n as 12 hex digits>).
token = os.getenv("BENCH_TOKEN")
users = tonumber(os.getenv("BENCH_USERS") or "100000")
function user_id(n) return string.format("00000000-0000-4000-8000-%012x", n) end
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/scim+json"
