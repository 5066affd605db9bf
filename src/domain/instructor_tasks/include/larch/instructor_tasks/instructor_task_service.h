// instructor_tasks::InstructorTaskService: the instructor dashboard's
// background tasks (lms/djangoapps/instructor_task): resetting and
// rescoring one problem for every learner with state, the course grade
// report CSV (CourseGradeReport) and the enrolled learner profile CSV
// (upload_students_csv), with upstream's task types, inputs, states and
// task_output progress ({"action_name", "attempted", "succeeded",
// "skipped", "failed", "total", "duration_ms"}).
//
// Submit writes the task row (QUEUED) and enqueues the job "instructor_tasks.run"
// ({"task_id"}) in one transaction, so a task exists exactly when its job
// does. Any node's job runner runs it (Run): the row moves to PROGRESS,
// keeps its counts and a checkpoint (the last learner done) as it goes,
// and ends SUCCESS, or FAILURE with {"exception", "message"} when it cannot
// succeed. A run that dies (node lost, storage error) is retried by the
// runner and resumes after the checkpoint with the counts so far, so a
// retried task ends with the counts of one clean run. Nothing is kept per
// node: the tables (task_store.h) are the truth.
//
// Thread safety: InstructorTaskService is thread-safe.
#ifndef LARCH_INSTRUCTOR_TASKS_INSTRUCTOR_TASK_SERVICE_H_
#define LARCH_INSTRUCTOR_TASKS_INSTRUCTOR_TASK_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/accounts/account_service.h"
#include "larch/common/clock.h"
#include "larch/common/random.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/grades/grade_service.h"
#include "larch/instructor_tasks/task_store.h"
#include "larch/problems/problem_service.h"
#include "larch/storage/database.h"

namespace larch::instructor_tasks {

inline constexpr char kRunJob[] = "instructor_tasks.run";

// Upstream's InstructorTaskTypes.
inline constexpr char kGradeCourse[] = "grade_course";
inline constexpr char kProfileInfoCsv[] = "profile_info_csv";
inline constexpr char kResetProblemAttempts[] = "reset_problem_attempts";
inline constexpr char kRescoreProblem[] = "rescore_problem";
inline constexpr char kRescoreProblemIfHigher[] = "rescore_problem_if_higher";

// get_students_features' default query_features (and the profile CSV's
// header), city and country last as upstream appends them.
const std::vector<std::string>& ProfileFeatures();

class InstructorTaskService {
 public:
  // All must outlive the service.
  InstructorTaskService(storage::Database& db, courses::CourseCatalog& catalog,
                        grades::GradeService& grades, problems::ProblemService& problems,
                        accounts::AccountService& accounts, const Clock& clock, Random& random);

  // A task for the course: `requester` is the username shown in the task
  // list. kFailedPrecondition when a task of the type with the same key is
  // queued or running (upstream's AlreadyRunningError); kInvalidArgument
  // for an unknown type. Returns the stored task.
  StatusOr<Task> SubmitReport(std::string_view course_key, std::string_view task_type,
                              std::string_view requester);
  // reset_problem_attempts / rescore_problem[_if_higher] over every
  // learner with state for `problem_key` (a usage key in the course). The
  // caller has checked that the block exists and is a problem.
  StatusOr<Task> SubmitProblemTask(std::string_view course_key, std::string_view task_type,
                                   std::string_view problem_key, bool only_if_higher,
                                   std::string_view requester);

  StatusOr<std::optional<Task>> Find(std::string_view task_id);
  StatusOr<std::vector<Task>> ListRunning(std::string_view course_key);
  // The history of tasks on the problem (all learners when `user_id` is
  // unset, else that learner's), newest first.
  StatusOr<std::vector<Task>> ListForProblem(std::string_view course_key,
                                             std::string_view problem_key,
                                             std::optional<int64_t> user_id);

  StatusOr<std::vector<Report>> ListReports(std::string_view course_key);
  StatusOr<std::optional<Report>> GetReport(std::string_view course_key, int64_t id);

  // Runs the task (the job handler). `final_attempt`: the job will not be
  // retried after this run, so a failure is recorded as FAILURE. OK for a
  // task that ended (SUCCESS or FAILURE, including one already ended);
  // otherwise the error that should make the runner retry.
  Status Run(std::string_view task_id, bool final_attempt);

  // The course grade report CSV (header and one row per enrolled learner,
  // active or not) as the task writes it; exposed for tests and benchmarks.
  struct Csv {
    std::string text;
    int64_t rows = 0;
  };
  StatusOr<Csv> GradeReportCsv(std::string_view course_key);
  StatusOr<Csv> ProfileCsv(std::string_view course_key);

  // Test hook: fail a problem task's run with kUnavailable after this many
  // learners in total (once), to test resumption.
  void FailAfterLearnersForTest(int64_t count) { fail_after_ = count; }

 private:
  struct Progress;
  StatusOr<Task> Insert(Task task);
  Status RunReport(const Task& task, Progress& progress);
  Status RunProblemTask(const Task& task, Progress& progress);
  Status Save(const Task& task, std::string_view state, const Progress& progress,
              std::optional<int64_t> checkpoint, storage::Executor* ex = nullptr);
  Status CheckInjectedFailure();

  storage::Database& db_;
  courses::CourseCatalog& catalog_;
  grades::GradeService& grades_;
  problems::ProblemService& problems_;
  accounts::AccountService& accounts_;
  const Clock& clock_;
  Random& random_;
  std::atomic<int64_t> fail_after_{-1};
  std::atomic<int64_t> learners_done_{0};
};

}  // namespace larch::instructor_tasks

#endif  // LARCH_INSTRUCTOR_TASKS_INSTRUCTOR_TASK_SERVICE_H_
