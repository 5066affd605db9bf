// CourseStore reads behind the catalog (course_catalog.h): course summaries
// and block rows, read leniently so one odd row does not hide a course.
#include <string>
#include <utility>
#include <vector>

#include "larch/courses/courses.h"

namespace larch::courses {
namespace {

constexpr storage::Query kListSummaries{
    "courses.catalog.list_summaries",
    "SELECT course_key, org, number, run, display_name, start_at, end_at, enrollment_start, "
    "enrollment_end, self_paced, catalog_visibility, invitation_only, effort, short_description, "
    "overview_html, course_image, banner_image, course_video, mobile_available, advanced, version "
    "FROM courses ORDER BY course_key"};
constexpr storage::Query kGetSummary{
    "courses.catalog.get_summary",
    "SELECT course_key, org, number, run, display_name, start_at, end_at, enrollment_start, "
    "enrollment_end, self_paced, catalog_visibility, invitation_only, effort, short_description, "
    "overview_html, course_image, banner_image, course_video, mobile_available, advanced, version "
    "FROM courses WHERE course_key = ?"};
constexpr storage::Query kVersionByText{"courses.catalog.version",
                                        "SELECT version FROM courses WHERE course_key = ?"};
constexpr storage::Query kCatalogBlocks{
    "courses.catalog.blocks",
    "SELECT usage_key, block_type, url_name, parent_key, position, fields, inherited, data "
    "FROM course_blocks WHERE context_key = ? ORDER BY position, usage_key"};

std::optional<std::string> NonEmpty(const storage::Row& row, size_t i) {
  std::optional<std::string> value = row.GetOptionalText(i);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

nlohmann::json ParseObject(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return nlohmann::json::object();
  return value;
}

CourseSummary SummaryFromRow(const storage::Row& row) {
  CourseSummary c;
  c.course_key = row.GetText(0);
  c.org = row.GetText(1);
  c.number = row.GetText(2);
  c.run = row.GetText(3);
  c.display_name = row.GetText(4);
  c.start = row.GetOptionalInt(5);
  c.end = row.GetOptionalInt(6);
  c.enrollment_start = row.GetOptionalInt(7);
  c.enrollment_end = row.GetOptionalInt(8);
  c.self_paced = row.GetBool(9);
  c.catalog_visibility = row.GetText(10);
  c.invitation_only = row.GetBool(11);
  c.effort = NonEmpty(row, 12);
  c.short_description = row.GetOptionalText(13);
  c.overview_html = row.GetOptionalText(14);
  c.course_image = NonEmpty(row, 15);
  c.banner_image = NonEmpty(row, 16);
  c.course_video = NonEmpty(row, 17);
  c.mobile_available = row.GetBool(18);
  c.advanced = ParseObject(row.GetText(19));
  c.version = row.GetInt(20);
  return c;
}

}  // namespace

StatusOr<int64_t> CourseStore::GetVersionByText(storage::Executor& ex,
                                                std::string_view course_key) {
  std::string key(course_key);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kVersionByText, {key}));
  if (rs.empty()) return NotFoundError("course not found: " + key);
  return rs.rows.front().GetInt(0);
}

StatusOr<std::vector<CourseSummary>> CourseStore::ListSummaries(storage::Executor& ex) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kListSummaries));
  std::vector<CourseSummary> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) out.push_back(SummaryFromRow(row));
  return out;
}

StatusOr<CourseSummary> CourseStore::GetSummary(storage::Executor& ex,
                                                std::string_view course_key) {
  std::string key(course_key);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kGetSummary, {key}));
  if (rs.empty()) return NotFoundError("course not found: " + key);
  return SummaryFromRow(rs.rows.front());
}

StatusOr<std::vector<CatalogBlockRow>> CourseStore::ListCatalogBlocks(
    storage::Executor& ex, std::string_view context_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kCatalogBlocks, {std::string(context_key)}));
  std::vector<CatalogBlockRow> out;
  out.reserve(rs.rows.size());
  for (const storage::Row& row : rs.rows) {
    CatalogBlockRow block;
    block.usage_key = row.GetText(0);
    block.type = row.GetText(1);
    block.block_id = row.GetText(2);
    block.parent_key = row.GetText(3);
    block.fields = ParseObject(row.GetText(5));
    block.inherited = ParseObject(row.GetText(6));
    block.data = row.GetText(7);
    out.push_back(std::move(block));
  }
  return out;
}

}  // namespace larch::courses
