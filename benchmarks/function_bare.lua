-- A function file called by the bare lua5.4 interpreter with the event and context that
-- `sessiongate bench` gives it, the baseline of BENCHMARKS.md §2:
--   lua5.4 benchmarks/function_bare.lua FILE USERNAME PASSWORD [N]
-- The event table is built anew for every call, as the gateway builds one per start.
local file, username, password = arg[1], arg[2], arg[3]
local N = tonumber(arg[4]) or 200000
local loaded = assert(loadfile(file))()
local authenticate = type(loaded) == "table" and loaded.authenticate or loaded
local context = { secrets = {}, log = {}, now = os.time }
local rounds, allowed = {}, 0
for r = 1, 5 do
  local t0 = os.clock()
  for _ = 1, N do
    local event = { username = username, authParams = { password = password }, remoteAddress = "127.0.0.1" }
    if authenticate(event, context) then allowed = allowed + 1 end
  end
  rounds[r] = (os.clock() - t0) / N * 1e9
end
assert(allowed == 5 * N, "the function did not allow every call")
table.sort(rounds)
print(string.format("bare lua5.4: %.0f ns/call median of 5 rounds of %d calls (rounds: %.0f %.0f %.0f %.0f %.0f)",
  rounds[3], N, rounds[1], rounds[2], rounds[3], rounds[4], rounds[5]))
