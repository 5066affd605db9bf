#include "backends.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <random>

namespace larch::testing {

TestBackend::TestBackend(std::string name) : name_(std::move(name)) {
  if (name_ != "postgres") return;
  const char* dsn = std::getenv("LARCH_TEST_PG_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    available_ = false;
    return;
  }
  admin_dsn_ = dsn;
  std::random_device rd;
  database_ = "larch_api_" + std::to_string(rd()) + std::to_string(rd() % 100000);
  if (!AdminExec("CREATE DATABASE " + database_)) {
    available_ = false;
    return;
  }
  // Same server and user, other database: replace the path of the URI.
  std::string base = admin_dsn_;
  size_t query = base.find('?');
  std::string params = query == std::string::npos ? "" : base.substr(query);
  base = base.substr(0, query);
  size_t slash = base.rfind('/');
  url_ = base.substr(0, slash + 1) + database_ + params;
}

TestBackend::~TestBackend() {
  if (!database_.empty() && available_) {
    AdminExec("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  }
}

std::map<std::string, std::string> TestBackend::env() const {
  if (name_ != "postgres") return {};
  return {{"DATABASE_URL", url_}};
}

bool TestBackend::AdminExec(const std::string& sql) const {
  PGconn* conn = PQconnectdb(admin_dsn_.c_str());
  bool ok = false;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, sql.c_str());
    ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
  }
  PQfinish(conn);
  return ok;
}

}  // namespace larch::testing
