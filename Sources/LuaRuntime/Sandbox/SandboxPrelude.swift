/// The Lua code that builds the sandbox of SPEC §3 inside a fresh state.
///
/// It runs once per state, with the real global table as its environment and
/// the C guards as its argument. Everything a script can reach afterwards is
/// built here: the shared `base` table behind every environment, read-only
/// proxies of the standard libraries, and environments per loaded chunk. The
/// real globals are emptied at the end, so no script can reach them.
///
/// Returns `newEnvironment`, `defineGlobal`, `setFrozenTime`, `installRequire`
/// and `readonly` for the host.
enum SandboxPrelude {
    static let chunkName = "=[sandbox]"

    static let source = #"""
local guards = ...
local G = _G
local rawset, rawget, setmetatable, getmetatable = rawset, rawget, setmetatable, getmetatable
local type, error, next, select, tostring, format = type, error, next, select, tostring, string.format
local os_time, os_clock, os_date, floor = os.time, os.clock, os.date, math.floor
local collectgarbage, load = collectgarbage, load
local guarded_pcall = guards.pcall

-- Errors raised here on a script's behalf must name the script's line, never
-- this chunk's: our own errors use level 2. A library function called from
-- a wrapper would blame the wrapper's line, so wrappers call it through pcall
-- (where its message gets no position) and hand the outcome to blame_caller
-- in a tail call; level 2 is then the script that called the wrapper. Under
-- pcall the library cannot tell its own name either, so an argument error
-- gets the name the script called.
local gsub = string.gsub
local function blame_caller(name, ok, ...)
  if ok then return ... end
  local message = ...
  if type(message) == "string" then
    message = gsub(message, "^(bad argument #%d+ to ')[^']*'", "%1" .. name .. "'", 1)
  end
  error(message, 2)
end

-- Tables a script may not rawset; weak so that environments can be collected.
local protected = setmetatable({}, {__mode = "k"})

local function readonly(t, name)
  local proxy = setmetatable({}, {
    __index = t,
    __newindex = function(_, key)
      error(format("attempt to change '%s.%s': the library is read-only", name, tostring(key)), 2)
    end,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
    __metatable = false,
  })
  protected[proxy] = true
  return proxy
end

-- string.dump would hand out bytecode; the real string table stays hidden
-- behind the string metatable, which scripts cannot get at.
string.dump = nil
getmetatable("").__metatable = false

local frozen_time = nil
local os_lib = {
  time = function(t)
    if t == nil and frozen_time ~= nil then return floor(frozen_time) end
    return blame_caller("time", guarded_pcall(os_time, t))
  end,
  clock = os_clock,
  date = function(fmt, t)
    if t == nil and frozen_time ~= nil then t = floor(frozen_time) end
    return blame_caller("date", guarded_pcall(os_date, fmt, t))
  end,
}

local coroutine_lib = {}
for k, v in next, coroutine do coroutine_lib[k] = v end
coroutine_lib.resume = guards.resume
coroutine_lib.close = guards.close
-- wrap on top of the guarded resume, so a host function's wait inside a
-- wrapped coroutine reaches the gateway, as it does through resume.
local guarded_resume, coroutine_create, coroutine_close = guards.resume, coroutine.create, guards.close
local function wrapped_results(co, ok, ...)
  if ok then return ... end
  local err = ...
  coroutine_close(co)
  error(err, 2)
end
function coroutine_lib.wrap(f)
  local co = coroutine_create(f)
  return function(...) return wrapped_results(co, guarded_resume(co, ...)) end
end

local base = {
  assert = assert, error = error, getmetatable = getmetatable, ipairs = ipairs,
  next = next, pairs = pairs, rawequal = rawequal, rawget = rawget, rawlen = rawlen,
  select = select, tonumber = tonumber, tostring = tostring, type = type,
  _VERSION = _VERSION,
  pcall = guards.pcall, xpcall = guards.xpcall, print = guards.print, warn = guards.warn,
  string = readonly(string, "string"), table = readonly(table, "table"),
  math = readonly(math, "math"), utf8 = readonly(utf8, "utf8"),
  coroutine = readonly(coroutine_lib, "coroutine"), os = readonly(os_lib, "os"),
}

function base.setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not allowed in chat functions", 2)
  end
  return blame_caller("setmetatable", guarded_pcall(setmetatable, t, mt))
end

function base.rawset(t, k, v)
  if protected[t] then error("attempt to rawset a protected table", 2) end
  return blame_caller("rawset", guarded_pcall(rawset, t, k, v))
end

function base.collectgarbage(opt, ...)
  if opt == "count" then return collectgarbage("count") end
  error("collectgarbage: only \"count\" is allowed in chat functions", 2)
end

-- Text chunks only; without an explicit environment, a fresh one over base.
function base.load(chunk, chunkname, mode, env)
  if select("#", chunk, chunkname, mode, env) < 4 or env == nil then
    env = setmetatable({}, {__index = base})
  end
  return blame_caller("load", guarded_pcall(load, chunk, chunkname, "t", env))
end

-- An environment of its own for one chunk. It stays empty: globals live in
-- `store`, so that every assignment goes through __newindex and a frozen
-- environment refuses it, whether the name existed or not.
local function newEnvironment(name, freezeAfterLoad)
  local store = setmetatable({}, {__index = base})
  local env = {}
  local frozen = false
  setmetatable(env, {
    __index = store,
    __newindex = function(_, key, value)
      if frozen then
        error(format("assignment to global '%s' during a call: the globals of %s are frozen once it has loaded (use a local)",
          tostring(key), name), 2)
      end
      rawset(store, key, value)
    end,
    __pairs = function() return next, store, nil end,
    __metatable = false,
  })
  rawset(store, "_G", env)
  protected[env] = true
  local function freeze() frozen = freezeAfterLoad end
  return env, freeze
end

local function defineGlobal(name, value)
  if type(value) == "table" then value = readonly(value, name) end
  base[name] = value
end

local function setFrozenTime(seconds) frozen_time = seconds end

-- require(name) for modules the host's searcher finds (text only, never C):
-- each module runs once in a frozen environment of its own and is cached.
local function installRequire(searcher)
  local loaded, loading = {}, {}
  base.require = function(name)
    if type(name) ~= "string" then
      error(format("bad argument #1 to 'require' (string expected, got %s)", type(name)), 2)
    end
    local cached = loaded[name]
    if cached ~= nil then return cached end
    if loading[name] then error(format("require: module '%s' requires itself", name), 2) end
    local found, source, chunkname = guarded_pcall(searcher, name)
    if not found then error(source, 2) end
    local env, freeze = newEnvironment(chunkname, true)
    local chunk, err = load(source, "@" .. chunkname, "t", env)
    if not chunk then error(err, 0) end
    loading[name] = true
    local ok, result = guarded_pcall(chunk, name)
    loading[name] = nil
    if not ok then error(result, 0) end
    freeze()
    if result == nil then result = true end
    loaded[name] = result
    return result
  end
end

for k in next, G do G[k] = nil end
return newEnvironment, defineGlobal, setFrozenTime, installRequire, readonly
"""#
}
