#include "larch/keys/keys.h"

#include <string>
#include <unordered_set>

#include "gtest/gtest.h"
#include "larch/testing/status_matchers.h"

namespace larch::keys {
namespace {

using ::larch::testing::StatusIs;

TEST(CourseKeyTest, ParsesRealCourseKeys) {
  for (const char* text :
       {"course-v1:edX+DemoX+Demo_Course", "course-v1:OpenedX+DemoX+DemoCourse",
        "course-v1:TestX+Course+1", "course-v1:Microsoft+KS101+course",
        "course-v1:edX+DemoX.1+2T2019", "course-v1:mit.eecs+6.002x:a+T~2_2014-x"}) {
    auto key = CourseKey::Parse(text);
    ASSERT_TRUE(key.ok()) << text << ": " << key.status().ToString();
    EXPECT_EQ(key->ToString(), text);
    EXPECT_FALSE(key->deprecated);
  }
  auto key = CourseKey::Parse("course-v1:edX+DemoX+Demo_Course");
  EXPECT_EQ(key->org, "edX");
  EXPECT_EQ(key->course, "DemoX");
  EXPECT_EQ(key->run, "Demo_Course");
}

TEST(CourseKeyTest, ParsesDeprecatedAndCcx) {
  auto old = CourseKey::Parse("edX/DemoX/Demo_Course");
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->deprecated);
  EXPECT_EQ(old->run, "Demo_Course");
  EXPECT_EQ(old->ToString(), "edX/DemoX/Demo_Course");
  EXPECT_NE(*old, *CourseKey::Parse("course-v1:edX+DemoX+Demo_Course"));

  auto ccx = CourseKey::Parse("ccx-v1:edX+DemoX+Demo_Course+ccx@42");
  ASSERT_TRUE(ccx.ok());
  EXPECT_EQ(ccx->ccx, "42");
  EXPECT_EQ(ccx->ToString(), "ccx-v1:edX+DemoX+Demo_Course+ccx@42");
  auto block = ccx->MakeUsageKey("html", "abc");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->ToString(), "ccx-block-v1:edX+DemoX+Demo_Course+ccx@42+type@html+block@abc");
  EXPECT_EQ(*UsageKey::Parse(block->ToString()), *block);
}

TEST(CourseKeyTest, RejectsMalformedKeys) {
  for (const char* text :
       {"", "course-v1:", "course-v1:edX+DemoX", "course-v1:edX+DemoX+", "course-v1:+DemoX+Run",
        "course-v1:edX+Demo X+Run", "course-v1:edX+DemoX+Run+branch@draft",
        "course-v1:edX+DemoX+Run/", "course-v1:e$X+DemoX+Run", "edX/DemoX", "edX/DemoX/Run/x",
        "edX/Demo~X/Run", "ccx-v1:edX+DemoX+Run+ccx@", "ccx-v1:edX+DemoX+Run+ccx@1a",
        "ccx-v1:edX+DemoX+Run", "foo-v1:edX+DemoX+Run", "course-v1:edX+DemoX+Run\n"}) {
    auto key = CourseKey::Parse(text);
    EXPECT_THAT(key, StatusIs(StatusCode::kInvalidArgument)) << text;
    if (!key.ok()) EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  }
  auto bad = CourseKey::Parse("course-v1:edX+Demo X+Run");
  EXPECT_NE(bad.status().message().find("course"), std::string::npos);
}

TEST(CourseKeyTest, AcceptsNonAsciiWordCharacters) {
  auto key = CourseKey::Parse("course-v1:Universit\xC3\xA9+Caf\xC3\xA9+2024");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->org, "Universit\xC3\xA9");
}

TEST(UsageKeyTest, RoundTripsRealKeys) {
  for (const char* text :
       {"block-v1:edX+DemoX+Demo_Course+type@problem+block@a0effb954cca4759994f1ac9e9434bf4",
        "block-v1:TestX+Course+1+type@sequential+block@293eb66432aa467585816f59629afb82",
        "block-v1:edX+DemoX+Demo_Course+type@chapter+block@graded_interactions",
        "block-v1:edX+toy+2012_Fall+type@chapter+block@secret:magic",
        "block-v1:edX+DemoX+Demo_Course+type@drag-and-drop-v2+block@x%20y",
        "block-v1:Microsoft+KS101+course+type@course+block@course",
        "lib-block-v1:TestX+ProblemBank+type@problem+block@b69263f64ccc42059acb08fce8ef38ac",
        "i4x://TestX/Course/vertical/9ddfbdb864b64d65a78b6b55a4e42490"}) {
    auto key = UsageKey::Parse(text);
    ASSERT_TRUE(key.ok()) << text << ": " << key.status().ToString();
    EXPECT_EQ(key->ToString(), text);
  }
  auto key = UsageKey::Parse(
      "block-v1:edX+DemoX+Demo_Course+type@problem+block@a0effb954cca4759994f1ac9e9434bf4");
  EXPECT_EQ(key->block_type, "problem");
  EXPECT_EQ(key->block_id, "a0effb954cca4759994f1ac9e9434bf4");
  EXPECT_EQ(key->course_key().ToString(), "course-v1:edX+DemoX+Demo_Course");
  EXPECT_FALSE(key->in_library());

  auto lib = UsageKey::Parse("lib-block-v1:TestX+ProblemBank+type@problem+block@b6");
  ASSERT_TRUE(lib->in_library());
  EXPECT_EQ(lib->library_key().ToString(), "library-v1:TestX+ProblemBank");
}

TEST(UsageKeyTest, DeprecatedKeyMapsIntoCourse) {
  auto old = UsageKey::Parse("i4x://TestX/Course/vertical/9ddf");
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->deprecated());
  EXPECT_EQ(old->course_key().run, "");
  auto course = CourseKey::Parse("course-v1:TestX+Course+1");
  EXPECT_EQ(old->MapIntoCourse(*course).ToString(),
            "block-v1:TestX+Course+1+type@vertical+block@9ddf");
}

TEST(UsageKeyTest, RejectsMalformedKeys) {
  for (const char* text :
       {"block-v1:edX+DemoX+Run+type@problem", "block-v1:edX+DemoX+Run+type@problem+block@",
        "block-v1:edX+DemoX+Run+type@pro%blem+block@x", "block-v1:edX+DemoX+Run+type@p+block@a b",
        "block-v1:edX+DemoX+Run+block@x+type@p", "block-v1:edX+DemoX+type@p+block@x",
        "lib-block-v1:TestX+Lib+type@problem+block@a%20", "i4x://TestX/Course/vertical",
        "i4x://TestX/Course/vertical/x@draft", "i4x://Te~stX/Course/vertical/x",
        "course-v1:edX+DemoX+Run", "block-v1:edX+DemoX+Run+type@p+block@x+extra@y"}) {
    auto key = UsageKey::Parse(text);
    EXPECT_THAT(key, StatusIs(StatusCode::kInvalidArgument)) << text;
    if (!key.ok()) EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(UsageKeyTest, MakeUsageKeyValidates) {
  auto course = *CourseKey::Parse("course-v1:edX+DemoX+Demo_Course");
  auto key = MakeUsageKey(course, "html", "0a3b4139f51a4917a3aff9d519b1eeb6");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->ToString(),
            "block-v1:edX+DemoX+Demo_Course+type@html+block@0a3b4139f51a4917a3aff9d519b1eeb6");
  EXPECT_THAT(MakeUsageKey(course, "html", "a/b"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeUsageKey(course, "", "a"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeUsageKey(course, "html", "a+b"), StatusIs(StatusCode::kInvalidArgument));
  // Keys order and hash consistently so they can index maps.
  std::unordered_set<UsageKey> set{*key, *key};
  EXPECT_EQ(set.size(), 1u);
  EXPECT_LT(*MakeUsageKey(course, "a", "x"), *MakeUsageKey(course, "b", "a"));
}

TEST(LibraryLocatorTest, ParsesAndRejects) {
  for (const char* text :
       {"library-v1:TestX+ProblemBank", "library-v1:OpenedX+DemoRespiratoryQuestions"}) {
    auto key = LibraryLocator::Parse(text);
    ASSERT_TRUE(key.ok()) << text;
    EXPECT_EQ(key->ToString(), text);
  }
  EXPECT_EQ(LibraryLocator::Parse("library-v1:TestX+ProblemBank")->library, "ProblemBank");
  for (const char* text : {"library-v1:TestX", "library-v1:TestX+A+B", "library-v1:Te st+A",
                           "course-v1:TestX+A+B", "library-v1:+A"}) {
    EXPECT_THAT(LibraryLocator::Parse(text), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
}

TEST(AssetKeyTest, RoundTripsAndMakes) {
  for (const char* text :
       {"asset-v1:TestX+Course+1+type@asset+block@Screenshot_2022-05-17_12-45-12.png",
        "asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_foo.png",
        "asset-v1:edX+DemoX+Demo_Course+type@thumbnail+block@a%20b.jpg",
        "/c4x/edX/DemoX/asset/images_foo.png"}) {
    auto key = AssetKey::Parse(text);
    ASSERT_TRUE(key.ok()) << text << ": " << key.status().ToString();
    EXPECT_EQ(key->ToString(), text);
  }
  auto course = *CourseKey::Parse("course-v1:edX+DemoX+Demo_Course");
  auto asset = MakeAssetKey(course, AssetNameForStaticPath("images/foo.png"));
  ASSERT_TRUE(asset.ok());
  EXPECT_EQ(asset->ToString(), "asset-v1:edX+DemoX+Demo_Course+type@asset+block@images_foo.png");
  EXPECT_THAT(MakeAssetKey(course, "a b.png"), StatusIs(StatusCode::kInvalidArgument));
  for (const char* text :
       {"asset-v1:edX+DemoX+Run+type@asset", "asset-v1:edX+DemoX+Run+type@asset+block@a/b",
        "/c4x/edX/DemoX/asset", "/c4x/edX/DemoX/asset/a@b"}) {
    EXPECT_THAT(AssetKey::Parse(text), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
}

}  // namespace
}  // namespace larch::keys
