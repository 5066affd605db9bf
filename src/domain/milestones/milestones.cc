#include "larch/milestones/milestones.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "larch/accounts/user_store.h"
#include "larch/courses/courses.h"
#include "larch/events/event_types.h"

namespace larch::milestones {
namespace {

constexpr char kEntranceExamSuffix[] = ".entrance_exams";
// Studio names every entrance exam milestone this way (contentstore
// views/entrance_exam.py); kept so exported data matches.
constexpr char kEntranceExamName[] = "Test Milestone";
// CourseFields.entrance_exam_minimum_score_pct default.
constexpr double kDefaultEntranceExamMinimum = 0.65;

constexpr storage::Query kFindMilestone{
    "milestones.find", "SELECT id FROM milestones WHERE namespace = ? AND name = ?"};
constexpr storage::Query kInsertMilestone{
    "milestones.insert",
    "INSERT INTO milestones (namespace, name, display_name) VALUES (?, ?, ?) "
    "ON CONFLICT (namespace, name) DO NOTHING"};
constexpr storage::Query kUpsertCourseMilestone{
    "milestones.upsert_course_milestone",
    "INSERT INTO course_milestones (course_key, milestone_id, relationship, content_key) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (course_key, milestone_id, relationship) "
    "DO UPDATE SET content_key = excluded.content_key"};
constexpr storage::Query kDeleteRelationships{
    "milestones.delete_relationships", "DELETE FROM course_milestones WHERE milestone_id = ?"};
// A required milestone with the content that fulfils it inside the same
// course (the entrance exam chapter).
constexpr storage::Query kRequired{
    "milestones.required",
    "SELECT m.id, m.namespace, m.name, m.display_name, COALESCE(f.content_key, '') "
    "FROM course_milestones r JOIN milestones m ON m.id = r.milestone_id "
    "LEFT JOIN course_milestones f ON f.milestone_id = r.milestone_id "
    "AND f.course_key = r.course_key AND f.relationship = 'fulfills' "
    "WHERE r.course_key = ? AND r.relationship = 'requires' ORDER BY m.id"};
constexpr storage::Query kUnfulfilled{
    "milestones.unfulfilled",
    "SELECT m.id, m.namespace, m.name, m.display_name, COALESCE(f.content_key, '') "
    "FROM course_milestones r JOIN milestones m ON m.id = r.milestone_id "
    "LEFT JOIN course_milestones f ON f.milestone_id = r.milestone_id "
    "AND f.course_key = r.course_key AND f.relationship = 'fulfills' "
    "WHERE r.course_key = ? AND r.relationship = 'requires' AND NOT EXISTS "
    "(SELECT 1 FROM user_milestones u WHERE u.user_id = ? AND u.milestone_id = m.id) "
    "ORDER BY m.id"};
// Course-level (not content) milestones a course fulfils: its completion.
constexpr storage::Query kCourseFulfills{
    "milestones.course_fulfills",
    "SELECT milestone_id FROM course_milestones "
    "WHERE course_key = ? AND relationship = 'fulfills' AND content_key = '' "
    "ORDER BY milestone_id"};
constexpr storage::Query kNamespaceFulfills{
    "milestones.namespace_fulfills",
    "SELECT cm.milestone_id FROM course_milestones cm JOIN milestones m ON m.id = cm.milestone_id "
    "WHERE cm.course_key = ? AND cm.relationship = 'fulfills' AND m.namespace = ? "
    "ORDER BY cm.milestone_id"};
constexpr storage::Query kMilestoneExists{"milestones.exists",
                                          "SELECT 1 FROM milestones WHERE id = ?"};
constexpr storage::Query kInsertUserMilestone{
    "milestones.insert_user_milestone",
    "INSERT INTO user_milestones (user_id, milestone_id, created) VALUES (?, ?, ?) "
    "ON CONFLICT (user_id, milestone_id) DO NOTHING"};

// Policy values arrive as JSON booleans or as the strings OLX attributes use.
bool Truthy(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return s == "true" || s == "1";
  }
  return false;
}

std::string PrerequisiteName(std::string_view course, std::string_view prerequisite) {
  return "Course " + std::string(course) + " requires " + std::string(prerequisite);
}

RequiredMilestone FromRow(const storage::Row& row, std::string_view course_key) {
  RequiredMilestone m;
  m.id = row.GetInt(0);
  m.milestone_namespace = row.GetText(1);
  m.name = row.GetText(2);
  m.display_name = row.GetText(3);
  if (m.milestone_namespace == EntranceExamNamespace(course_key)) {
    m.kind = MilestoneKind::kEntranceExam;
    m.entrance_exam_id = row.GetText(4);
  } else {
    m.kind = MilestoneKind::kPrerequisite;
    m.prerequisite_course = m.milestone_namespace;
  }
  return m;
}

// The milestone (namespace, name), created when missing.
StatusOr<int64_t> EnsureMilestone(storage::Transaction& txn, const std::string& ns,
                                  const std::string& name, const std::string& display_name) {
  LARCH_RETURN_IF_ERROR(txn.Execute(kInsertMilestone, {ns, name, display_name}).status());
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kFindMilestone, {ns, name}));
  if (rs.empty()) return InternalError("milestone vanished after insert: " + ns);
  return rs.rows.front().GetInt(0);
}

Status Relate(storage::Transaction& txn, const std::string& course_key, int64_t milestone_id,
              const char* relationship, const std::string& content_key) {
  return txn
      .Execute(kUpsertCourseMilestone,
               {course_key, storage::Int(milestone_id), std::string(relationship), content_key})
      .status();
}

// Inserts user_milestones rows; returns how many were new.
StatusOr<int64_t> InsertUserMilestones(storage::Transaction& txn, int64_t user_id,
                                       const std::vector<int64_t>& milestone_ids, int64_t now) {
  int64_t added = 0;
  for (int64_t id : milestone_ids) {
    LARCH_ASSIGN_OR_RETURN(
        storage::ResultSet rs,
        txn.Execute(kInsertUserMilestone,
                    {storage::Int(user_id), storage::Int(id), storage::Int(now)}));
    added += rs.rows_affected;
  }
  return added;
}

StatusOr<std::vector<int64_t>> Ids(storage::Transaction& txn, const storage::Query& query,
                                   std::initializer_list<storage::SqlValue> params) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(query, params));
  std::vector<int64_t> ids;
  for (const storage::Row& row : rs.rows) ids.push_back(row.GetInt(0));
  return ids;
}

// object[outer][inner] (or object[outer] when inner is null); null when absent.
const nlohmann::json* Member(const nlohmann::json& object, const char* outer, const char* inner) {
  auto it = object.find(outer);
  if (it == object.end()) return nullptr;
  if (inner == nullptr) return &*it;
  if (!it->is_object()) return nullptr;
  auto in = it->find(inner);
  return in == it->end() ? nullptr : &*in;
}

bool IsPassingStatus(const std::string& status) {
  return status == "downloadable" || status == "generating" || status == "regenerating";
}

}  // namespace

MilestoneFlags MilestoneFlags::FromSettings(const config::Settings& settings) {
  MilestoneFlags flags;
  flags.milestones_app = settings.Feature("MILESTONES_APP");
  flags.prerequisite_courses = settings.Feature("ENABLE_PREREQUISITE_COURSES");
  flags.entrance_exams = settings.Feature("ENTRANCE_EXAMS");
  return flags;
}

std::string EntranceExamNamespace(std::string_view course_key) {
  return std::string(course_key) + kEntranceExamSuffix;
}

MilestoneService::MilestoneService(storage::Database& db, const Clock& clock, MilestoneFlags flags)
    : db_(db), clock_(clock), flags_(flags) {}

StatusOr<SyncResult> MilestoneService::SyncCourse(const keys::CourseKey& course_key) {
  const std::string key = course_key.ToString();
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<SyncResult> {
        SyncResult result;
        LARCH_ASSIGN_OR_RETURN(courses::CourseOverview overview,
                               courses::CourseStore::GetOverview(txn, course_key));
        const nlohmann::json& advanced = overview.advanced;
        std::set<std::string> wanted;
        if (auto pre = advanced.find("pre_requisite_courses");
            pre != advanced.end() && pre->is_array()) {
          for (const nlohmann::json& item : *pre) {
            if (!item.is_string()) continue;
            StatusOr<keys::CourseKey> parsed = keys::CourseKey::Parse(item.get<std::string>());
            if (!parsed.ok() || *parsed == course_key) continue;
            if (wanted.insert(parsed->ToString()).second) {
              result.prerequisites.push_back(parsed->ToString());
            }
          }
        }
        std::string exam_id;
        auto enabled = advanced.find("entrance_exam_enabled");
        auto id = advanced.find("entrance_exam_id");
        if (enabled != advanced.end() && Truthy(*enabled) && id != advanced.end() &&
            id->is_string() && !id->get<std::string>().empty()) {
          // Exports from old courses name the chapter with an i4x:// key.
          StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(id->get<std::string>());
          exam_id = usage.ok() && !usage->in_library() ? usage->MapIntoCourse(course_key).ToString()
                                                       : id->get<std::string>();
        }
        result.entrance_exam_id = exam_id;

        LARCH_ASSIGN_OR_RETURN(storage::ResultSet existing, txn.Execute(kRequired, {key}));
        for (const storage::Row& row : existing.rows) {
          RequiredMilestone m = FromRow(row, key);
          bool keep = m.kind == MilestoneKind::kEntranceExam
                          ? !exam_id.empty()
                          : wanted.count(m.prerequisite_course) > 0 &&
                                m.name == PrerequisiteName(key, m.prerequisite_course);
          if (keep) continue;
          LARCH_ASSIGN_OR_RETURN(storage::ResultSet gone,
                                 txn.Execute(kDeleteRelationships, {storage::Int(m.id)}));
          result.removed += gone.rows_affected;
        }
        for (const std::string& prerequisite : result.prerequisites) {
          std::string name = PrerequisiteName(key, prerequisite);
          LARCH_ASSIGN_OR_RETURN(int64_t milestone, EnsureMilestone(txn, prerequisite, name, name));
          LARCH_RETURN_IF_ERROR(Relate(txn, key, milestone, kRequires, ""));
          LARCH_RETURN_IF_ERROR(Relate(txn, prerequisite, milestone, kFulfills, ""));
        }
        if (!exam_id.empty()) {
          LARCH_ASSIGN_OR_RETURN(int64_t milestone,
                                 EnsureMilestone(txn, EntranceExamNamespace(key), kEntranceExamName,
                                                 kEntranceExamName));
          LARCH_RETURN_IF_ERROR(Relate(txn, key, milestone, kRequires, ""));
          LARCH_RETURN_IF_ERROR(Relate(txn, key, milestone, kFulfills, exam_id));
        }
        return result;
      });
}

StatusOr<std::vector<RequiredMilestone>> MilestoneService::RequiredMilestones(
    std::string_view course_key) {
  std::string key(course_key);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<RequiredMilestone>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kRequired, {key}));
        std::vector<RequiredMilestone> out;
        for (const storage::Row& row : rs.rows) out.push_back(FromRow(row, key));
        return out;
      });
}

StatusOr<std::vector<RequiredMilestone>> MilestoneService::UnfulfilledMilestones(
    int64_t user_id, std::string_view course_key) {
  std::vector<RequiredMilestone> out;
  if (!flags_.prerequisites_enabled() && !flags_.entrance_exams_enabled()) return out;
  std::string key(course_key);
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly,
                             [&](storage::Transaction& txn) -> StatusOr<storage::ResultSet> {
                               return txn.Execute(kUnfulfilled, {key, storage::Int(user_id)});
                             }));
  for (const storage::Row& row : rs.rows) {
    RequiredMilestone m = FromRow(row, key);
    bool enabled = m.kind == MilestoneKind::kEntranceExam ? flags_.entrance_exams_enabled()
                                                          : flags_.prerequisites_enabled();
    if (enabled) out.push_back(std::move(m));
  }
  return out;
}

StatusOr<CourseGate> MilestoneService::GateFor(int64_t user_id, std::string_view course_key) {
  CourseGate gate;
  LARCH_ASSIGN_OR_RETURN(std::vector<RequiredMilestone> missing,
                         UnfulfilledMilestones(user_id, course_key));
  for (const RequiredMilestone& m : missing) {
    if (m.kind == MilestoneKind::kEntranceExam) {
      gate.entrance_exam_pending = true;
      gate.entrance_exam_id = m.entrance_exam_id;
    } else if (user_id != 0) {
      gate.unmet_prerequisites.push_back(m.prerequisite_course);
    }
  }
  return gate;
}

StatusOr<bool> MilestoneService::IsGated(int64_t user_id, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(CourseGate gate, GateFor(user_id, course_key));
  return gate.gated();
}

StatusOr<bool> MilestoneService::MustCompleteEntranceExam(int64_t user_id,
                                                          std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(CourseGate gate, GateFor(user_id, course_key));
  return gate.entrance_exam_pending;
}

Status MilestoneService::Fulfill(int64_t user_id, int64_t milestone_id) {
  const int64_t now = clock_.NowMicros();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet m,
                           txn.Execute(kMilestoneExists, {storage::Int(milestone_id)}));
    if (m.empty()) return NotFoundError("milestone not found: " + std::to_string(milestone_id));
    LARCH_ASSIGN_OR_RETURN(bool user_exists, accounts::UserStore::Exists(txn, user_id));
    if (!user_exists) return NotFoundError("user not found: " + std::to_string(user_id));
    return InsertUserMilestones(txn, user_id, {milestone_id}, now).status();
  });
}

StatusOr<int64_t> MilestoneService::FulfillCoursePrerequisite(int64_t user_id,
                                                              std::string_view course_key) {
  if (!flags_.prerequisites_enabled()) return int64_t{0};
  std::string key(course_key);
  const int64_t now = clock_.NowMicros();
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
        LARCH_ASSIGN_OR_RETURN(bool user_exists, accounts::UserStore::Exists(txn, user_id));
        if (!user_exists) return NotFoundError("user not found: " + std::to_string(user_id));
        LARCH_ASSIGN_OR_RETURN(std::vector<int64_t> ids, Ids(txn, kCourseFulfills, {key}));
        return InsertUserMilestones(txn, user_id, ids, now);
      });
}

Status MilestoneService::FulfillEntranceExam(int64_t user_id, std::string_view course_key) {
  std::string key(course_key);
  const int64_t now = clock_.NowMicros();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                           Ids(txn, kNamespaceFulfills, {key, EntranceExamNamespace(key)}));
    if (ids.empty()) return NotFoundError("course has no entrance exam: " + key);
    LARCH_ASSIGN_OR_RETURN(bool user_exists, accounts::UserStore::Exists(txn, user_id));
    if (!user_exists) return NotFoundError("user not found: " + std::to_string(user_id));
    return InsertUserMilestones(txn, user_id, ids, now).status();
  });
}

StatusOr<bool> MilestoneService::RecordEntranceExamScore(int64_t user_id,
                                                         const keys::CourseKey& course_key,
                                                         double score_ratio) {
  LARCH_ASSIGN_OR_RETURN(
      courses::CourseOverview overview,
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly,
                             [&](storage::Transaction& txn) -> StatusOr<courses::CourseOverview> {
                               return courses::CourseStore::GetOverview(txn, course_key);
                             }));
  double minimum = kDefaultEntranceExamMinimum;
  if (auto pct = overview.advanced.find("entrance_exam_minimum_score_pct");
      pct != overview.advanced.end()) {
    std::optional<double> value;
    if (pct->is_number()) value = pct->get<double>();
    if (pct->is_string()) {
      const std::string text = pct->get<std::string>();
      char* end = nullptr;
      double parsed = std::strtod(text.c_str(), &end);
      if (end != text.c_str()) value = parsed;
    }
    if (value.has_value()) minimum = *value > 1.0 ? *value / 100.0 : *value;
  }
  if (score_ratio < minimum) {
    // Still kNotFound for a course without an exam, so callers learn it.
    LARCH_ASSIGN_OR_RETURN(std::vector<RequiredMilestone> required,
                           RequiredMilestones(course_key.ToString()));
    for (const RequiredMilestone& m : required) {
      if (m.kind == MilestoneKind::kEntranceExam) return false;
    }
    return NotFoundError("course has no entrance exam: " + course_key.ToString());
  }
  LARCH_RETURN_IF_ERROR(FulfillEntranceExam(user_id, course_key.ToString()));
  return true;
}

void MilestoneService::SubscribeToCertificates(events::EventBus& bus) {
  auto handler = [this](bool require_passing, const events::Event& event) -> Status {
    auto cert = event.data.find("certificate");
    if (cert == event.data.end() || !cert->is_object()) {
      return InvalidArgumentError("certificate event without certificate data");
    }
    const nlohmann::json* user_id = Member(*cert, "user", "id");
    const nlohmann::json* course_key = Member(*cert, "course", "course_key");
    if (user_id == nullptr || !user_id->is_number_integer() || course_key == nullptr ||
        !course_key->is_string()) {
      return InvalidArgumentError("certificate event without user id or course key");
    }
    const nlohmann::json* status = Member(*cert, "current_status", nullptr);
    if (require_passing && (status == nullptr || !status->is_string() ||
                            !IsPassingStatus(status->get<std::string>()))) {
      return OkStatus();
    }
    StatusOr<int64_t> added =
        FulfillCoursePrerequisite(user_id->get<int64_t>(), course_key->get<std::string>());
    if (!added.ok()) return added.status();
    if (*added > 0) {
      spdlog::info("milestones: user {} completed {}, {} milestone(s) fulfilled",
                   user_id->get<int64_t>(), course_key->get<std::string>(), *added);
    }
    return OkStatus();
  };
  bus.Subscribe(events::kCertificateCreated,
                [handler](const events::Event& event) { return handler(false, event); });
  bus.Subscribe(events::kCertificateChanged,
                [handler](const events::Event& event) { return handler(true, event); });
}

}  // namespace larch::milestones
