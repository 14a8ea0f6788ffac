-- Lets in the demo accounts of lib/demo_accounts.lua with their passwords:
--   demo / demo-password, alice / wonderland
-- A known account with a wrong or missing password is denied. Any other username is not ours
-- to decide: the function abstains, so a later function may allow it, and when none does the
-- start ends in access_denied.
local accounts = require("demo_accounts")

local function verify(account, password)
  local key = crypto.pbkdf2_sha256(password, base64.decode(account.salt), account.iterations, 32)
  return crypto.equals(key, base64.decode(account.hash))
end

return function(event, context)
  local account = accounts[event.username]
  if account == nil then
    return nil
  end
  local password = event.authParams.password
  if type(password) ~= "string" then
    return false, {message = "A password is required", reason = "password_required"}
  end
  if not verify(account, password) then
    return false, {message = "Wrong password", reason = "bad_password"}
  end
  return {displayName = account.displayName}
end
