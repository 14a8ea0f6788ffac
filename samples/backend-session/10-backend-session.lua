-- Lets in users who already have a session with your application: the client passes the
-- application's session cookie as authParams.sessionCookie, and this function asks the
-- application's backend whether that cookie is a live session of this username.
--
--   POST <SESSION_BACKEND_URL>
--   authorization: Bearer <SESSION_BACKEND_TOKEN>
--   content-type: application/json
--   {"cookie": "…", "username": "…"}
--
-- The backend answers 200 with {"valid": true, "user": {"displayName": "…"}} or
-- {"valid": false, "reason": "…", "message": "…"}. Both secrets come from
-- SESSIONGATE_SECRET_SESSION_BACKEND_URL / _TOKEN or the config file's secrets section.
--
-- Nothing is cached: every start asks the backend, so a logout there takes effect at the next
-- start. The function fails closed: a backend that cannot be reached, answers 5xx or anything
-- but a well-formed 200 is a denial (backend_unavailable), never an allow. The cookie travels
-- in the body, never in the URL, and is never logged. Starts without a session cookie are not
-- ours: the function abstains.

-- Seconds to wait for the backend. Kept under --function-timeout (default 1 s), so that a
-- backend that hangs is a clean backend_unavailable denial rather than a function_timeout; the
-- gateway caps it at what remains of the budget anyway.
local TIMEOUT = 0.5

local UNAVAILABLE = {
  message = "Your session cannot be checked right now, try again later",
  reason = "backend_unavailable",
}

local function unavailable(context, why, fields)
  context.log.warn("session backend unavailable: " .. why, fields)
  return false, UNAVAILABLE
end

-- The profile to store from the backend's `user`: its displayName when it is one the gateway
-- takes (a string of 1–256 bytes); otherwise nothing, and a new user is named by its username.
local function profile_of(user)
  local profile = {}
  if type(user) == "table" then
    local name = user.displayName
    if type(name) == "string" and #name >= 1 and #name <= 256 then
      profile.displayName = name
    end
  end
  return profile
end

return function(event, context)
  local cookie = event.authParams.sessionCookie
  if cookie == nil then
    return nil
  end
  if type(cookie) ~= "string" or cookie == "" then
    return false, {message = "Invalid session cookie", reason = "invalid_session"}
  end

  local url = context.secrets.SESSION_BACKEND_URL
  local token = context.secrets.SESSION_BACKEND_TOKEN
  if url == nil or token == nil then
    -- A configuration mistake: the start fails as a function error, never as an allow.
    error("the SESSION_BACKEND_URL and SESSION_BACKEND_TOKEN secrets must be set")
  end

  local response, problem = http.post(url, {cookie = cookie, username = event.username}, {
    headers = {authorization = "Bearer " .. token},
    timeout = TIMEOUT,
  })
  if response == nil then
    -- DNS, connect, TLS, timeout, reset, or a host --http-allow refuses: `problem` names it.
    return unavailable(context, problem, {username = event.username})
  end
  if response.status ~= 200 then
    -- 5xx: the backend is down; 401/403: our token is wrong; anything else: not our contract.
    return unavailable(context, "status " .. response.status, {username = event.username, status = response.status})
  end

  local ok, answer = pcall(json.decode, response.body)
  if not ok or type(answer) ~= "table" then
    return unavailable(context, "the answer is not a JSON object", {username = event.username})
  end
  if answer.valid == true then
    return profile_of(answer.user)
  end
  if answer.valid == false then
    local message = answer.message
    if type(message) ~= "string" or message == "" then message = "Your session is not valid" end
    local reason = answer.reason
    if type(reason) ~= "string" or reason == "" then reason = "invalid_session" end
    return false, {message = message, reason = reason}
  end
  return unavailable(context, "the answer has no boolean `valid`", {username = event.username})
end
