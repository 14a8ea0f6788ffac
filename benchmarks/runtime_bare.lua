-- The same auth-shaped call as the RuntimeBenchmark executable, run by the
-- bare lua5.4 interpreter, the event table built in Lua.
local f = function(event) return event.authParams.password == "pw" end
local N = tonumber(arg and arg[1]) or 1000000
local rounds, allowed = {}, 0
for r = 1, 5 do
  local t0 = os.clock()
  for _ = 1, N do
    if f({username = "jane", authParams = {password = "pw"}}) then allowed = allowed + 1 end
  end
  rounds[r] = (os.clock() - t0) / N * 1e9
end
assert(allowed == 5 * N)
table.sort(rounds)
print(string.format("bare lua5.4: %.0f ns/call median of 5 rounds of %d calls (rounds: %.0f %.0f %.0f %.0f %.0f)",
  rounds[3], N, rounds[1], rounds[2], rounds[3], rounds[4], rounds[5]))
