#include "larch/api/course_catalog.h"

#include <algorithm>
#include <utility>

#include "larch/accounts/roles.h"
#include "larch/common/clock.h"
#include "larch/common/strings.h"
#include "larch/courses/courses.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

constexpr storage::Query kListCourses{
    "api.catalog.list_courses",
    "SELECT course_key, org, number, run, display_name, start_at, end_at, enrollment_start, "
    "enrollment_end, self_paced, catalog_visibility, invitation_only, effort, short_description, "
    "overview_html, course_image, banner_image, course_video, mobile_available, advanced, version "
    "FROM courses ORDER BY course_key"};
constexpr storage::Query kGetCourse{
    "api.catalog.get_course",
    "SELECT course_key, org, number, run, display_name, start_at, end_at, enrollment_start, "
    "enrollment_end, self_paced, catalog_visibility, invitation_only, effort, short_description, "
    "overview_html, course_image, banner_image, course_video, mobile_available, advanced, version "
    "FROM courses WHERE course_key = ?"};
constexpr storage::Query kCourseVersion{"api.catalog.course_version",
                                        "SELECT version FROM courses WHERE course_key = ?"};
constexpr storage::Query kCourseBlocks{
    "api.catalog.course_blocks",
    "SELECT usage_key, block_type, url_name, parent_key, position, fields, inherited, data "
    "FROM course_blocks WHERE context_key = ? ORDER BY position, usage_key"};
constexpr storage::Query kFindUser{
    "api.catalog.find_user",
    "SELECT id, username, is_staff, is_superuser FROM users WHERE username = ?"};
constexpr storage::Query kEnrollmentActive{
    "api.catalog.enrollment_active",
    "SELECT is_active FROM enrollments WHERE user_id = ? AND course_key = ?"};
constexpr storage::Query kEnrollmentMode{
    "catalog.enrollment_mode", "SELECT mode FROM enrollments WHERE user_id = ? AND course_key = ?"};

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

// OLX values arrive as JSON values or as the raw attribute strings.
bool JsonTruthy(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string()) {
    std::string s = AsciiLower(value.get_ref<const std::string&>());
    return s == "true" || s == "1";
  }
  return false;
}

std::optional<int64_t> JsonTime(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  StatusOr<int64_t> parsed = ParseIso8601(value.get<std::string>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

const nlohmann::json* Setting(const CatalogBlock& block, const char* name) {
  auto it = block.inherited.find(name);
  if (it != block.inherited.end() && !it->is_null()) return &*it;
  it = block.fields.find(name);
  if (it != block.fields.end() && !it->is_null()) return &*it;
  return nullptr;
}

}  // namespace

std::string JsonQuote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

CourseAccess CourseAccessFor(accounts::RoleStore& roles, int64_t user_id, bool global_staff,
                             std::string_view course_key) {
  CourseAccess access;
  if (global_staff) {
    access.staff = true;
    return access;
  }
  StatusOr<std::vector<accounts::RoleGrant>> grants = roles.RolesFor(user_id);
  if (!grants.ok()) return access;
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course_key);
  std::string org = key.ok() ? AsciiLower(key->org) : std::string();
  for (const accounts::RoleGrant& grant : *grants) {
    bool applies = grant.course_id.empty() ? !org.empty() && AsciiLower(grant.org) == org
                                           : grant.course_id == course_key;
    if (!applies) continue;
    if (grant.role == accounts::CourseRole::kBetaTester) {
      access.beta_tester = true;
    } else {
      access.staff = true;
    }
  }
  return access;
}

int CourseTree::Find(std::string_view usage_key) const {
  auto it = index.find(std::string(usage_key));
  return it == index.end() ? -1 : it->second;
}

CourseCatalog::CourseCatalog(storage::Database& db, size_t tree_cache_capacity)
    : db_(db), capacity_(std::max<size_t>(1, tree_cache_capacity)) {}

StatusOr<std::vector<CourseSummary>> CourseCatalog::ListCourses() {
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [](storage::Transaction& txn) -> StatusOr<std::vector<CourseSummary>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kListCourses));
        std::vector<CourseSummary> out;
        out.reserve(rs.rows.size());
        for (const storage::Row& row : rs.rows) out.push_back(SummaryFromRow(row));
        return out;
      });
}

StatusOr<CourseSummary> CourseCatalog::GetCourse(std::string_view course_key) {
  std::string key(course_key);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<CourseSummary> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kGetCourse, {key}));
        if (rs.empty()) return NotFoundError("course not found: " + key);
        return SummaryFromRow(rs.rows.front());
      });
}

StatusOr<CatalogUser> CourseCatalog::FindUser(std::string_view username) {
  std::string name(username);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<CatalogUser> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kFindUser, {name}));
        if (rs.empty()) return NotFoundError("user not found: " + name);
        const storage::Row& row = rs.rows.front();
        return CatalogUser{row.GetInt(0), row.GetText(1), row.GetBool(2), row.GetBool(3)};
      });
}

StatusOr<std::optional<bool>> CourseCatalog::EnrollmentActive(int64_t user_id,
                                                              std::string_view course_key) {
  std::string key(course_key);
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly,
                                [&](storage::Transaction& txn) -> StatusOr<std::optional<bool>> {
                                  LARCH_ASSIGN_OR_RETURN(
                                      storage::ResultSet rs,
                                      txn.Execute(kEnrollmentActive, {storage::Int(user_id), key}));
                                  if (rs.empty()) return std::optional<bool>();
                                  return std::optional<bool>(rs.rows.front().GetBool(0));
                                });
}

StatusOr<std::optional<std::string>> CourseCatalog::EnrollmentMode(int64_t user_id,
                                                                   std::string_view course_key) {
  std::string key(course_key);
  return storage::RunWithResult(
      db_, storage::TxnMode::kReadOnly,
      [&](storage::Transaction& txn) -> StatusOr<std::optional<std::string>> {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                               txn.Execute(kEnrollmentMode, {storage::Int(user_id), key}));
        if (rs.empty()) return std::optional<std::string>();
        return std::optional<std::string>(rs.rows.front().GetText(0));
      });
}

StatusOr<std::shared_ptr<const CourseTree>> CourseCatalog::GetTree(std::string_view course_key) {
  std::string key(course_key);
  LARCH_ASSIGN_OR_RETURN(
      int64_t version,
      storage::RunWithResult(
          db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
            LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kCourseVersion, {key}));
            if (rs.empty()) return NotFoundError("course not found: " + key);
            return rs.rows.front().GetInt(0);
          }));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_key_.find(key);
    if (it != by_key_.end() && (*it->second)->version == version) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return *it->second;
    }
  }
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const CourseTree> tree, LoadTree(key));
  std::lock_guard<std::mutex> lock(mu_);
  ++loads_;
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    // Two loaders may race; keep the newer version.
    if ((*it->second)->version > tree->version) return tree;
    lru_.erase(it->second);
    by_key_.erase(it);
  }
  lru_.push_front(tree);
  by_key_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    by_key_.erase(lru_.back()->course_key);
    lru_.pop_back();
  }
  return tree;
}

int64_t CourseCatalog::tree_loads_for_test() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loads_;
}

StatusOr<std::shared_ptr<const CourseTree>> CourseCatalog::LoadTree(std::string_view course_key) {
  std::string key(course_key);
  auto tree = std::make_shared<CourseTree>();
  tree->course_key = key;
  std::vector<std::string> parents;
  Status status = db_.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    tree->blocks.clear();
    tree->index.clear();
    parents.clear();
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet version, txn.Execute(kCourseVersion, {key}));
    if (version.empty()) return NotFoundError("course not found: " + key);
    tree->version = version.rows.front().GetInt(0);
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, txn.Execute(kCourseBlocks, {key}));
    tree->blocks.reserve(rs.rows.size());
    for (const storage::Row& row : rs.rows) {
      CatalogBlock block;
      block.usage_key = row.GetText(0);
      block.type = row.GetText(1);
      block.block_id = row.GetText(2);
      parents.push_back(row.GetText(3));
      block.fields = ParseObject(row.GetText(5));
      block.inherited = ParseObject(row.GetText(6));
      block.data = row.GetText(7);
      tree->index.emplace(block.usage_key, static_cast<int>(tree->blocks.size()));
      tree->blocks.push_back(std::move(block));
    }
    return OkStatus();
  });
  if (!status.ok()) return status;
  tree->url_course_key = JsonQuote(key);
  tree->url_course_key = tree->url_course_key.substr(1, tree->url_course_key.size() - 2);
  StatusOr<keys::CourseKey> parsed_key = keys::CourseKey::Parse(key);
  // Rows come ordered by position, so appending keeps each parent's children
  // in order.
  for (size_t i = 0; i < tree->blocks.size(); ++i) {
    CatalogBlock& block = tree->blocks[i];
    auto name = block.fields.find("display_name");
    if (name != block.fields.end() && name->is_string())
      block.display_name = name->get<std::string>();
    if (const nlohmann::json* start = Setting(block, "start")) block.start = JsonTime(*start);
    if (const nlohmann::json* staff_only = Setting(block, "visible_to_staff_only")) {
      block.visible_to_staff_only = JsonTruthy(*staff_only);
    }
    if (const nlohmann::json* days = Setting(block, "days_early_for_beta")) {
      if (days->is_number()) block.days_early_for_beta = static_cast<int64_t>(days->get<double>());
    }
    if (auto hide = block.fields.find("hide_from_toc"); hide != block.fields.end()) {
      block.hide_from_toc = JsonTruthy(*hide);
    }
    if (block.type == "html") {
      block.student_view_html =
          parsed_key.ok() ? courses::RewriteStaticUrls(block.data, *parsed_key) : block.data;
    }
    block.json_usage_key = JsonQuote(block.usage_key);
    block.url_usage_key = block.json_usage_key.substr(1, block.json_usage_key.size() - 2);
    block.json_block_id = JsonQuote(block.block_id);
    block.json_type = JsonQuote(block.type);
    block.json_display_name = JsonQuote(block.display_name);
    if (auto graded = block.fields.find("graded"); graded != block.fields.end()) {
      block.graded = graded->is_boolean()  ? graded->get<bool>()
                     : graded->is_string() ? graded->get<std::string>() == "true"
                                           : false;
    }
    if (auto format = block.fields.find("format");
        format != block.fields.end() && !format->is_null()) {
      block.json_format = format->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    auto parent = parents[i].empty() ? tree->index.end() : tree->index.find(parents[i]);
    if (parent == tree->index.end()) {
      if (block.type == "course" || tree->root < 0) tree->root = static_cast<int>(i);
      continue;
    }
    block.parent = parent->second;
    tree->blocks[parent->second].children.push_back(static_cast<int>(i));
  }
  return std::shared_ptr<const CourseTree>(std::move(tree));
}

}  // namespace larch::api
