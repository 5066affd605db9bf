// Which database a test runs the binary against: SQLite in the data dir, or
// a fresh PostgreSQL database on the server named by LARCH_TEST_PG_DSN.
//
// Thread safety: one per test.
#ifndef LARCH_TESTS_API_BACKENDS_H_
#define LARCH_TESTS_API_BACKENDS_H_

#include <map>
#include <string>

namespace larch::testing {

class TestBackend {
 public:
  // "sqlite" or "postgres".
  explicit TestBackend(std::string name);
  ~TestBackend();
  // False when postgres was asked for and LARCH_TEST_PG_DSN is not set.
  bool available() const { return available_; }
  // Environment for the larch process (DATABASE_URL on PostgreSQL).
  std::map<std::string, std::string> env() const;
  // Runs SQL as the server's superuser (PostgreSQL only): returns false on
  // error.
  bool AdminExec(const std::string& sql) const;
  const std::string& database_name() const { return database_; }

 private:
  std::string name_;
  bool available_ = true;
  std::string admin_dsn_;
  std::string database_;
  std::string url_;
};

}  // namespace larch::testing

#endif  // LARCH_TESTS_API_BACKENDS_H_
