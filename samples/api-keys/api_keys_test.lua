local KEYS = json.encode({
  ["k_live_8d2c1f7e9b"] = "build-bot",
  ["k_live_51a0c3d2e4"] = "status-page",
})

local function start(username, key)
  return authenticate{username = username, authParams = {apiKey = key}}
end

describe("API keys", function()
  before_each(function()
    given.secret("API_KEYS", KEYS)
  end)

  it("let in the username a key belongs to", function()
    local r = start("build-bot", "k_live_8d2c1f7e9b")
    assert.is_true(r.allowed)
    assert.equals("api-key", r.user.properties.authenticatedBy)
  end)

  it("work for every configured key", function()
    assert.is_true(start("status-page", "k_live_51a0c3d2e4").allowed)
  end)

  it("do not work for another username", function()
    local r = start("status-page", "k_live_8d2c1f7e9b")
    assert.same({code = "access_denied", message = "Invalid API key", reason = "invalid_api_key"}, r.error)
  end)

  it("are refused when unknown, or nearly right", function()
    assert.equals("invalid_api_key", start("build-bot", "k_live_8d2c1f7e9c").error.reason)
    assert.equals("invalid_api_key", start("build-bot", "k_live_8d2c1f7e9").error.reason)
    assert.equals("invalid_api_key", start("build-bot", "").error.reason)
  end)

  it("must be strings", function()
    assert.equals("invalid_api_key", start("build-bot", 12345).error.reason)
  end)

  it("leave the profile of an existing user as it was, but for the property", function()
    given.user{name = "build-bot", displayName = "Build bot"}
    local r = start("build-bot", "k_live_8d2c1f7e9b")
    assert.equals("Build bot", r.user.displayName)
  end)
end)

describe("without usable keys", function()
  it("an API key start fails as a function error when the secret is missing", function()
    assert.equals("function_error", start("build-bot", "k_live_8d2c1f7e9b").error.code)
  end)

  it("an API key start fails as a function error when the secret is not JSON", function()
    given.secret("API_KEYS", "k_live_8d2c1f7e9b=build-bot")
    assert.equals("function_error", start("build-bot", "k_live_8d2c1f7e9b").error.code)
  end)

  it("starts without an API key are not this function's to decide", function()
    local r = authenticate{username = "build-bot", authParams = {password = "x"}}
    assert.equals("access_denied", r.error.code)
  end)
end)
