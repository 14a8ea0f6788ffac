-- Lets in the user a magic link was made for, until the link expires: authParams.magicLink
-- holds the `user|expiry|signature` token (see lib/magic_link.lua). Starts without a link
-- are not ours: the function abstains. Links are not single-use: the backend that sends them
-- should keep their lifetime short (minutes).
local magic_link = require("magic_link")

local DENIALS = {
  malformed = {message = "This sign-in link is not valid", reason = "invalid_link"},
  bad_signature = {message = "This sign-in link is not valid", reason = "invalid_link"},
  expired = {message = "This sign-in link has expired", reason = "link_expired"},
}

return function(event, context)
  local link = event.authParams.magicLink
  if link == nil then
    return nil
  end
  local key = context.secrets.MAGIC_LINK_KEY
  if key == nil then
    -- A configuration mistake, not the client's: fail the start as a function error.
    error("the MAGIC_LINK_KEY secret is not set")
  end
  local user, problem = magic_link.check(key, link, context.now())
  if user == nil then
    return false, DENIALS[problem]
  end
  if user ~= event.username then
    return false, {message = "This sign-in link is for another user", reason = "wrong_user"}
  end
  return true
end
