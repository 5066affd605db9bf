#include "components.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <thread>

#include "course_assets.h"
#include "larch/accounts/account_service.h"
#include "larch/accounts/roles.h"
#include "larch/accounts/sessions.h"
#include "larch/api/account_routes.h"
#include "larch/api/bookmark_routes.h"
#include "larch/api/certificate_pdf.h"
#include "larch/api/certificate_routes.h"
#include "larch/api/certificate_templates.h"
#include "larch/api/certificate_view_routes.h"
#include "larch/api/completion_routes.h"
#include "larch/api/config_model_routes.h"
#include "larch/api/course_home_routes.h"
#include "larch/api/course_mode_routes.h"
#include "larch/api/courses_routes.h"
#include "larch/api/courseware_routes.h"
#include "larch/api/enrollment_routes.h"
#include "larch/api/grades_routes.h"
#include "larch/api/import_routes.h"
#include "larch/api/instructor_certificate_routes.h"
#include "larch/api/instructor_routes.h"
#include "larch/api/learner_home_routes.h"
#include "larch/api/learning_routes.h"
#include "larch/api/outline_routes.h"
#include "larch/api/search_routes.h"
#include "larch/api/special_exam_routes.h"
#include "larch/api/unit_page_routes.h"
#include "larch/bookmarks/bookmarks.h"
#include "larch/builtin_blocks/builtin_blocks.h"
#include "larch/common/clock.h"
#include "larch/common/mailer.h"
#include "larch/common/random.h"
#include "larch/completion/completion.h"
#include "larch/completion/completion_service.h"
#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/courses/course_import_service.h"
#include "larch/courses/courses.h"
#include "larch/courses/import_tasks.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/events/event_bus.h"
#include "larch/grades/grade_service.h"
#include "larch/http/heartbeat.h"
#include "larch/http/static_files.h"
#include "larch/jobs/job_runner.h"
#include "larch/keys/keys.h"
#include "larch/learner_home/learner_home.h"
#include "larch/milestones/milestones.h"
#include "larch/net/curl_http_client.h"
#include "larch/net/smtp_mailer.h"
#include "larch/oauth/jwt.h"
#include "larch/oauth/jwt_db_keys.h"
#include "larch/oauth/oauth_service.h"
#include "larch/problems/problem_service.h"
#include "larch/sandbox/sandbox_runner.h"
#include "larch/special_exams/special_exams.h"
#include "larch/storage/migrations.h"
#include "larch/storage/open_database.h"
#include "redis_backplane.h"
#include "web_app.h"

namespace larch::app {

namespace {

// Used when SMTP_URL is empty (development): logs who would get which
// subject, never the body, which may carry one-time tokens.
class LoggingMailer final : public Mailer {
 public:
  Status Send(const EmailMessage& message) override {
    std::string to;
    for (const auto& addr : message.to) to += (to.empty() ? "" : ", ") + addr;
    spdlog::info("mail not sent (SMTP_URL is empty): to={} subject={}", to, message.subject);
    return OkStatus();
  }
};

constexpr storage::Query kQuickCheck{"sqlite_quick_check", "PRAGMA quick_check"};

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

StatusOr<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgumentError("--listen must be HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_text = std::string_view(listen).substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgumentError("--listen port must be a number from 0 to 65535, got '" +
                                std::string(port_text) + "'");
  }
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, static_cast<uint16_t>(port));
}

StatusOr<http::AccessLogFn> MakeAccessLog(const std::string& destination) {
  if (destination == "off") return http::AccessLogFn();
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (destination == "stdout") {
      logger = spdlog::stdout_logger_mt("access");
    } else {
      logger = spdlog::basic_logger_mt("access", destination);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return InvalidArgumentError("setting ACCESS_LOG: cannot open '" + destination +
                                "': " + e.what());
  }
  logger->set_pattern("%v");
  logger->flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(1));
  return http::SpdlogAccessLog(logger);
}

Status CheckIntegrity(storage::Database& db) {
  if (db.backend() != storage::Backend::kSqlite) return OkStatus();
  auto result =
      storage::RunWithResult(db, storage::TxnMode::kReadOnly,
                             [](storage::Transaction& txn) { return txn.Execute(kQuickCheck); });
  if (!result.ok()) return result.status();
  if (result->rows.empty() || result->rows[0].GetText(0) != "ok") {
    std::string detail = result->rows.empty() ? "no answer" : result->rows[0].GetText(0);
    return DataLossError("database integrity check failed: " + detail);
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<Components>> Components::Create(const config::Settings& settings,
                                                         bool create_db) {
  std::unique_ptr<Components> c(new Components(settings));
  LARCH_RETURN_IF_ERROR(c->Build(create_db));
  return c;
}

Components::Components(config::Settings settings) : settings_(std::move(settings)) {}

Components::~Components() {
  StopJobs();
  // The caches subscribed to invalidations (config_models_) go before
  // redis_; no message may reach them meanwhile.
  if (redis_ != nullptr) redis_->StopSubscriber();
}

Status Components::PrepareSchema(bool create_db) {
  const std::vector<storage::Migration>& migrations = storage::BuiltinMigrations(db_->backend());
  if (create_db) {
    LARCH_ASSIGN_OR_RETURN(migrations_applied_,
                           storage::Migrate(*db_, migrations, *SystemClock::Default()));
    return OkStatus();
  }
  LARCH_ASSIGN_OR_RETURN(storage::SchemaState state, storage::ReadSchemaState(*db_, migrations));
  if (!state.pending.empty()) {
    return FailedPreconditionError("the database schema is at version " +
                                   std::to_string(state.current_version) +
                                   " but this binary needs " + std::to_string(state.latest_known) +
                                   ": run 'larch migrate --data-dir " + settings_.data_dir + "'");
  }
  return OkStatus();
}

Status Components::Build(bool create_db) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (create_db) {
    fs::create_directories(fs::path(settings_.data_dir) / "media", ec);
    if (ec) {
      return UnavailableError("cannot create data directory " + settings_.data_dir + ": " +
                              ec.message());
    }
  }
  storage::DatabaseOptions db_options;
  db_options.url = settings_.database_url;
  db_options.pool_size = static_cast<int>(settings_.db_pool_size);
  db_options.must_exist = !create_db;
  auto db = storage::OpenDatabase(db_options);
  if (!db.ok()) {
    if (db.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError("no database at " + RedactUrl(settings_.database_url) +
                                     ": run 'larch migrate --data-dir " + settings_.data_dir +
                                     "' first");
    }
    if (db.status().code() == StatusCode::kDataLoss) {
      return DataLossError("the database at " + RedactUrl(settings_.database_url) +
                           " is corrupt or not a database (" + db.status().message() +
                           "); restore it from a backup");
    }
    return db.status();
  }
  db_ = std::move(db).value();
  LARCH_RETURN_IF_ERROR(PrepareSchema(create_db));
  LARCH_ASSIGN_OR_RETURN(
      file_store_, storage::OpenFileStore(settings_.file_store, *db_, *SystemClock::Default()));

  if (settings_.smtp_url.empty()) {
    mailer_ = std::make_unique<LoggingMailer>();
  } else {
    net::SmtpMailerOptions mail_options;
    mail_options.url = settings_.smtp_url;
    LARCH_ASSIGN_OR_RETURN(mailer_, net::SmtpMailer::Create(mail_options, *SystemClock::Default(),
                                                            *SecureRandom::Default()));
  }
  http_client_ = std::make_unique<net::CurlHttpClient>();

  node_id_ =
      settings_.node_id.empty() ? HostName() + ":" + std::to_string(getpid()) : settings_.node_id;
  events::EventBusOptions bus_options;
  bus_options.sourcehost = HostName();
  if (!settings_.redis_url.empty()) {
    auto redis = RedisBackplane::Connect(settings_.redis_url, node_id_, *SystemClock::Default());
    if (!redis.ok()) {
      return UnavailableError("REDIS_URL is set but Redis does not answer: " +
                              redis.status().ToString());
    }
    redis_ = std::move(*redis);
    invalidations_ = redis_.get();
    // Open edX's EVENT_BUS_PRODUCER_CONFIG defaults, to Redis Streams.
    bus_options.producer_routes = events::DefaultProducerRoutes();
  }
  events_ = std::make_unique<events::LocalEventBus>(
      *SystemClock::Default(), *SecureRandom::Default(), bus_options, redis_.get());

  jobs::RunnerOptions runner_options;
  runner_options.worker_id = node_id_;
  runner_options.threads = static_cast<int>(std::max<int64_t>(settings_.job_workers, 1));
  runner_options.lease_seconds = settings_.job_lease_seconds;
  // Jobs enqueued while the server runs should not wait a whole second.
  runner_options.poll_interval_ms = 200;
  jobs_ = std::make_unique<jobs::JobRunner>(*db_, *SystemClock::Default(), *SecureRandom::Default(),
                                            runner_options);
  RegisterJobHandlers();

  LARCH_ASSIGN_OR_RETURN(accounts::AccountsOptions accounts_options,
                         accounts::LoadAccountsOptions(settings_));
  accounts_ = std::make_unique<accounts::AccountService>(
      *db_, *SystemClock::Default(), *SecureRandom::Default(), *events_, accounts_options);
  sessions_ = std::make_unique<accounts::SessionStore>(
      *db_, *SystemClock::Default(), *SecureRandom::Default(), settings_.session_cookie_age);
  // In the database, so every node signs and verifies with the same keys;
  // the first open imports the data dir's key files of earlier releases.
  LARCH_ASSIGN_OR_RETURN(
      jwt_keys_, oauth::JwtKeyStore::Open(std::make_unique<oauth::DatabaseKeySource>(
                                              *db_, *SystemClock::Default(),
                                              (fs::path(settings_.data_dir) / "keys").string()),
                                          *SecureRandom::Default(), SystemClock::Default()));
  oauth_ = std::make_unique<oauth::OAuthService>(*db_, *SystemClock::Default(),
                                                 *SecureRandom::Default(), *jwt_keys_, *accounts_,
                                                 oauth::OAuthOptionsFromSettings(settings_));
  enrollments_ =
      std::make_unique<enrollment::EnrollmentService>(*db_, *SystemClock::Default(), *events_);
  // Pending (allowed) enrollments apply when their person registers.
  enrollments_->SubscribeToRegistrations();
  roles_ = std::make_unique<accounts::RoleStore>(*db_);
  config_models_ = std::make_unique<config_models::ConfigModels>(
      *db_, *SystemClock::Default(),
      config_models::ConfigModelsOptions{.invalidations = invalidations_});
  certificates_ = std::make_unique<certificates::CertificateService>(
      *db_, *SystemClock::Default(), *SecureRandom::Default(), *events_, *config_models_,
      certificates::CertificateOptions{
          .html_view_enabled = settings_.Feature("CERTIFICATES_HTML_VIEW"),
          .disable_honor_certificates = settings_.Feature("DISABLE_HONOR_CERTIFICATES")});
  // A learner who now passes gets a certificate (with the auto-generation
  // switch on); one who no longer passes loses a passing one.
  certificates_->SubscribeToGrades();
  certificate_views_ = std::make_unique<certificates::CertificateViews>(*db_, *config_models_);
  milestones_ = std::make_unique<milestones::MilestoneService>(
      *db_, *SystemClock::Default(), milestones::MilestoneFlags::FromSettings(settings_));
  // Certificates fulfil the prerequisite milestones of their course.
  milestones_->SubscribeToCertificates(*events_);
  if (settings_.Feature("ENABLE_SPECIAL_EXAMS")) {
    exams_ = std::make_unique<special_exams::ExamService>(*db_, *SystemClock::Default(),
                                                          *SecureRandom::Default());
  }

  router_ = std::make_unique<http::Router>();
  RegisterRoutes();
  return OkStatus();
}

void Components::RegisterRoutes() {
  storage::Database* db = db_.get();
  // Open edX's default checks are "sql" and "modulestore"; Larch's course
  // store lives in the same database, so both ask it.
  http::RegisterHeartbeat(*router_, {{"sql", [db] { return db->Ping(); }},
                                     {"modulestore", [db] { return db->Ping(); }}});
  account_routes_context_ = std::make_unique<api::AccountRoutesContext>(
      api::AccountRoutesContext{settings_, *SystemClock::Default(), *SecureRandom::Default(),
                                *accounts_, *sessions_, *oauth_, *jwt_keys_, redis_.get()});
  api::RegisterAccountRoutes(*router_, *account_routes_context_);
  // After the account routes: their authentication filter supplies the caller.
  enrollment_routes_context_ =
      std::make_unique<api::EnrollmentRoutesContext>(api::EnrollmentRoutesContext{
          *enrollments_, *accounts_, *roles_, *SystemClock::Default(), settings_.edx_api_key,
          settings_.enrollment_throttle_rates, settings_.retirement_service_worker_username,
          /*course_details_cache_seconds=*/60, redis_.get(), invalidations_});
  api::RegisterEnrollmentRoutes(*router_, *enrollment_routes_context_);
  course_catalog_ = std::make_unique<courses::CourseCatalog>(*db_, /*tree_cache_capacity=*/32);
  content_gate_ = std::make_unique<content_gate::ContentGate>(*roles_, *SystemClock::Default(),
                                                              milestones_.get());
  course_routes_context_ = std::make_unique<api::CourseRoutesContext>(
      api::CourseRoutesContext{settings_, *SystemClock::Default(), *course_catalog_, *content_gate_,
                               *roles_, *accounts_, *enrollments_, milestones_.get()});
  api::RegisterCourseRoutes(*router_, *course_routes_context_);
  api::RegisterTranscriptRoutes(*router_, *course_routes_context_, *db_);
  grades_ = std::make_unique<grades::GradeService>(*db_, *course_catalog_, *SystemClock::Default(),
                                                   events_.get());
  // Every score change enqueues the learner's grade recalculation and marks
  // the problem complete (completion's scorable-block handler), in the
  // transaction that writes the score (grades.recalculate below).
  problems_ = std::make_unique<problems::ProblemService>(
      *db_, *SystemClock::Default(), *SecureRandom::Default(),
      [](storage::Transaction& txn, const problems::ScoreChange& change) {
        int64_t now = SystemClock::Default()->NowMicros();
        LARCH_RETURN_IF_ERROR(
            completion::CompletionStore::Submit(txn, change.user_id, change.course_key,
                                                {change.usage_key, "problem", 1.0}, now)
                .status());
        return grades::GradeService::EnqueueRecalculation(txn, change.user_id, change.course_key,
                                                          now);
      },
      problems::PythonOptions{[this] { return python_runner(); }, settings_.data_dir});
  block_handlers_ = std::make_unique<api::BlockHandlers>();
  block_handlers_->Add("problem", "xmodule_handler", api::ProblemHandler(*problems_, exams_.get()));
  completion_ = std::make_unique<completion::CompletionService>(*db_, *SystemClock::Default());
  completion_context_ = std::make_unique<api::CompletionRoutesContext>(api::CompletionRoutesContext{
      *course_catalog_, *content_gate_, *enrollments_, *accounts_, *completion_});
  api::AddCompletionHandlers(*block_handlers_, *completion_context_);
  api::RegisterCompletionRoutes(*router_, *completion_context_);
  builtin_blocks_ =
      std::make_unique<builtin_blocks::BuiltinBlockService>(*db_, *SystemClock::Default());
  api::AddBuiltinBlockHandlers(*block_handlers_, *builtin_blocks_);
  unit_page_context_ = std::make_unique<api::UnitPageRoutesContext>(
      api::UnitPageRoutesContext{*account_routes_context_, *course_catalog_, *content_gate_,
                                 *enrollments_, *problems_, *builtin_blocks_, exams_.get()});
  api::RegisterUnitPageRoutes(*router_, *unit_page_context_);
  courseware_context_ = std::make_unique<api::CoursewareRoutesContext>(api::CoursewareRoutesContext{
      *course_catalog_, *content_gate_, *enrollments_, *block_handlers_});
  api::RegisterCoursewareRoutes(*router_, *courseware_context_);
  course_home_context_ =
      std::make_unique<api::CourseHomeRoutesContext>(api::CourseHomeRoutesContext{
          settings_, *course_catalog_, *content_gate_, *enrollments_, *accounts_, *grades_,
          completion_.get(), certificate_views_.get()});
  api::RegisterCourseHomeRoutes(*router_, *course_home_context_);
  api::RegisterGradesRoutes(
      *router_, {settings_, *course_catalog_, *content_gate_, *enrollments_, *accounts_, *grades_});
  instructor_tasks_ = std::make_unique<instructor_tasks::InstructorTaskService>(
      *db_, *course_catalog_, *grades_, *problems_, *accounts_, *SystemClock::Default(),
      *SecureRandom::Default());
  api::RegisterInstructorRoutes(
      *router_, {*course_catalog_, *accounts_, *roles_, *problems_, *instructor_tasks_});
  outline_context_ = std::make_unique<api::OutlineRoutesContext>(api::OutlineRoutesContext{
      settings_, *course_catalog_, *content_gate_, *enrollments_, *grades_, *completion_});
  api::RegisterOutlineRoutes(*router_, *outline_context_);
  bookmarks_ = std::make_unique<bookmarks::BookmarkService>(*db_, *SystemClock::Default());
  bookmark_context_ = std::make_unique<api::BookmarkRoutesContext>(api::BookmarkRoutesContext{
      settings_, *course_catalog_, *content_gate_, *enrollments_, *bookmarks_});
  api::RegisterBookmarkRoutes(*router_, *bookmark_context_);
  learning_context_ = std::make_unique<api::LearningRoutesContext>(api::LearningRoutesContext{
      settings_, *SystemClock::Default(), *course_catalog_, *content_gate_, *enrollments_,
      *accounts_, *grades_, milestones_.get(), *completion_, *bookmarks_, exams_.get(),
      certificate_views_.get()});
  api::RegisterCourseMetadataRoutes(*router_, *learning_context_);
  api::RegisterSequenceRoutes(*router_, *learning_context_);
  api::RegisterDatesRoutes(*router_, *learning_context_);
  api::RegisterLearningSequencesRoutes(*router_, *learning_context_);
  api::RegisterActivationEmailRoute(*router_, *learning_context_);
  if (exams_ != nullptr) {
    special_exam_context_ = std::make_unique<api::SpecialExamRoutesContext>(
        api::SpecialExamRoutesContext{settings_, *SystemClock::Default(), *course_catalog_,
                                      *content_gate_, *enrollments_, *accounts_, *exams_});
    api::RegisterSpecialExamRoutes(*router_, *special_exam_context_);
  }
  learner_home_ = std::make_unique<learner_home::LearnerHomeService>(
      *db_, *course_catalog_, *SystemClock::Default(), milestones_.get());
  learner_home_context_ =
      std::make_unique<api::LearnerHomeRoutesContext>(api::LearnerHomeRoutesContext{
          settings_, *SystemClock::Default(), *learner_home_, *enrollments_});
  api::RegisterLearnerHomeRoutes(*router_, *learner_home_context_);
  api::RegisterMfeConfigRoutes(*router_, settings_, *SystemClock::Default());
  api::RegisterConfigModelRoutes(*router_, *config_models_);
  course_mode_context_ = std::make_unique<api::CourseModeRoutesContext>(
      api::CourseModeRoutesContext{*db_, *enrollments_, *SystemClock::Default()});
  api::RegisterCourseModeRoutes(*router_, *course_mode_context_);
  certificate_routes_context_ = std::make_unique<api::CertificateRoutesContext>(
      api::CertificateRoutesContext{*certificates_, *accounts_, *roles_, *course_catalog_});
  api::RegisterCertificateRoutes(*router_, *certificate_routes_context_);
  RegisterCertificatePage();
  std::vector<std::string> discovery_filters;
  if (settings_.course_discovery_filters.is_array()) {
    for (const auto& facet : settings_.course_discovery_filters) {
      if (facet.is_string()) discovery_filters.push_back(facet.get<std::string>());
    }
  }
  api::RegisterSearchRoutes(
      *router_, api::SearchRoutesContext{settings_, *SystemClock::Default(), *db_, *course_catalog_,
                                         *content_gate_, *enrollments_, discovery_filters});
  std::filesystem::path media = std::filesystem::path(settings_.data_dir) / "media";
  std::error_code ec;
  if (std::filesystem::is_directory(media, ec)) {
    http::StaticFiles("/media", media).Register(*router_);
  }
  RegisterCourseAssetRoutes(*router_, *db_, {*roles_, *enrollments_});
  import_routes_context_ =
      std::make_unique<api::CourseImportRoutesContext>(api::CourseImportRoutesContext{
          *db_, *roles_, *SystemClock::Default(), *SecureRandom::Default(), *file_store_});
  api::RegisterCourseImportRoutes(*router_, *import_routes_context_);
  // Last: the pages and the fallback for unknown paths.
  if (std::optional<WebAppPaths> web = ResolveWebApp(settings_); web.has_value()) {
    RegisterWebAppRoutes(*router_, *web);
  }
}

void Components::RegisterJobHandlers() {
  // mail.send: {"to": [...], "subject": "...", "text": "...", "html": "..."}.
  // Sent once per job id: a run after a crash skips a recorded send, and a
  // send the crash left unrecorded goes again with the same Message-ID.
  Mailer* mailer = mailer_.get();
  storage::Database* db = db_.get();
  std::string from = settings_.default_from_email;
  Status registered = jobs_->Register("mail.send", [mailer, db, from](const jobs::JobContext& job) {
    const nlohmann::json& payload = job.payload;
    if (!payload.is_object() || !payload.contains("to") || !payload["to"].is_array()) {
      return InvalidArgumentError("mail.send payload needs a \"to\" list");
    }
    EmailMessage message;
    message.from = payload.value("from", from);
    for (const auto& to : payload["to"]) {
      if (to.is_string()) message.to.push_back(to.get<std::string>());
    }
    message.subject = payload.value("subject", "");
    message.text_body = payload.value("text", "");
    message.html_body = payload.value("html", "");
    message.message_id = "larch-mail-job-" + std::to_string(job.job.id);
    return jobs::RunEffectOnce(*db, *SystemClock::Default(), job, "mail.sent",
                               [&] { return mailer->Send(message); });
  });
  // Registering a fixed name on a fresh runner cannot collide.
  registered.IgnoreError();
  RegisterCourseImportJob();
  RegisterSpecialExamJob();
  // grades.recalculate {"user_id", "course_key"}: enqueued with each score
  // change; grades_ exists once Build() finished, before jobs run.
  registered = jobs_->Register(grades::kRecalculateJob, [this](const jobs::JobContext& job) {
    const nlohmann::json& payload = job.payload;
    if (!payload.is_object() || !payload.contains("user_id") ||
        !payload["user_id"].is_number_integer() || !payload.contains("course_key") ||
        !payload["course_key"].is_string()) {
      return InvalidArgumentError("grades.recalculate needs user_id and course_key");
    }
    return grades_
        ->Recalculate(payload["user_id"].get<int64_t>(), payload["course_key"].get<std::string>())
        .status();
  });
  registered.IgnoreError();
  // certificates.generate {"user_id", "course_key", "trigger"}: enqueued by
  // the passing-status events; certificates_ exists before jobs run.
  registered = jobs_->Register(certificates::kGenerateJob, [this](const jobs::JobContext& job) {
    return certificates_->RunJob(job.payload);
  });
  registered.IgnoreError();
  // instructor_tasks.run {"task_id"}: the instructor's background tasks;
  // the task row says how far it got, so a retried run resumes there.
  registered =
      jobs_->Register(instructor_tasks::kRunJob, [this](const jobs::JobContext& job) -> Status {
        const nlohmann::json& payload = job.payload;
        if (!payload.is_object() || !payload.contains("task_id") ||
            !payload["task_id"].is_string()) {
          return InvalidArgumentError("instructor_tasks.run needs task_id");
        }
        return instructor_tasks_->Run(payload["task_id"].get<std::string>(),
                                      job.job.attempts >= job.job.max_attempts);
      });
  registered.IgnoreError();
}

Status Components::SyncSpecialExams(const std::string& course_key) {
  if (exams_ == nullptr) return OkStatus();
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         course_catalog_->GetTree(course_key));
  return exams_->SyncCourse(*tree);
}

void Components::RegisterCertificatePage() {
  std::string dir = settings_.certificate_templates_dir;
  if (dir.empty()) {
    dir = (std::filesystem::path(settings_.data_dir) / "certificate_templates").string();
  }
  // Broken templates are logged with file and line and left out.
  std::vector<std::string> problems;
  certificate_templates_ = api::CertificateTemplates::Load(dir, &problems);
  certificate_view_context_ =
      std::make_unique<api::CertificateViewRoutesContext>(api::CertificateViewRoutesContext{
          *certificate_views_, *certificate_templates_, *config_models_, settings_});
  api::RegisterCertificateViewRoutes(*router_, *certificate_view_context_);
  certificate_file_context_ =
      std::make_unique<api::CertificateFileRoutesContext>(api::CertificateFileRoutesContext{
          *certificate_views_, *config_models_, *file_store_, settings_});
  api::RegisterCertificateFileRoutes(*router_, *certificate_file_context_);
  instructor_certificate_context_ = std::make_unique<api::InstructorCertificateRoutesContext>(
      api::InstructorCertificateRoutesContext{*certificates_, *certificate_views_, *accounts_,
                                              *roles_, *SystemClock::Default()});
  api::RegisterInstructorCertificateRoutes(*router_, *instructor_certificate_context_);
}

void Components::RegisterSpecialExamJob() {
  // special_exams.expire_attempt: submits a timed exam attempt whose time is
  // up (special_exams.h); exams_ exists once Build() finished, before jobs
  // run. With the feature off the job has nothing to do.
  Status registered =
      jobs_->Register(special_exams::kExpireJobKind, [this](const jobs::JobContext& job) {
        const nlohmann::json& payload = job.payload;
        if (!payload.is_object() || !payload.contains("attempt_id") ||
            !payload["attempt_id"].is_number_integer()) {
          return InvalidArgumentError("special_exams.expire_attempt needs attempt_id");
        }
        if (exams_ == nullptr) return OkStatus();
        return exams_->ExpireAttempt(payload["attempt_id"].get<int64_t>());
      });
  registered.IgnoreError();
}

void Components::RegisterCourseImportJob() {
  // courses.import (api/import_routes.h): the use case lives in
  // courses::CourseImportService; prerequisites and the entrance exam follow
  // the imported settings through the milestones hook. Jobs only run after
  // Build() finished, so milestones_ exists by then.
  course_import_ = std::make_unique<courses::CourseImportService>(
      *db_, *SystemClock::Default(), *file_store_, [this](const keys::CourseKey& course_key) {
        LARCH_RETURN_IF_ERROR(milestones_->SyncCourse(course_key).status());
        invalidations_->Publish(kInvalidateCourse, course_key.ToString());
        return SyncSpecialExams(course_key.ToString());
      });
  courses::CourseImportService* service = course_import_.get();
  Status registered = jobs_->Register(
      courses::kCourseImportJobKind,
      [service](const jobs::JobContext& job) { return service->RunImportJob(job.payload); });
  registered.IgnoreError();
}

StatusOr<capa::PythonRunner*> Components::python_runner() {
  MutexLock lock(python_runner_mu_);
  if (python_runner_ == nullptr) {
    sandbox::SandboxOptions options;
    const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
    options.pool_size =
        static_cast<int>(settings_.sandbox_pool_size > 0 ? settings_.sandbox_pool_size : cores);
    options.cpu_seconds = static_cast<int>(settings_.sandbox_cpu_seconds);
    options.wall_seconds = static_cast<int>(settings_.sandbox_wall_seconds);
    options.memory_bytes = settings_.sandbox_memory_mb << 20;
    LARCH_ASSIGN_OR_RETURN(python_runner_, sandbox::SandboxRunner::Create(options));
  }
  return python_runner_.get();
}

Status Components::StartJobs() {
  if (settings_.job_workers <= 0) return OkStatus();
  return jobs_->Start();
}

void Components::StopJobs() {
  if (jobs_ != nullptr) jobs_->Stop();
}

}  // namespace larch::app
