-- wrk script: each request verifies a random certificate from bench/codes.txt.
local codes = {}
for line in io.lines("bench/codes.txt") do
  codes[#codes + 1] = line
end

request = function()
  return wrk.format("GET", "/portal/verify/" .. codes[math.random(#codes)])
end
