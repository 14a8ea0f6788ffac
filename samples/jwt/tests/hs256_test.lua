-- HS256 tokens are minted right here, as the backend would: the test knows the shared secret.
local KEY = "a-shared-secret-of-at-least-32-bytes!"
local NOW = 1798761600 -- 2027-01-01T00:00:00Z

local function mint(claims, key)
  local header = base64.urlencode(json.encode({alg = "HS256", typ = "JWT"}))
  local payload = base64.urlencode(json.encode(claims))
  local input = header .. "." .. payload
  return input .. "." .. base64.urlencode(crypto.hmac_sha256(key or KEY, input))
end

local function claims_for(username, overrides)
  local claims = {
    iss = "https://backend.example", aud = "sessiongate", sub = username,
    iat = os.time(), exp = os.time() + 300,
  }
  for k, v in pairs(overrides or {}) do claims[k] = v end
  return claims
end

describe("HS256 tokens", function()
  before_each(function()
    given.secret("BACKEND_JWT_KEY", KEY)
    given.now(NOW)
  end)

  it("let the token's subject in", function()
    local r = authenticate{username = "jane", authParams = {token = mint(claims_for("jane", {name = "Jane"}))}}
    assert.is_true(r.allowed)
    assert.equals("Jane", r.user.displayName)
  end)

  it("give a user without a name claim their username as display name", function()
    local r = authenticate{username = "jane", authParams = {token = mint(claims_for("jane"))}}
    assert.equals("jane", r.user.displayName)
  end)

  it("keep the roles claim as a property", function()
    local r = authenticate{username = "jane", authParams = {token = mint(claims_for("jane", {roles = {"admin"}}))}}
    assert.same({roles = {"admin"}}, r.user.properties)
  end)

  it("are refused when signed with another secret", function()
    local r = authenticate{username = "jane", authParams = {token = mint(claims_for("jane"), "not the key")}}
    assert.equals("invalid_token", r.error.reason)
    assert.matches("signature", r.error.message)
  end)

  it("are refused five minutes after they expire", function()
    local token = mint(claims_for("jane"))
    given.now(NOW + 300 + 61) -- exp plus the 60 s of clock skew jwt.verify allows
    local r = authenticate{username = "jane", authParams = {token = token}}
    assert.same({code = "access_denied", message = "Invalid token: token expired (exp)", reason = "invalid_token"}, r.error)
  end)

  it("are refused from another issuer", function()
    local token = mint(claims_for("jane", {iss = "https://elsewhere.example"}))
    local r = authenticate{username = "jane", authParams = {token = token}}
    assert.equals("invalid_token", r.error.reason)
  end)

  it("only let in their own subject", function()
    local r = authenticate{username = "jane", authParams = {token = mint(claims_for("bob"))}}
    assert.equals("wrong_user", r.error.reason)
  end)

  it("are refused while the gateway has no key for them", function()
    given.secret("BACKEND_JWT_KEY", nil)
    local r = authenticate{username = "jane", authParams = {token = mint(claims_for("jane"))}}
    assert.same({code = "access_denied", message = "Invalid token", reason = "invalid_token"}, r.error)
  end)
end)

describe("starts without a token", function()
  it("are not this function's to decide", function()
    local r = authenticate{username = "jane", authParams = {password = "x"}}
    assert.same({code = "access_denied", message = "No function allowed the start"}, r.error)
  end)

  it("with a token that is not a string are refused", function()
    local r = authenticate{username = "jane", authParams = {token = 42}}
    assert.equals("invalid_token", r.error.reason)
  end)

  it("with garbage for a token are refused", function()
    local r = authenticate{username = "jane", authParams = {token = "not.a.jwt"}}
    assert.equals("invalid_token", r.error.reason)
  end)
end)
