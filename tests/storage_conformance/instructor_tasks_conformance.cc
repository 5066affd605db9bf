// instructor_tasks SQL on both backends: a task inserted, found, listed as
// running until it is ready, its history by task key, a duplicate task id
// refused, updates of state, output and checkpoint; reports stored (a second
// of the same name replaces the first), listed newest first and fetched
// only within their course.
#include <gtest/gtest.h>

#include <string>

#include "backend_fixture.h"
#include "larch/instructor_tasks/task_store.h"
#include "larch/testing/status_matchers.h"

namespace larch::instructor_tasks {
namespace {

using ::larch::testing::StatusIs;

constexpr char kCourse[] = "course-v1:edX+DemoX+Demo_Course";
constexpr char kOther[] = "course-v1:edX+Other+2026";

class InstructorTasksConformance : public storage::testing::BackendTest {
 protected:
  StatusOr<Task> Insert(const std::string& id, const std::string& type, const std::string& key,
                        int64_t now, const std::string& course = kCourse) {
    Task task;
    task.course_key = course;
    task.task_type = type;
    task.task_key = key;
    task.task_input = "{\"problem_url\": \"p\"}";
    task.task_id = id;
    task.requester = "teacher";
    return storage::RunWithResult(db(), storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return TaskStore::Insert(t, task, now);
    });
  }
  template <typename F>
  auto Read(F f) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadOnly, f);
  }
  Status Write(const std::function<Status(storage::Transaction&)>& f) {
    return db().RunInTransaction(storage::TxnMode::kReadWrite, f);
  }
};

TEST_P(InstructorTasksConformance, TasksRunUntilReady) {
  LARCH_ASSERT_OK_AND_ASSIGN(Task a, Insert("a-1", "rescore_problem", "_p", 100));
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.task_state, kQueued);
  LARCH_ASSERT_OK(Insert("b-2", "grade_course", "", 200).status());
  LARCH_ASSERT_OK(Insert("c-3", "grade_course", "", 300, kOther).status());
  EXPECT_THAT(Insert("a-1", "grade_course", "", 400).status(),
              StatusIs(StatusCode::kAlreadyExists));

  LARCH_ASSERT_OK_AND_ASSIGN(auto running, Read([&](storage::Transaction& t) {
                               return TaskStore::ListRunning(t, kCourse);
                             }));
  ASSERT_EQ(running.size(), 2u);
  EXPECT_EQ(running[0].task_id, "b-2");  // newest first
  EXPECT_EQ(running[1].task_id, "a-1");
  LARCH_ASSERT_OK_AND_ASSIGN(bool busy, Read([&](storage::Transaction& t) {
                               return TaskStore::IsRunning(t, kCourse, "rescore_problem", "_p");
                             }));
  EXPECT_TRUE(busy);

  LARCH_ASSERT_OK(Write([&](storage::Transaction& t) {
    return TaskStore::Update(t, "a-1", kProgress, std::string("{\"attempted\": 1}"), 42, 500);
  }));
  LARCH_ASSERT_OK_AND_ASSIGN(
      auto found, Read([&](storage::Transaction& t) { return TaskStore::Find(t, "a-1"); }));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->task_state, kProgress);
  EXPECT_EQ(found->task_output, "{\"attempted\": 1}");
  EXPECT_EQ(found->checkpoint, 42);
  EXPECT_EQ(found->created, 100);
  EXPECT_EQ(found->updated, 500);
  EXPECT_EQ(found->requester, "teacher");

  LARCH_ASSERT_OK(Write([&](storage::Transaction& t) {
    return TaskStore::Update(t, "a-1", kSuccess, std::nullopt, std::nullopt, 600);
  }));
  LARCH_ASSERT_OK_AND_ASSIGN(busy, Read([&](storage::Transaction& t) {
                               return TaskStore::IsRunning(t, kCourse, "rescore_problem", "_p");
                             }));
  EXPECT_FALSE(busy);
  LARCH_ASSERT_OK_AND_ASSIGN(
      running, Read([&](storage::Transaction& t) { return TaskStore::ListRunning(t, kCourse); }));
  ASSERT_EQ(running.size(), 1u);
  LARCH_ASSERT_OK_AND_ASSIGN(auto history, Read([&](storage::Transaction& t) {
                               return TaskStore::ListWithKey(t, kCourse, "_p");
                             }));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].task_state, kSuccess);
  EXPECT_FALSE(history[0].task_output.has_value());

  EXPECT_THAT(Write([&](storage::Transaction& t) {
                return TaskStore::Update(t, "nope", kSuccess, std::nullopt, std::nullopt, 1);
              }),
              StatusIs(StatusCode::kNotFound));
  LARCH_ASSERT_OK_AND_ASSIGN(
      found, Read([&](storage::Transaction& t) { return TaskStore::Find(t, "nope"); }));
  EXPECT_FALSE(found.has_value());
}

TEST_P(InstructorTasksConformance, ReportsReplaceByNameAndStayInTheirCourse) {
  auto put = [&](const std::string& course, const std::string& name, const std::string& content,
                 int64_t created) {
    return storage::RunWithResult(db(), storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return ReportStore::Put(t, {0, course, name, "t", content, created});
    });
  };
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t first, put(kCourse, "a.csv", "x,y\r\n", 100));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t second, put(kCourse, "b.csv", "\"q\"\r\n", 200));
  LARCH_ASSERT_OK_AND_ASSIGN(int64_t replaced, put(kCourse, "a.csv", "new\r\n", 300));
  LARCH_ASSERT_OK(put(kOther, "a.csv", "other", 400).status());
  EXPECT_NE(first, replaced);

  LARCH_ASSERT_OK_AND_ASSIGN(
      auto list, Read([&](storage::Transaction& t) { return ReportStore::List(t, kCourse); }));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a.csv");  // newest first
  EXPECT_EQ(list[0].created, 300);
  EXPECT_EQ(list[1].id, second);
  EXPECT_TRUE(list[0].content.empty());  // listing leaves the content out

  LARCH_ASSERT_OK_AND_ASSIGN(auto got, Read([&](storage::Transaction& t) {
                               return ReportStore::Get(t, kCourse, replaced);
                             }));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->content, "new\r\n");
  LARCH_ASSERT_OK_AND_ASSIGN(
      got, Read([&](storage::Transaction& t) { return ReportStore::Get(t, kOther, replaced); }));
  EXPECT_FALSE(got.has_value());
  LARCH_ASSERT_OK_AND_ASSIGN(
      got, Read([&](storage::Transaction& t) { return ReportStore::Get(t, kCourse, first); }));
  EXPECT_FALSE(got.has_value());
}

LARCH_INSTANTIATE_BACKEND_SUITE(InstructorTasksConformance);

}  // namespace
}  // namespace larch::instructor_tasks
