-- PBKDF2-SHA256 hashes (hex salt and 32-byte key, 10,000 iterations) of the sample's accounts.
-- Passwords for the tests: jane@example.com / jane-secret, sam@partner.example / sam-secret,
-- eve@elsewhere.example / eve-secret (a real account whose domain is not allowed).
return {
  ["jane@example.com"] = {
    iterations = 10000,
    salt = "961dd0572a083e32610418762972ab4e",
    hash = "dcd809c00037076fa6d32c6fad69183ef69febdb81c84526c5dd65986018574a",
  },
  ["sam@partner.example"] = {
    iterations = 10000,
    salt = "299efa9efdf56e58d2c144f5cecf2415",
    hash = "a20dd21b80940aaa4141207a3db9978877d3320691514277e0a7d12c9ec25ee7",
  },
  ["eve@elsewhere.example"] = {
    iterations = 10000,
    salt = "6fa2415b17118fa81cb709a2b545bdd0",
    hash = "ba5942b619ef3bf653872e859ecf7582f058655b6c92362dd5f1383a82c570d3",
  },
}
