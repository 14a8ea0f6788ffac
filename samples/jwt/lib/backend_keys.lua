-- What the backend that issues our tokens publishes: who it is, who its tokens are for, and
-- the public half of its RS256 signing key. None of this is secret; the HS256 key is, so it
-- comes from context.secrets.BACKEND_JWT_KEY (SESSIONGATE_SECRET_BACKEND_JWT_KEY).
return {
  issuer = "https://backend.example",
  audience = "sessiongate",
  rs256_public_key = [[
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAlw1BRXYddaolT47Xq2EE
Ex4uOOTSgA5+qCGykpFh/OUExwdb3SVQoHRDnlL6n+6ebaXJLR2B79Kecl2C+qWt
mUmve2SosDokotFDq91xgwRIz4ZyXrlwRo0AAUocdsdmmbiZZ/FO2/3QXeAsG/Le
unyeV101a1deIMU0wu9uZfINm6uD28FCYFWB5eozqMgWoAIIGPWpwXSQHFMJLoT7
kPMe3zBrM5fNDMTEyU6s1+z44E5X6j3ByeIddfJOKYxG98oVxvZ0HGw6hdFdaf1z
LuwmcMVYLxVIhkgIOpRFWughFw6M48N0JFDRDE2Ot84FEcri/ZVRsHJ0Qhd0TKxq
dwIDAQAB
-----END PUBLIC KEY-----
]],
}
