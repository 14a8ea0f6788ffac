local JANE = {username = "jane@example.com", authParams = {password = "correct horse battery staple"}}

describe("password", function()
  it("lets an account in with its password, display name and roles", function()
    local r = authenticate(JANE)
    assert.is_true(r.allowed)
    assert.equals("Jane", r.user.displayName)
    assert.same({roles = {"admin"}}, r.user.properties)
  end)

  it("stores no roles for an account without any", function()
    local r = authenticate{username = "bob@example.com", authParams = {password = "hunter2!"}}
    assert.is_true(r.allowed)
    assert.same({}, r.user.properties)
  end)

  it("denies a wrong password", function()
    local r = authenticate{username = "jane@example.com", authParams = {password = "Correct horse battery staple"}}
    assert.same({code = "access_denied", message = "Wrong username or password", reason = "bad_credentials"}, r.error)
  end)

  it("denies an unknown username exactly like a wrong password", function()
    local unknown = authenticate{username = "nobody@example.com", authParams = {password = "hunter2!"}}
    local wrong = authenticate{username = "bob@example.com", authParams = {password = "hunter3!"}}
    assert.same(wrong.error, unknown.error)
  end)

  it("asks for a password when there is none", function()
    local r = authenticate{username = "jane@example.com", authParams = {}}
    assert.equals("password_required", r.error.reason)
  end)

  it("denies a locked account even with the right password", function()
    local r = authenticate{username = "carol@example.com", authParams = {password = "old-password"}}
    assert.equals("account_locked", r.error.reason)
  end)

  it("does not tell a locked account's password from a wrong one", function()
    local r = authenticate{username = "carol@example.com", authParams = {password = "guess"}}
    assert.equals("bad_credentials", r.error.reason)
  end)

  it("keeps the display name the function gives over the stored one", function()
    given.user{name = "jane@example.com", displayName = "Old name"}
    assert.equals("Jane", authenticate(JANE).user.displayName)
  end)

  it("lets the user keep its id across sign-ins", function()
    local first = authenticate(JANE)
    local second = authenticate(JANE)
    assert.equals(first.user.id, second.user.id)
  end)
end)
