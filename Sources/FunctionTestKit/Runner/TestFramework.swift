/// The busted-style test API of SPEC §4, written in Lua and run once in each test file's state.
///
/// The chunk returns `setup(host)`. The host passes its Swift functions (`authenticate`,
/// `secret`, `user`, `now`, `clock`); `setup` returns the runner:
/// - `load(source, chunkname)` runs a test file to register its tests and answers
///   `true, {{name, file, line}, …}` or `false, message`;
/// - `run(i)` runs test `i` with its hooks and answers `true`, or `false, message, file, line`
///   with the message as Lua raised it and the position of the test's `it`;
/// - `os` is the table the host installs as `os`, so that `given.now` freezes `os.time()` and
///   `os.date()` in the test state too.
///
/// Test files run in an environment of their own that is never frozen, whose globals fall
/// back to the API below and then to the sandbox. Assertions raise with `error(msg, 2)`, so
/// the position Lua prepends is the test's line, not this file's.
enum TestFramework {
    static let chunkName = "[sessiongate test]"

    static let source = #"""
local type, tostring, pairs, ipairs, pcall, error, setmetatable, load =
  type, tostring, pairs, ipairs, pcall, error, setmetatable, load
local format, concat, sort, floor = string.format, table.concat, table.sort, math.floor
local real_os = os
local null = json.null

return function(host)
  -- The position `level` callers up from the function that calls `location`
  -- ("file.lua", 12), or nil when Lua has none (a C function, a tail call).
  local function location(level)
    local _, message = pcall(error, "", level + 2)
    local file, line = message:match("^(.-):(%d+): $")
    return file, tonumber(line)
  end

  -- Values as a reader of a failure message wants them: strings quoted, tables sorted.
  local show
  local function quote(s)
    if #s > 300 then s = s:sub(1, 300) .. "…" end
    return '"' .. s:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' elseif c == "\\" then return "\\\\"
      elseif c == "\n" then return "\\n" elseif c == "\r" then return "\\r" elseif c == "\t" then return "\\t" end
      return format("\\%d", c:byte())
    end) .. '"'
  end
  local function key_order(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end
  function show(value, depth, seen)
    local kind = type(value)
    if kind == "string" then return quote(value) end
    if kind == "number" then return tostring(value) end
    if value == null then return "json.null" end
    if kind ~= "table" then
      if kind == "nil" or kind == "boolean" then return tostring(value) end
      return "<" .. kind .. ">"
    end
    depth, seen = depth or 0, seen or {}
    if seen[value] then return "<cycle>" end
    if depth >= 4 then return "{…}" end
    seen[value] = true
    local keys, count = {}, 0
    for k in pairs(value) do count = count + 1; keys[count] = k end
    sort(keys, key_order)
    local parts, sequence = {}, 0
    for i = 1, count do
      if keys[i] ~= i then break end
      sequence = i
    end
    for i = 1, count do
      local k, v = keys[i], value[keys[i]]
      local text = show(v, depth + 1, seen)
      if i > sequence then
        if type(k) == "string" and k:match("^[%a_][%w_]*$") then
          text = k .. " = " .. text
        else
          text = "[" .. show(k, depth + 1, seen) .. "] = " .. text
        end
      end
      parts[#parts + 1] = text
      if #parts >= 40 and i < count then parts[#parts + 1] = "…"; break end
    end
    seen[value] = nil
    return "{" .. concat(parts, ", ") .. "}"
  end

  local function path_of(path, k)
    if type(k) == "string" and k:match("^[%a_][%w_]*$") then return path .. "." .. k end
    return path .. "[" .. show(k) .. "]"
  end

  -- The first place where two values differ: path, expected, actual; nil when they are the same.
  local function difference(expected, actual, path, seen)
    if expected == actual then return nil end
    if type(expected) ~= "table" or type(actual) ~= "table" then return path, expected, actual end
    if seen[expected] == actual then return nil end
    seen[expected] = actual
    for k, v in pairs(expected) do
      local p, e, a = difference(v, actual[k], path_of(path, k), seen)
      if p then return p, e, a end
    end
    for k, v in pairs(actual) do
      if expected[k] == nil then return path_of(path, k), nil, v end
    end
    return nil
  end

  local function fail(message, detail, level)
    if message ~= nil then detail = tostring(message) .. ": " .. detail end
    error(detail, level + 1)
  end

  local assertions = {}

  function assertions.equals(expected, actual, message)
    if expected ~= actual then fail(message, "expected " .. show(expected) .. ", got " .. show(actual), 2) end
  end

  function assertions.not_equals(unexpected, actual, message)
    if unexpected == actual then fail(message, "expected anything but " .. show(unexpected), 2) end
  end

  function assertions.same(expected, actual, message)
    local path, e, a = difference(expected, actual, "", {})
    if path == nil then return end
    if path == "" then
      fail(message, "expected " .. show(expected) .. ", got " .. show(actual), 2)
    end
    fail(message, "not the same at " .. path:gsub("^%.", "") .. ": expected " .. show(e) .. ", got " .. show(a)
      .. "\nexpected " .. show(expected) .. "\n     got " .. show(actual), 2)
  end

  function assertions.is_true(value, message)
    if value ~= true then fail(message, "expected true, got " .. show(value), 2) end
  end

  function assertions.is_false(value, message)
    if value ~= false then fail(message, "expected false, got " .. show(value), 2) end
  end

  function assertions.is_nil(value, message)
    if value ~= nil then fail(message, "expected nil, got " .. show(value), 2) end
  end

  function assertions.is_not_nil(value, message)
    if value == nil then fail(message, "expected a value, got nil", 2) end
  end

  function assertions.truthy(value, message)
    if not value then fail(message, "expected a truthy value, got " .. show(value), 2) end
  end

  function assertions.falsy(value, message)
    if value then fail(message, "expected nil or false, got " .. show(value), 2) end
  end

  function assertions.matches(pattern, actual, message)
    if type(actual) ~= "string" or not actual:find(pattern) then
      fail(message, "expected a string matching " .. show(pattern) .. ", got " .. show(actual), 2)
    end
  end

  -- Without its "file:line: " prefix, as luassert compares error messages.
  local function strip_position(err)
    if type(err) ~= "string" then return err end
    return (err:gsub("^[^\n]-:%d+: ", "", 1))
  end

  function assertions.has_error(fn, expected, message)
    if type(fn) ~= "function" then
      fail(message, "assert.has_error: expected a function, got " .. show(fn), 2)
    end
    local ok, err = pcall(fn)
    if ok then fail(message, "expected an error, but the function returned normally", 2) end
    if expected == nil then return end
    if err == expected or strip_position(err) == expected then return end
    if type(expected) == "table" and difference(expected, err, "", {}) == nil then return end
    fail(message, "expected the error " .. show(expected) .. ", got " .. show(err), 2)
  end

  function assertions.has_no_error(fn, message)
    if type(fn) ~= "function" then
      fail(message, "assert.has_no_error: expected a function, got " .. show(fn), 2)
    end
    local ok, err = pcall(fn)
    if not ok then fail(message, "expected no error, got " .. show(err), 2) end
  end

  function assertions.fail(message)
    error(message == nil and "failed" or tostring(message), 2)
  end

  assertions.equal = assertions.equals
  assertions.is_same = assertions.same

  -- Plain assert(v, message) still works, with the test's position.
  local assert = setmetatable({}, {
    __index = assertions,
    __newindex = function() error("assert is read-only", 2) end,
    __call = function(_, value, message, ...)
      if not value then error(message == nil and "assertion failed!" or message, 2) end
      return value, message, ...
    end,
    __metatable = false,
  })

  -- Registration: describe blocks nest; each test keeps the chain of blocks it is in,
  -- so hooks declared after a test in the same block still apply, as in busted.
  local root, blocks, tests, running

  local function reset()
    root = {befores = {}, afters = {}}
    blocks = {root}
    tests = {}
    running = false
  end
  reset()

  local function check_registration(what, name, fn, level)
    if running then error(what .. " cannot be called inside a test or a hook", level + 1) end
    if name ~= nil and type(name) ~= "string" then
      error(format("bad argument #1 to '%s' (string expected, got %s)", what, type(name)), level + 1)
    end
    if type(fn) ~= "function" then
      error(format("bad argument #%d to '%s' (function expected, got %s)", name ~= nil and 2 or 1, what, type(fn)), level + 1)
    end
  end

  local api = {assert = assert}

  function api.describe(name, fn)
    check_registration("describe", name, fn, 2)
    blocks[#blocks + 1] = {name = name, befores = {}, afters = {}}
    fn()
    blocks[#blocks] = nil
  end

  function api.it(name, fn)
    check_registration("it", name, fn, 2)
    local names, chain = {}, {}
    for i, block in ipairs(blocks) do
      chain[i] = block
      if block.name then names[#names + 1] = block.name end
    end
    names[#names + 1] = name
    local file, line = location(2)
    tests[#tests + 1] = {name = concat(names, " "), fn = fn, chain = chain, file = file, line = line}
  end

  function api.before_each(fn)
    check_registration("before_each", nil, fn, 2)
    local hooks = blocks[#blocks].befores
    hooks[#hooks + 1] = fn
  end

  function api.after_each(fn)
    check_registration("after_each", nil, fn, 2)
    local hooks = blocks[#blocks].afters
    hooks[#hooks + 1] = fn
  end

  api.authenticate = host.authenticate
  api.end_session = host.end_session

  -- given.http stubs and the calls the functions made, both per test. The gateway's worker
  -- asks dispatch_http (on this thread) for each call's answer; the latest stub that matches wins.
  local http_stubs, http_log = {}, {}
  local stub_fields = {method = true, url = true, match = true, status = true, headers = true,
    body = true, json = true, respond = true, error = true}
  local function given_http(spec)
    if type(spec) ~= "table" then error("bad argument #1 to 'given.http' (table expected, got " .. type(spec) .. ")", 2) end
    for k in pairs(spec) do
      if not stub_fields[k] then error("given.http: unknown field '" .. tostring(k) .. "'", 2) end
    end
    if type(spec.url) ~= "string" then error("given.http: url (a string) is required", 2) end
    if spec.method ~= nil and type(spec.method) ~= "string" then error("given.http: method must be a string", 2) end
    if spec.respond ~= nil and type(spec.respond) ~= "function" then error("given.http: respond must be a function", 2) end
    if spec.error ~= nil and type(spec.error) ~= "string" then error("given.http: error must be a string", 2) end
    if spec.body ~= nil and spec.json ~= nil then error("given.http: give body or json, not both", 2) end
    if spec.match then
      local ok, err = pcall(string.find, "", spec.url)
      if not ok then error("given.http: url is not a valid Lua pattern: " .. tostring(err), 2) end
    end
    http_stubs[#http_stubs + 1] = spec
  end

  local function copy(t)
    if type(t) ~= "table" then return t end
    local c = {}
    for k, v in pairs(t) do c[k] = copy(v) end
    return c
  end

  -- Request header names are lowercase; looking one up in any case finds it.
  local header_lookup = {__index = function(headers, name)
    if type(name) == "string" then return rawget(headers, string.lower(name)) end
  end}
  local function with_lookup(request)
    if type(request.headers) == "table" then setmetatable(request.headers, header_lookup) end
    return request
  end

  function api.http_requests()
    local calls = copy(http_log)
    for _, call in ipairs(calls) do with_lookup(call) end
    return calls
  end

  local function answer(stub, request)
    if stub.error then return nil, stub.error end
    local response = stub
    if stub.respond then
      response = stub.respond(with_lookup(copy(request)))
      if type(response) ~= "table" then
        error("given.http respond for " .. request.url .. " returned " .. type(response) .. ", not a table", 0)
      end
    end
    local headers = {}
    for k, v in pairs(response.headers or {}) do headers[string.lower(tostring(k))] = tostring(v) end
    local body = response.body
    if response.json ~= nil then
      body = json.encode(response.json)
      if headers["content-type"] == nil then headers["content-type"] = "application/json" end
    end
    return {status = response.status or 200, headers = headers, body = body ~= nil and tostring(body) or ""}
  end

  local function dispatch_http(request)
    http_log[#http_log + 1] = copy(request)
    for i = #http_stubs, 1, -1 do
      local stub = http_stubs[i]
      local url_matches
      if stub.match then url_matches = string.find(request.url, stub.url) ~= nil else url_matches = stub.url == request.url end
      if url_matches and (stub.method == nil or string.upper(stub.method) == request.method) then
        return answer(stub, request)
      end
    end
    return nil, "no given.http for " .. request.method .. " " .. request.url
  end

  api.given = setmetatable({}, {
    __index = {secret = host.secret, user = host.user, now = host.now, http = given_http},
    __newindex = function() error("given is read-only", 2) end,
    __metatable = false,
  })

  local os_frozen = {
    time = function(t)
      if t == nil then
        local frozen = host.clock()
        if frozen ~= nil then return floor(frozen) end
      end
      return real_os.time(t)
    end,
    date = function(fmt, t)
      if t == nil then
        local frozen = host.clock()
        if frozen ~= nil then t = floor(frozen) end
      end
      return real_os.date(fmt, t)
    end,
    clock = real_os.clock,
  }

  local function new_environment()
    local env = {}
    env._G = env
    return setmetatable(env, {__index = api, __metatable = false})
  end
  setmetatable(api, {__index = _ENV})

  local function describe_error(err)
    if type(err) == "string" then return err end
    local ok, text = pcall(show, err)
    return ok and ("error object: " .. text) or "(an error object that cannot be shown)"
  end

  local function load_file(source, chunkname)
    reset()
    local chunk, err = load(source, "@" .. chunkname, "t", new_environment())
    if not chunk then return false, err end
    local ok, failure = pcall(chunk)
    if not ok then return false, describe_error(failure) end
    local list = {}
    for i, t in ipairs(tests) do list[i] = {name = t.name, file = t.file, line = t.line} end
    return true, list
  end

  local function run_test(index)
    local test = tests[index]
    http_stubs, http_log = {}, {}
    local failure
    local function attempt(fn)
      local ok, err = pcall(fn)
      if not ok and failure == nil then failure = {err} end
      return ok
    end
    running = true
    local ready = true
    for _, block in ipairs(test.chain) do
      for _, hook in ipairs(block.befores) do
        ready = ready and attempt(hook)
      end
    end
    if ready then attempt(test.fn) end
    for i = #test.chain, 1, -1 do
      for _, hook in ipairs(test.chain[i].afters) do attempt(hook) end
    end
    running = false
    if failure == nil then return true end
    return false, describe_error(failure[1]), test.file, test.line
  end

  return {load = load_file, run = run_test, os = os_frozen, dispatch_http = dispatch_http}
end
"""#
}
