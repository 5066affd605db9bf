#include "commands.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <termios.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "components.h"
#include "larch/accounts/account_service.h"
#include "larch/accounts/import_users.h"
#include "larch/api/certificate_pdf.h"
#include "larch/api/certificate_templates.h"
#include "larch/api/certificate_view_routes.h"
#include "larch/api/import_routes.h"
#include "larch/certificates/certificates.h"
#include "larch/common/clock.h"
#include "larch/config/settings.h"
#include "larch/courses/courses.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/grades/grade_service.h"
#include "larch/http/server.h"
#include "larch/keys/keys.h"
#include "larch/milestones/milestones.h"
#include "larch/oauth/jwt.h"
#include "larch/oauth/oauth_service.h"
#include "larch/storage/job_store.h"
#include "larch/storage/migrations.h"
#include "redis_backplane.h"

namespace larch::app {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "larch: %s\n", message.c_str());
  return code;
}

int FailStatus(const Status& status) {
  int code = status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  return Fail(code, status.message());
}

void SetupLogging(const config::Settings& settings) {
  auto logger = spdlog::stderr_logger_mt("larch");
  if (settings.log_format == "json") {
    // Our own messages never contain quotes or control characters that
    // would need escaping; access-log lines are built as JSON separately.
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(settings.log_level));
  spdlog::set_default_logger(logger);
}

StatusOr<config::Settings> Load(const CommonFlags& flags) {
  LARCH_ASSIGN_OR_RETURN(config::Settings settings,
                         config::LoadSettings(flags.data_dir, flags.config_file));
  if (!flags.node_id.empty()) settings.node_id = flags.node_id;
  SetupLogging(settings);
  return settings;
}

// Components on a database whose schema is current (Create checks it).
StatusOr<std::unique_ptr<Components>> OpenMigrated(const config::Settings& settings) {
  return Components::Create(settings, /*create_db=*/false);
}

// What this node shares with the others of a cluster and what it keeps to
// itself (docs/deployment.md).
void PrintSharing(Components& c, storage::Database& db, const config::Settings& settings) {
  std::printf("node: %s\n", c.node_id().c_str());
  std::printf("shared: course assets (database blobs)\n");
  if (settings.file_store.empty() || settings.file_store == "database") {
    std::printf("shared: import uploads (FILE_STORE database)\n");
  } else {
    std::printf("shared only if every node mounts it: import uploads (FILE_STORE %s)\n",
                settings.file_store.c_str());
  }
  if (db.backend() == storage::Backend::kPostgres) {
    std::printf(
        "shared: database (sessions, tokens, lockout, enrollments, courses, grades, jobs)\n");
  } else {
    std::printf("not shared: SQLite serves one node; several nodes need PostgreSQL\n");
  }
  std::printf("shared: JWT signing keys and anonymous-id secret (%s)\n",
              c.jwt_keys().Describe().c_str());
  if (RedisBackplane* redis = c.redis()) {
    StatusOr<int64_t> ping = redis->Ping();
    if (!ping.ok()) {
      std::printf("warning: redis %s: %s\n", redis->address().c_str(),
                  ping.status().ToString().c_str());
    } else {
      std::printf(
          "shared: redis %s (rate limits, cache invalidation, event streams; ping %lld us)\n",
          redis->address().c_str(), static_cast<long long>(*ping));
    }
  } else {
    std::printf(
        "not shared: no REDIS_URL: rate limits, cache invalidation and the event bus stay in "
        "this process\n");
  }
}

}  // namespace

int RunVersion() {
  std::printf(
      "larch %s (schema %lld sqlite, %lld postgres)\n", kLarchVersion,
      static_cast<long long>(storage::BuiltinMigrations(storage::Backend::kSqlite).back().version),
      static_cast<long long>(
          storage::BuiltinMigrations(storage::Backend::kPostgres).back().version));
  return kExitOk;
}

int RunMigrate(const CommonFlags& flags) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = Components::Create(*settings, /*create_db=*/true);
  if (!components.ok()) return FailStatus(components.status());
  storage::Database& db = (*components)->db();
  const int applied = (*components)->migrations_applied();
  auto state = storage::ReadSchemaState(db, storage::BuiltinMigrations(db.backend()));
  if (!state.ok()) return FailStatus(state.status());
  std::printf("Applied %d migration(s); %s schema at version %lld (%s)\n", applied,
              std::string(storage::BackendName(db.backend())).c_str(),
              static_cast<long long>(state->current_version),
              RedactUrl(settings->database_url).c_str());
  return kExitOk;
}

int RunCheck(const CommonFlags& flags) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  std::printf("ok: configuration (%s)\n", flags.config_file.empty()
                                              ? "defaults, larch.yml and environment"
                                              : flags.config_file.c_str());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  storage::Database& db = (*components)->db();
  if (Status ping = db.Ping(); !ping.ok()) return FailStatus(ping);
  std::printf("ok: database %s (%s)\n", RedactUrl(settings->database_url).c_str(),
              std::string(storage::BackendName(db.backend())).c_str());
  if (Status integrity = CheckIntegrity(db); !integrity.ok()) return FailStatus(integrity);
  std::printf("ok: database integrity\n");
  auto counts = storage::RunWithResult(
      db, storage::TxnMode::kReadOnly,
      [](storage::Transaction& txn) { return storage::JobStore::CountByState(txn); });
  if (!counts.ok()) return FailStatus(counts.status());
  for (const auto& [state, count] : *counts) {
    if (state == storage::JobState::kDead && count > 0) {
      std::printf("warning: %lld dead background job(s)\n", static_cast<long long>(count));
    }
  }
  std::printf("ok: schema at the version this binary expects\n");
  PrintSharing(**components, db, *settings);
  return kExitOk;
}

int RunServe(const CommonFlags& flags, const ServeFlags& serve) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  if (!serve.listen.empty()) settings->listen = serve.listen;
  if (serve.workers >= 0) settings->workers = serve.workers;
  auto endpoint = ParseListen(settings->listen);
  if (!endpoint.ok()) return FailStatus(endpoint.status());

  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  Components& c = **components;

  http::ServerOptions options;
  options.host = endpoint->first;
  options.port = endpoint->second;
  options.threads = static_cast<int>(settings->workers);
  options.max_body_bytes = static_cast<uint64_t>(settings->max_request_body_bytes);
  // Course uploads are streamed to <data_dir>/uploads (the import route
  // renames them into <data_dir>/imports, on the same file system).
  options.upload_dir = (std::filesystem::path(settings->data_dir) / "uploads").string();
  std::error_code dir_error;
  std::filesystem::create_directories(options.upload_dir, dir_error);
  if (dir_error) {
    return FailStatus(
        UnavailableError("cannot create " + options.upload_dir + ": " + dir_error.message()));
  }
  options.body_limit_overrides = {
      {.path_prefix = api::kCourseImportPathPrefix,
       .max_bytes = static_cast<uint64_t>(settings->course_import_max_bytes),
       .to_file = true}};
  options.read_timeout_seconds = static_cast<int>(settings->request_timeout_seconds);
  options.keepalive_timeout_seconds = static_cast<int>(settings->keepalive_timeout_seconds);
  options.max_connections = static_cast<size_t>(settings->max_connections);
  for (const nlohmann::json& proxy : settings->trusted_proxies) {
    if (proxy.is_string()) options.trusted_proxies.push_back(proxy.get<std::string>());
  }
  auto access_log = MakeAccessLog(settings->access_log);
  if (!access_log.ok()) return FailStatus(access_log.status());
  options.access_log = *access_log;
  options.handle_signals = true;

  http::Server server(options, c.router());
  if (Status started = server.Start(); !started.ok()) return FailStatus(started);
  if (Status jobs = c.StartJobs(); !jobs.ok()) return FailStatus(jobs);
  spdlog::info("listening on http://{}:{} ({} database, pid {})", options.host, server.port(),
               storage::BackendName(c.db().backend()), getpid());
  spdlog::default_logger()->flush();
  server.Run();
  spdlog::info("shutting down: stopping background jobs");
  c.StopJobs();
  spdlog::info("stopped");
  spdlog::shutdown();
  return kExitOk;
}

int RunRoutes(const CommonFlags& flags) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  for (const http::Router::RouteInfo& route : (*components)->router().Routes()) {
    nlohmann::json line = {{"method", route.method}, {"pattern", route.pattern}};
    std::printf("%s\n", line.dump().c_str());
  }
  return kExitOk;
}

namespace {

// Reads one line from the terminal; without echo for passwords.
std::string Prompt(const std::string& label, bool secret) {
  std::fprintf(stderr, "%s: ", label.c_str());
  std::fflush(stderr);
  termios old_mode{};
  bool restore = false;
  if (secret && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old_mode) == 0) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    restore = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
    std::fprintf(stderr, "\n");
  }
  return line;
}

}  // namespace

int RunCreateSuperuser(const CommonFlags& flags, CreateSuperuserFlags user) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  if (user.username.empty()) user.username = Prompt("Username", false);
  if (user.email.empty()) user.email = Prompt("Email address", false);
  if (user.password.empty()) {
    user.password = Prompt("Password", true);
    if (Prompt("Password (again)", true) != user.password) {
      return Fail(kExitUsage, "the two passwords differ");
    }
  }
  accounts::User record;
  record.username = user.username;
  record.email = user.email;
  record.is_active = true;
  record.is_staff = true;
  record.is_superuser = true;
  accounts::Profile profile;
  profile.name = user.username;
  auto created = (*components)->accounts().CreateUser(record, user.password, profile);
  if (!created.ok()) return FailStatus(created.status());
  std::printf("Superuser %s created (id %lld)\n", created->username.c_str(),
              static_cast<long long>(created->id));
  return kExitOk;
}

int RunCreateServiceUser(const CommonFlags& flags, const std::string& username,
                         const std::string& email) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  auto created = (*components)->accounts().CreateServiceUser(username, email);
  if (!created.ok()) return FailStatus(created.status());
  std::printf("Service user %s created (id %lld)\n", created->username.c_str(),
              static_cast<long long>(created->id));
  return kExitOk;
}

int RunCreateOAuthClient(const CommonFlags& flags, const CreateOAuthClientFlags& client) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  Components& c = **components;
  oauth::Application app;
  app.name = client.name;
  app.client_id = client.client_id;
  app.client_type = client.is_public ? "public" : "confidential";
  // Django OAuth Toolkit spells grant types with dashes.
  app.authorization_grant_type = client.grant_type;
  std::replace(app.authorization_grant_type.begin(), app.authorization_grant_type.end(), '_', '-');
  app.is_restricted = client.restricted;
  app.redirect_uris = client.redirect_uris;
  if (!client.username.empty()) {
    auto owner = c.accounts().GetUserByUsername(client.username);
    if (!owner.ok()) return FailStatus(owner.status());
    app.user_id = owner->id;
  }
  if (!client.is_public && client.client_secret.empty()) {
    return Fail(kExitUsage, "a confidential client needs --client-secret (or pass --public)");
  }
  auto created = c.oauth().CreateApplication(app, client.client_secret);
  if (!created.ok()) return FailStatus(created.status());
  std::printf("OAuth client %s created (%s, %s%s)\n", created->client_id.c_str(),
              created->client_type.c_str(), created->authorization_grant_type.c_str(),
              created->is_restricted ? ", restricted" : "");
  return kExitOk;
}

int RunRotateKeys(const CommonFlags& flags) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  if (Status rotated = (*components)->jwt_keys().Rotate(); !rotated.ok()) {
    return FailStatus(rotated);
  }
  std::printf(
      "New JWT signing key in the %s; the previous key still verifies tokens, and running "
      "nodes sign with the new one within a second\n",
      (*components)->jwt_keys().Describe().c_str());
  return kExitOk;
}

int RunImportUsers(const CommonFlags& flags, const std::string& path) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  int64_t started = SystemClock::Default()->MonotonicMicros();
  auto report = accounts::ImportUsers((*components)->db(), *SystemClock::Default(), path);
  if (!report.ok()) return FailStatus(report.status());
  double seconds = static_cast<double>(SystemClock::Default()->MonotonicMicros() - started) / 1e6;
  for (const std::string& error : report->errors) std::fprintf(stderr, "%s\n", error.c_str());
  std::printf("Imported %lld new, %lld updated, %lld skipped in %.2f s\n",
              static_cast<long long>(report->imported), static_cast<long long>(report->updated),
              static_cast<long long>(report->skipped), seconds);
  return report->skipped > 0 ? kExitFailure : kExitOk;
}

int RunImportOlx(const CommonFlags& flags, const std::string& path) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  const Clock& clock = *SystemClock::Default();
  courses::CourseImporter importer((*components)->db(), clock);
  int64_t started = clock.MonotonicMicros();
  std::error_code ec;
  bool library = std::filesystem::is_regular_file(std::filesystem::path(path) / "library.xml", ec);
  auto result = library ? importer.ImportLibrary(path) : importer.Import(path);
  if (!result.ok()) return FailStatus(result.status());
  double seconds = static_cast<double>(clock.MonotonicMicros() - started) / 1e6;
  std::string counts;
  for (const auto& [type, count] : result->block_counts) {
    if (!counts.empty()) counts += ", ";
    counts += type + " " + std::to_string(count);
  }
  std::printf("Imported %s version %lld: %lld blocks (%s), %lld static files in %.2f s\n",
              result->context_key.c_str(), static_cast<long long>(result->version),
              static_cast<long long>(result->blocks), counts.c_str(),
              static_cast<long long>(result->static_files), seconds);
  if (!library) {
    // Prerequisites and the entrance exam follow the imported policy.
    auto synced = (*components)->milestones().SyncCourse(result->course_key);
    if (!synced.ok()) return FailStatus(synced.status());
    for (const std::string& prerequisite : synced->prerequisites) {
      std::printf("Requires prerequisite course %s\n", prerequisite.c_str());
    }
    if (!synced->entrance_exam_id.empty()) {
      std::printf("Requires entrance exam %s\n", synced->entrance_exam_id.c_str());
    }
    // Time-limited subsections become timed exams (ENABLE_SPECIAL_EXAMS).
    Status exams = (*components)->SyncSpecialExams(result->course_key.ToString());
    if (!exams.ok()) return FailStatus(exams);
    // Running nodes drop what they cached of the course (with REDIS_URL).
    (*components)->invalidations().Publish(kInvalidateCourse, result->course_key.ToString());
  }
  return kExitOk;
}

int RunExportOlx(const CommonFlags& flags, const std::string& course_key,
                 const std::string& out_dir) {
  auto key = keys::CourseKey::Parse(course_key);
  if (!key.ok()) return Fail(kExitUsage, key.status().message());
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  Status exported = courses::ExportCourse((*components)->db(), *key, out_dir);
  if (!exported.ok()) return FailStatus(exported);
  std::printf("Exported %s to %s\n", key->ToString().c_str(), out_dir.c_str());
  return kExitOk;
}

int RunComputeGrades(const CommonFlags& flags, const std::string& course_key) {
  auto key = keys::CourseKey::Parse(course_key);
  if (!key.ok()) return Fail(kExitUsage, key.status().message());
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  const Clock& clock = *SystemClock::Default();
  int64_t started = clock.MonotonicMicros();
  auto learners = (*components)->enrollments().ActiveUserIds(key->ToString());
  if (!learners.ok()) return FailStatus(learners.status());
  auto graded = (*components)->grades().RecalculateCourse(key->ToString(), *learners);
  if (!graded.ok()) return FailStatus(graded.status());
  double seconds = static_cast<double>(clock.MonotonicMicros() - started) / 1e6;
  std::printf("Graded %lld learners in %s in %.2f s\n", static_cast<long long>(*graded),
              key->ToString().c_str(), seconds);
  return kExitOk;
}

int RunWaffleSwitch(const CommonFlags& flags, const std::string& name, const std::string& state) {
  if (name.empty()) return Fail(kExitUsage, "waffle_switch needs a switch name");
  if (!state.empty() && state != "on" && state != "off") {
    return Fail(kExitUsage, "waffle_switch state must be on or off, not " + state);
  }
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  config_models::ConfigModels& models = (*components)->config_models();
  if (!state.empty()) {
    auto set = models.Set(certificates::kWaffleSwitchModel, name, state == "on",
                          nlohmann::json::object(), "");
    if (!set.ok()) return FailStatus(set.status());
  }
  auto enabled = models.IsEnabled(certificates::kWaffleSwitchModel, name);
  if (!enabled.ok()) return FailStatus(enabled.status());
  std::printf("%s: %s\n", name.c_str(), *enabled ? "on" : "off");
  return kExitOk;
}

int RunCertGeneration(const CommonFlags& flags, const std::vector<int64_t>& user_ids,
                      const std::string& course_key) {
  auto key = keys::CourseKey::Parse(course_key);
  if (!key.ok()) return Fail(kExitUsage, key.status().message());
  if (user_ids.empty()) return Fail(kExitUsage, "cert-generation needs -u with user ids");
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  auto results =
      (*components)
          ->certificates()
          .Generate(key->ToString(), user_ids, certificates::Trigger::kGenerate, "batch");
  if (!results.ok()) return FailStatus(results.status());
  for (const certificates::GenerationResult& r : *results) {
    const std::string status = r.certificate.has_value() ? r.certificate->status : "-";
    std::printf("user %lld: %s (%s)\n", static_cast<long long>(r.user_id), status.c_str(),
                r.decision.reason.c_str());
  }
  return kExitOk;
}

int RunCertPreview(const CommonFlags& flags, const std::string& course_key, const std::string& mode,
                   const std::string& language, const std::string& out_dir) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  Components& c = **components;
  auto view = c.certificate_views().Preview(course_key, mode, SystemClock::Default()->NowMicros());
  if (!view.ok()) return FailStatus(view.status());
  if (!language.empty()) view->course_language = language;
  nlohmann::json data =
      api::CertificateTemplateData(*view, *settings, settings->lms_base_url, nullptr);
  api::TemplateChoice choice{view->course_org, view->course_key, mode, language};
  auto html = c.certificate_templates().Render(choice, api::ToMustache(data));
  if (!html.ok()) return FailStatus(html.status());
  auto pdf = api::RenderCertificatePdf(data, api::Paper::kA4);
  if (!pdf.ok()) return FailStatus(pdf.status());
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  const std::filesystem::path dir(out_dir);
  for (const auto& [name, bytes] :
       {std::pair{"certificate.html", &*html}, std::pair{"certificate.pdf", &*pdf}}) {
    std::ofstream out(dir / name, std::ios::binary);
    out << *bytes;
    if (!out) return Fail(kExitFailure, "cannot write " + (dir / name).string());
  }
  std::printf("template %s\nwrote %s and %s\n", c.certificate_templates().Select(choice).c_str(),
              (dir / "certificate.html").c_str(), (dir / "certificate.pdf").c_str());
  return kExitOk;
}

int RunWorker(const CommonFlags& flags) {
  auto settings = Load(flags);
  if (!settings.ok()) return FailStatus(settings.status());
  // A dedicated worker process always runs jobs, whatever serve is told.
  if (settings->job_workers <= 0) settings->job_workers = 2;
  auto components = OpenMigrated(*settings);
  if (!components.ok()) return FailStatus(components.status());
  Components& c = **components;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Block before any thread starts so that only sigwait below sees them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (Status jobs = c.StartJobs(); !jobs.ok()) return FailStatus(jobs);
  spdlog::info("worker running {} job thread(s) (pid {})", settings->job_workers, getpid());
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("worker stopping on signal {}", received);
  c.StopJobs();
  return kExitOk;
}

}  // namespace larch::app
