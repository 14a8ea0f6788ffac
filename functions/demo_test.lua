-- Tests of the default functions: run them with `sessiongate test functions`.

describe("demo accounts", function()
  it("lets demo in with its password, under its display name", function()
    local r = authenticate{username = "demo", authParams = {password = "demo-password"}}
    assert.is_true(r.allowed)
    assert.equals("demo", r.user.name)
    assert.equals("Demo User", r.user.displayName)
    assert.is_false(r.user.isGuest)
  end)

  it("lets alice in with hers", function()
    local r = authenticate{username = "alice", authParams = {password = "wonderland"}}
    assert.is_true(r.allowed)
    assert.equals("Alice", r.user.displayName)
  end)

  it("denies a wrong password", function()
    local r = authenticate{username = "demo", authParams = {password = "wonderland"}}
    assert.is_false(r.allowed)
    assert.same({code = "access_denied", message = "Wrong password", reason = "bad_password"}, r.error)
  end)

  it("denies a known account without a password", function()
    local r = authenticate{username = "alice", authParams = {}}
    assert.equals("access_denied", r.error.code)
    assert.equals("password_required", r.error.reason)
  end)

  it("denies a password that is not a string", function()
    local r = authenticate{username = "alice", authParams = {password = 42}}
    assert.equals("password_required", r.error.reason)
  end)

  it("abstains on other usernames, so the start is access_denied", function()
    local r = authenticate{username = "mallory", authParams = {password = "demo-password"}}
    assert.is_false(r.allowed)
    assert.equals("access_denied", r.error.code)
    assert.is_nil(r.error.reason)
  end)

  it("turns a guest of the same name into the demo user", function()
    given.user{name = "demo", isGuest = true}
    local r = authenticate{username = "demo", authParams = {password = "demo-password"}}
    assert.is_true(r.allowed)
    assert.is_false(r.user.isGuest)
    assert.equals("Demo User", r.user.displayName)
  end)

  it("leaves guest starts alone: they run no function", function()
    local r = authenticate{username = "visitor"}
    assert.is_true(r.allowed)
    assert.is_true(r.user.isGuest)
  end)

  it("refuses a guest start for a demo account that has signed in", function()
    assert.is_true(authenticate{username = "demo", authParams = {password = "demo-password"}}.allowed)
    local r = authenticate{username = "demo"}
    assert.equals("authentication_required", r.error.code)
  end)
end)
