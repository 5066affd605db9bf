// Helper for storage_crash_test: writes batches of 100 rows, one batch per
// transaction, forever, printing "committed B" after each commit. The test
// kills it with SIGKILL at an arbitrary point.
//
// Usage: storage_crash_writer DATABASE_URL
#include <cstdio>
#include <string>

#include "larch/storage/database.h"
#include "larch/storage/open_database.h"

namespace {

constexpr larch::storage::Query kCreate{
    "create_batches",
    "CREATE TABLE IF NOT EXISTS batches (batch BIGINT NOT NULL, row_index BIGINT NOT NULL, "
    "payload TEXT NOT NULL, PRIMARY KEY (batch, row_index))"};
constexpr larch::storage::Query kInsert{
    "insert_batch_row", "INSERT INTO batches (batch, row_index, payload) VALUES (?, ?, ?)"};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATABASE_URL\n", argv[0]);
    return 2;
  }
  larch::storage::DatabaseOptions options;
  options.url = argv[1];
  auto db = larch::storage::OpenDatabase(options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  larch::Status st = (*db)->RunInTransaction(
      larch::storage::TxnMode::kReadWrite,
      [](larch::storage::Transaction& txn) { return txn.Execute(kCreate).status(); });
  if (!st.ok()) {
    std::fprintf(stderr, "create: %s\n", st.ToString().c_str());
    return 1;
  }
  const std::string payload(200, 'x');
  for (int64_t batch = 0;; ++batch) {
    st = (*db)->RunInTransaction(
        larch::storage::TxnMode::kReadWrite, [&](larch::storage::Transaction& txn) {
          for (int64_t row = 0; row < 100; ++row) {
            LARCH_RETURN_IF_ERROR(txn.Execute(kInsert, {batch, row, payload}).status());
          }
          return larch::OkStatus();
        });
    if (!st.ok()) {
      std::fprintf(stderr, "batch %lld: %s\n", static_cast<long long>(batch),
                   st.ToString().c_str());
      return 1;
    }
    std::printf("committed %lld\n", static_cast<long long>(batch));
    std::fflush(stdout);
  }
}
