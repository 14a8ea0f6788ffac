-- Username and password against the PBKDF2-SHA256 hashes of lib/accounts.lua.
-- A known account: the right password allows (with the account's display name and roles),
-- a wrong or missing one denies, a locked account is denied whatever the password.
-- An unknown username is denied with the same message as a wrong password, so that a client
-- cannot tell which usernames exist.
local accounts = require("accounts")

local function from_hex(hex)
  return (hex:gsub("%x%x", function(byte) return string.char(tonumber(byte, 16)) end))
end

local function password_matches(account, password)
  local key = crypto.pbkdf2_sha256(password, from_hex(account.salt), account.iterations, 32)
  return crypto.equals(crypto.hex(key), account.hash)
end

local WRONG = {message = "Wrong username or password", reason = "bad_credentials"}

return function(event, context)
  local password = event.authParams.password
  if type(password) ~= "string" or password == "" then
    return false, {message = "A password is required", reason = "password_required"}
  end
  local account = accounts[event.username]
  if account == nil then
    -- Spend the same work as for a real account, so timing does not tell either.
    password_matches(accounts["jane@example.com"], password)
    return false, WRONG
  end
  if not password_matches(account, password) then
    context.log.info("wrong password", {username = event.username})
    return false, WRONG
  end
  if account.locked then
    return false, {message = "This account is locked", reason = "account_locked"}
  end
  local properties = {}
  if account.roles and #account.roles > 0 then properties.roles = account.roles end
  return {displayName = account.displayName, properties = properties}
end
