-- Runs one case of the pattern differential test inside a state and describes
-- its outcome as a string; the C harness compares the strings of two states.
-- Arguments 3 and 4 of the call are chosen by index from the lists below, so
-- that both states build equal values (tables and functions included).
local find, match, gmatch, gsub = string.find, string.match, string.gmatch, string.gsub
local format, concat, pack, unpack = string.format, table.concat, table.pack, table.unpack
local mathtype = math.type

local NIL = {}
local inits = { NIL, 1, 2, 3, 4, 5, -1, -2, -3, -4, -5, 0, 6, 7, 10, -10, 100, -100,
  math.maxinteger, math.mininteger, 2.0, "2", " 3 ", "x", 1.5, true, {} }
local plains = { NIL, true, false, 1, "" }
local counts = { NIL, 0, 1, 2, 3, -1, 1.5, "1", "x", math.maxinteger, math.mininteger, 2.0 }

local function show_all(...)
  return select("#", ...) .. "<" .. concat({...}, "|", 1, select("#", ...)) .. ">"
end
local replacements = {
  "x", "%0", "%1", "[%1%2]", "%%", "%", "%a", "", "%9", "<%2>", "%1%1%0", "a%", 7, 1.5, -0.0,
  { a = "A", b = false, ["("] = 12, ["1"] = "one", [1] = "int", [2] = 2.5, [""] = "E", c = {}, ["%"] = true },
  show_all,
  function() return nil end,
  function() return false end,
  function() return {} end,
  function(c) return c end,
  function(c) return 3.0 end,
  function() error("replacement failed") end,
  function(...) return select("#", ...) end,
  NIL, true, string.len,
}

local function value(list, code)
  local v = list[code]
  if v == NIL then return nil end
  return v
end

local function describe(r, first)
  local out = {}
  for i = first or 1, r.n do
    local v = r[i]
    local kind = type(v)
    if kind == "string" then out[#out + 1] = format("%q", v)
    elseif kind == "number" then out[#out + 1] = mathtype(v) .. ":" .. format("%q", v)
    else out[#out + 1] = kind .. ":" .. (kind == "boolean" and tostring(v) or "") end
  end
  return concat(out, ",")
end

local functions = { find, match, gmatch, gsub }
local methods = {
  function(s, ...) return s:find(...) end,
  function(s, ...) return s:match(...) end,
  function(s, ...) return s:gmatch(...) end,
  function(s, ...) return s:gsub(...) end,
}
local lists3 = { inits, inits, inits, replacements }
local lists4 = { plains, {}, {}, counts }

local function run(kind, s, p, code3, code4)
  -- kinds 1-4: called through pcall; 5-8: the same called from a Lua
  -- function as a method, so that error positions and names show too.
  local base = (kind - 1) % 4 + 1
  local f = functions[base]
  local args, n = { s, p }, 2
  if code3 > 0 then n = 3; args[3] = value(lists3[base], code3) end
  if code4 > 0 then n = 4; args[4] = value(lists4[base], code4) end
  if s == "<nil>" then args[1] = nil elseif s == "<number>" then args[1] = 1234.5 elseif s == "<table>" then args[1] = {} end
  if p == "<nil>" then args[2] = nil elseif p == "<number>" then args[2] = 34 end
  local r
  if kind <= 4 then
    r = pack(pcall(f, unpack(args, 1, n)))
  else
    r = pack(pcall(methods[base], unpack(args, 1, n)))
  end
  if base ~= 3 or not r[1] then return describe(r) end
  local steps, iterator = {}, r[2]
  for _ = 1, 40 do
    local step = pack(pcall(iterator))
    steps[#steps + 1] = describe(step)
    if not step[1] or step.n == 1 then break end
  end
  return "gmatch:" .. concat(steps, ";")
end

-- The harness draws argument codes from 1 to these sizes.
return run, { #inits, #plains, #replacements, #counts }
