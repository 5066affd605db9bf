// instructor_tasks::TaskStore and ReportStore: the instructor's background
// tasks (Open edX InstructorTask: task_type, task_input, task_id, requester,
// task_state, task_output) and the CSV reports they write (upstream's
// ReportStore files). This module owns the tables instructor_tasks and
// instructor_reports (migration 0011); nothing is kept per node, so any
// node answers for any task or report.
//
// Thread safety: the functions are stateless; the Executor is the caller's.
#ifndef LARCH_INSTRUCTOR_TASKS_TASK_STORE_H_
#define LARCH_INSTRUCTOR_TASKS_TASK_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::instructor_tasks {

// Upstream's states (celery's and instructor_task's PROGRESS).
inline constexpr char kQueued[] = "QUEUED";
inline constexpr char kProgress[] = "PROGRESS";
inline constexpr char kSuccess[] = "SUCCESS";
inline constexpr char kFailure[] = "FAILURE";

// SUCCESS and FAILURE (celery's READY_STATES, REVOKED aside).
bool IsReady(std::string_view state);

struct Task {
  int64_t id = 0;
  std::string course_key;
  std::string task_type;   // "grade_course", "rescore_problem", ...
  std::string task_key;    // What the task is about ("" for course-wide reports).
  std::string task_input;  // JSON text, as upstream keeps it.
  std::string task_id;     // A UUID.
  std::string task_state = kQueued;
  std::optional<std::string> task_output;  // JSON text; unset until it runs.
  // The last learner (user id) a resumable task finished.
  std::optional<int64_t> checkpoint;
  std::string requester;  // The username who asked.
  int64_t created = 0;
  int64_t updated = 0;
};

struct Report {
  int64_t id = 0;
  std::string course_key;
  std::string name;  // "edX_DemoX_Demo_Course_grade_report_2026-01-01-1200.csv"
  std::string task_id;
  std::string content;  // The CSV text (UTF-8).
  int64_t created = 0;
};

class TaskStore {
 public:
  // Inserts `task` (its id and timestamps are the store's) and returns it.
  // kAlreadyExists for a task_id that is taken.
  static StatusOr<Task> Insert(storage::Executor& ex, const Task& task, int64_t now);

  // The task with that task_id, or nullopt.
  static StatusOr<std::optional<Task>> Find(storage::Executor& ex, std::string_view task_id);

  // The course's tasks not in a ready state, newest first
  // (get_running_instructor_tasks).
  static StatusOr<std::vector<Task>> ListRunning(storage::Executor& ex,
                                                 std::string_view course_key);

  // The course's tasks with `task_key`, newest first
  // (get_instructor_task_history).
  static StatusOr<std::vector<Task>> ListWithKey(storage::Executor& ex, std::string_view course_key,
                                                 std::string_view task_key);

  // Whether a task of the type with the key is queued or running in the
  // course (upstream's _task_is_running).
  static StatusOr<bool> IsRunning(storage::Executor& ex, std::string_view course_key,
                                  std::string_view task_type, std::string_view task_key);

  // Writes the task's state, output and checkpoint. kNotFound for an
  // unknown task_id.
  static Status Update(storage::Executor& ex, std::string_view task_id, std::string_view state,
                       const std::optional<std::string>& output,
                       const std::optional<int64_t>& checkpoint, int64_t now);
};

class ReportStore {
 public:
  // Stores the report, replacing the course's report of the same name (a
  // report store overwrites a file of the same path). Returns its id.
  static StatusOr<int64_t> Put(storage::Executor& ex, const Report& report);

  // The course's reports without content, newest first (links_for).
  static StatusOr<std::vector<Report>> List(storage::Executor& ex, std::string_view course_key);

  // The course's report with that id, content included, or nullopt.
  static StatusOr<std::optional<Report>> Get(storage::Executor& ex, std::string_view course_key,
                                             int64_t id);
};

}  // namespace larch::instructor_tasks

#endif  // LARCH_INSTRUCTOR_TASKS_TASK_STORE_H_
