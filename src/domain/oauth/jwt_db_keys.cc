#include "larch/oauth/jwt_db_keys.h"

#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace larch::oauth {
namespace {

using storage::Int;
using storage::Text;

constexpr char kAnonymousIdSecret[] = "anonymous-id";

constexpr storage::Query kSelectKeys{
    "oauth.select_signing_keys", "SELECT id, private_pem FROM jwt_signing_keys ORDER BY id DESC"};
constexpr storage::Query kKeysVersion{"oauth.signing_keys_version",
                                      "SELECT COALESCE(MAX(id), 0) FROM jwt_signing_keys"};
constexpr storage::Query kInsertKey{
    "oauth.insert_signing_key",
    "INSERT INTO jwt_signing_keys (private_pem, created_at) VALUES (?, ?)"};
constexpr storage::Query kDeleteOldKeys{
    "oauth.delete_old_signing_keys",
    "DELETE FROM jwt_signing_keys WHERE id NOT IN "
    "(SELECT id FROM jwt_signing_keys ORDER BY id DESC LIMIT ?)"};
constexpr storage::Query kSelectSecret{"oauth.select_secret",
                                       "SELECT value FROM oauth_secrets WHERE name = ?"};
constexpr storage::Query kInsertSecret{
    "oauth.insert_secret",
    "INSERT INTO oauth_secrets (name, value, created_at) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO NOTHING"};

StatusOr<StoredKeys> Read(storage::Executor& ex) {
  StoredKeys keys;
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rows, ex.Execute(kSelectKeys));
  for (const storage::Row& row : rows.rows) {
    if (keys.version == 0) keys.version = row.GetInt(0);
    keys.private_pems.push_back(row.GetText(1));
  }
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet secret,
                         ex.Execute(kSelectSecret, {Text(kAnonymousIdSecret)}));
  if (!secret.empty()) keys.anonymous_secret = secret.rows[0].GetText(0);
  return keys;
}

}  // namespace

StatusOr<StoredKeys> DatabaseKeySource::LoadOrCreate(
    const std::function<StatusOr<std::string>()>& first_pem, const std::string& secret) {
  LARCH_ASSIGN_OR_RETURN(StoredKeys stored, storage::RunWithResult(db_, storage::TxnMode::kReadOnly,
                                                                   [&](storage::Transaction& txn) {
                                                                     return Read(txn);
                                                                   }));
  if (!stored.private_pems.empty() && !stored.anonymous_secret.empty()) return stored;

  // First open: what this node kept in its data dir, else fresh keys.
  std::optional<StoredKeys> legacy;
  if (!legacy_keys_dir_.empty()) {
    LARCH_ASSIGN_OR_RETURN(legacy, FileKeySource(legacy_keys_dir_).ReadExisting());
  }
  const int64_t now = clock_.NowMicros();
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<StoredKeys> {
        const std::string& value = legacy.has_value() && !legacy->anonymous_secret.empty()
                                       ? legacy->anonymous_secret
                                       : secret;
        // On PostgreSQL this waits for a process inserting at the same time;
        // its keys are committed with its secret, so the re-read sees them.
        LARCH_RETURN_IF_ERROR(
            txn.Execute(kInsertSecret, {Text(kAnonymousIdSecret), Text(value), Int(now)}).status());
        LARCH_ASSIGN_OR_RETURN(StoredKeys current, Read(txn));
        if (!current.private_pems.empty()) return current;
        std::vector<std::string> pems;
        if (legacy.has_value()) {
          // Oldest first, so the current key gets the highest id.
          pems.assign(legacy->private_pems.rbegin(), legacy->private_pems.rend());
          spdlog::info("JWT keys: importing {} key(s) from {} into the database", pems.size(),
                       legacy_keys_dir_);
        } else {
          LARCH_ASSIGN_OR_RETURN(std::string pem, first_pem());
          pems.push_back(std::move(pem));
        }
        for (const std::string& pem : pems) {
          LARCH_RETURN_IF_ERROR(txn.Execute(kInsertKey, {Text(pem), Int(now)}).status());
        }
        return Read(txn);
      });
}

StatusOr<int64_t> DatabaseKeySource::Version() {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kKeysVersion));
        return rs.rows[0].GetInt(0);
      });
}

Status DatabaseKeySource::AddCurrent(const std::string& pem, int max_previous) {
  const int64_t now = clock_.NowMicros();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_RETURN_IF_ERROR(txn.Execute(kInsertKey, {Text(pem), Int(now)}).status());
    return txn.Execute(kDeleteOldKeys, {Int(max_previous + 1)}).status();
  });
}

}  // namespace larch::oauth
