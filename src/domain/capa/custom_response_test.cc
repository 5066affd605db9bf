// customresponse's C++ half with a scripted runner: what is sent to Python,
// when nothing is, and how the check code's answer becomes points. The same
// problems against real Python run in src/sandbox/capa_python_test.cc.
#include "larch/capa/custom_response.h"

#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/testing/status_matchers.h"

namespace larch::capa {
namespace {

using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

// Records each job and answers with the next canned reply.
class ScriptedRunner : public PythonRunner {
 public:
  explicit ScriptedRunner(std::vector<StatusOr<nlohmann::json>> replies)
      : replies_(std::move(replies)) {}
  StatusOr<nlohmann::json> Run(const PythonJob& job) override {
    jobs.push_back(job);
    if (replies_.empty()) return InternalError("no reply scripted");
    StatusOr<nlohmann::json> reply = std::move(replies_.front());
    replies_.erase(replies_.begin());
    return reply;
  }
  std::vector<PythonJob> jobs;

 private:
  std::vector<StatusOr<nlohmann::json>> replies_;
};

Problem Load(const std::string& xml) {
  StatusOr<Problem> problem = ParseProblem(xml, "p");
  EXPECT_TRUE(problem.ok()) << problem.status().message();
  return problem.ok() ? *std::move(problem) : Problem{};
}

constexpr const char* kTwoInputs = R"xml(<problem>
  <script type="loncapa/python">
def check(expect, ans):
    return True
</script>
  <customresponse cfn="check" expect="$target">
    <textline points="2"/><textline/>
  </customresponse></problem>)xml";

TEST(CustomResponseTest, ScriptRunsOnceWithSeedAndStudentAndFillsVariables) {
  const Problem problem = Load(kTwoInputs);
  ScriptedRunner runner({nlohmann::json{
      {"seed", 7},
      {"anonymous_student_id", "anon"},
      {"target", 10},
      {"_larch_strings", {{"seed", "7"}, {"anonymous_student_id", "anon"}, {"target", "10"}}}}});
  LARCH_ASSERT_OK_AND_ASSIGN(ProblemContext context,
                             RunProblemScript(problem, runner, 7, "anon", "/lib.zip"));
  ASSERT_EQ(runner.jobs.size(), 1U);
  EXPECT_EQ(runner.jobs[0].globals.at("seed"), 7);
  EXPECT_EQ(runner.jobs[0].globals.at("anonymous_student_id"), "anon");
  EXPECT_EQ(runner.jobs[0].python_lib_zip, "/lib.zip");
  EXPECT_THAT(runner.jobs[0].code, HasSubstr("random_module.Random(7)"));
  EXPECT_THAT(runner.jobs[0].code, HasSubstr("def check(expect, ans):"));
  EXPECT_EQ(context.variables.at("target"), "10");
  EXPECT_FALSE(context.globals.contains("_larch_strings"));
  EXPECT_EQ(context.globals.at("target"), 10);
}

TEST(CustomResponseTest, ScriptErrorFailsTheProblem) {
  const Problem problem = Load(kTwoInputs);
  ScriptedRunner runner({InvalidArgumentError("NameError: name 'x' is not defined")});
  EXPECT_THAT(RunProblemScript(problem, runner, 1, "anon"),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("Error while executing script code: NameError")));
  ScriptedRunner slow({DeadlineExceededError("ran past its 1 s CPU limit")});
  EXPECT_THAT(RunProblemScript(problem, slow, 1, "anon"), StatusIs(StatusCode::kDeadlineExceeded));
}

TEST(CustomResponseTest, CfnGetsExpectAndTheListOfAnswersAndDecimalsScalePoints) {
  const Problem problem = Load(kTwoInputs);
  ProblemContext context;
  context.script_code = "def check(expect, ans):\n    return True\n";
  context.variables = {{"target", "10"}};
  ScriptedRunner runner({nlohmann::json{{"_larch_grade",
                                         {{"correct", {"partially-correct", "correct"}},
                                          {"messages", {"half", ""}},
                                          {"overall_message", "see"},
                                          {"grade_decimals", {0.25, 1.0}}}}}});
  const Answers answers = {{"p_2_1", {"3"}}, {"p_2_2", {"7"}}};
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade grade,
                             GradeCustom(problem.responses[0], answers, context, runner));
  ASSERT_EQ(runner.jobs.size(), 1U);
  EXPECT_EQ(runner.jobs[0].globals.at("expect"), "10");
  EXPECT_EQ(runner.jobs[0].globals.at("ans"), nlohmann::json::parse(R"(["3", "7"])"));
  EXPECT_THAT(runner.jobs[0].code, HasSubstr("cfn_return = check(expect, ans)"));
  ASSERT_EQ(grade.inputs.size(), 2U);
  EXPECT_EQ(grade.inputs[0].correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(grade.inputs[0].Points(), 0.5);  // 2 points x 0.25.
  EXPECT_EQ(grade.inputs[0].message, "half");
  EXPECT_EQ(grade.inputs[1].Points(), 1.0);
  EXPECT_EQ(grade.overall_message, "see");
}

TEST(CustomResponseTest, WithoutDecimalsCorrectIsFullAndPartialHalf) {
  const Problem problem = Load(R"xml(<problem><customresponse>
    <textline points="3"/><textline points="3"/><textline points="3"/>
    <answer type="loncapa/python">correct = ['correct', 'partially-correct', 'unknown']</answer>
    </customresponse></problem>)xml");
  ScriptedRunner runner({nlohmann::json{{"correct", {"correct", "partially-correct", "unknown"}},
                                        {"messages", {"", "", ""}},
                                        {"overall_message", ""}}});
  const Answers answers = {{"p_2_1", {"a"}}, {"p_2_2", {"b"}}, {"p_2_3", {""}}};
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade grade,
                             GradeCustom(problem.responses[0], answers, ProblemContext{}, runner));
  ASSERT_EQ(runner.jobs.size(), 1U);
  EXPECT_EQ(runner.jobs[0].globals.at("submission"), nlohmann::json::parse(R"(["a", "b", ""])"));
  EXPECT_EQ(runner.jobs[0].globals.at("correct"),
            nlohmann::json::parse(R"(["unknown", "unknown", "unknown"])"));
  EXPECT_EQ(runner.jobs[0].globals.at("answers").at("p_2_2"), "b");
  ASSERT_EQ(grade.inputs.size(), 3U);
  EXPECT_EQ(grade.inputs[0].Points(), 3.0);
  EXPECT_EQ(grade.inputs[1].Points(), 1.5);
  EXPECT_EQ(grade.inputs[2].correctness, Correctness::kIncorrect);
  EXPECT_EQ(grade.inputs[2].Points(), 0.0);
}

TEST(CustomResponseTest, SingleEmptyInputIsIncorrectWithoutRunning) {
  const Problem problem = Load(R"xml(<problem><customresponse cfn="f" empty_answer_err="1">
    <textline/></customresponse></problem>)xml");
  ScriptedRunner runner({});
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade grade, GradeCustom(problem.responses[0], {{"p_2_1", {""}}},
                                                            ProblemContext{}, runner));
  EXPECT_TRUE(runner.jobs.empty());
  ASSERT_EQ(grade.inputs.size(), 1U);
  EXPECT_EQ(grade.inputs[0].correctness, Correctness::kIncorrect);
  EXPECT_THAT(grade.inputs[0].message, HasSubstr("No answer entered!"));
}

TEST(CustomResponseTest, MissingAnswerAndInvalidDictionary) {
  const Problem problem = Load(kTwoInputs);
  ScriptedRunner runner({nlohmann::json{{"_larch_grade", {{"invalid", true}}}}});
  EXPECT_THAT(GradeCustom(problem.responses[0], {{"p_2_1", {"1"}}}, ProblemContext{}, runner),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("p_2_2")));
  EXPECT_THAT(GradeCustom(problem.responses[0], {{"p_2_1", {"1"}}, {"p_2_2", {"2"}}},
                          ProblemContext{}, runner),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("invalid dictionary")));
}

TEST(CustomResponseTest, GradeResponseWithoutRunnerIsUnimplemented) {
  const Problem problem = Load(kTwoInputs);
  const Answers answers = {{"p_2_1", {"1"}}, {"p_2_2", {"2"}}};
  EXPECT_THAT(GradeResponse(problem.responses[0], answers), StatusIs(StatusCode::kUnimplemented));
  EXPECT_THAT(GradeResponse(problem.responses[0], answers, ProblemContext{}, nullptr),
              StatusIs(StatusCode::kUnimplemented, HasSubstr("sandbox")));
}

}  // namespace
}  // namespace larch::capa
