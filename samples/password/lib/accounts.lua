-- The accounts this sample knows, keyed by username. Each keeps a PBKDF2-SHA256 hash of its
-- password: salt and hash in lowercase hex, the hash a 32-byte derived key. Passwords for the
-- tests: jane@example.com / correct horse battery staple, bob@example.com / hunter2!,
-- carol@example.com / old-password (locked).
--
-- Make an entry with Python:
--   import hashlib, os
--   salt = os.urandom(16)
--   print(salt.hex(), hashlib.pbkdf2_hmac("sha256", b"the password", salt, 10000, 32).hex())
-- Real accounts want far more iterations (600,000 is OWASP's advice for PBKDF2-SHA256);
-- each account keeps its own count, so it can be raised one account at a time.
return {
  ["jane@example.com"] = {
    displayName = "Jane",
    roles = {"admin"},
    iterations = 10000,
    salt = "37fdee732a4fd0f393e53a1b5b72b792",
    hash = "ae0e0905d24ca17a2f04881b22063291d60aa65e44f67d8a4a275eafee760872",
  },
  ["bob@example.com"] = {
    displayName = "Bob",
    roles = {},
    iterations = 10000,
    salt = "014daff4e134aa3cba5fe94f59268168",
    hash = "69adc525ed740718b07198619e688dfc8cda17a6829bb77512bb4d7305feb86f",
  },
  ["carol@example.com"] = {
    displayName = "Carol",
    locked = true,
    iterations = 10000,
    salt = "6f5fedb434a3c75afbe4f47683492085",
    hash = "49c53e6ec0d6d28b9f61b14557bd1193259c255b1efe39980dcd9f3191e1a66f",
  },
}
