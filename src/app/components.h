// The composition root: builds Larch's object graph from Settings (database,
// clock, randomness, mailer, HTTP client, event bus, job runner, router) and
// owns it. Subcommands (app/commands.cc) use what they need; nothing below
// app constructs any of these itself.
//
// Thread safety: Create, StartJobs and StopJobs are called from the main
// thread; the objects handed out are thread-safe.
#ifndef LARCH_APP_COMPONENTS_H_
#define LARCH_APP_COMPONENTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "larch/certificates/certificates.h"
#include "larch/certificates/web_certificate.h"
#include "larch/common/invalidations.h"
#include "larch/common/mutex.h"
#include "larch/common/status.h"
#include "larch/config/settings.h"
#include "larch/config_models/config_models.h"
#include "larch/http/router.h"
#include "larch/http/server.h"
#include "larch/storage/database.h"
#include "larch/storage/file_store.h"

namespace larch {
class Mailer;
class HttpClient;
namespace events {
class EventBus;
}
namespace capa {
class PythonRunner;
}
namespace jobs {
class JobRunner;
}
namespace accounts {
class AccountService;
class RoleStore;
class SessionStore;
}  // namespace accounts
namespace enrollment {
class EnrollmentService;
}  // namespace enrollment
namespace courses {
class CourseCatalog;
class CourseImportService;
}  // namespace courses
namespace content_gate {
class ContentGate;
}  // namespace content_gate
namespace milestones {
class MilestoneService;
}  // namespace milestones
namespace problems {
class ProblemService;
}  // namespace problems
namespace grades {
class GradeService;
}  // namespace grades
namespace instructor_tasks {
class InstructorTaskService;
}  // namespace instructor_tasks
namespace learner_home {
class LearnerHomeService;
}  // namespace learner_home
namespace completion {
class CompletionService;
}  // namespace completion
namespace bookmarks {
class BookmarkService;
}  // namespace bookmarks
namespace builtin_blocks {
class BuiltinBlockService;
}  // namespace builtin_blocks
namespace special_exams {
class ExamService;
}  // namespace special_exams
namespace api {
struct AccountRoutesContext;
struct CertificateRoutesContext;
class CertificateTemplates;
struct CertificateViewRoutesContext;
struct InstructorCertificateRoutesContext;
struct CertificateFileRoutesContext;
struct CourseModeRoutesContext;
struct CourseHomeRoutesContext;
struct LearningRoutesContext;
struct SpecialExamRoutesContext;
struct LearnerHomeRoutesContext;
struct CourseRoutesContext;
struct CourseImportRoutesContext;
struct CoursewareRoutesContext;
struct CompletionRoutesContext;
struct OutlineRoutesContext;
struct BookmarkRoutesContext;
class BlockHandlers;
struct UnitPageRoutesContext;
struct EnrollmentRoutesContext;
}  // namespace api
namespace oauth {
class JwtKeyStore;
class OAuthService;
}  // namespace oauth
}  // namespace larch

namespace larch::app {

class RedisBackplane;

inline constexpr const char* kLarchVersion = "0.1.0";

// "postgresql://u:secret@h/db" -> "postgresql://u:***@h/db".
std::string RedactUrl(const std::string& url);
// "127.0.0.1:8000" -> {"127.0.0.1", 8000}; "[::1]:80" -> {"::1", 80}.
StatusOr<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen);
// ACCESS_LOG: "off" -> no log, "stdout" -> standard output, else a file path.
StatusOr<http::AccessLogFn> MakeAccessLog(const std::string& destination);
// SQLite: PRAGMA quick_check. PostgreSQL keeps its own consistency: OK.
Status CheckIntegrity(storage::Database& db);

class Components {
 public:
  // `create_db`: create the data directory and the SQLite file when missing
  // and apply the pending migrations (`larch migrate`) before the services,
  // which read their shared state (the JWT keys) from the database, are
  // built; otherwise a missing database, or one with pending migrations, is
  // kFailedPrecondition with a hint to run `larch migrate`.
  static StatusOr<std::unique_ptr<Components>> Create(const config::Settings& settings,
                                                      bool create_db);
  ~Components();

  // How many migrations Create(create_db = true) applied.
  int migrations_applied() const { return migrations_applied_; }
  // This node's name (NODE_ID or host:pid).
  const std::string& node_id() const { return node_id_; }
  // Redis, when REDIS_URL is set; null otherwise.
  RedisBackplane* redis() { return redis_.get(); }
  // Where course and configuration changes are announced.
  Invalidations& invalidations() { return *invalidations_; }
  // Runtime configuration models, cached and invalidated on every process.
  config_models::ConfigModels& config_models() { return *config_models_; }
  certificates::CertificateService& certificates() { return *certificates_; }
  certificates::CertificateViews& certificate_views() { return *certificate_views_; }
  api::CertificateTemplates& certificate_templates() { return *certificate_templates_; }

  storage::Database& db() { return *db_; }
  http::Router& router() { return *router_; }
  events::EventBus& events() { return *events_; }
  Mailer& mailer() { return *mailer_; }
  accounts::AccountService& accounts() { return *accounts_; }
  accounts::SessionStore& sessions() { return *sessions_; }
  oauth::JwtKeyStore& jwt_keys() { return *jwt_keys_; }
  oauth::OAuthService& oauth() { return *oauth_; }
  // Call SyncCourse after every course import.
  milestones::MilestoneService& milestones() { return *milestones_; }
  // Writes the timed exams of the course's current version
  // (special_exams::ExamService::SyncCourse); OK with the feature off.
  Status SyncSpecialExams(const std::string& course_key);
  grades::GradeService& grades() { return *grades_; }
  enrollment::EnrollmentService& enrollments() { return *enrollments_; }
  // The Python sandbox for capa scripts and customresponse, started on first
  // use (so commands that grade nothing never spawn it). kFailedPrecondition
  // when bwrap or python3 is missing; kInternal when seccomp cannot be set up.
  StatusOr<capa::PythonRunner*> python_runner();
  const config::Settings& settings() const { return settings_; }

  // Starts JOB_WORKERS background job threads in this process (none when
  // the setting is 0).
  Status StartJobs();
  void StopJobs();

 private:
  explicit Components(config::Settings settings);
  Status Build(bool create_db);
  void RegisterRoutes();
  void RegisterJobHandlers();
  void RegisterCourseImportJob();
  void RegisterSpecialExamJob();
  // The web certificate page, its views and templates.
  void RegisterCertificatePage();

  // Migrates (create_db) or refuses a schema that is not current.
  Status PrepareSchema(bool create_db);

  config::Settings settings_;
  int migrations_applied_ = 0;
  // NODE_ID, or host:pid.
  std::string node_id_;
  // With REDIS_URL; then invalidations_ points at it, else at
  // local_invalidations_. Declared early: everything below may use them.
  std::unique_ptr<RedisBackplane> redis_;
  LocalInvalidations local_invalidations_;
  Invalidations* invalidations_ = &local_invalidations_;
  std::unique_ptr<storage::Database> db_;
  // FILE_STORE: where course import uploads wait for their job.
  std::unique_ptr<storage::FileStore> file_store_;
  std::unique_ptr<Mailer> mailer_;
  std::unique_ptr<HttpClient> http_client_;
  std::unique_ptr<events::EventBus> events_;
  // Declared before jobs_ so it outlives the job threads that call it.
  std::unique_ptr<courses::CourseImportService> course_import_;
  std::unique_ptr<jobs::JobRunner> jobs_;
  std::unique_ptr<accounts::AccountService> accounts_;
  std::unique_ptr<accounts::SessionStore> sessions_;
  std::unique_ptr<oauth::JwtKeyStore> jwt_keys_;
  std::unique_ptr<oauth::OAuthService> oauth_;
  std::unique_ptr<enrollment::EnrollmentService> enrollments_;
  std::unique_ptr<accounts::RoleStore> roles_;
  std::unique_ptr<config_models::ConfigModels> config_models_;
  std::unique_ptr<certificates::CertificateService> certificates_;
  std::unique_ptr<api::CertificateRoutesContext> certificate_routes_context_;
  std::unique_ptr<certificates::CertificateViews> certificate_views_;
  std::unique_ptr<api::CertificateTemplates> certificate_templates_;
  std::unique_ptr<api::CertificateViewRoutesContext> certificate_view_context_;
  std::unique_ptr<api::InstructorCertificateRoutesContext> instructor_certificate_context_;
  std::unique_ptr<api::CertificateFileRoutesContext> certificate_file_context_;
  std::unique_ptr<api::CourseModeRoutesContext> course_mode_context_;
  std::unique_ptr<milestones::MilestoneService> milestones_;
  std::unique_ptr<api::AccountRoutesContext> account_routes_context_;
  std::unique_ptr<api::EnrollmentRoutesContext> enrollment_routes_context_;
  std::unique_ptr<courses::CourseCatalog> course_catalog_;
  std::unique_ptr<content_gate::ContentGate> content_gate_;
  std::unique_ptr<api::CourseRoutesContext> course_routes_context_;
  std::unique_ptr<api::CourseImportRoutesContext> import_routes_context_;
  std::unique_ptr<grades::GradeService> grades_;
  std::unique_ptr<problems::ProblemService> problems_;
  std::unique_ptr<instructor_tasks::InstructorTaskService> instructor_tasks_;
  std::unique_ptr<api::CourseHomeRoutesContext> course_home_context_;
  std::unique_ptr<api::LearningRoutesContext> learning_context_;
  std::unique_ptr<learner_home::LearnerHomeService> learner_home_;
  std::unique_ptr<api::LearnerHomeRoutesContext> learner_home_context_;
  std::unique_ptr<api::BlockHandlers> block_handlers_;
  std::unique_ptr<api::CoursewareRoutesContext> courseware_context_;
  std::unique_ptr<completion::CompletionService> completion_;
  std::unique_ptr<api::CompletionRoutesContext> completion_context_;
  std::unique_ptr<api::OutlineRoutesContext> outline_context_;
  std::unique_ptr<bookmarks::BookmarkService> bookmarks_;
  std::unique_ptr<api::BookmarkRoutesContext> bookmark_context_;
  std::unique_ptr<builtin_blocks::BuiltinBlockService> builtin_blocks_;
  std::unique_ptr<api::UnitPageRoutesContext> unit_page_context_;
  // Timed exams; null when ENABLE_SPECIAL_EXAMS is off.
  std::unique_ptr<special_exams::ExamService> exams_;
  std::unique_ptr<api::SpecialExamRoutesContext> special_exam_context_;
  std::unique_ptr<http::Router> router_;
  Mutex python_runner_mu_;
  std::unique_ptr<capa::PythonRunner> python_runner_ LARCH_GUARDED_BY(python_runner_mu_);
};

}  // namespace larch::app

#endif  // LARCH_APP_COMPONENTS_H_
