#include "larch/search/search_index.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "larch/common/clock.h"
#include "larch/testing/enrollment_rows.h"
#include "larch/testing/status_matchers.h"
#include "larch/testing/temp_database.h"

namespace larch::search {
namespace {

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kNow = 1'700'000'000'000'000;

constexpr storage::Query kInsertCourseSearch{
    "test.insert_course_search",
    "INSERT INTO course_search (course_key, title, org, description, content) "
    "VALUES (?, ?, ?, '', ?)"};
constexpr storage::Query kInsertBlockSearch{
    "test.insert_block_search",
    "INSERT INTO block_search (course_key, usage_key, block_type, title, content) "
    "VALUES (?, ?, ?, ?, ?)"};
constexpr storage::Query kInsertMode{
    "test.insert_mode",
    "INSERT INTO course_modes (course_key, mode_slug, mode_display_name) VALUES (?, ?, ?)"};
constexpr storage::Query kSetLanguage{"test.set_language",
                                      "UPDATE courses SET language = ? WHERE course_key = ?"};
constexpr storage::Query kSetVisibility{
    "test.set_visibility", "UPDATE courses SET catalog_visibility = ? WHERE course_key = ?"};
constexpr storage::Query kEnroll{
    "test.enroll",
    "INSERT INTO enrollments (user_id, course_key, created, is_active, mode) "
    "VALUES (?, ?, 0, ?, 'audit')"};

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LARCH_ASSERT_OK_AND_ASSIGN(dir_, larch::testing::MakeTempDir("larch-search"));
    LARCH_ASSERT_OK_AND_ASSIGN(db_, larch::testing::OpenMigratedSqlite(dir_, clock_));
    clock_.SetNowMicros(kNow);
    index_ = std::make_unique<SearchIndex>(*db_, clock_);
  }
  void TearDown() override {
    index_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Exec(const storage::Query& q, std::initializer_list<storage::SqlValue> params) {
    Status s = db_->RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& t) {
      return t.Execute(q, params).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void AddCourse(const std::string& key, const std::string& org, const std::string& title,
                 const std::string& overview, std::optional<int64_t> enrollment_start,
                 std::optional<int64_t> enrollment_end) {
    enrollment::CourseRowForTest row;
    row.course_key = key;
    row.org = org;
    row.display_name = title;
    row.enrollment_start = enrollment_start;
    row.enrollment_end = enrollment_end;
    ASSERT_TRUE(enrollment::InsertCourseForTest(*db_, row).ok());
    Exec(kInsertCourseSearch,
         {storage::Text(key), storage::Text(title), storage::Text(org), storage::Text(overview)});
  }

  FakeClock clock_;
  std::string dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SearchIndex> index_;
};

std::vector<std::string> Keys(const DiscoveryResult& r) {
  std::vector<std::string> keys;
  for (const CourseDocument& d : r.page) keys.push_back(d.course_key);
  return keys;
}

TEST_F(SearchIndexTest, DiscoveryAppliesEnrollmentWindowAndVisibility) {
  AddCourse("course-v1:A+Open+1", "A", "Open Astronomy", "stars galaxies", kNow - kDay,
            std::nullopt);
  AddCourse("course-v1:A+Ended+1", "A", "Ended Astronomy", "stars", kNow - 10 * kDay, kNow - kDay);
  AddCourse("course-v1:B+Future+1", "B", "Future Astronomy", "stars", kNow + kDay, std::nullopt);
  AddCourse("course-v1:B+NoStart+1", "B", "Unscheduled Astronomy", "stars", std::nullopt,
            std::nullopt);
  AddCourse("course-v1:B+Hidden+1", "B", "Hidden Astronomy", "stars", kNow - kDay, kNow + kDay);
  Exec(kSetVisibility, {storage::Text("none"), storage::Text("course-v1:B+Hidden+1")});

  auto all = index_->DiscoverCourses(DiscoveryQuery{});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Keys(*all), std::vector<std::string>{"course-v1:A+Open+1"});
  EXPECT_EQ(all->total, 1);
  ASSERT_TRUE(all->max_score.has_value());

  DiscoveryQuery q;
  q.search_string = "STARS";
  auto stars = index_->DiscoverCourses(q);
  ASSERT_TRUE(stars.ok());
  EXPECT_EQ(Keys(*stars), std::vector<std::string>{"course-v1:A+Open+1"});
  // Default mode when the course has none.
  EXPECT_EQ(stars->page[0].modes, std::vector<std::string>{"audit"});
}

TEST_F(SearchIndexTest, DiscoveryFacetsFiltersAndPagination) {
  AddCourse("course-v1:A+One+1", "A", "Physics one", "mechanics", kNow - kDay, std::nullopt);
  AddCourse("course-v1:A+Two+1", "A", "Physics two", "waves", kNow - kDay, std::nullopt);
  AddCourse("course-v1:B+Three+1", "B", "Chemistry", "physics of atoms", kNow - kDay, std::nullopt);
  Exec(kInsertMode,
       {storage::Text("course-v1:A+One+1"), storage::Text("verified"), storage::Text("Verified")});
  Exec(kInsertMode,
       {storage::Text("course-v1:A+One+1"), storage::Text("audit"), storage::Text("Audit")});
  Exec(kSetLanguage, {storage::Text("fr"), storage::Text("course-v1:B+Three+1")});

  DiscoveryQuery q;
  q.search_string = "physics";
  auto r = index_->DiscoverCourses(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->total, 3);
  EXPECT_EQ(r->facets["org"].terms, (std::map<std::string, int64_t>{{"A", 2}, {"B", 1}}));
  EXPECT_EQ(r->facets["org"].total, 3);
  EXPECT_EQ(r->facets["modes"].terms,
            (std::map<std::string, int64_t>{{"audit", 3}, {"verified", 1}}));
  EXPECT_EQ(r->facets["modes"].total, 4);
  EXPECT_EQ(r->facets["language"].terms, (std::map<std::string, int64_t>{{"fr", 1}}));

  q.field_filters = {{"org", "A"}};
  q.size = 1;
  q.from = 1;
  auto page = index_->DiscoverCourses(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
  ASSERT_EQ(page->page.size(), 1u);
  EXPECT_EQ(page->page[0].org, "A");
  EXPECT_EQ(page->facets["org"].terms, (std::map<std::string, int64_t>{{"A", 2}}));

  q.field_filters = {{"modes", "verified"}};
  q.from = 0;
  q.size = 10;
  auto verified = index_->DiscoverCourses(q);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(Keys(*verified), std::vector<std::string>{"course-v1:A+One+1"});
}

TEST_F(SearchIndexTest, HostileTextNeverFails) {
  AddCourse("course-v1:A+One+1", "A", "Physics one", "mechanics", kNow - kDay, std::nullopt);
  for (const char* text : {"\"", "*", "NEAR(", "title:", "'", "\\", "a\" OR \"b", "AND OR NOT",
                           "^2", "-x", "phys*", "\xFF\xFE", "((((", "\"unterminated"}) {
    DiscoveryQuery q;
    q.search_string = text;
    EXPECT_TRUE(index_->DiscoverCourses(q).ok()) << text;
    EXPECT_TRUE(index_->MatchBlocks({"course-v1:A+One+1"}, text).ok()) << text;
  }
}

TEST_F(SearchIndexTest, MatchBlocksByCourseAndType) {
  AddCourse("course-v1:A+One+1", "A", "One", "", kNow - kDay, std::nullopt);
  AddCourse("course-v1:A+Two+1", "A", "Two", "", kNow - kDay, std::nullopt);
  Exec(kInsertBlockSearch,
       {storage::Text("course-v1:A+One+1"), storage::Text("block-v1:A+One+1+type@html+block@h"),
        storage::Text("html"), storage::Text("Intro"), storage::Text("the zyzzyva beetle")});
  Exec(kInsertBlockSearch,
       {storage::Text("course-v1:A+One+1"), storage::Text("block-v1:A+One+1+type@chapter+block@c"),
        storage::Text("chapter"), storage::Text("zyzzyva chapter"), storage::Text("")});
  Exec(kInsertBlockSearch,
       {storage::Text("course-v1:A+Two+1"), storage::Text("block-v1:A+Two+1+type@html+block@h"),
        storage::Text("html"), storage::Text("Other"), storage::Text("zyzzyva again")});

  auto one = index_->MatchBlocks({"course-v1:A+One+1"}, "Zyzzyva");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u) << "chapters are not courseware search results";
  EXPECT_EQ((*one)[0].usage_key, "block-v1:A+One+1+type@html+block@h");
  EXPECT_EQ((*one)[0].content, "the zyzzyva beetle");
  EXPECT_GT((*one)[0].score, 0);

  auto both = index_->MatchBlocks({"course-v1:A+One+1", "course-v1:A+Two+1"}, "zyzzyva");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 2u);
  auto none = index_->MatchBlocks({"course-v1:A+One+1"}, "***");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SearchIndexTest, ActiveEnrollments) {
  auto user = enrollment::InsertUserForTest(*db_, "ann", "ann@example.com");
  ASSERT_TRUE(user.ok());
  Exec(kEnroll, {storage::Int(*user), storage::Text("course-v1:B+X+1"), storage::Int(1)});
  Exec(kEnroll, {storage::Int(*user), storage::Text("course-v1:A+X+1"), storage::Int(1)});
  Exec(kEnroll, {storage::Int(*user), storage::Text("course-v1:C+X+1"), storage::Int(0)});
  auto keys = index_->ActiveEnrollments(*user);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::vector<std::string>{"course-v1:A+X+1", "course-v1:B+X+1"}));
}

}  // namespace
}  // namespace larch::search
