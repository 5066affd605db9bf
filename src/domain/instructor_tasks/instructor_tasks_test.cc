// The report CSV's formatting: Python's csv quoting and str() of floats
// and datetimes, and the report store's file names.
#include <gtest/gtest.h>

#include "report_csv.h"

namespace larch::instructor_tasks::internal {
namespace {

TEST(PythonFloatTest, MatchesPythonStr) {
  EXPECT_EQ(PythonFloat(0.0), "0.0");
  EXPECT_EQ(PythonFloat(1.0), "1.0");
  EXPECT_EQ(PythonFloat(0.5), "0.5");
  EXPECT_EQ(PythonFloat(0.83), "0.83");
  EXPECT_EQ(PythonFloat(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(PythonFloat(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(PythonFloat(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PythonFloat(100.0), "100.0");
  EXPECT_EQ(PythonFloat(0.0001), "0.0001");
  EXPECT_EQ(PythonFloat(0.00001), "1e-05");
  EXPECT_EQ(PythonFloat(1e16), "1e+16");
  EXPECT_EQ(PythonFloat(123456789012345.6), "123456789012345.6");
  EXPECT_EQ(PythonFloat(-0.25), "-0.25");
}

TEST(CsvRowTest, QuotesOnlyWhatNeedsIt) {
  std::string out;
  AppendCsvRow(out, {"plain", "a,b", "say \"hi\"", "two\nlines", ""});
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
}

TEST(ReportNameTest, CoursePrefixAndMinute) {
  // 2026-01-02T03:04:05.5Z
  int64_t micros = 1767323045500000;
  EXPECT_EQ(ReportName("course-v1:edX+DemoX+Demo_Course", "grade_report", micros),
            "edX_DemoX_Demo_Course_grade_report_2026-01-02-0304.csv");
  EXPECT_EQ(PythonDatetime(micros), "2026-01-02 03:04:05.500000+00:00");
  EXPECT_EQ(PythonDatetime(1767323045000000), "2026-01-02 03:04:05+00:00");
}

}  // namespace
}  // namespace larch::instructor_tasks::internal
