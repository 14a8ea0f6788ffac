-- Only here for the tests and the demo: a webhook file takes no part in authentication, so
-- something must let a start in for its triggers to have sessions to report. This lets in
-- the username "demo" with the password "demo" and abstains on everything else. Do not copy it
-- into a real functions folder: put 10-webhook.lua next to your own functions instead.
return function(event, context)
  if event.username == "demo" and event.authParams.password == "demo" then
    return true
  end
  return nil
end
