// In-process EnrollmentService::BatchEnroll: 100,000 (user, course) pairs
// (10,000 users x 10 courses) into an empty SQLite database per iteration,
// without events (the bulk tools' path). Reports enrollments/s as
// items_per_second; bench/scenarios/enrollment.sh compares it to 100,000/s.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_bus.h"
#include "larch/storage/database.h"
#include "larch/storage/migrations.h"
#include "larch/storage/open_database.h"
#include "larch/testing/enrollment_rows.h"

namespace {

constexpr int kUsers = 10'000;
constexpr int kCourses = 10;

std::unique_ptr<larch::storage::Database> FreshDatabase(const std::filesystem::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
  larch::storage::DatabaseOptions options;
  options.url = "sqlite://" + path.string();
  auto db = larch::storage::OpenDatabase(options);
  if (!db.ok()) return nullptr;
  if (!larch::storage::Migrate(**db, larch::storage::BuiltinMigrations((*db)->backend()),
                               *larch::SystemClock::Default())
           .ok()) {
    return nullptr;
  }
  return std::move(db).value();
}

larch::Status AddUsersAndCourses(larch::storage::Database& db, std::vector<std::string>& courses) {
  static constexpr larch::storage::Query kInsert{
      "bench.user", "INSERT INTO users (username, email, date_joined) VALUES (?, ?, 0)"};
  LARCH_RETURN_IF_ERROR(
      db.RunInTransaction(larch::storage::TxnMode::kReadWrite, [](larch::storage::Transaction& t) {
        for (int i = 1; i <= kUsers; ++i) {
          const std::string name = "learner" + std::to_string(i);
          LARCH_RETURN_IF_ERROR(t.Execute(kInsert, {larch::storage::Text(name),
                                                    larch::storage::Text(name + "@example.com")})
                                    .status());
        }
        return larch::OkStatus();
      }));
  for (int c = 0; c < kCourses; ++c) {
    larch::enrollment::CourseRowForTest row;
    row.course_key = "course-v1:Bench+C" + std::to_string(c) + "+Run";
    row.number = "C" + std::to_string(c);
    LARCH_RETURN_IF_ERROR(larch::enrollment::InsertCourseForTest(db, row));
    courses.push_back(row.course_key);
  }
  return larch::OkStatus();
}

void BM_BatchEnroll100k(benchmark::State& state) {
  const auto path = std::filesystem::temp_directory_path() / "larch_bench_enroll.db";
  larch::SeededRandom random(1);
  int64_t enrolled = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto db = FreshDatabase(path);
    std::vector<std::string> courses;
    if (db == nullptr || !AddUsersAndCourses(*db, courses).ok()) {
      state.SkipWithError("cannot prepare the database");
      return;
    }
    larch::events::LocalEventBus bus(*larch::SystemClock::Default(), random,
                                     larch::events::EventBusOptions());
    larch::enrollment::EnrollmentService service(*db, *larch::SystemClock::Default(), bus);
    std::vector<std::pair<int64_t, std::string>> pairs;
    pairs.reserve(kUsers * kCourses);
    for (int u = 1; u <= kUsers; ++u) {
      for (const std::string& c : courses) pairs.emplace_back(u, c);
    }
    state.ResumeTiming();
    auto stats = service.BatchEnroll(pairs, "audit", /*publish_events=*/false);
    if (!stats.ok() || stats->inserted != kUsers * kCourses) {
      state.SkipWithError("BatchEnroll failed");
      return;
    }
    enrolled += stats->inserted;
  }
  state.SetItemsProcessed(enrolled);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
}
BENCHMARK(BM_BatchEnroll100k)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
