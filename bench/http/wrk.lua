-- The wrk script of `pnpm bench http` (see load.ts): one script, four scenarios.
--   wrk ... -s wrk.lua http://127.0.0.1:<port> -- <scenario> <basePath> <key> <usersFile> <groupsFile> <userCount> <prefix>
-- get:    GET  <base>/Users/<random seeded id>
-- filter: GET  <base>/Users?filter=userName eq "user<K>@example.com", K random in 1..userCount
-- post:   POST <base>/Users, userName <prefix>-<counter>@example.com (unique per run)
-- patch:  PATCH <base>/Groups/<random group>, Entra's Add of one random member
-- Every answer outside 2xx is counted (response hook); done() prints one line "WRKJSON {...}".

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local scenario, base, users, groups, userCount, prefix
local sequence = 0
non2xx = 0
firstError = ""

local function lines(path)
  local t = {}
  if path == "-" then return t end
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  return t
end

function init(args)
  scenario, base = args[1], args[2]
  wrk.headers["Authorization"] = "Bearer " .. args[3]
  wrk.headers["Accept"] = "application/scim+json"
  if scenario == "post" or scenario == "patch" then wrk.headers["Content-Type"] = "application/scim+json" end
  users, groups = lines(args[4]), lines(args[5])
  userCount = tonumber(args[6])
  prefix = args[7] .. "t" .. tostring(id)
  math.randomseed(os.time() * 1000 + id * 7919 + math.floor(os.clock() * 1000000))
end

local userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
local patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

function request()
  if scenario == "get" then
    return wrk.format("GET", base .. "/Users/" .. users[math.random(#users)])
  elseif scenario == "filter" then
    local k = math.random(userCount)
    return wrk.format("GET", base .. "/Users?filter=userName%20eq%20%22user" .. k .. "%40example.com%22")
  elseif scenario == "post" then
    sequence = sequence + 1
    local userName = prefix .. "-" .. sequence .. "@example.com"
    local body = '{"schemas":["' .. userSchema .. '"],"userName":"' .. userName .. '","externalId":"' .. prefix .. "-" .. sequence ..
      '","displayName":"New User ' .. sequence .. '","active":true,"name":{"givenName":"New","familyName":"User ' .. sequence ..
      '","formatted":"New User ' .. sequence .. '"},"emails":[{"value":"' .. userName .. '","type":"work","primary":true}],"title":"Title 1"}'
    return wrk.format("POST", base .. "/Users", nil, body)
  else
    local body = '{"schemas":["' .. patchSchema .. '"],"Operations":[{"op":"Add","path":"members","value":[{"value":"' ..
      users[math.random(#users)] .. '"}]}]}'
    return wrk.format("PATCH", base .. "/Groups/" .. groups[math.random(#groups)], nil, body)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if firstError == "" then firstError = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

local function quote(s)
  return '"' .. string.gsub(string.gsub(string.gsub(s, "\\", "\\\\"), '"', '\\"'), "[%c]", " ") .. '"'
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    local e = thread:get("firstError") or ""
    if first == "" then first = e end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"durationUs":%d,"p50Us":%.0f,"p99Us":%.0f,"non2xx":%d,"socketErrors":%d,"timeouts":%d,"firstError":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad,
    errors.connect + errors.read + errors.write, errors.timeout, quote(first)))
end
