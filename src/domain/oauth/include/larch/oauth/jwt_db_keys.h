// DatabaseKeySource: the JWT signing keys and the anonymous-id secret in the
// database (tables jwt_signing_keys and oauth_secrets), so every node of a
// cluster signs with the same key, publishes the same JWKS and gives a user
// the same anonymous id. Open edX shares them the same way, through the
// JWT_PRIVATE_SIGNING_JWK setting every LMS process reads.
//
// The first open of an empty database imports the keys a node kept in its
// data dir before (FileKeySource files in `legacy_keys_dir`), so tokens it
// signed keep verifying and anonymous ids keep their value; with no such
// files it stores a fresh key and secret. Processes opening an empty
// database together end up with one key set: the secret's INSERT ... ON
// CONFLICT DO NOTHING decides which one writes it.
//
// The private keys are stored as PEM text: whoever can read the database
// can sign tokens, as whoever can read the data dir could before.
//
// Thread safety: thread-safe (each call is one transaction).
#ifndef LARCH_OAUTH_JWT_DB_KEYS_H_
#define LARCH_OAUTH_JWT_DB_KEYS_H_

#include <functional>
#include <string>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/oauth/jwt.h"
#include "larch/storage/database.h"

namespace larch::oauth {

class DatabaseKeySource final : public KeySource {
 public:
  // `db` and `clock` must outlive the source. `legacy_keys_dir` may be empty.
  DatabaseKeySource(storage::Database& db, const Clock& clock, std::string legacy_keys_dir)
      : db_(db), clock_(clock), legacy_keys_dir_(std::move(legacy_keys_dir)) {}

  StatusOr<StoredKeys> LoadOrCreate(const std::function<StatusOr<std::string>()>& first_pem,
                                    const std::string& secret) override;
  // MAX(id) of jwt_signing_keys: one indexed read.
  StatusOr<int64_t> Version() override;
  Status AddCurrent(const std::string& pem, int max_previous) override;
  std::string Describe() const override { return "database (shared by every node)"; }

 private:
  storage::Database& db_;
  const Clock& clock_;
  std::string legacy_keys_dir_;
};

}  // namespace larch::oauth

#endif  // LARCH_OAUTH_JWT_DB_KEYS_H_
