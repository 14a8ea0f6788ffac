-- Magic links: `user|expiry|signature`, where expiry is whole seconds since the epoch and the
-- signature is base64url(HMAC-SHA256(key, "user|expiry")). The backend that emails the link
-- signs it with `sign`; the gateway checks it with `check`. Both share the key, which the
-- gateway reads from context.secrets.MAGIC_LINK_KEY (SESSIONGATE_SECRET_MAGIC_LINK_KEY).
local M = {}

local function signature(key, user, expiry)
  return base64.urlencode(crypto.hmac_sha256(key, user .. "|" .. expiry))
end

--- A link for `user` that works until `expiry`.
function M.sign(key, user, expiry)
  expiry = string.format("%d", math.floor(expiry))
  return user .. "|" .. expiry .. "|" .. signature(key, user, expiry)
end

--- The user a link is for, or nil and why not ("malformed", "bad_signature", "expired").
function M.check(key, link, now)
  if type(link) ~= "string" then return nil, "malformed" end
  -- The user part may itself hold "|": the last two fields are expiry and signature.
  local user, expiry, sig = link:match("^(.+)|(%d+)|([%w_-]+)$")
  if user == nil or #expiry > 15 then return nil, "malformed" end
  -- Check the signature first, in constant time, before trusting anything in the link.
  if not crypto.equals(signature(key, user, expiry), sig) then return nil, "bad_signature" end
  if tonumber(expiry) < now then return nil, "expired" end
  return user
end

return M
