// GradeService's override use cases (grade_service.h): the gradebook's bulk
// update, clearing an override, and the subsection grade view.
#include <utility>

#include "larch/accounts/user_store.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/grades/grade_service.h"
#include "larch/keys/keys.h"

namespace larch::grades {
namespace {

using nlohmann::json;

// Upstream's reasons (GradebookBulkUpdateView.post and the exceptions it
// turns into strings).
constexpr char kNoUser[] = "User matching query does not exist.";
constexpr char kNoEnrollment[] = "CourseEnrollment matching query does not exist.";

const SubsectionGrade* FindSubsection(const CourseGradeReport& report, std::string_view usage_key) {
  for (const SectionGrade& section : report.sections) {
    for (const SubsectionGrade& sub : section.subsections) {
      if (sub.usage_key == usage_key) return &sub;
    }
  }
  return nullptr;
}

std::optional<double> Resolve(const GradeService::OverrideField& field, double computed) {
  return field.given ? field.value : std::optional<double>(computed);
}

}  // namespace

StatusOr<GradeService::OverrideOutcome> GradeService::OverrideOne(
    storage::Transaction& txn, const courses::CourseTree& tree, const Structure& structure,
    int64_t actor_id, const OverrideRequest& request, std::string_view feature,
    std::map<int64_t, CourseGradeReport>& reports, int64_t now) {
  LARCH_ASSIGN_OR_RETURN(bool user_exists, accounts::UserStore::Exists(txn, request.user_id));
  if (!user_exists) return OverrideOutcome{false, kNoUser};
  LARCH_ASSIGN_OR_RETURN(bool enrolled, enrollment::EnrollmentStore::HasEnrollment(
                                            txn, request.user_id, tree.course_key));
  if (!enrolled) return OverrideOutcome{false, kNoEnrollment};
  if (!keys::UsageKey::Parse(request.usage_key).ok()) {
    return OverrideOutcome{
        false, "<class 'opaque_keys.edx.locator.BlockUsageLocator'>: " + request.usage_key};
  }
  auto cached = reports.find(request.user_id);
  if (cached == reports.end()) {
    LARCH_ASSIGN_OR_RETURN(CourseGradeReport report,
                           ComputeFrom(tree, structure, txn, request.user_id));
    cached = reports.emplace(request.user_id, std::move(report)).first;
  }
  const SubsectionGrade* sub = FindSubsection(cached->second, request.usage_key);
  if (sub == nullptr) {
    int index = tree.Find(request.usage_key);
    if (index >= 0) {
      return OverrideOutcome{
          false, "usage_key " + request.usage_key + " is not a subsection of this course."};
    }
    return OverrideOutcome{false,
                           "usage_key " + request.usage_key + " does not exist in this course."};
  }
  LARCH_ASSIGN_OR_RETURN(int64_t grade_id,
                         UpsertSubsection(txn, request.user_id, tree.course_key, *sub, now));
  GradeOverride values;
  values.earned_all = Resolve(request.earned_all, sub->computed.earned_all);
  values.possible_all = Resolve(request.possible_all, sub->computed.possible_all);
  values.earned_graded = Resolve(request.earned_graded, sub->computed.earned_graded);
  values.possible_graded = Resolve(request.possible_graded, sub->computed.possible_graded);
  values.system = std::string(feature);
  values.reason = request.comment;
  LARCH_RETURN_IF_ERROR(OverrideStore::Save(txn, grade_id, values, actor_id, now).status());
  return OverrideOutcome{true, ""};
}

StatusOr<std::vector<GradeService::OverrideOutcome>> GradeService::OverrideSubsectionGrades(
    int64_t actor_id, std::string_view course_key, const std::vector<OverrideRequest>& requests,
    std::string_view feature) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  std::vector<OverrideOutcome> outcomes;
  std::vector<std::pair<std::string, json>> events;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        outcomes.clear();
        events.clear();
        int64_t now = clock_.NowMicros();
        std::map<int64_t, CourseGradeReport> reports;
        for (const OverrideRequest& request : requests) {
          LARCH_ASSIGN_OR_RETURN(
              OverrideOutcome outcome,
              OverrideOne(txn, *tree, *structure, actor_id, request, feature, reports, now));
          outcomes.push_back(std::move(outcome));
        }
        // The recalculation upstream's recalculate_subsection_grade_v3 does
        // for each override, once per learner and in the same transaction.
        for (const auto& [user_id, unused] : reports) {
          LARCH_ASSIGN_OR_RETURN(CourseGradeReport report,
                                 ComputeFrom(*tree, *structure, txn, user_id));
          LARCH_ASSIGN_OR_RETURN(auto more, Persist(txn, user_id, report, now));
          events.insert(events.end(), more.begin(), more.end());
        }
        return OkStatus();
      }));
  PublishAll(events);
  return outcomes;
}

StatusOr<bool> GradeService::ClearOverride(int64_t actor_id, int64_t user_id,
                                           std::string_view course_key,
                                           std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  bool deleted = false;
  std::vector<std::pair<std::string, json>> events;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        events.clear();
        int64_t now = clock_.NowMicros();
        LARCH_ASSIGN_OR_RETURN(deleted,
                               OverrideStore::Delete(txn, user_id, usage_key, actor_id, now));
        if (!deleted) return OkStatus();
        LARCH_ASSIGN_OR_RETURN(CourseGradeReport report,
                               ComputeFrom(*tree, *structure, txn, user_id));
        LARCH_ASSIGN_OR_RETURN(events, Persist(txn, user_id, report, now));
        return OkStatus();
      }));
  PublishAll(events);
  return deleted;
}

StatusOr<GradeService::SubsectionGradeView> GradeService::GetSubsectionGrade(
    int64_t user_id, std::string_view course_key, std::string_view usage_key) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<SubsectionGradeView> {
        SubsectionGradeView view;
        LARCH_ASSIGN_OR_RETURN(CourseGradeReport report,
                               ComputeFrom(*tree, *structure, txn, user_id));
        const SubsectionGrade* sub = FindSubsection(report, usage_key);
        if (sub == nullptr) return view;
        view.available = true;
        view.original = sub->computed;
        view.override = sub->override;
        if (view.override) {
          LARCH_ASSIGN_OR_RETURN(view.history,
                                 OverrideStore::History(txn, view.override->grade_id));
        }
        return view;
      });
}

}  // namespace larch::grades
