-- RS256 tokens cannot be minted here: the private key stays with the backend. These were
-- signed ahead of time (Python `cryptography`, see README.md) for 2027-01-01T00:00:00Z, and
-- given.now freezes the clock there, so they stay valid (or expired) forever.
local NOW = 1798761600

local TOKENS = {
  -- sub = "jane", name = "Jane Doe", roles = {"member", "editor"}, exp = 2100-01-01
  valid = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJhY2tlbmQtMjAyNyJ9.eyJpc3MiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZSIsImF1ZCI6InNlc3Npb25nYXRlIiwic3ViIjoiamFuZSIsIm5hbWUiOiJKYW5lIERvZSIsInJvbGVzIjpbIm1lbWJlciIsImVkaXRvciJdLCJpYXQiOjE3OTg3NjE1NDAsImV4cCI6NDEwMjQ0NDgwMH0.KrSskYxh7QUkvhdB5zaWLf-d66o-fIZHllgbWKQpsHUTpzxrhQu0WEqFb-1Vino0w41fd3WC60toyvGf6wG2VyzBCk2H1cjVnYE9Cu6YGNN54om7ya4RXri-LrIbzNbmPtWTnh86MbJZTo6AF4_wdxwg3ZwXAm54VrNRTWndsan0AhfmYllWGIIIhea1Z4PotCp1Ej3oNoJgczOGbBLz5io0uP1jo9X_Kl-MfNm__G9luSukYDCAi6cc2Pd-2LVmRTR0dsO96k__lEbPmPk-UyTePYCBP7Ps0IYUco9Qb6w6NfN47r8BTLgPtWSdy0onnRaTpzFjecz0hdpADD3qbA",
  -- the same claims, but exp = NOW - 3600
  expired = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJhY2tlbmQtMjAyNyJ9.eyJpc3MiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZSIsImF1ZCI6InNlc3Npb25nYXRlIiwic3ViIjoiamFuZSIsIm5hbWUiOiJKYW5lIERvZSIsImlhdCI6MTc5ODc1NDQwMCwiZXhwIjoxNzk4NzU4MDAwfQ.lknZQ7oEpdXC5B4WQS_FEff-Qc3JHS3QS6shd6o8SI_E6mh4yKz8yxtCxe-tsiMrTIgW1Qvk86W8Y_3DXJZEbcmMgF9pRSq5ofuI9V7djRqyiyL0a-JmEij6GzKfcW05nnPJcMJ7k5g5RQv19UUF7GtWOg8gxPu-uBLz7CKpUiyNMl9F-a3tJmz1jVNxtuE54wFyipLlee56A0AMFz6VMCcswQIVeLNcj757BkeBAc8SUT_TY8bBCgKvzug8vz2XyXqTD7FFhVlzbcquweEfTaEwQ51kSmx0nGoTXzQ8Hjoaljy3ksRdGtjkZP-J3xuVhiT9v0KKt6du-6KvkrNIJA",
  -- the valid claims, signed by a key that is not the backend's
  other_key = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJhY2tlbmQtMjAyNyJ9.eyJpc3MiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZSIsImF1ZCI6InNlc3Npb25nYXRlIiwic3ViIjoiamFuZSIsIm5hbWUiOiJKYW5lIERvZSIsImlhdCI6MTc5ODc2MTU0MCwiZXhwIjo0MTAyNDQ0ODAwfQ.GPv2OJMdKB1JwSeV8y1bm059AeTG9ZHYs2ebX6GfusTtR3dKlhOpbl8DxnFDwtaioqq7caiX7QxnAE_kvlGneO35GH-whRuY4Rrd8Xlvu3cz59_EOl2GpD7HcbG2j0AOcibwDcSfZ5LTuzKKaaJjkHTQISQti2-4pi8IWhBFIjzANnjgocPnfgUSTJ5pRqJI2j3SQlBdrVOnWmYttPYOAH4-U4bJjU-f1YavSYjFvArrYD3anfQ5yRecomPIibNC1kQiJTY4WBx6kgxR8L_6m5oebZv-I19ta7LKCHi6N17zUUhZTDs2fvtcM3ld50uDTFkVow0jjMZAGHYYcEk4_Q",
  -- sub = "bob"
  bob = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJhY2tlbmQtMjAyNyJ9.eyJpc3MiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZSIsImF1ZCI6InNlc3Npb25nYXRlIiwic3ViIjoiYm9iIiwiaWF0IjoxNzk4NzYxNTQwLCJleHAiOjQxMDI0NDQ4MDB9.NgZlnYZDaoDnyw3ac8z8iHkQ_ijPVlfxIOF5e3yYptz3pgZ9HJ0elIrCo6TT2gwd439Hme85fz-nC8-a-0wtKE3SpJWvP3VPUb2wkfsHzt7RipCaduglXmg2-GWbRBJWNb7x8gxPIeZ-yy81Afx2qqNu_qiO2Mg-qk7qHLoQBPvzJmsYOyMkoXlrbTHRKz-uOyxlzwInz4Z5NCbcUtESt1zozevX7Mr71VcC5Zcx1EgnDblyXow8x3VvGBAIya2WzStlzUds3UjxrgLjUPsWUtDeDhGzRUwBjcD8xUjfsTy3Qe6qcGx9YXt2czVUiW_XjHY65n9qbjmPhJNto0YhuQ",
  -- aud = "another-app"
  wrong_audience = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJhY2tlbmQtMjAyNyJ9.eyJpc3MiOiJodHRwczovL2JhY2tlbmQuZXhhbXBsZSIsImF1ZCI6ImFub3RoZXItYXBwIiwic3ViIjoiamFuZSIsImlhdCI6MTc5ODc2MTU0MCwiZXhwIjo0MTAyNDQ0ODAwfQ.QBLNc0HJ_xNZz3gKlkAUcUMhF2d538OALItYqD2_qbC_8UwKbaIW80edVcE96R-qKbnlssw54xBqSwNGDuftUQDf5-hADttw9-bSIFbPW73jSdWWjr-a3EuUpdrmCZKbV1vMprX17vvXokqE7NLHNrQbqNCJKQxd0TaPRsaeEjlD_YkTCvk1xq6unGapzbdeum2cYsA9y7r1q2LIAWvgYUQNVCGLvXfs7SkAsUz8hQKbGfOsNAXKo5-ip2KoAKHbaZwOkklp3q25op26eLtLdCtqenJJZiVR7As2RojnR3svbitrRKlVOFOM7VnzQoheMxnqqd61Jr2r5gT9uNx5JA",
}

describe("RS256 tokens", function()
  before_each(function()
    given.now(NOW)
  end)

  it("let the token's subject in with the profile the backend vouched for", function()
    local r = authenticate{username = "jane", authParams = {token = TOKENS.valid}}
    assert.is_true(r.allowed)
    assert.equals("Jane Doe", r.user.displayName)
    assert.same({roles = {"member", "editor"}}, r.user.properties)
  end)

  it("are refused once expired", function()
    local r = authenticate{username = "jane", authParams = {token = TOKENS.expired}}
    assert.is_false(r.allowed)
    assert.equals("invalid_token", r.error.reason)
    assert.matches("expired", r.error.message)
  end)

  it("are refused when another key signed them", function()
    local r = authenticate{username = "jane", authParams = {token = TOKENS.other_key}}
    assert.equals("invalid_token", r.error.reason)
  end)

  it("are refused when made for another audience", function()
    local r = authenticate{username = "jane", authParams = {token = TOKENS.wrong_audience}}
    assert.equals("invalid_token", r.error.reason)
    assert.matches("aud", r.error.message)
  end)

  it("only let in their own subject", function()
    local r = authenticate{username = "jane", authParams = {token = TOKENS.bob}}
    assert.same({code = "access_denied", message = "The token was issued for another user", reason = "wrong_user"}, r.error)
  end)

  it("cannot be forged by HMAC-signing with the public key", function()
    -- The "algorithm confusion" attack: the public key is public, so an attacker can use it as
    -- an HS256 secret. The RSA key only ever verifies RS256, so the forgery fails.
    local keys = require("backend_keys")
    local header = base64.urlencode(json.encode({alg = "RS256", typ = "JWT"}))
    local payload = base64.urlencode(json.encode({
      iss = keys.issuer, aud = keys.audience, sub = "jane", exp = NOW + 300,
    }))
    local forged = header .. "." .. payload .. "." .. base64.urlencode(crypto.hmac_sha256(keys.rs256_public_key, header .. "." .. payload))
    local r = authenticate{username = "jane", authParams = {token = forged}}
    assert.equals("invalid_token", r.error.reason)
  end)
end)
