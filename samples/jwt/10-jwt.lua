-- Lets in users whose application backend vouches for them with a JWT in authParams.token:
--   HS256, signed with a secret the backend shares with the gateway
--     (context.secrets.BACKEND_JWT_KEY, from SESSIONGATE_SECRET_BACKEND_JWT_KEY), or
--   RS256, signed with the backend's private key; the public key is in lib/backend_keys.lua.
-- The token must come from our backend (iss), be meant for us (aud), be current (exp, nbf) and
-- name this very user (sub). Its `name` claim becomes the display name, its `roles` claim a
-- property. Starts without a token are not ours: the function abstains.
local keys = require("backend_keys")

-- The algorithm the token's header claims; the key we pick for it only ever verifies that one
-- algorithm, so a token cannot talk us into checking an RS256 key as an HMAC secret.
local function algorithm_of(token)
  local header = token:match("^([%w_-]+)%.")
  if header == nil then return nil end
  local ok, decoded = pcall(base64.urldecode, header)
  if not ok then return nil end
  local parsed_ok, parsed = pcall(json.decode, decoded)
  if not parsed_ok or type(parsed) ~= "table" then return nil end
  return parsed.alg
end

local function options_for(token, context)
  if algorithm_of(token) == "HS256" then
    local secret = context.secrets.BACKEND_JWT_KEY
    if secret == nil then
      context.log.warn("an HS256 token arrived but the BACKEND_JWT_KEY secret is not set")
      return nil
    end
    return {key = secret, algorithms = {"HS256"}, issuer = keys.issuer, audience = keys.audience}
  end
  return {key = keys.rs256_public_key, algorithms = {"RS256"}, issuer = keys.issuer, audience = keys.audience}
end

return function(event, context)
  local token = event.authParams.token
  if token == nil then
    return nil
  end
  if type(token) ~= "string" then
    return false, {message = "Invalid token: it must be a string", reason = "invalid_token"}
  end
  local options = options_for(token, context)
  if options == nil then
    return false, {message = "Invalid token", reason = "invalid_token"}
  end
  local claims, problem = jwt.verify(token, options)
  if claims == nil then
    return false, {message = "Invalid token: " .. problem, reason = "invalid_token"}
  end
  if claims.sub ~= event.username then
    return false, {message = "The token was issued for another user", reason = "wrong_user"}
  end
  local profile = {}
  if type(claims.name) == "string" then profile.displayName = claims.name end
  if type(claims.roles) == "table" then profile.properties = {roles = claims.roles} end
  return profile
end
