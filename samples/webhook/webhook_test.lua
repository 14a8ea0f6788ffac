-- The receiver is played by given.http: no test reaches the network. 05-allow-demo.lua lets
-- "demo"/"demo" in, so that there are sessions to report.
local URL = "https://hooks.example.com/sessiongate"
local SECRET = "whsec_5b8e0c2d7f1a4936e0"
local NOW = 1798761600 -- 2027-01-01T00:00:00Z

-- What a receiver does: recompute the HMAC over the body it got.
local function signature_of(body, secret)
  return "sha256=" .. crypto.hex(crypto.hmac_sha256(secret or SECRET, body))
end

local function start_demo()
  return authenticate{username = "demo", authParams = {password = "demo"}}
end

describe("the webhook", function()
  before_each(function()
    given.secret("WEBHOOK_URL", URL)
    given.secret("WEBHOOK_SECRET", SECRET)
    given.now(NOW)
  end)

  it("posts session_started after an allowed start", function()
    given.http{method = "POST", url = URL, status = 204, body = ""}
    local r = start_demo()
    assert.is_true(r.allowed)
    assert.is_not_nil(r.sessionId)

    local requests = http_requests()
    assert.equals(1, #requests)
    local sent = requests[1]
    assert.equals("POST", sent.method)
    assert.equals(URL, sent.url)
    assert.equals("application/json", sent.headers["content-type"])
    assert.same({
      event = "session_started", sessionId = r.sessionId, username = "demo", guest = false,
      at = "2027-01-01T00:00:00Z",
    }, json.decode(sent.body))
  end)

  it("signs the exact body it sends", function()
    given.http{method = "POST", url = URL, status = 204, body = ""}
    start_demo()
    local sent = http_requests()[1]
    assert.equals(signature_of(sent.body), sent.headers["x-signature"])
    assert.is_true(crypto.equals(signature_of(sent.body), sent.headers["x-signature"]))
    assert.not_equals(signature_of(sent.body, "another secret"), sent.headers["x-signature"])
    assert.not_equals(signature_of(sent.body .. " "), sent.headers["x-signature"])
  end)

  it("posts session_ended with the reason and the duration", function()
    given.http{method = "POST", url = URL, status = 204, body = ""}
    local r = start_demo()
    given.now(NOW + 90)
    end_session(r.sessionId, "revoked")

    local requests = http_requests()
    assert.equals(2, #requests)
    local sent = requests[2]
    assert.equals("POST", sent.method)
    assert.equals(URL, sent.url)
    assert.equals(signature_of(sent.body), sent.headers["x-signature"])
    local ended = json.decode(sent.body)
    assert.equals("session_ended", ended.event)
    assert.equals(r.sessionId, ended.sessionId)
    assert.equals("demo", ended.username)
    assert.equals("revoked", ended.reason)
    assert.equals("number", type(ended.duration))
    assert.truthy(ended.duration >= 0)
    assert.equals("string", type(ended.at))
  end)

  it("reports an ordinary end with reason ended", function()
    given.http{method = "POST", url = URL, status = 204, body = ""}
    end_session(start_demo().sessionId)
    assert.equals("ended", json.decode(http_requests()[2].body).reason)
  end)

  it("reports guest sessions too", function()
    given.http{method = "POST", url = URL, status = 204, body = ""}
    local r = authenticate{username = "visitor"}
    assert.is_true(r.allowed)
    local started = json.decode(http_requests()[1].body)
    assert.equals("visitor", started.username)
    assert.is_true(started.guest)
  end)

  it("sends nothing for a denied start", function()
    given.http{method = "POST", url = URL, status = 204, body = ""}
    local r = authenticate{username = "demo", authParams = {password = "wrong"}}
    assert.is_false(r.allowed)
    assert.is_nil(r.sessionId)
    assert.equals(0, #http_requests())
  end)
end)

describe("a webhook that fails does not change the start", function()
  before_each(function()
    given.secret("WEBHOOK_URL", URL)
    given.secret("WEBHOOK_SECRET", SECRET)
  end)

  it("when the receiver answers 500", function()
    given.http{method = "POST", url = URL, status = 500, body = "oops"}
    local r = start_demo()
    assert.is_true(r.allowed)
    assert.is_not_nil(r.sessionId)
    assert.equals("demo", r.user.name)
    assert.equals(1, #http_requests())
  end)

  it("when the receiver cannot be reached", function()
    given.http{method = "POST", url = URL, error = "connection refused"}
    local r = start_demo()
    assert.is_true(r.allowed)
    assert.is_not_nil(r.sessionId)
    assert.equals(1, #http_requests())
  end)

  it("when its secrets are missing (the trigger raises, nothing is sent)", function()
    given.secret("WEBHOOK_SECRET", nil)
    given.http{method = "POST", url = URL, status = 204, body = ""}
    local r = start_demo()
    assert.is_true(r.allowed)
    assert.equals(0, #http_requests())
  end)
end)
