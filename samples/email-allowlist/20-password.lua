-- Second in the chain: the password of an address 10-allowlist.lua let through, against the
-- PBKDF2-SHA256 hashes of lib/accounts.lua.
local accounts = require("accounts")

local function from_hex(hex)
  return (hex:gsub("%x%x", function(byte) return string.char(tonumber(byte, 16)) end))
end

return function(event, context)
  local account = accounts[event.username]
  local password = event.authParams.password
  if account == nil or type(password) ~= "string" then
    return false, {message = "Wrong email or password", reason = "bad_credentials"}
  end
  local key = crypto.pbkdf2_sha256(password, from_hex(account.salt), account.iterations, 32)
  if not crypto.equals(crypto.hex(key), account.hash) then
    return false, {message = "Wrong email or password", reason = "bad_credentials"}
  end
  return true
end
