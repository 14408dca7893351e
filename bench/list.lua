-- wrk script: the back-office application list filtered by state and sub-brand, as a
-- logged-in trade service center user (the session cookie comes from ETOWN_COOKIE).
local cookie = os.getenv("ETOWN_COOKIE")
local states = { "submitted", "site_review", "public_notice", "agreement", "completed" }

request = function()
  local path = "/applications?state=" .. states[math.random(#states)] .. "&brand_id=" .. math.random(2, 6)
  return wrk.format("GET", path, { ["Cookie"] = cookie })
end
