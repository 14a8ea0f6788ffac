local SALT = "bench-salt-0001"
local HASH = "17534e9f55d6b51f04043569d2efe246fb72106a0a27a5c9715a58f5d9bf91fa"
return function(event)
  local derived = crypto.hex(crypto.pbkdf2_sha256(event.authParams.password, SALT, 10000, 32))
  if crypto.equals(derived, HASH) then return true end
  return false, "Wrong password"
end
