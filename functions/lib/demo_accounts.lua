-- The demo accounts of the default functions folder. Only PBKDF2-SHA256 hashes are kept here,
-- never the passwords (which are documented in README.md: demo / demo-password and
-- alice / wonderland). salt and hash are base64; a hash is the 32-byte derived key.
--
-- Make a new entry with Python:
--   import hashlib, base64, os
--   salt = os.urandom(16)
--   key = hashlib.pbkdf2_hmac("sha256", b"the password", salt, 10000, 32)
--   print(base64.b64encode(salt).decode(), base64.b64encode(key).decode())
--
-- 10,000 iterations keep the demo and its tests fast; use far more (600,000 is OWASP's advice
-- for PBKDF2-SHA256) for real accounts, within crypto.pbkdf2_sha256's limit of 1,000,000.
return {
  demo = {
    displayName = "Demo User",
    iterations = 10000,
    salt = "asNmOgJzcUgeGmB++NUuHw==",
    hash = "DTwqww6XvA6kS9hquna2ZgLYx/hM3t1WfqEcsdDJgUs=",
  },
  alice = {
    displayName = "Alice",
    iterations = 10000,
    salt = "fsVdQKiBApbgT/6CVFr/mg==",
    hash = "+zbCLBA3kFaY+ryBWwGHyHmMKbyCCp3ebcUEzVrJt7s=",
  },
}
