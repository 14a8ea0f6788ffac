return function(event) return event.authParams.password == "pw" end
