local magic_link = require("magic_link")

local KEY = "magic-link-test-key"
local NOW = 1798761600 -- 2027-01-01T00:00:00Z

local function start(username, link)
  return authenticate{username = username, authParams = {magicLink = link}}
end

describe("magic links", function()
  before_each(function()
    given.secret("MAGIC_LINK_KEY", KEY)
    given.now(NOW)
  end)

  it("let their user in before they expire", function()
    local r = start("jane", magic_link.sign(KEY, "jane", NOW + 600))
    assert.is_true(r.allowed)
    assert.equals("jane", r.user.name)
  end)

  it("still work in their last second", function()
    assert.is_true(start("jane", magic_link.sign(KEY, "jane", NOW)).allowed)
  end)

  it("expire", function()
    local link = magic_link.sign(KEY, "jane", NOW + 600)
    given.now(NOW + 601)
    assert.same({code = "access_denied", message = "This sign-in link has expired", reason = "link_expired"},
      start("jane", link).error)
  end)

  it("cannot have their expiry pushed back", function()
    local link = magic_link.sign(KEY, "jane", NOW - 1)
    local user, _, sig = link:match("^(.+)|(%d+)|(.+)$")
    local stretched = user .. "|" .. (NOW + 86400) .. "|" .. sig
    assert.equals("invalid_link", start("jane", stretched).error.reason)
  end)

  it("only let in the user they were made for", function()
    local r = start("mallory", magic_link.sign(KEY, "jane", NOW + 600))
    assert.equals("wrong_user", r.error.reason)
  end)

  it("signed with another key are refused", function()
    assert.equals("invalid_link", start("jane", magic_link.sign("another key", "jane", NOW + 600)).error.reason)
  end)

  it("that are not links at all are refused", function()
    for _, link in ipairs({"", "jane", "jane|soon|abc", "|123|abc", 42}) do
      assert.equals("invalid_link", start("jane", link).error.reason)
    end
  end)

  it("work for usernames with a bar in them", function()
    assert.is_true(start("a|b", magic_link.sign(KEY, "a|b", NOW + 60)).allowed)
  end)

  it("follow the frozen clock in the test file too", function()
    assert.equals(NOW, os.time())
    assert.equals("2027-01-01", os.date("!%Y-%m-%d"))
  end)
end)

describe("without the key", function()
  it("a link fails the start as a function error, never an allow", function()
    given.now(NOW)
    local r = start("jane", magic_link.sign(KEY, "jane", NOW + 600))
    assert.equals("function_error", r.error.code)
  end)

  it("starts without a link are still not this function's to decide", function()
    local r = authenticate{username = "jane", authParams = {}}
    assert.equals("access_denied", r.error.code)
  end)
end)
