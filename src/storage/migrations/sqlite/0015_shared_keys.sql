-- The JWT signing keys and the anonymous-id secret, shared by every node
-- (oauth::DatabaseKeySource). The highest id is the current key; at most
-- two older ones are kept so tokens they signed verify until they expire.
-- MAX(id) is the key set's version, which every process polls.
CREATE TABLE jwt_signing_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  private_pem TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE oauth_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
