-- Lets in services and scripts that present an API key in authParams.apiKey. The keys live in
-- a secret, never in this folder: context.secrets.API_KEYS (SESSIONGATE_SECRET_API_KEYS, or
-- the config file's secrets section) is a JSON object mapping each key to the username it
-- belongs to, e.g. {"k_live_3f9a…": "build-bot"}. A key only works for its own username.
-- Starts without an API key are not ours: the function abstains.

-- Compares the presented key with every configured key in constant time and without stopping
-- at a match, so the time taken says nothing about which keys exist.
local function owner_of(presented, keys)
  local owner = nil
  for key, username in pairs(keys) do
    if crypto.equals(key, presented) then owner = username end
  end
  return owner
end

return function(event, context)
  local presented = event.authParams.apiKey
  if presented == nil then
    return nil
  end
  local configured = context.secrets.API_KEYS
  if configured == nil then
    error("the API_KEYS secret is not set")
  end
  -- A secret that is not a JSON object is a configuration mistake: json.decode raises, and
  -- the start fails as a function error, never as an allow.
  local keys = json.decode(configured)
  if type(keys) ~= "table" then
    error("the API_KEYS secret must be a JSON object of key -> username")
  end
  if type(presented) ~= "string" or owner_of(presented, keys) ~= event.username then
    return false, {message = "Invalid API key", reason = "invalid_api_key"}
  end
  return {properties = {authenticatedBy = "api-key"}}
end
