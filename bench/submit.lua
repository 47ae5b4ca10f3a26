-- wrk script: POST a level-2 submission for one of the demo practices with
-- the admin token (so the practice can vary), one new body per request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("OPEL_TOKEN") or "demo-admin")
local n = 0
request = function()
  n = n + 1
  local code = string.format("C82%03d", (n % 132) + 1)
  local body = string.format('{"practice":"%s","level":%d,"themes":["workforce"]}', code, (n % 2) + 1)
  return wrk.format(nil, "/v1/submissions", nil, body)
end
