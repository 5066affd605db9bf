// capa's Python through the real sandbox: the kitchen-sink course's
// customresponse problems, every return shape of a check function, the
// <answer> form, $variables from scripts and the seeded random.
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "larch/capa/custom_response.h"
#include "larch/capa/problem.h"
#include "larch/sandbox/sandbox_runner.h"
#include "larch/testing/status_matchers.h"

namespace larch::sandbox {
namespace {

using ::larch::capa::Answers;
using ::larch::capa::Correctness;
using ::larch::capa::CustomGrade;
using ::larch::capa::Problem;
using ::larch::capa::ProblemContext;
using ::larch::testing::StatusIs;
using ::testing::HasSubstr;

class CapaPythonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SandboxOptions options;
    options.pool_size = 2;
    StatusOr<std::unique_ptr<SandboxRunner>> runner = SandboxRunner::Create(options);
    ASSERT_TRUE(runner.ok()) << runner.status().message();
    runner_ = runner->release();
  }
  static void TearDownTestSuite() {
    delete runner_;
    runner_ = nullptr;
  }

  static Problem Load(const std::string& xml) {
    StatusOr<Problem> problem = capa::ParseProblem(xml, "p");
    EXPECT_TRUE(problem.ok()) << problem.status().message();
    return problem.ok() ? *std::move(problem) : Problem{};
  }
  static Problem LoadShared(const std::string& relative) {
    std::ifstream file(std::string(LARCH_SHARED_OLX) + "/" + relative);
    std::stringstream text;
    text << file.rdbuf();
    return Load(text.str());
  }
  static ProblemContext Context(const Problem& problem, std::int64_t seed = 1) {
    StatusOr<ProblemContext> context = capa::RunProblemScript(problem, *runner_, seed, "student");
    EXPECT_TRUE(context.ok()) << context.status().message();
    return context.ok() ? *std::move(context) : ProblemContext{};
  }
  static StatusOr<CustomGrade> Grade(const Problem& problem, const ProblemContext& context,
                                     std::size_t response, const Answers& answers) {
    return capa::GradeCustom(problem.responses.at(response), answers, context, *runner_);
  }

  static SandboxRunner* runner_;
};

SandboxRunner* CapaPythonTest::runner_ = nullptr;

TEST_F(CapaPythonTest, KitchenSinkCfnWithTwoInputs) {
  const Problem problem =
      LoadShared("oxa-kitchen-sink/course/problem/8c9ee892599b456fa9892a00b077d942.xml");
  ASSERT_EQ(problem.responses.size(), 2U);
  const ProblemContext context = Context(problem);
  const std::string a = problem.responses[0].inputs[0].id;
  const std::string b = problem.responses[0].inputs[1].id;
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade right,
                             Grade(problem, context, 0, {{a, {"3"}}, {b, {"7"}}}));
  ASSERT_EQ(right.inputs.size(), 2U);
  EXPECT_EQ(right.inputs[0].correctness, Correctness::kCorrect);
  EXPECT_EQ(right.inputs[0].Points() + right.inputs[1].Points(), 2.0);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade wrong,
                             Grade(problem, context, 0, {{a, {"3"}}, {b, {"8"}}}));
  EXPECT_EQ(wrong.inputs[1].correctness, Correctness::kIncorrect);
  EXPECT_EQ(wrong.inputs[0].Points() + wrong.inputs[1].Points(), 0.0);
  // The check function catches ValueError itself and returns False.
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade junk,
                             Grade(problem, context, 0, {{a, {"x"}}, {b, {"y"}}}));
  EXPECT_EQ(junk.inputs[0].correctness, Correctness::kIncorrect);
  // The second response has expect="20".
  const std::string c = problem.responses[1].inputs[0].id;
  const std::string d = problem.responses[1].inputs[1].id;
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade twenty,
                             Grade(problem, context, 1, {{c, {"11"}}, {d, {"9"}}}));
  EXPECT_EQ(twenty.inputs[1].correctness, Correctness::kCorrect);
}

TEST_F(CapaPythonTest, KitchenSinkJsInputGradesTheJsonState) {
  const Problem problem =
      LoadShared("oxa-kitchen-sink/course/problem/5ce2d6d80b6b4cfc90ba2774a5a16949.xml");
  const ProblemContext context = Context(problem);
  const std::string id = problem.responses.at(0).inputs.at(0).id;
  const auto submit = [&](bool cube) {
    nlohmann::json answer = {{"cylinder", true}, {"cube", cube}};
    nlohmann::json posted = {{"answer", answer.dump()}, {"state", "{}"}};
    return Grade(problem, context, 0, {{id, {posted.dump()}}});
  };
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade right, submit(false));
  EXPECT_EQ(right.inputs[0].correctness, Correctness::kCorrect);
  EXPECT_EQ(right.inputs[0].Points(), 1.0);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade wrong, submit(true));
  EXPECT_EQ(wrong.inputs[0].correctness, Correctness::kIncorrect);
}

TEST_F(CapaPythonTest, KitchenSinkDragAndDropNeedsOpenEdxHelpers) {
  // Its <answer> calls draganddrop.grade, a module of Open edX's sandbox
  // packages that Larch does not ship.
  const Problem problem =
      LoadShared("oxa-kitchen-sink/course/problem/c5611005095849dabb20c6c2313591e8.xml");
  const ProblemContext context = Context(problem);
  const std::string id = problem.responses.at(0).inputs.at(0).id;
  EXPECT_THAT(Grade(problem, context, 0, {{id, {"[{\"1\": [70, 150]}]"}}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("draganddrop")));
}

TEST_F(CapaPythonTest, KitchenSinkScriptVariablesReachFormulaAnswers) {
  const Problem problem =
      LoadShared("oxa-kitchen-sink/course/problem/2957ab77ba7249758384d63cda91d53a.xml");
  const ProblemContext context = Context(problem);
  EXPECT_EQ(context.variables.at("VoVi"), "(R_1*R_2)/R_3");
  EXPECT_EQ(context.variables.at("derivative"), "n*x^(n-1)");
  const std::string first = problem.responses.at(0).inputs.at(0).id;
  LARCH_ASSERT_OK_AND_ASSIGN(
      std::vector<capa::InputGrade> grades,
      capa::GradeResponse(problem.responses[0], {{first, {"R_1*R_2/R_3"}}}, context, runner_));
  EXPECT_EQ(grades.at(0).correctness, Correctness::kCorrect);
}

constexpr const char* kShapes = R"xml(<problem>
<script type="loncapa/python">
def plain(expect, ans):
    return ans == expect
def partial(expect, ans):
    return "Partially right"
def false_text(expect, ans):
    return " False "
def ok_dict(expect, ans):
    return {'ok': True, 'msg': 'good', 'grade_decimal': 0.8}
def ok_partial(expect, ans):
    return {'ok': 'partial', 'msg': 'so so'}
def listed(expect, ans):
    return {'overall_message': 'all', 'input_list': [
        {'ok': True, 'msg': 'first'}, {'ok': 'Partial', 'msg': 'second'}, {'ok': 1}]}
def bad(expect, ans):
    return {'nothing': 1}
def boom(expect, ans):
    raise ValueError('cannot read ' + ans)
</script>
<customresponse cfn="plain" expect="yes"><textline points="2"/></customresponse>
<customresponse cfn="partial"><textline points="2"/></customresponse>
<customresponse cfn="false_text"><textline/></customresponse>
<customresponse cfn="ok_dict"><textline points="5"/></customresponse>
<customresponse cfn="ok_partial"><textline points="2"/></customresponse>
<customresponse cfn="listed"><textline/><textline points="2"/><textline/></customresponse>
<customresponse cfn="bad"><textline/></customresponse>
<customresponse cfn="boom"><textline/></customresponse>
</problem>)xml";

TEST_F(CapaPythonTest, EveryReturnShapeOfACheckFunction) {
  const Problem problem = Load(kShapes);
  const ProblemContext context = Context(problem);
  const auto one = [&](std::size_t response, const std::string& value) {
    return Grade(problem, context, response,
                 {{problem.responses.at(response).inputs[0].id, {value}}});
  };
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade plain, one(0, "yes"));
  EXPECT_EQ(plain.inputs[0].Points(), 2.0);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade plain_wrong, one(0, "no"));
  EXPECT_EQ(plain_wrong.inputs[0].correctness, Correctness::kIncorrect);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade partial, one(1, "x"));
  EXPECT_EQ(partial.inputs[0].correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(partial.inputs[0].Points(), 1.0);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade false_text, one(2, "x"));
  EXPECT_EQ(false_text.inputs[0].correctness, Correctness::kIncorrect);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade ok_dict, one(3, "x"));
  EXPECT_EQ(ok_dict.inputs[0].correctness, Correctness::kCorrect);
  EXPECT_DOUBLE_EQ(ok_dict.inputs[0].Points(), 4.0);
  EXPECT_EQ(ok_dict.inputs[0].message, "good");
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade ok_partial, one(4, "x"));
  EXPECT_EQ(ok_partial.inputs[0].correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(ok_partial.inputs[0].Points(), 1.0);

  const capa::Response& listed_response = problem.responses.at(5);
  LARCH_ASSERT_OK_AND_ASSIGN(CustomGrade listed, Grade(problem, context, 5,
                                                       {{listed_response.inputs[0].id, {"a"}},
                                                        {listed_response.inputs[1].id, {"b"}},
                                                        {listed_response.inputs[2].id, {"c"}}}));
  EXPECT_EQ(listed.overall_message, "all");
  EXPECT_EQ(listed.inputs[0].Points(), 1.0);
  EXPECT_EQ(listed.inputs[0].message, "first");
  EXPECT_EQ(listed.inputs[1].correctness, Correctness::kPartiallyCorrect);
  EXPECT_EQ(listed.inputs[1].Points(), 1.0);  // 2 points x 0.5.
  // ok=1 is correct, but only the literal "true" earns the full decimal.
  EXPECT_EQ(listed.inputs[2].correctness, Correctness::kCorrect);
  EXPECT_EQ(listed.inputs[2].Points(), 0.0);

  EXPECT_THAT(one(6, "x"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("invalid dictionary")));
  EXPECT_THAT(one(7, "x"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("ValueError: cannot read x")));
}

TEST_F(CapaPythonTest, AnswerCodeSeesScriptValuesAndSetsCorrectAndMessages) {
  const Problem problem = Load(R"xml(<problem>
<script type="loncapa/python">
target = 5
def helper():
    return 1
</script>
<customresponse>
  <textline/><textline/>
  <answer type="loncapa/python">
ok = [int(s) == target for s in submission]
correct = ['correct' if x else 'incorrect' for x in ok]
messages = ['seen ' + s for s in submission]
overall_message = 'helper is ' + ('there' if 'helper' in globals() else 'gone')
  </answer>
</customresponse></problem>)xml");
  const ProblemContext context = Context(problem);
  const capa::Response& response = problem.responses.at(0);
  LARCH_ASSERT_OK_AND_ASSIGN(
      CustomGrade grade,
      Grade(problem, context, 0, {{response.inputs[0].id, {"5"}}, {response.inputs[1].id, {"4"}}}));
  EXPECT_EQ(grade.inputs[0].correctness, Correctness::kCorrect);
  EXPECT_EQ(grade.inputs[1].correctness, Correctness::kIncorrect);
  EXPECT_EQ(grade.inputs[1].message, "seen 4");
  // As upstream, only the script's JSON values reach <answer> code.
  EXPECT_EQ(grade.overall_message, "helper is gone");
}

TEST_F(CapaPythonTest, RandomIsSeededByTheProblemSeed) {
  const Problem problem = Load(R"xml(<problem><script type="loncapa/python">
x = [random.randint(1, 1000000) for _ in range(3)]
</script><customresponse cfn="f"><textline/></customresponse></problem>)xml");
  EXPECT_EQ(Context(problem, 3).globals.at("x"), Context(problem, 3).globals.at("x"));
  EXPECT_NE(Context(problem, 3).globals.at("x"), Context(problem, 4).globals.at("x"));
  EXPECT_EQ(Context(problem, 3).variables.at("seed"), "3");
}

TEST_F(CapaPythonTest, HostileScriptFailsOnlyItsProblem) {
  const Problem loop = Load(R"xml(<problem><script type="loncapa/python">
while True:
    pass
</script><customresponse cfn="f"><textline/></customresponse></problem>)xml");
  EXPECT_THAT(capa::RunProblemScript(loop, *runner_, 1, "student"),
              StatusIs(StatusCode::kDeadlineExceeded));
  const Problem fine =
      LoadShared("oxa-kitchen-sink/course/problem/8c9ee892599b456fa9892a00b077d942.xml");
  LARCH_EXPECT_OK(capa::RunProblemScript(fine, *runner_, 1, "student"));
}

}  // namespace
}  // namespace larch::sandbox
