#include "larch/instructor_tasks/instructor_task_service.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "larch/storage/job_store.h"
#include "larch/student_state/student_state.h"
#include "report_csv.h"

namespace larch::instructor_tasks {

using nlohmann::json;

namespace {

// Learners per transaction when resetting attempts.
constexpr size_t kResetBatch = 100;
constexpr char kNotAnswered[] = "Problem must be answered before it can be graded again.";

bool IsReportType(std::string_view type) { return type == kGradeCourse || type == kProfileInfoCsv; }
bool IsProblemType(std::string_view type) {
  return type == kResetProblemAttempts || type == kRescoreProblem ||
         type == kRescoreProblemIfHigher;
}

std::string ActionName(std::string_view type) {
  if (type == kGradeCourse) return "graded";
  if (type == kProfileInfoCsv) return "generated";
  if (type == kResetProblemAttempts) return "reset";
  return "rescored";
}

json ParseObject(const std::optional<std::string>& text) {
  if (!text) return json::object();
  json parsed = json::parse(*text, nullptr, false);
  return parsed.is_object() ? parsed : json::object();
}

// Whether a failed run can never succeed (the task is FAILURE at once).
bool Permanent(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kUnimplemented:
    case StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

}  // namespace

// TaskProgress: the counts task_output shows while and after a task runs.
struct InstructorTaskService::Progress {
  std::string action_name;
  int64_t attempted = 0, succeeded = 0, skipped = 0, failed = 0, total = 0;
  int64_t prior_ms = 0;  // duration of earlier runs of the same task
  int64_t started = 0;   // this run's start, micros
  std::optional<std::string> step;

  json ToJson(int64_t now) const {
    json out = {{"action_name", action_name},
                {"attempted", attempted},
                {"succeeded", succeeded},
                {"skipped", skipped},
                {"failed", failed},
                {"total", total},
                {"duration_ms", prior_ms + (now - started) / 1000}};
    if (step) out["step"] = *step;
    return out;
  }
};

InstructorTaskService::InstructorTaskService(storage::Database& db, courses::CourseCatalog& catalog,
                                             grades::GradeService& grades,
                                             problems::ProblemService& problems,
                                             accounts::AccountService& accounts, const Clock& clock,
                                             Random& random)
    : db_(db),
      catalog_(catalog),
      grades_(grades),
      problems_(problems),
      accounts_(accounts),
      clock_(clock),
      random_(random) {}

StatusOr<Task> InstructorTaskService::Insert(Task task) {
  task.task_id = random_.Uuid4();
  int64_t now = clock_.NowMicros();
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> StatusOr<Task> {
        LARCH_ASSIGN_OR_RETURN(bool running, TaskStore::IsRunning(txn, task.course_key,
                                                                  task.task_type, task.task_key));
        if (running) return FailedPreconditionError("task already running");
        LARCH_ASSIGN_OR_RETURN(Task stored, TaskStore::Insert(txn, task, now));
        storage::NewJob job;
        job.kind = kRunJob;
        job.payload = json{{"task_id", stored.task_id}}.dump();
        job.idempotency_key = "instructor_task:" + stored.task_id;
        LARCH_RETURN_IF_ERROR(storage::EnqueueJob(txn, job, now).status());
        return stored;
      });
}

StatusOr<Task> InstructorTaskService::SubmitReport(std::string_view course_key,
                                                   std::string_view task_type,
                                                   std::string_view requester) {
  if (!IsReportType(task_type)) return InvalidArgumentError("not a report task type");
  Task task;
  task.course_key = std::string(course_key);
  task.task_type = std::string(task_type);
  task.task_input = task_type == kProfileInfoCsv ? json(ProfileFeatures()).dump() : "{}";
  task.requester = std::string(requester);
  return Insert(std::move(task));
}

StatusOr<Task> InstructorTaskService::SubmitProblemTask(std::string_view course_key,
                                                        std::string_view task_type,
                                                        std::string_view problem_key,
                                                        bool only_if_higher,
                                                        std::string_view requester) {
  if (!IsProblemType(task_type)) return InvalidArgumentError("not a problem task type");
  Task task;
  task.course_key = std::string(course_key);
  task.task_type = std::string(task_type);
  // encode_problem_and_student_input: upstream hashes this stub with MD5.
  task.task_key = "_" + std::string(problem_key);
  json input = {{"problem_url", problem_key}};
  if (task_type != kResetProblemAttempts) input["only_if_higher"] = only_if_higher;
  task.task_input = input.dump();
  task.requester = std::string(requester);
  return Insert(std::move(task));
}

StatusOr<std::optional<Task>> InstructorTaskService::Find(std::string_view task_id) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return TaskStore::Find(txn, task_id);
  });
}

StatusOr<std::vector<Task>> InstructorTaskService::ListRunning(std::string_view course_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return TaskStore::ListRunning(txn, course_key);
  });
}

StatusOr<std::vector<Task>> InstructorTaskService::ListForProblem(std::string_view course_key,
                                                                  std::string_view problem_key,
                                                                  std::optional<int64_t> user_id) {
  std::string key = (user_id ? std::to_string(*user_id) : "") + "_" + std::string(problem_key);
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return TaskStore::ListWithKey(txn, course_key, key);
  });
}

StatusOr<std::vector<Report>> InstructorTaskService::ListReports(std::string_view course_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return ReportStore::List(txn, course_key);
  });
}

StatusOr<std::optional<Report>> InstructorTaskService::GetReport(std::string_view course_key,
                                                                 int64_t id) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return ReportStore::Get(txn, course_key, id);
  });
}

Status InstructorTaskService::Save(const Task& task, std::string_view state,
                                   const Progress& progress, std::optional<int64_t> checkpoint,
                                   storage::Executor* ex) {
  int64_t now = clock_.NowMicros();
  std::string output = progress.ToJson(now).dump();
  if (ex != nullptr) return TaskStore::Update(*ex, task.task_id, state, output, checkpoint, now);
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return TaskStore::Update(txn, task.task_id, state, output, checkpoint, now);
  });
}

Status InstructorTaskService::CheckInjectedFailure() {
  int64_t limit = fail_after_.load();
  if (limit < 0) return OkStatus();
  if (learners_done_.fetch_add(1) + 1 > limit) {
    fail_after_.store(-1);
    return UnavailableError("injected failure (test)");
  }
  return OkStatus();
}

Status InstructorTaskService::Run(std::string_view task_id, bool final_attempt) {
  LARCH_ASSIGN_OR_RETURN(std::optional<Task> found, Find(task_id));
  if (!found) return InvalidArgumentError("no instructor task " + std::string(task_id));
  Task& task = *found;
  if (IsReady(task.task_state)) return OkStatus();
  Progress progress;
  progress.action_name = ActionName(task.task_type);
  progress.started = clock_.NowMicros();
  if (task.task_state == kProgress) {
    // A retried run: resume with the counts of the runs before.
    json before = ParseObject(task.task_output);
    progress.attempted = before.value("attempted", int64_t{0});
    progress.succeeded = before.value("succeeded", int64_t{0});
    progress.skipped = before.value("skipped", int64_t{0});
    progress.failed = before.value("failed", int64_t{0});
    progress.prior_ms = before.value("duration_ms", int64_t{0});
  }
  Status ran = IsReportType(task.task_type)    ? RunReport(task, progress)
               : IsProblemType(task.task_type) ? RunProblemTask(task, progress)
                                               : InvalidArgumentError("unknown task type");
  if (ran.ok()) return OkStatus();
  if (!Permanent(ran) && !final_attempt) return ran;
  // Upstream's failure output: the exception's name and message.
  int64_t now = clock_.NowMicros();
  std::string output = json{{"exception", std::string(StatusCodeName(ran.code()))},
                            {"message", std::string(ran.message())}}
                           .dump();
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    return TaskStore::Update(txn, task.task_id, kFailure, output, task.checkpoint, now);
  });
}

Status InstructorTaskService::RunReport(const Task& task, Progress& progress) {
  LARCH_RETURN_IF_ERROR(Save(task, kProgress, progress, std::nullopt));
  bool grades = task.task_type == kGradeCourse;
  LARCH_ASSIGN_OR_RETURN(Csv csv,
                         grades ? GradeReportCsv(task.course_key) : ProfileCsv(task.course_key));
  progress.attempted = progress.succeeded = progress.total = csv.rows;
  progress.skipped = progress.failed = 0;
  progress.step = grades ? "Completed grades" : "Uploading CSV";
  int64_t now = clock_.NowMicros();
  Report report;
  report.course_key = task.course_key;
  report.name =
      internal::ReportName(task.course_key, grades ? "grade_report" : "student_profile_info", now);
  report.task_id = task.task_id;
  report.content = std::move(csv.text);
  report.created = now;
  // The report and the task's success commit together: a retried run never
  // leaves a second report behind.
  return db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
    LARCH_RETURN_IF_ERROR(ReportStore::Put(txn, report).status());
    return Save(task, kSuccess, progress, std::nullopt, &txn);
  });
}

Status InstructorTaskService::RunProblemTask(const Task& task, Progress& progress) {
  json input = ParseObject(task.task_input);
  std::string problem_url = input.value("problem_url", "");
  bool only_if_higher = input.value("only_if_higher", false);
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(task.course_key));
  int index = tree->Find(problem_url);
  if (index < 0) return NotFoundError(problem_url + " not found");
  LARCH_ASSIGN_OR_RETURN(
      std::vector<student_state::StudentModule> modules,
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return student_state::StudentStateStore::ListForBlock(txn, problem_url);
      }));
  progress.total = static_cast<int64_t>(modules.size());
  std::vector<int64_t> todo;
  for (const auto& m : modules) {
    if (!task.checkpoint || m.user_id > *task.checkpoint) todo.push_back(m.user_id);
  }
  std::optional<int64_t> checkpoint = task.checkpoint;
  LARCH_RETURN_IF_ERROR(Save(task, kProgress, progress, checkpoint));
  if (task.task_type == kResetProblemAttempts) {
    // reset_attempts_module_state: attempts back to 0 (skipped when already
    // 0); a batch of learners and the checkpoint commit together.
    for (size_t begin = 0; begin < todo.size(); begin += kResetBatch) {
      size_t end = std::min(todo.size(), begin + kResetBatch);
      Progress next = progress;
      LARCH_RETURN_IF_ERROR(db_.RunInTransaction(
          storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
            next = progress;
            for (size_t i = begin; i < end; ++i) {
              LARCH_RETURN_IF_ERROR(CheckInjectedFailure());
              LARCH_ASSIGN_OR_RETURN(
                  std::optional<student_state::StudentModule> module,
                  student_state::StudentStateStore::Find(txn, todo[i], problem_url));
              ++next.attempted;
              bool has_attempts = false;
              if (module) {
                auto attempts = module->state.find("attempts");
                has_attempts = attempts != module->state.end() && attempts->is_number() &&
                               attempts->get<double>() > 0;
              }
              if (has_attempts) {
                module->state["attempts"] = 0;
                LARCH_RETURN_IF_ERROR(
                    student_state::StudentStateStore::Save(txn, *module, clock_.NowMicros())
                        .status());
                ++next.succeeded;
              } else {
                ++next.skipped;
              }
            }
            return Save(task, kProgress, next, todo[end - 1], &txn);
          }));
      progress = next;
      checkpoint = todo[end - 1];
    }
  } else {
    // rescore_problem_module_state for each learner (a changed score
    // enqueues the grade recalculation through the problems' score hook),
    // then the checkpoint.
    for (int64_t user_id : todo) {
      LARCH_RETURN_IF_ERROR(CheckInjectedFailure());
      StatusOr<bool> rescored = problems_.RescoreProblem(*tree, index, user_id, only_if_higher);
      ++progress.attempted;
      if (rescored.ok()) {
        ++progress.succeeded;
      } else if (rescored.status().code() == StatusCode::kFailedPrecondition) {
        ++(rescored.status().message() == kNotAnswered ? progress.skipped : progress.failed);
      } else {
        return rescored.status();
      }
      checkpoint = user_id;
      LARCH_RETURN_IF_ERROR(Save(task, kProgress, progress, checkpoint));
    }
  }
  return Save(task, kSuccess, progress, checkpoint);
}

}  // namespace larch::instructor_tasks
