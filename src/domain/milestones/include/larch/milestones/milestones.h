// Milestones: the edx-milestones model behind course prerequisites and
// entrance exams (seed 000 sections 4.16, 4.18).
//
// A milestone is a (namespace, name) row. Courses relate to it as
// "requires" (the learner must have it before the course's content opens)
// or "fulfills" (earning it: completing a prerequisite course, passing the
// entrance exam chapter named by content_key). A user_milestones row records
// that a user has it. Names follow upstream so data maps one to one:
//   prerequisite: namespace = the prerequisite course key,
//                 name = "Course <course> requires <prerequisite>",
//                 <course> requires it, <prerequisite> fulfills it;
//   entrance exam: namespace = "<course>.entrance_exams",
//                 name = "Test Milestone" (sic, Studio's name), the course
//                 requires it and fulfills it with content_key = the exam
//                 chapter's usage key.
// SyncCourse derives a course's relationships from its stored policy
// (courses.advanced) after every import. The rows are kept whatever the
// flags say; the flags only decide whether anything is gated or fulfilled,
// so switching a flag on later needs no re-import.
//
// Thread safety: MilestoneService is stateless apart from its references and
// may be used from any number of threads.
#ifndef LARCH_MILESTONES_MILESTONES_H_
#define LARCH_MILESTONES_MILESTONES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/config/settings.h"
#include "larch/events/event_bus.h"
#include "larch/keys/keys.h"
#include "larch/storage/database.h"

namespace larch::milestones {

// FEATURES flags. Every query answers "nothing gated" unless milestones_app
// is on together with the feature of that milestone kind.
struct MilestoneFlags {
  bool milestones_app = false;        // MILESTONES_APP
  bool prerequisite_courses = false;  // ENABLE_PREREQUISITE_COURSES
  bool entrance_exams = false;        // ENTRANCE_EXAMS

  static MilestoneFlags FromSettings(const config::Settings& settings);
  bool prerequisites_enabled() const { return milestones_app && prerequisite_courses; }
  bool entrance_exams_enabled() const { return milestones_app && entrance_exams; }
};

inline constexpr char kRequires[] = "requires";
inline constexpr char kFulfills[] = "fulfills";
// generate_milestone_namespace(ENTRANCE_EXAM, course): "<course>.entrance_exams".
std::string EntranceExamNamespace(std::string_view course_key);

enum class MilestoneKind { kPrerequisite, kEntranceExam };

// A milestone a course requires, as one course sees it.
struct RequiredMilestone {
  int64_t id = 0;
  std::string milestone_namespace;
  std::string name;
  std::string display_name;
  MilestoneKind kind = MilestoneKind::kPrerequisite;
  // kPrerequisite: the course that fulfils it (its namespace).
  std::string prerequisite_course;
  // kEntranceExam: the exam chapter's usage key ("" when unknown).
  std::string entrance_exam_id;
};

// What a user still lacks to use a course's content.
struct CourseGate {
  // Prerequisite course keys not yet completed, in milestone order.
  std::vector<std::string> unmet_prerequisites;
  bool entrance_exam_pending = false;
  // The chapter a pending entrance exam leaves open.
  std::string entrance_exam_id;

  bool gated() const { return !unmet_prerequisites.empty() || entrance_exam_pending; }
};

// What SyncCourse did, for logs and tests.
struct SyncResult {
  std::vector<std::string> prerequisites;  // course keys now required
  std::string entrance_exam_id;            // "" when the course has no exam
  int64_t removed = 0;                     // relationships dropped
};

class MilestoneService {
 public:
  MilestoneService(storage::Database& db, const Clock& clock, MilestoneFlags flags);

  const MilestoneFlags& flags() const { return flags_; }

  // Brings the course's milestones in line with its stored policy:
  // pre_requisite_courses (invalid keys and the course itself are ignored),
  // entrance_exam_enabled + entrance_exam_id. Relationships the policy no
  // longer names are removed; milestones and user fulfilments stay, so
  // re-adding a prerequisite keeps who already completed it (upstream
  // deactivates instead of deleting, to the same effect). One transaction.
  // kNotFound when the course was never imported.
  StatusOr<SyncResult> SyncCourse(const keys::CourseKey& course_key);

  // Every milestone the course requires, fulfilled or not, regardless of
  // flags. Errors are storage errors.
  StatusOr<std::vector<RequiredMilestone>> RequiredMilestones(std::string_view course_key);
  // The required milestones `user_id` has not fulfilled, limited to the
  // kinds the flags enable (empty when MILESTONES_APP is off).
  StatusOr<std::vector<RequiredMilestone>> UnfulfilledMilestones(int64_t user_id,
                                                                 std::string_view course_key);
  // The gate for `user_id` (0 = anonymous). Callers exempt staff themselves.
  // Anonymous users are never held by prerequisites (access.py grants them)
  // but always by an entrance exam (upstream refuses anonymous access to
  // courses with milestones rather than expose locked content).
  StatusOr<CourseGate> GateFor(int64_t user_id, std::string_view course_key);
  // GateFor(...).gated().
  StatusOr<bool> IsGated(int64_t user_id, std::string_view course_key);
  // user_must_complete_entrance_exam, without the staff exemption.
  StatusOr<bool> MustCompleteEntranceExam(int64_t user_id, std::string_view course_key);

  // Records that the user has milestone `milestone_id`; OK when it already
  // did. kNotFound for an unknown milestone or user.
  Status Fulfill(int64_t user_id, int64_t milestone_id);
  // fulfill_course_milestone: the user completed `course_key`, so every
  // milestone that course fulfils is theirs. Returns how many were new.
  // Does nothing (0) unless prerequisites are enabled, as upstream's
  // handle_course_cert_awarded.
  StatusOr<int64_t> FulfillCoursePrerequisite(int64_t user_id, std::string_view course_key);
  // The user passed the course's entrance exam. kNotFound when the course
  // has no entrance exam milestone. Flags are not consulted: a pass is
  // recorded even while ENTRANCE_EXAMS is off.
  Status FulfillEntranceExam(int64_t user_id, std::string_view course_key);
  // For the grading module: fulfils the entrance exam when `score_ratio`
  // (0..1) reaches the course's entrance_exam_minimum_score_pct (a ratio;
  // values above 1 are read as percentages; default 0.65 as upstream's
  // CourseFields). Returns whether the exam counts as passed. kNotFound for
  // an unknown course or one without an entrance exam.
  StatusOr<bool> RecordEntranceExamScore(int64_t user_id, const keys::CourseKey& course_key,
                                         double score_ratio);

  // Fulfils prerequisites from CERTIFICATE_CREATED and from
  // CERTIFICATE_CHANGED events with a passing status (downloadable,
  // generating, regenerating), as upstream's handle_course_cert_awarded.
  // The service must outlive the subscriptions.
  void SubscribeToCertificates(events::EventBus& bus);

 private:
  storage::Database& db_;
  const Clock& clock_;
  const MilestoneFlags flags_;
};

}  // namespace larch::milestones

#endif  // LARCH_MILESTONES_MILESTONES_H_
