-- Tells another service about every session: a signed JSON POST to context.secrets.WEBHOOK_URL
-- when a session starts (guest or authenticated) and when it ends, whatever the cause.
--
--   POST <WEBHOOK_URL>
--   content-type: application/json
--   x-signature: sha256=<lowercase hex HMAC-SHA256 of the body, keyed with WEBHOOK_SECRET>
--   {"event":"session_started","sessionId":"…","username":"…","guest":false,"at":"…"}
--   {"event":"session_ended","sessionId":"…","username":"…","reason":"revoked","duration":12.5,"at":"…"}
--
-- The body is encoded once and that very string is both signed and sent, so the receiver can
-- check the signature over the bytes it got. This file returns triggers only, no
-- `authenticate`: it takes no part in deciding starts, and a trigger can never delay or change
-- a reply. Delivery is best effort: one attempt; a failure is logged (never the secret).

-- An RFC 3339 time in UTC from context.now() (os.date wants whole seconds).
local function rfc3339(seconds)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(seconds))
end

local function deliver(payload, context)
  local url = context.secrets.WEBHOOK_URL
  local secret = context.secrets.WEBHOOK_SECRET
  if url == nil or secret == nil then
    -- A configuration mistake: raised, so it is logged with this file and counted as an error
    -- in sessiongate_trigger_runs_total.
    error("the WEBHOOK_URL and WEBHOOK_SECRET secrets must be set")
  end
  local body = json.encode(payload)
  local response, problem = http.request{
    method = "POST",
    url = url,
    body = body,
    headers = {
      ["content-type"] = "application/json",
      ["x-signature"] = "sha256=" .. crypto.hex(crypto.hmac_sha256(secret, body)),
    },
  }
  if response == nil then
    context.log.warn("webhook not delivered: " .. problem, {event = payload.event, sessionId = payload.sessionId})
  elseif response.status < 200 or response.status > 299 then
    context.log.warn("webhook refused", {event = payload.event, sessionId = payload.sessionId, status = response.status})
  end
end

return {
  session_started = function(event, context)
    deliver({
      event = "session_started",
      sessionId = event.sessionId,
      username = event.username,
      guest = event.guest,
      at = rfc3339(context.now()),
    }, context)
  end,

  session_ended = function(event, context)
    deliver({
      event = "session_ended",
      sessionId = event.sessionId,
      username = event.username,
      reason = event.reason,
      duration = event.duration,
      at = event.endedAt,
    }, context)
  end,
}
