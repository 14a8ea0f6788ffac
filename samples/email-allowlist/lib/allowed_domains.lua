-- The email domains whose users may start a session, lowercase.
return {
  ["example.com"] = true,
  ["partner.example"] = true,
}
