-- The backend is played by given.http: no test reaches the network.
local URL = "https://app.example.com/internal/sessions/validate"
local TOKEN = "backend-token-7c41e9a2"

-- A stand-in for the application's backend: it checks the bearer token and the posted JSON,
-- and knows one live session. `seen` keeps the last request it was asked, for the assertions
-- (an assertion inside `respond` would fail the backend call, not the test).
local SESSIONS = {["s%3Ae1f0c7a9b2"] = {username = "jane", displayName = "Jane Doe"}}
local seen

local function fake_backend(request)
  seen = request
  if request.headers.authorization ~= "Bearer " .. TOKEN then
    return {status = 401, body = ""}
  end
  local ok, posted = pcall(json.decode, request.body)
  if not ok or type(posted) ~= "table" then
    return {status = 400, body = ""}
  end
  local session = SESSIONS[posted.cookie]
  if session == nil then
    return {status = 200, body = json.encode({
      valid = false, reason = "session_expired", message = "Your session has expired, please sign in again",
    })}
  end
  if session.username ~= posted.username then
    return {status = 200, body = json.encode({
      valid = false, reason = "wrong_user", message = "This session belongs to someone else",
    })}
  end
  return {status = 200, body = json.encode({valid = true, user = {displayName = session.displayName}})}
end

local function start(username, cookie)
  return authenticate{username = username, authParams = {sessionCookie = cookie}}
end

local UNAVAILABLE = {
  code = "access_denied",
  message = "Your session cannot be checked right now, try again later",
  reason = "backend_unavailable",
}

describe("a session cookie", function()
  before_each(function()
    given.secret("SESSION_BACKEND_URL", URL)
    given.secret("SESSION_BACKEND_TOKEN", TOKEN)
    seen = nil
  end)

  it("of a live session lets its user in with the backend's display name", function()
    given.http{method = "POST", url = URL, respond = fake_backend}
    local r = start("jane", "s%3Ae1f0c7a9b2")
    assert.is_true(r.allowed)
    assert.equals("jane", r.user.name)
    assert.equals("Jane Doe", r.user.displayName)
  end)

  it("is posted as JSON with the username and the backend token", function()
    given.http{method = "POST", url = URL, respond = fake_backend}
    start("jane", "s%3Ae1f0c7a9b2")
    assert.is_not_nil(seen, "the backend was not asked")
    assert.same({cookie = "s%3Ae1f0c7a9b2", username = "jane"}, json.decode(seen.body))
    assert.equals("Bearer " .. TOKEN, seen.headers.authorization)

    local requests = http_requests()
    assert.equals(1, #requests)
    assert.equals("POST", requests[1].method)
    assert.equals(URL, requests[1].url)
    assert.equals("Bearer " .. TOKEN, requests[1].headers.authorization)
    assert.matches("^application/json", requests[1].headers["content-type"])
    assert.same({cookie = "s%3Ae1f0c7a9b2", username = "jane"}, json.decode(requests[1].body))
  end)

  it("is checked again at every start: nothing is cached", function()
    given.http{method = "POST", url = URL, respond = fake_backend}
    assert.is_true(start("jane", "s%3Ae1f0c7a9b2").allowed)
    assert.is_true(start("jane", "s%3Ae1f0c7a9b2").allowed)
    assert.equals(2, #http_requests())
  end)

  it("the backend does not know is refused with the backend's message and reason", function()
    given.http{method = "POST", url = URL, respond = fake_backend}
    local r = start("jane", "s%3Astale")
    assert.same({code = "access_denied", message = "Your session has expired, please sign in again",
      reason = "session_expired"}, r.error)
  end)

  it("of another user is refused", function()
    given.http{method = "POST", url = URL, respond = fake_backend}
    assert.equals("wrong_user", start("bob", "s%3Ae1f0c7a9b2").error.reason)
  end)

  it("that is not a string is refused without asking the backend", function()
    local r = start("jane", 42)
    assert.equals("invalid_session", r.error.reason)
    assert.equals(0, #http_requests())
  end)

  it("keeps the username as display name when the backend sends none", function()
    given.http{method = "POST", url = URL, status = 200, json = {valid = true, user = {}}}
    local r = start("jane", "s%3Ae1f0c7a9b2")
    assert.is_true(r.allowed)
    assert.equals("jane", r.user.displayName)
  end)

  it("gets a default message when the backend's denial has none", function()
    given.http{method = "POST", url = URL, status = 200, json = {valid = false}}
    assert.same({code = "access_denied", message = "Your session is not valid", reason = "invalid_session"},
      start("jane", "s%3Ae1f0c7a9b2").error)
  end)
end)

describe("when the backend fails, the start is refused (fail closed)", function()
  before_each(function()
    given.secret("SESSION_BACKEND_URL", URL)
    given.secret("SESSION_BACKEND_TOKEN", TOKEN)
  end)

  it("on a transport failure", function()
    given.http{method = "POST", url = URL, error = "connection refused"}
    local r = start("jane", "s%3Ae1f0c7a9b2")
    assert.is_false(r.allowed)
    assert.same(UNAVAILABLE, r.error)
    assert.equals(1, #http_requests())
  end)

  it("on a 503", function()
    given.http{method = "POST", url = URL, status = 503, body = "upstream overloaded"}
    assert.same(UNAVAILABLE, start("jane", "s%3Ae1f0c7a9b2").error)
  end)

  it("on a 500 whose body says valid", function()
    given.http{method = "POST", url = URL, status = 500, json = {valid = true, user = {displayName = "Jane"}}}
    assert.same(UNAVAILABLE, start("jane", "s%3Ae1f0c7a9b2").error)
  end)

  it("when our token is wrong (401)", function()
    given.secret("SESSION_BACKEND_TOKEN", "an-old-token")
    given.http{method = "POST", url = URL, respond = fake_backend}
    assert.same(UNAVAILABLE, start("jane", "s%3Ae1f0c7a9b2").error)
  end)

  it("on an answer that is not JSON", function()
    given.http{method = "POST", url = URL, status = 200, body = "<html>Sign in</html>"}
    assert.same(UNAVAILABLE, start("jane", "s%3Ae1f0c7a9b2").error)
  end)

  it("on an answer whose `valid` is not a boolean", function()
    given.http{method = "POST", url = URL, status = 200, json = {valid = "yes"}}
    assert.same(UNAVAILABLE, start("jane", "s%3Ae1f0c7a9b2").error)
  end)

  it("when no given.http answers (a call that fails like an unknown host)", function()
    given.http{method = "POST", url = "https://elsewhere.example/validate", status = 200, json = {valid = true}}
    assert.same(UNAVAILABLE, start("jane", "s%3Ae1f0c7a9b2").error)
  end)
end)

describe("without its secrets", function()
  it("a start with a cookie fails as a function error and asks no one", function()
    given.secret("SESSION_BACKEND_URL", URL)
    local r = start("jane", "s%3Ae1f0c7a9b2")
    assert.equals("function_error", r.error.code)
    assert.equals(0, #http_requests())
  end)
end)

describe("starts without a session cookie", function()
  it("are not this function's to decide, and make no request", function()
    given.secret("SESSION_BACKEND_URL", URL)
    given.secret("SESSION_BACKEND_TOKEN", TOKEN)
    given.http{method = "POST", url = URL, respond = fake_backend}
    local r = authenticate{username = "jane", authParams = {password = "x"}}
    assert.same({code = "access_denied", message = "No function allowed the start"}, r.error)
    assert.equals(0, #http_requests())
  end)
end)
