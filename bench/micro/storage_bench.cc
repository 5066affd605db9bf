// The storage hot paths: a read transaction with a ping (what /heartbeat
// costs) and batched inserts in one transaction (what bulk writes cost).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "larch/storage/database.h"
#include "larch/storage/open_database.h"

namespace {

std::unique_ptr<larch::storage::Database> OpenTemp(const char* name) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  larch::storage::DatabaseOptions options;
  options.url = "sqlite://" + path.string();
  auto db = larch::storage::OpenDatabase(options);
  if (!db.ok()) return nullptr;
  return std::move(db).value();
}

void BM_SqlitePing(benchmark::State& state) {
  auto db = OpenTemp("larch_bench_ping.db");
  if (db == nullptr) {
    state.SkipWithError("cannot open database");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(db->Ping());
  }
}
BENCHMARK(BM_SqlitePing);

void BM_SqliteBatchInsert(benchmark::State& state) {
  auto db = OpenTemp("larch_bench_insert.db");
  if (db == nullptr) {
    state.SkipWithError("cannot open database");
    return;
  }
  static constexpr larch::storage::Query kCreate{
      "bench_create", "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT)"};
  static constexpr larch::storage::Query kInsert{"bench_insert",
                                                 "INSERT INTO t (a, b) VALUES (?, ?)"};
  larch::Status created = db->RunInTransaction(
      larch::storage::TxnMode::kReadWrite,
      [](larch::storage::Transaction& txn) { return txn.Execute(kCreate).status(); });
  if (!created.ok()) {
    state.SkipWithError("cannot create table");
    return;
  }
  const int64_t rows = state.range(0);
  for (auto _ : state) {
    larch::Status s = db->RunInTransaction(
        larch::storage::TxnMode::kReadWrite, [&](larch::storage::Transaction& txn) {
          for (int64_t i = 0; i < rows; ++i) {
            auto r = txn.Execute(kInsert, {larch::storage::Int(i), larch::storage::Text("row")});
            if (!r.ok()) return r.status();
          }
          return larch::OkStatus();
        });
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_SqliteBatchInsert)->Arg(1000);

}  // namespace
