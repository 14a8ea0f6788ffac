local function start(username, password)
  return authenticate{username = username, authParams = {password = password}}
end

describe("the allowlist in front of the password", function()
  it("lets an allowed domain's user in with the right password", function()
    local r = start("jane@example.com", "jane-secret")
    assert.is_true(r.allowed)
    assert.equals("jane@example.com", r.user.displayName)
  end)

  it("allows every domain on the list", function()
    assert.is_true(start("sam@partner.example", "sam-secret").allowed)
  end)

  it("denies another domain before the password is looked at", function()
    -- eve has an account and gives its right password: only the allowlist can refuse her.
    local r = start("eve@elsewhere.example", "eve-secret")
    assert.same({
      code = "access_denied",
      message = "Sign-ups are limited to approved email domains",
      reason = "domain_not_allowed",
    }, r.error)
  end)

  it("compares domains without regard to case", function()
    -- The allowlist lets it through; 20-password.lua knows no such account.
    local r = start("jane@EXAMPLE.com", "jane-secret")
    assert.equals("bad_credentials", r.error.reason)
  end)

  it("does not take a lookalike domain for an allowed one", function()
    assert.equals("domain_not_allowed", start("jane@example.com.evil.example", "jane-secret").error.reason)
    assert.equals("domain_not_allowed", start("jane@notexample.com", "jane-secret").error.reason)
  end)

  it("denies usernames that are not email addresses", function()
    for _, name in ipairs({"jane", "jane@", "@example.com", "jane@example", "a@b@example.com"}) do
      assert.equals("not_an_email", start(name, "jane-secret").error.reason, name)
    end
  end)

  it("leaves the password check to the next function", function()
    local r = start("jane@example.com", "wrong")
    assert.same({code = "access_denied", message = "Wrong email or password", reason = "bad_credentials"}, r.error)
  end)
end)
