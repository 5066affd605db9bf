#include "larch/grades/grade_service.h"

#include <algorithm>
#include <cstddef>
#include <map>
#include <unordered_map>
#include <utility>

#include "larch/capa/problem.h"
#include "larch/events/event_types.h"
#include "larch/keys/keys.h"
#include "larch/problems/problem_rules.h"
#include "larch/storage/job_store.h"
#include "larch/student_state/student_state.h"

namespace larch::grades {
namespace {

using nlohmann::json;
using storage::Query;

constexpr size_t kLearnersPerTransaction = 200;

constexpr Query kUpsertSubsection{
    "grades.upsert_subsection",
    "INSERT INTO persistent_subsection_grades (user_id, course_key, usage_key, earned_all, "
    "possible_all, earned_graded, possible_graded, first_attempted, created, modified) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, usage_key) DO UPDATE SET "
    "earned_all = excluded.earned_all, possible_all = excluded.possible_all, "
    "earned_graded = excluded.earned_graded, possible_graded = excluded.possible_graded, "
    "first_attempted = excluded.first_attempted, modified = excluded.modified RETURNING id"};
constexpr Query kSubsectionGradesOfLearner{
    "grades.subsection_grades_of_learner",
    "SELECT usage_key, earned_all, possible_all, earned_graded, possible_graded, first_attempted "
    "FROM persistent_subsection_grades WHERE user_id = ? AND course_key = ?"};
constexpr Query kFindCourseGrade{
    "grades.find_course_grade",
    "SELECT user_id, course_key, course_version, percent_grade, letter_grade, passed_timestamp, "
    "modified FROM persistent_course_grades WHERE user_id = ? AND course_key = ?"};
constexpr Query kCourseGradesOfUser{
    "grades.course_grades_of_user",
    "SELECT user_id, course_key, course_version, percent_grade, letter_grade, passed_timestamp, "
    "modified FROM persistent_course_grades WHERE user_id = ?"};
constexpr Query kCourseGradesInCourse{
    "grades.course_grades_in_course",
    "SELECT user_id, course_key, course_version, percent_grade, letter_grade, passed_timestamp, "
    "modified FROM persistent_course_grades WHERE course_key = ?"};
constexpr Query kUpsertCourseGrade{
    "grades.upsert_course_grade",
    "INSERT INTO persistent_course_grades (user_id, course_key, course_version, percent_grade, "
    "letter_grade, passed_timestamp, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, course_key) DO UPDATE SET course_version = excluded.course_version, "
    "percent_grade = excluded.percent_grade, letter_grade = excluded.letter_grade, "
    "passed_timestamp = excluded.passed_timestamp, modified = excluded.modified"};

bool Truthy(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) return value == "true" || value == "True";
  return false;
}

// The block's own setting, else the inherited one.
const json* Setting(const courses::CatalogBlock& block, const char* name) {
  for (const json* source : {&block.fields, &block.inherited}) {
    auto it = source->find(name);
    if (it != source->end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

void CollectProblems(const courses::CourseTree& tree, int index,
                     std::vector<GradeService::ScorableProblem>& out) {
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
  for (int child : block.children) CollectProblems(tree, child, out);
  if (block.type != "problem") return;
  GradeService::ScorableProblem problem;
  problem.block_index = index;
  StatusOr<capa::Problem> parsed = capa::ParseProblem(block.data, block.block_id);
  // A problem that does not build has max score 0 (ProblemBlock.max_score).
  problem.max_score = parsed.ok() ? parsed->MaxScore() : 0;
  problems::ProblemSettings settings =
      problems::ProblemSettings::FromBlock(block.fields, block.inherited, json::object());
  problem.weight = settings.weight;
  const json* graded = Setting(block, "graded");
  problem.graded = graded != nullptr && Truthy(*graded);
  out.push_back(problem);
}

json CourseGradeEvent(int64_t user_id, const CourseGradeReport& report,
                      const std::optional<int64_t>& passed_timestamp) {
  json grade = {{"user_id", user_id},
                {"course", {{"course_key", report.course_key}}},
                {"course_version", std::to_string(report.course_version)},
                {"percent_grade", report.grade.percent},
                {"letter_grade", report.grade.letter.value_or("")},
                {"passed_timestamp",
                 passed_timestamp ? json(FormatIso8601(*passed_timestamp)) : json(nullptr)}};
  return {{"grade", grade}};
}

}  // namespace

GradeService::GradeService(storage::Database& db, courses::CourseCatalog& catalog,
                           const Clock& clock, events::EventBus* bus)
    : db_(db), catalog_(catalog), clock_(clock), bus_(bus) {}

StatusOr<std::shared_ptr<const GradeService::Structure>> GradeService::StructureFor(
    const courses::CourseTree& tree) {
  {
    MutexLock lock(mu_);
    auto it = structures_.find(tree.course_key);
    if (it != structures_.end() && it->second->version == tree.version) return it->second;
  }
  LARCH_ASSIGN_OR_RETURN(keys::CourseKey key, keys::CourseKey::Parse(tree.course_key));
  LARCH_ASSIGN_OR_RETURN(
      courses::CourseOverview overview,
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return courses::CourseStore::GetOverview(txn, key);
      }));
  auto structure = std::make_shared<Structure>();
  structure->version = tree.version;
  StatusOr<grading::GradingPolicy> policy =
      grading::GradingPolicy::FromJson(overview.grading_policy);
  structure->policy = policy.ok() ? *policy : grading::GradingPolicy::Default();
  structure->course_end = overview.end;
  if (tree.root >= 0) {
    std::vector<int> seen;
    for (int chapter : tree.blocks[static_cast<size_t>(tree.root)].children) {
      if (tree.blocks[static_cast<size_t>(chapter)].type != "chapter") continue;
      std::vector<int> sequentials;
      for (int seq : tree.blocks[static_cast<size_t>(chapter)].children) {
        if (tree.blocks[static_cast<size_t>(seq)].type != "sequential") continue;
        if (std::find(seen.begin(), seen.end(), seq) != seen.end()) continue;
        seen.push_back(seq);
        sequentials.push_back(seq);
        const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(seq)];
        Structure::SequentialSettings& settings = structure->sequential_settings[seq];
        if (const json* format = Setting(block, "format"); format && format->is_string()) {
          settings.format = format->get<std::string>();
        }
        const json* graded = Setting(block, "graded");
        settings.graded = graded != nullptr && Truthy(*graded);
        problems::ProblemSettings problem_settings =
            problems::ProblemSettings::FromBlock(block.fields, block.inherited, json::object());
        settings.due = problem_settings.due;
        settings.show_correctness = problem_settings.show_correctness;
        std::vector<ScorableProblem>& problems = structure->problems_by_sequential[seq];
        CollectProblems(tree, seq, problems);
      }
      structure->chapters.emplace_back(chapter, std::move(sequentials));
    }
  }
  MutexLock lock(mu_);
  structures_[tree.course_key] = structure;
  return std::shared_ptr<const Structure>(structure);
}

StatusOr<CourseGradeReport> GradeService::ComputeFrom(const courses::CourseTree& tree,
                                                      const Structure& structure,
                                                      storage::Executor& ex, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(
      std::vector<student_state::StudentModule> modules,
      student_state::StudentStateStore::ListForLearner(ex, user_id, tree.course_key));
  LARCH_ASSIGN_OR_RETURN(auto overrides,
                         OverrideStore::ListForLearner(ex, user_id, tree.course_key));
  return Assemble(tree, structure, modules, overrides);
}

namespace {

// The subsection's grade from the learner's scores (by usage key) and
// overrides (taken from `overrides`).
SubsectionGrade SubsectionFrom(
    const courses::CourseTree& tree, const GradeService::Structure& structure, int seq,
    const std::unordered_map<std::string_view, const student_state::StudentModule*>& by_usage,
    std::map<std::string, GradeOverride, std::less<>>& overrides) {
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(seq)];
  SubsectionGrade sub;
  sub.usage_key = block.usage_key;
  sub.display_name = block.display_name;
  if (auto settings = structure.sequential_settings.find(seq);
      settings != structure.sequential_settings.end()) {
    sub.format = settings->second.format;
    sub.graded = settings->second.graded;
    sub.due = settings->second.due;
    sub.show_correctness = settings->second.show_correctness;
  }
  auto found = structure.problems_by_sequential.find(seq);
  if (found != structure.problems_by_sequential.end()) {
    for (const GradeService::ScorableProblem& problem : found->second) {
      const courses::CatalogBlock& pblock = tree.blocks[static_cast<size_t>(problem.block_index)];
      double raw_earned = 0;
      double raw_possible = problem.max_score;
      bool attempted = false;
      auto module = by_usage.find(pblock.usage_key);
      if (module != by_usage.end() && module->second->grade && module->second->max_grade) {
        raw_earned = *module->second->grade;
        raw_possible = *module->second->max_grade;
        attempted = true;
        int64_t when = module->second->modified;
        if (!sub.first_attempted || when < *sub.first_attempted) sub.first_attempted = when;
      }
      grading::Score score = grading::WeightedScore(raw_earned, raw_possible, problem.weight);
      ProblemScore out{pblock.usage_key, score.earned, score.possible,
                       problem.graded && score.graded, attempted};
      sub.earned_all += out.earned;
      sub.possible_all += out.possible;
      if (out.graded) {
        sub.earned_graded += out.earned;
        sub.possible_graded += out.possible;
      }
      sub.problems.push_back(std::move(out));
    }
  }
  sub.computed = {sub.earned_all, sub.possible_all, sub.earned_graded, sub.possible_graded};
  if (auto found_override = overrides.find(sub.usage_key); found_override != overrides.end()) {
    sub.override = std::move(found_override->second);
    SubsectionTotals totals = sub.override->Apply(sub.computed);
    sub.earned_all = totals.earned_all;
    sub.possible_all = totals.possible_all;
    sub.earned_graded = totals.earned_graded;
    sub.possible_graded = totals.possible_graded;
  }
  sub.percent_graded = grading::ComputePercent(sub.earned_graded, sub.possible_graded);
  return sub;
}

}  // namespace

CourseGradeReport GradeService::Assemble(
    const courses::CourseTree& tree, const Structure& structure,
    const std::vector<student_state::StudentModule>& modules,
    std::map<std::string, GradeOverride, std::less<>>& overrides) {
  std::unordered_map<std::string_view, const student_state::StudentModule*> by_usage;
  by_usage.reserve(modules.size());
  for (const auto& module : modules) by_usage[module.usage_key] = &module;
  CourseGradeReport report;
  report.course_key = tree.course_key;
  report.course_version = tree.version;
  report.policy = structure.policy;
  report.course_end = structure.course_end;
  std::vector<grading::SubsectionScore> sheet;
  for (const auto& [chapter, sequentials] : structure.chapters) {
    const courses::CatalogBlock& chapter_block = tree.blocks[static_cast<size_t>(chapter)];
    SectionGrade section{chapter_block.usage_key, chapter_block.display_name, {}};
    for (int seq : sequentials) {
      SubsectionGrade sub = SubsectionFrom(tree, structure, seq, by_usage, overrides);
      sheet.push_back(grading::SubsectionScore{sub.usage_key, sub.format, sub.graded,
                                               sub.earned_graded, sub.possible_graded});
      section.subsections.push_back(std::move(sub));
    }
    report.sections.push_back(std::move(section));
  }
  report.grade = grading::ComputeCourseGrade(structure.policy, sheet);
  return report;
}

StatusOr<CourseGradeReport> GradeService::Compute(int64_t user_id, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return ComputeFrom(*tree, *structure, txn, user_id);
  });
}

StatusOr<grading::GradingPolicy> GradeService::PolicyFor(std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  return structure->policy;
}

StatusOr<std::vector<CourseGradeReport>> GradeService::ComputeMany(
    std::string_view course_key, const std::vector<int64_t>& user_ids, ScoreRead read) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::vector<CourseGradeReport>> {
        std::vector<CourseGradeReport> out;
        out.reserve(user_ids.size());
        if (read == ScoreRead::kWholeCourse) {
          // The whole course's scores and overrides, one statement each.
          LARCH_ASSIGN_OR_RETURN(
              std::vector<student_state::StudentModule> scores,
              student_state::StudentStateStore::ListScoresForCourse(txn, course_key));
          LARCH_ASSIGN_OR_RETURN(auto overrides, OverrideStore::ListForCourse(txn, course_key));
          std::unordered_map<int64_t, std::vector<student_state::StudentModule>> by_user;
          for (auto& row : scores) by_user[row.user_id].push_back(std::move(row));
          const std::vector<student_state::StudentModule> none;
          for (int64_t user_id : user_ids) {
            auto mine = by_user.find(user_id);
            std::map<std::string, GradeOverride, std::less<>> no_overrides;
            auto theirs = overrides.find(user_id);
            out.push_back(Assemble(*tree, *structure, mine == by_user.end() ? none : mine->second,
                                   theirs == overrides.end() ? no_overrides : theirs->second));
          }
          return out;
        }
        for (int64_t user_id : user_ids) {
          LARCH_ASSIGN_OR_RETURN(CourseGradeReport report,
                                 ComputeFrom(*tree, *structure, txn, user_id));
          out.push_back(std::move(report));
        }
        return out;
      });
}

StatusOr<std::vector<std::pair<std::string, json>>> GradeService::Persist(
    storage::Transaction& txn, int64_t user_id, const CourseGradeReport& report, int64_t now) {
  // Only the subsections whose totals changed are written: a submission
  // changes one, and the course has dozens.
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet stored,
      txn.Execute(kSubsectionGradesOfLearner, {storage::Int(user_id), report.course_key}));
  std::map<std::string, const storage::Row*, std::less<>> stored_by_key;
  for (const storage::Row& row : stored.rows) stored_by_key.emplace(row.GetText(0), &row);
  for (const SectionGrade& section : report.sections) {
    for (const SubsectionGrade& sub : section.subsections) {
      auto it = stored_by_key.find(sub.usage_key);
      if (it != stored_by_key.end()) {
        const storage::Row& row = *it->second;
        const SubsectionTotals& t = sub.computed;
        std::optional<int64_t> first = row.GetOptionalInt(5);
        if (row.GetDouble(1) == t.earned_all && row.GetDouble(2) == t.possible_all &&
            row.GetDouble(3) == t.earned_graded && row.GetDouble(4) == t.possible_graded &&
            first == sub.first_attempted) {
          continue;
        }
      }
      LARCH_RETURN_IF_ERROR(UpsertSubsection(txn, user_id, report.course_key, sub, now).status());
    }
  }
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet old,
                         txn.Execute(kFindCourseGrade, {storage::Int(user_id), report.course_key}));
  std::optional<int64_t> passed_at;
  bool was_passing = false;
  bool existed = !old.empty();
  double old_percent = 0;
  std::string old_letter;
  if (existed) {
    passed_at = old.rows[0].GetOptionalInt(5);
    was_passing = passed_at.has_value();
    old_percent = old.rows[0].GetDouble(3);
    old_letter = old.rows[0].GetText(4);
  }
  if (report.grade.passed && !passed_at) passed_at = now;
  if (!report.grade.passed) passed_at.reset();
  std::string letter = report.grade.letter.value_or("");
  LARCH_RETURN_IF_ERROR(
      txn.Execute(kUpsertCourseGrade,
                  {storage::Int(user_id), report.course_key, storage::Int(report.course_version),
                   report.grade.percent, letter, storage::OptionalInt(passed_at), storage::Int(now),
                   storage::Int(now)})
          .status());
  std::vector<std::pair<std::string, json>> events;
  if (!existed || old_percent != report.grade.percent || old_letter != letter ||
      was_passing != report.grade.passed) {
    events.emplace_back(events::kPersistentGradeSummaryChanged,
                        CourseGradeEvent(user_id, report, passed_at));
  }
  if (was_passing != report.grade.passed && (existed || report.grade.passed)) {
    events.emplace_back(events::kCoursePassingStatusUpdated,
                        json{{"course_passing_status",
                              {{"is_passing", report.grade.passed},
                               {"user", {{"id", user_id}}},
                               {"course", {{"course_key", report.course_key}}}}}});
  }
  return events;
}

StatusOr<int64_t> GradeService::UpsertSubsection(storage::Transaction& txn, int64_t user_id,
                                                 std::string_view course_key,
                                                 const SubsectionGrade& sub, int64_t now) {
  const SubsectionTotals& t = sub.computed;
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      txn.Execute(kUpsertSubsection, {storage::Int(user_id), std::string(course_key), sub.usage_key,
                                      t.earned_all, t.possible_all, t.earned_graded,
                                      t.possible_graded, storage::OptionalInt(sub.first_attempted),
                                      storage::Int(now), storage::Int(now)}));
  if (rs.empty()) return InternalError("subsection grade upsert returned no id");
  return rs.rows[0].GetInt(0);
}

void GradeService::PublishAll(const std::vector<std::pair<std::string, json>>& events) {
  if (bus_ == nullptr) return;
  for (const auto& [type, data] : events) bus_->Publish(type, data).IgnoreError();
}

StatusOr<CourseGradeReport> GradeService::Recalculate(int64_t user_id,
                                                      std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  std::optional<CourseGradeReport> report;
  std::vector<std::pair<std::string, json>> events;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(CourseGradeReport computed,
                               ComputeFrom(*tree, *structure, txn, user_id));
        LARCH_ASSIGN_OR_RETURN(events, Persist(txn, user_id, computed, clock_.NowMicros()));
        report = std::move(computed);
        return OkStatus();
      }));
  PublishAll(events);
  return std::move(*report);
}

StatusOr<int64_t> GradeService::RecalculateCourse(std::string_view course_key,
                                                  const std::vector<int64_t>& user_ids) {
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const courses::CourseTree> tree,
                         catalog_.GetTree(course_key));
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const Structure> structure, StructureFor(*tree));
  int64_t graded = 0;
  for (size_t start = 0; start < user_ids.size(); start += kLearnersPerTransaction) {
    size_t end = std::min(user_ids.size(), start + kLearnersPerTransaction);
    std::vector<std::pair<std::string, json>> events;
    LARCH_RETURN_IF_ERROR(db_.RunInTransaction(
        storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
          events.clear();
          int64_t now = clock_.NowMicros();
          for (size_t i = start; i < end; ++i) {
            LARCH_ASSIGN_OR_RETURN(CourseGradeReport report,
                                   ComputeFrom(*tree, *structure, txn, user_ids[i]));
            LARCH_ASSIGN_OR_RETURN(auto more, Persist(txn, user_ids[i], report, now));
            events.insert(events.end(), more.begin(), more.end());
          }
          return OkStatus();
        }));
    PublishAll(events);
    graded += static_cast<int64_t>(end - start);
  }
  return graded;
}

StatusOr<std::optional<PersistentCourseGrade>> GradeService::GetCourseGrade(
    int64_t user_id, std::string_view course_key) {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::optional<PersistentCourseGrade>> {
        LARCH_ASSIGN_OR_RETURN(
            storage::ResultSet rs,
            txn.Execute(kFindCourseGrade, {storage::Int(user_id), std::string(course_key)}));
        if (rs.empty()) return std::optional<PersistentCourseGrade>();
        const storage::Row& row = rs.rows[0];
        return std::optional<PersistentCourseGrade>(
            PersistentCourseGrade{row.GetInt(0), row.GetText(1), row.GetInt(2), row.GetDouble(3),
                                  row.GetText(4), row.GetOptionalInt(5), row.GetInt(6)});
      });
}

StatusOr<std::map<std::string, PersistentCourseGrade, std::less<>>> GradeService::CourseGradesOf(
    storage::Executor& ex, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kCourseGradesOfUser, {storage::Int(user_id)}));
  std::map<std::string, PersistentCourseGrade, std::less<>> out;
  for (const storage::Row& row : rs.rows) {
    PersistentCourseGrade g{row.GetInt(0),  row.GetText(1),        row.GetInt(2), row.GetDouble(3),
                            row.GetText(4), row.GetOptionalInt(5), row.GetInt(6)};
    std::string key = g.course_key;
    out.emplace(std::move(key), std::move(g));
  }
  return out;
}

StatusOr<std::map<int64_t, PersistentCourseGrade>> GradeService::CourseGradesIn(
    storage::Executor& ex, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kCourseGradesInCourse, {std::string(course_key)}));
  std::map<int64_t, PersistentCourseGrade> out;
  for (const storage::Row& row : rs.rows) {
    PersistentCourseGrade g{row.GetInt(0),  row.GetText(1),        row.GetInt(2), row.GetDouble(3),
                            row.GetText(4), row.GetOptionalInt(5), row.GetInt(6)};
    out.emplace(g.user_id, std::move(g));
  }
  return out;
}

Status GradeService::EnqueueRecalculation(storage::Transaction& txn, int64_t user_id,
                                          std::string_view course_key, int64_t now) {
  storage::NewJob job;
  job.kind = kRecalculateJob;
  job.queue = "default";
  job.payload = json{{"user_id", user_id}, {"course_key", course_key}}.dump();
  // One queued recalculation per learner and course covers every score
  // change before it runs: a burst of submissions costs one recalculation.
  job.coalesce_key =
      std::string(kRecalculateJob) + ":" + std::to_string(user_id) + ":" + std::string(course_key);
  job.max_attempts = 10;
  return storage::EnqueueJob(txn, job, now).status();
}

}  // namespace larch::grades
