#include "larch/problems/problem_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::problems {
namespace {

using ::larch::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'800'000'000'000'000;
constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";

constexpr char kNumerical[] = R"xml(<problem>
  <numericalresponse answer="3.14">
    <responseparam type="tolerance" default="1%"/>
    <formulaequationinput/>
  </numericalresponse>
  <solution><p>pi</p></solution>
</problem>)xml";

constexpr char kTwoInputs[] = R"xml(<problem>
  <optionresponse>
    <optioninput options="('a','b')" correct="a"/>
    <optioninput options="('a','b')" correct="b"/>
  </optionresponse>
</problem>)xml";

courses::CatalogBlock Block(const std::string& type, const std::string& id, int parent) {
  courses::CatalogBlock block;
  block.type = type;
  block.block_id = id;
  block.usage_key = "block-v1:edX+DemoX+Demo_Course+type@" + type + "+block@" + id;
  block.parent = parent;
  return block;
}

class ProblemServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetNowMicros(kNow);
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, testing::MakeTempDir("problems"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, testing::OpenMigratedSqlite(dir_, clock_));
    LARCH_ASSERT_OK_AND_ASSIGN(alice_,
                               enrollment::InsertUserForTest(*db_, "alice", "alice@example.com"));
    service_ = std::make_unique<ProblemService>(
        *db_, clock_, random_, [this](storage::Transaction&, const ScoreChange& change) {
          scores_.push_back(change);
          return OkStatus();
        });
  }
  void TearDown() override {
    service_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // course(0) > problem p1(1) [numerical], problem p2(2) [two dropdowns].
  void BuildTree(json p1_fields, json p1_inherited = json::object()) {
    auto tree = std::make_shared<courses::CourseTree>();
    tree->course_key = kCourse;
    tree->version = ++version_;
    tree->blocks = {Block("course", "course", -1), Block("problem", "p1", 0),
                    Block("problem", "p2", 0)};
    tree->blocks[0].children = {1, 2};
    tree->blocks[1].data = kNumerical;
    tree->blocks[1].fields = std::move(p1_fields);
    tree->blocks[1].inherited = std::move(p1_inherited);
    tree->blocks[2].data = kTwoInputs;
    tree->root = 0;
    tree_ = tree;
  }

  json Call(const std::string& dispatch, int block,
            std::vector<std::pair<std::string, std::string>> form = {}, bool staff = false) {
    ProblemRequest request{alice_, staff, tree_, block, dispatch, std::move(form)};
    StatusOr<json> reply = service_->Handle(request);
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? *reply : json();
  }

  json State(const std::string& id) {
    auto found = storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [&](auto& txn) {
      return student_state::StudentStateStore::Find(
          txn, alice_, "block-v1:edX+DemoX+Demo_Course+type@problem+block@" + id);
    });
    EXPECT_TRUE(found.ok());
    return found.ok() && found->has_value() ? (*found)->state : json();
  }

  FakeClock clock_;
  SeededRandom random_{3};
  std::string dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<ProblemService> service_;
  std::shared_ptr<const courses::CourseTree> tree_;
  std::vector<ScoreChange> scores_;
  int64_t alice_ = 0;
  int64_t version_ = 0;
};

TEST_F(ProblemServiceTest, CheckGradesStoresStateAndReportsProgress) {
  BuildTree({{"max_attempts", "2"}});
  json get = Call("problem_get", 1);
  EXPECT_THAT(get["html"].get<std::string>(), HasSubstr("name=\"input_p1_2_1\""));
  EXPECT_EQ(get["attempts_used"], 0);
  EXPECT_EQ(get["current_score"], 0);
  EXPECT_EQ(get["total_possible"], 1);
  EXPECT_EQ(get["progress_changed"], false);

  json wrong = Call("problem_check", 1, {{"input_p1_2_1", "3"}});
  EXPECT_EQ(wrong["success"], "incorrect");
  EXPECT_EQ(wrong["attempts_used"], 1);
  EXPECT_EQ(wrong["progress_changed"], true);
  EXPECT_THAT(wrong["contents"].get<std::string>(), HasSubstr("status incorrect"));

  json right = Call("problem_check", 1, {{"input_p1_2_1", "3.141"}});
  EXPECT_EQ(right["success"], "correct");
  EXPECT_EQ(right["current_score"], 1);
  EXPECT_EQ(right["attempts_used"], 2);

  json state = State("p1");
  EXPECT_EQ(state["attempts"], 2);
  EXPECT_EQ(state["done"], true);
  EXPECT_EQ(state["seed"], 1);
  EXPECT_EQ(state["student_answers"]["p1_2_1"], "3.141");
  EXPECT_EQ(state["correct_map"]["p1_2_1"]["correctness"], "correct");
  EXPECT_EQ(state["score"], json({{"raw_earned", 1.0}, {"raw_possible", 1.0}}));
  ASSERT_EQ(scores_.size(), 2u);
  EXPECT_DOUBLE_EQ(scores_[1].raw_earned, 1);

  // max_attempts reached: refused with upstream's message, nothing changes.
  json refused = Call("problem_check", 1, {{"input_p1_2_1", "3"}});
  EXPECT_EQ(refused["success"], kStateChangedMessage);
  EXPECT_EQ(refused["attempts_used"], 2);
  EXPECT_EQ(State("p1")["correct_map"]["p1_2_1"]["correctness"], "correct");
  EXPECT_EQ(scores_.size(), 2u);
}

TEST_F(ProblemServiceTest, PastDueWithGraceIsClosed) {
  BuildTree(json::object(), {{"due", "2027-01-01T00:00:00Z"}, {"graceperiod", "1 day"}});
  // kNow is 2027-01-15: past due and grace.
  json refused = Call("problem_check", 1, {{"input_p1_2_1", "3.14"}});
  EXPECT_EQ(refused["success"], kStateChangedMessage);
  json save = Call("problem_save", 1, {{"input_p1_2_1", "3.14"}});
  EXPECT_EQ(save["success"], false);
  EXPECT_EQ(save["msg"], "Problem is closed.");
}

TEST_F(ProblemServiceTest, WeightAndPartialScores) {
  BuildTree({{"weight", "10"}});
  json half = Call("problem_check", 2, {{"input_p2_2_1", "a"}, {"input_p2_2_2", "a"}});
  EXPECT_EQ(half["success"], "incorrect");
  EXPECT_EQ(half["current_score"], 1);
  EXPECT_EQ(half["total_possible"], 2);
  json weighted = Call("problem_check", 1, {{"input_p1_2_1", "3.14"}});
  EXPECT_EQ(weighted["current_score"].dump(), "10.0");
  EXPECT_EQ(weighted["total_possible"].dump(), "10.0");
}

TEST_F(ProblemServiceTest, SaveResetAndShow) {
  BuildTree({{"max_attempts", "3"}, {"showanswer", "attempted"}});
  json show = Call("problem_show", 1);
  EXPECT_EQ(show["success"], kStateChangedMessage);
  json reset = Call("problem_reset", 1);
  EXPECT_EQ(reset["success"], false);
  EXPECT_EQ(reset["msg"], "You must submit an answer before you can select Reset.");

  json save = Call("problem_save", 1, {{"input_p1_2_1", "2"}});
  EXPECT_EQ(save["success"], true);
  EXPECT_EQ(save["msg"],
            "Your answers have been saved but not graded. Click 'Submit' to grade them.");
  EXPECT_EQ(State("p1")["has_saved_answers"], true);
  EXPECT_EQ(State("p1")["student_answers"]["p1_2_1"], "2");

  Call("problem_check", 1, {{"input_p1_2_1", "2"}});
  show = Call("problem_show", 1);
  EXPECT_EQ(show["answers"]["p1_2_1"], "3.14");
  EXPECT_EQ(show["answers"]["p1_solution_1"], "<p>pi</p>");

  reset = Call("problem_reset", 1);
  EXPECT_EQ(reset["success"], true);
  json state = State("p1");
  EXPECT_EQ(state["done"], false);
  EXPECT_EQ(state["attempts"], 1);  // Reset keeps the attempts.
  EXPECT_EQ(state["student_answers"], json::object());
  EXPECT_EQ(scores_.back().raw_earned, 0);
}

TEST_F(ProblemServiceTest, StaffSeeAnswersAndBadFormsGetTheGenericMessage) {
  BuildTree({{"showanswer", "finished"}});
  EXPECT_EQ(Call("problem_show", 1)["success"], kStateChangedMessage);
  EXPECT_EQ(Call("problem_show", 1, {}, /*staff=*/true)["answers"]["p1_2_1"], "3.14");
  EXPECT_EQ(Call("problem_check", 1, {{"nounderscore", "1"}})["success"], kGenericErrorMessage);
  // A learner formula capa cannot read is the learner's error, not an attempt.
  json bad = Call("problem_check", 1, {{"input_p1_2_1", "3+"}});
  EXPECT_NE(bad["success"], "incorrect");
  EXPECT_EQ(bad["attempts_used"], 0);
}

TEST_F(ProblemServiceTest, UnknownDispatchAndNonProblemAreNotFound) {
  BuildTree(json::object());
  ProblemRequest request{alice_, false, tree_, 1, "problem_explode", {}};
  EXPECT_THAT(service_->Handle(request).status(), StatusIs(StatusCode::kNotFound));
  request.dispatch = "problem_get";
  request.block_index = 0;
  EXPECT_THAT(service_->Handle(request).status(), StatusIs(StatusCode::kNotFound));
}

TEST_F(ProblemServiceTest, BrokenProblemFailsAlone) {
  BuildTree(json::object());
  auto tree = std::make_shared<courses::CourseTree>(*tree_);
  tree->version = 99;
  tree->blocks[1].data = "<problem><numericalresponse";
  tree_ = tree;
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "1"}})["success"], kGenericErrorMessage);
  EXPECT_EQ(Call("problem_check", 2, {{"input_p2_2_1", "a"}})["success"], "incorrect");
}

// grading_method other than last_score (capa's GradingMethodHandler): the
// state keeps the attempts' scores and the method picks among them.
TEST_F(ProblemServiceTest, GradingMethodsChooseAmongTheAttempts) {
  BuildTree({{"grading_method", "highest_score"}});
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "3.14"}})["current_score"], 1);
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "2"}})["current_score"], 1);
  json state = State("p1");
  EXPECT_EQ(state["score_history"].size(), 2u);
  EXPECT_EQ(state["student_answers_history"][1]["p1_2_1"], "2");
  EXPECT_EQ(state["correct_map_history"][0]["p1_2_1"]["correctness"], "correct");
  EXPECT_EQ(state["score"], json({{"raw_earned", 1.0}, {"raw_possible", 1.0}}));

  BuildTree({{"grading_method", "average_score"}});
  json average = Call("problem_check", 1, {{"input_p1_2_1", "3.14"}});
  EXPECT_DOUBLE_EQ(average["current_score"].get<double>(), 0.67);  // (1 + 0 + 1) / 3

  // Back to the default: the last attempt counts and no list grows.
  BuildTree(json::object());
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "2"}})["current_score"], 0);
  EXPECT_EQ(State("p1")["score_history"].size(), 3u);
}

// Answers a problem script's run with x = 3, counting the runs.
class CountingRunner : public capa::PythonRunner {
 public:
  StatusOr<json> Run(const capa::PythonJob& job) override {
    ++runs;
    return json{{"seed", 1}, {"x", 3}, {"_larch_strings", {{"seed", "1"}, {"x", "3"}}}};
  }
  int runs = 0;
};

// The script runs once per learner and seed, as safe_exec's cache upstream;
// a new course version parses and runs again.
TEST_F(ProblemServiceTest, ProblemScriptRunsOncePerSeedAndLearner) {
  CountingRunner runner;
  service_ = std::make_unique<ProblemService>(
      *db_, clock_, random_, nullptr,
      PythonOptions{[&runner]() -> StatusOr<capa::PythonRunner*> { return &runner; }, ""});
  BuildTree(json::object());
  auto tree = std::make_shared<courses::CourseTree>(*tree_);
  tree->blocks[1].data = R"xml(<problem>
  <script type="loncapa/python">x = 3</script>
  <numericalresponse answer="$x"><formulaequationinput/></numericalresponse>
</problem>)xml";
  tree_ = tree;
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "2"}})["success"], "incorrect");
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "3"}})["success"], "correct");
  EXPECT_EQ(runner.runs, 1);
  tree = std::make_shared<courses::CourseTree>(*tree_);
  tree->version = ++version_;
  tree_ = tree;
  EXPECT_EQ(Call("problem_check", 1, {{"input_p1_2_1", "3"}})["success"], "correct");
  EXPECT_EQ(runner.runs, 2);
}

// Submissions of one learner racing each other: every one counts once.
TEST_F(ProblemServiceTest, ParallelChecksNeverLoseOrDoubleAnAttempt) {
  BuildTree(json::object());
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        ProblemRequest request{alice_, false,           tree_,
                               1,      "problem_check", {{"input_p1_2_1", "3.14"}}};
        StatusOr<json> reply = service_->Handle(request);
        if (!reply.ok() || (*reply)["success"] != "correct") {
          ++failures;
          ADD_FAILURE() << (reply.ok() ? reply->dump() : reply.status().ToString());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(State("p1")["attempts"], kThreads * kEach);
  // One history row per attempt; the state keeps no per-attempt lists for a
  // problem graded by its last score.
  auto history = storage::RunWithResult(*db_, storage::TxnMode::kReadOnly, [&](auto& txn) {
    return student_state::StudentStateStore::History(
        txn, alice_, "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1");
  });
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_FALSE(State("p1").contains("score_history"));
}

}  // namespace
}  // namespace larch::problems
