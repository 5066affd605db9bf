// Private helpers for the report CSVs: Python's csv writer (excel dialect:
// minimal quoting, "\r\n" rows) and str() of the values upstream writes.
#ifndef LARCH_INSTRUCTOR_TASKS_REPORT_CSV_H_
#define LARCH_INSTRUCTOR_TASKS_REPORT_CSV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larch::instructor_tasks::internal {

// Appends one row: a field with a comma, quote, CR or LF is quoted, with
// quotes doubled.
void AppendCsvRow(std::string& out, const std::vector<std::string>& fields);

// Python's str(float): the shortest repr that reads back, "0.5", "1.0",
// "1e-05", "1e+16".
std::string PythonFloat(double value);

// str(datetime) of an aware UTC datetime: "2026-01-02 03:04:05+00:00", with
// ".ffffff" when there are microseconds.
std::string PythonDatetime(int64_t micros);

// course_filename_prefix_generator: "org_course_run" with characters other
// than letters, digits, '-', '_' and '.' removed (get_valid_filename).
std::string CourseFilePrefix(std::string_view course_key);

// The report store's file name: "<prefix>_<csv_name>_YYYY-MM-DD-HHMM.csv".
std::string ReportName(std::string_view course_key, std::string_view csv_name, int64_t micros);

}  // namespace larch::instructor_tasks::internal

#endif  // LARCH_INSTRUCTOR_TASKS_REPORT_CSV_H_
