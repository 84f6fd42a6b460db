-- The framework's ceiling: a constant answer from the same server
request = function() return wrk.format("GET", "/healthz") end
