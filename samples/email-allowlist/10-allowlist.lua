-- First in the chain: only usernames that are email addresses of an allowed domain
-- (lib/allowed_domains.lua) get past. Everyone else is denied here, before any password is
-- checked; an allowed address gets no verdict from this function (it abstains), so the next
-- function, 20-password.lua, decides.
local allowed = require("allowed_domains")

return function(event, context)
  local domain = event.username:match("^[^@%s]+@([^@%s]+%.[^@%s]+)$")
  if domain == nil then
    return false, {message = "The username must be an email address", reason = "not_an_email"}
  end
  if not allowed[domain:lower()] then
    return false, {message = "Sign-ups are limited to approved email domains", reason = "domain_not_allowed"}
  end
  return nil
end
