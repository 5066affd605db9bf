// CourseStore reads, the static-folder layout, URL rewriting, LoadCourse /
// ExportCourse.
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "asset_files.h"
#include "larch/common/strings.h"
#include "larch/courses/courses.h"

namespace larch::courses {
namespace {

constexpr storage::Query kSelectOverview{
    "courses.select_overview",
    "SELECT course_key, display_name, start_at, end_at, enrollment_start, enrollment_end, "
    "self_paced, catalog_visibility, invitation_only, max_student_enrollments_allowed, language, "
    "effort, short_description, overview_html, course_image, banner_image, course_video, "
    "certificates_display_behavior, certificate_available_date, mobile_available, "
    "lowest_passing_grade, advanced, grading_policy, version, created_at, updated_at "
    "FROM courses WHERE course_key = ?"};
constexpr storage::Query kListOverviews{
    "courses.list_overviews",
    "SELECT course_key, display_name, start_at, end_at, enrollment_start, enrollment_end, "
    "self_paced, catalog_visibility, invitation_only, max_student_enrollments_allowed, language, "
    "effort, short_description, overview_html, course_image, banner_image, course_video, "
    "certificates_display_behavior, certificate_available_date, mobile_available, "
    "lowest_passing_grade, advanced, grading_policy, version, created_at, updated_at "
    "FROM courses WHERE (? = '' OR lower(org) = lower(?)) ORDER BY course_key"};
// The head of the chunked FindOverviews read; the IN list follows.
constexpr char kOverviewsByKeys[] =
    "SELECT course_key, display_name, start_at, end_at, enrollment_start, enrollment_end, "
    "self_paced, catalog_visibility, invitation_only, max_student_enrollments_allowed, language, "
    "effort, short_description, overview_html, course_image, banner_image, course_video, "
    "certificates_display_behavior, certificate_available_date, mobile_available, "
    "lowest_passing_grade, advanced, grading_policy, version, created_at, updated_at "
    "FROM courses WHERE course_key IN (";
constexpr storage::Query kSelectEnrollmentInfo{
    "courses.select_enrollment_info",
    "SELECT course_key, display_name, start_at, end_at, enrollment_start, enrollment_end, "
    "invitation_only, max_student_enrollments_allowed, self_paced FROM courses "
    "WHERE course_key = ?"};
#define LARCH_DISCOVERY_COLUMNS                                                         \
  "SELECT course_key, org, number, display_name, start_at, end_at, enrollment_start, "  \
  "enrollment_end, self_paced, invitation_only, catalog_visibility, language, effort, " \
  "short_description, course_image FROM courses"
constexpr storage::Query kListDiscoveryFacts{"courses.list_discovery_facts",
                                             LARCH_DISCOVERY_COLUMNS " ORDER BY course_key"};
// The head of the chunked FindDiscoveryFacts read; the IN list follows.
constexpr char kDiscoveryByKeys[] = LARCH_DISCOVERY_COLUMNS " WHERE course_key IN (";
#undef LARCH_DISCOVERY_COLUMNS
// Keys per IN list, far below either backend's bound-parameter limit.
constexpr size_t kKeysPerStatement = 500;
constexpr storage::Query kSelectVersion{"courses.select_version",
                                        "SELECT version FROM courses WHERE course_key = ?"};
constexpr storage::Query kSelectBlocks{
    "courses.select_blocks",
    "SELECT usage_key, block_type, url_name, parent_key, position, fields, inherited, "
    "attributes, data, xml, supported, inline_definition, source_file "
    "FROM course_blocks WHERE context_key = ? ORDER BY parent_key, position"};
constexpr storage::Query kSelectBlock{
    "courses.select_block",
    "SELECT usage_key, block_type, url_name, parent_key, position, fields, inherited, "
    "attributes, data, xml, supported, inline_definition, source_file "
    "FROM course_blocks WHERE context_key = ? AND usage_key = ?"};
constexpr storage::Query kSelectChildren{
    "courses.select_children",
    "SELECT usage_key FROM course_blocks WHERE context_key = ? AND parent_key = ? "
    "ORDER BY position"};
constexpr storage::Query kCountBlocks{
    "courses.count_blocks",
    "SELECT block_type, COUNT(*) FROM course_blocks WHERE context_key = ? GROUP BY block_type"};
constexpr storage::Query kSelectTexts{
    "courses.select_texts",
    "SELECT kind, name, position, title, content FROM course_texts "
    "WHERE course_key = ? AND (? = '' OR kind = ?) ORDER BY kind, position, name"};
constexpr storage::Query kSelectAssets{
    "courses.select_assets",
    "SELECT a.path, a.content_type, a.size, a.locked, a.sha256, b.created_at "
    "FROM course_assets a LEFT JOIN blobs b ON b.sha256 = a.sha256 WHERE a.course_key = ? "
    "ORDER BY a.path"};
constexpr storage::Query kFindAsset{
    "courses.find_asset",
    "SELECT a.path, a.content_type, a.size, a.locked, a.sha256, b.created_at "
    "FROM course_assets a LEFT JOIN blobs b ON b.sha256 = a.sha256 WHERE a.course_key = ? "
    "AND (a.path = ? OR replace(a.path, '/', '_') = ?) ORDER BY a.path LIMIT 1"};

CourseAsset AssetFromRow(const storage::Row& row) {
  return CourseAsset{row.GetText(0), row.GetText(1), row.GetInt(2),
                     row.GetBool(3), row.GetText(4), row.GetInt(5)};
}

StatusOr<nlohmann::json> ParseJson(const std::string& text, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded())
    return DataLossError("courses: stored " + std::string(what) + " is not JSON");
  return value;
}

StatusOr<CourseOverview> OverviewFromRow(const storage::Row& row) {
  CourseOverview o;
  LARCH_ASSIGN_OR_RETURN(o.key, keys::CourseKey::Parse(row.GetText(0)));
  o.display_name = row.GetText(1);
  o.start = row.GetOptionalInt(2);
  o.end = row.GetOptionalInt(3);
  o.enrollment_start = row.GetOptionalInt(4);
  o.enrollment_end = row.GetOptionalInt(5);
  o.self_paced = row.GetBool(6);
  o.catalog_visibility = row.GetText(7);
  o.invitation_only = row.GetBool(8);
  o.max_student_enrollments_allowed = row.GetOptionalInt(9);
  o.language = row.GetOptionalText(10);
  o.effort = row.GetOptionalText(11);
  o.short_description = row.GetOptionalText(12);
  o.overview_html = row.GetOptionalText(13);
  o.course_image = row.GetOptionalText(14);
  o.banner_image = row.GetOptionalText(15);
  o.course_video = row.GetOptionalText(16);
  o.certificates_display_behavior = row.GetOptionalText(17);
  o.certificate_available_date = row.GetOptionalInt(18);
  o.mobile_available = row.GetBool(19);
  if (!row.IsNull(20)) o.lowest_passing_grade = row.GetDouble(20);
  LARCH_ASSIGN_OR_RETURN(o.advanced, ParseJson(row.GetText(21), "advanced"));
  LARCH_ASSIGN_OR_RETURN(o.grading_policy, ParseJson(row.GetText(22), "grading_policy"));
  o.version = row.GetInt(23);
  o.created_at = row.GetInt(24);
  o.updated_at = row.GetInt(25);
  return o;
}

CourseDiscoveryFacts DiscoveryFactsFromRow(const storage::Row& row) {
  CourseDiscoveryFacts f;
  f.course_key = row.GetText(0);
  f.org = row.GetText(1);
  f.number = row.GetText(2);
  f.display_name = row.GetText(3);
  f.start = row.GetOptionalInt(4);
  f.end = row.GetOptionalInt(5);
  f.enrollment_start = row.GetOptionalInt(6);
  f.enrollment_end = row.GetOptionalInt(7);
  f.self_paced = row.GetBool(8);
  f.invitation_only = row.GetBool(9);
  f.catalog_visibility = row.GetText(10);
  f.language = row.GetOptionalText(11);
  f.effort = row.GetOptionalText(12);
  f.short_description = row.GetOptionalText(13);
  f.course_image = row.GetOptionalText(14);
  return f;
}

StatusOr<olx::Block> BlockFromRow(const storage::Row& row) {
  olx::Block b;
  auto key = keys::UsageKey::Parse(row.GetText(0));
  if (!key.ok()) return DataLossError("courses: bad stored usage key " + row.GetText(0));
  b.key = *key;
  b.type = row.GetText(1);
  b.url_name = row.GetText(2);
  if (!row.IsNull(3)) {
    auto parent = keys::UsageKey::Parse(row.GetText(3));
    if (!parent.ok()) return DataLossError("courses: bad stored parent key " + row.GetText(3));
    b.parent = *parent;
  }
  LARCH_ASSIGN_OR_RETURN(b.fields, ParseJson(row.GetText(5), "fields"));
  LARCH_ASSIGN_OR_RETURN(b.inherited, ParseJson(row.GetText(6), "inherited"));
  LARCH_ASSIGN_OR_RETURN(nlohmann::json attributes, ParseJson(row.GetText(7), "attributes"));
  if (!attributes.is_array()) return DataLossError("courses: stored attributes not a list");
  for (const auto& pair : attributes) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return DataLossError("courses: stored attribute is not a [name, value] pair");
    }
    b.attributes.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  b.data = row.GetText(8);
  b.xml = row.GetText(9);
  b.supported = row.GetBool(10);
  b.inline_definition = row.GetBool(11);
  b.source_file = row.GetText(12);
  return b;
}

// Runs `sql_prefix` + "?, ?, ...)" over the distinct `course_keys`,
// kKeysPerStatement keys per statement, calling `on_row` for each row.
template <typename OnRow>
Status ForRowsOfKeys(storage::Executor& ex, const char* name, const char* sql_prefix,
                     std::vector<std::string> course_keys, OnRow on_row) {
  std::sort(course_keys.begin(), course_keys.end());
  course_keys.erase(std::unique(course_keys.begin(), course_keys.end()), course_keys.end());
  for (size_t begin = 0; begin < course_keys.size(); begin += kKeysPerStatement) {
    const size_t n = std::min(kKeysPerStatement, course_keys.size() - begin);
    std::string sql = sql_prefix;
    std::vector<storage::SqlValue> params;
    params.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.push_back(storage::Text(course_keys[begin + i]));
    }
    sql += ")";
    LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                           ex.Execute(storage::Query{name, sql.c_str()}, params));
    for (const storage::Row& row : rs.rows) on_row(row);
  }
  return OkStatus();
}

// The about/info/tab texts and the policy files, back into `course`.
Status ApplyTexts(olx::Course& course, std::vector<CourseText>& texts) {
  course.grading_policy = nullptr;
  for (CourseText& t : texts) {
    if (t.kind == "about") {
      course.about[t.name] = std::move(t.content);
    } else if (t.kind == "info") {
      course.info[t.name] = std::move(t.content);
    } else if (t.kind == "tab") {
      course.static_tabs.push_back(
          olx::StaticTab{t.name, std::move(t.title), std::move(t.content)});
    } else if (t.kind == "policy" && t.name == "policy.json") {
      LARCH_ASSIGN_OR_RETURN(course.policy, ParseJson(t.content, "policy.json"));
    } else if (t.kind == "policy" && t.name == "grading_policy.json") {
      LARCH_ASSIGN_OR_RETURN(course.grading_policy, ParseJson(t.content, "grading_policy.json"));
    } else if (t.kind == "policy" && t.name == "assets.json") {
      course.assets_json = std::move(t.content);
    }
  }
  std::sort(
      course.static_tabs.begin(), course.static_tabs.end(),
      [](const olx::StaticTab& a, const olx::StaticTab& b) { return a.url_slug < b.url_slug; });
  return OkStatus();
}

}  // namespace

StatusOr<CourseOverview> CourseStore::GetOverview(storage::Executor& ex,
                                                  const keys::CourseKey& course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectOverview, {storage::Text(course_key.ToString())}));
  if (rs.empty()) return NotFoundError("course not found: " + course_key.ToString());
  return OverviewFromRow(rs.rows[0]);
}

StatusOr<std::vector<CourseOverview>> CourseStore::ListOverviews(storage::Executor& ex,
                                                                 const OverviewFilter& filter) {
  std::string org = filter.org.value_or("");
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kListOverviews, {storage::Text(org), storage::Text(org)}));
  std::vector<CourseOverview> out;
  out.reserve(rs.size());
  for (const storage::Row& row : rs.rows) {
    LARCH_ASSIGN_OR_RETURN(CourseOverview o, OverviewFromRow(row));
    out.push_back(std::move(o));
  }
  return out;
}

StatusOr<std::unordered_map<std::string, CourseOverview>> CourseStore::FindOverviews(
    storage::Executor& ex, std::vector<std::string> course_keys) {
  std::unordered_map<std::string, CourseOverview> out;
  out.reserve(course_keys.size());
  LARCH_RETURN_IF_ERROR(ForRowsOfKeys(ex, "courses.find_overviews", kOverviewsByKeys,
                                      std::move(course_keys), [&](const storage::Row& row) {
                                        // A row whose key does not parse is left out, as an
                                        // unknown key is.
                                        StatusOr<CourseOverview> o = OverviewFromRow(row);
                                        if (o.ok()) out.emplace(row.GetText(0), *std::move(o));
                                      }));
  return out;
}

StatusOr<std::vector<CourseDiscoveryFacts>> CourseStore::ListDiscoveryFacts(storage::Executor& ex) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs, ex.Execute(kListDiscoveryFacts));
  std::vector<CourseDiscoveryFacts> out;
  out.reserve(rs.size());
  for (const storage::Row& row : rs.rows) out.push_back(DiscoveryFactsFromRow(row));
  return out;
}

StatusOr<std::unordered_map<std::string, CourseDiscoveryFacts>> CourseStore::FindDiscoveryFacts(
    storage::Executor& ex, std::vector<std::string> course_keys) {
  std::unordered_map<std::string, CourseDiscoveryFacts> out;
  out.reserve(course_keys.size());
  LARCH_RETURN_IF_ERROR(ForRowsOfKeys(ex, "courses.find_discovery_facts", kDiscoveryByKeys,
                                      std::move(course_keys), [&](const storage::Row& row) {
                                        CourseDiscoveryFacts f = DiscoveryFactsFromRow(row);
                                        std::string key = f.course_key;
                                        out.emplace(std::move(key), std::move(f));
                                      }));
  return out;
}

StatusOr<std::optional<CourseEnrollmentInfo>> CourseStore::FindEnrollmentInfo(
    storage::Executor& ex, std::string_view course_key) {
  LARCH_ASSIGN_OR_RETURN(
      storage::ResultSet rs,
      ex.Execute(kSelectEnrollmentInfo, {storage::Text(std::string(course_key))}));
  if (rs.empty()) return std::optional<CourseEnrollmentInfo>();
  const storage::Row& row = rs.rows[0];
  CourseEnrollmentInfo c;
  c.course_key = row.GetText(0);
  c.display_name = row.GetText(1);
  c.start = row.GetOptionalInt(2);
  c.end = row.GetOptionalInt(3);
  c.enrollment_start = row.GetOptionalInt(4);
  c.enrollment_end = row.GetOptionalInt(5);
  c.invitation_only = row.GetBool(6);
  c.max_student_enrollments_allowed = row.GetOptionalInt(7);
  c.self_paced = row.GetBool(8);
  return std::optional<CourseEnrollmentInfo>(std::move(c));
}

StatusOr<int64_t> CourseStore::GetVersion(storage::Executor& ex,
                                          const keys::CourseKey& course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectVersion, {storage::Text(course_key.ToString())}));
  if (rs.empty()) return NotFoundError("course not found: " + course_key.ToString());
  return rs.rows[0].GetInt(0);
}

StatusOr<olx::BlockTree> CourseStore::LoadTree(storage::Executor& ex,
                                               const std::string& context_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectBlocks, {storage::Text(context_key)}));
  if (rs.empty()) return NotFoundError("no blocks stored for " + context_key);
  olx::BlockTree tree;
  bool have_root = false;
  // Rows come ordered by (parent, position), so appending keeps child order.
  std::vector<std::pair<keys::UsageKey, keys::UsageKey>> edges;
  edges.reserve(rs.size());
  for (const storage::Row& row : rs.rows) {
    LARCH_ASSIGN_OR_RETURN(olx::Block block, BlockFromRow(row));
    if (block.parent) {
      edges.emplace_back(*block.parent, block.key);
    } else {
      if (have_root) return DataLossError("courses: two root blocks in " + context_key);
      tree.root = block.key;
      have_root = true;
    }
    keys::UsageKey key = block.key;
    tree.blocks.emplace(std::move(key), std::move(block));
  }
  if (!have_root) return DataLossError("courses: no root block in " + context_key);
  for (auto& [parent, child] : edges) {
    auto it = tree.blocks.find(parent);
    if (it == tree.blocks.end()) return DataLossError("courses: orphan block in " + context_key);
    it->second.children.push_back(child);
  }
  return tree;
}

StatusOr<olx::Block> CourseStore::GetBlock(storage::Executor& ex, const keys::UsageKey& usage_key) {
  std::string context = usage_key.in_library() ? usage_key.library_key().ToString()
                                               : usage_key.course_key().ToString();
  std::string key = usage_key.ToString();
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectBlock, {storage::Text(context), storage::Text(key)}));
  if (rs.empty()) return NotFoundError("block not found: " + key);
  LARCH_ASSIGN_OR_RETURN(olx::Block block, BlockFromRow(rs.rows[0]));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet children,
                         ex.Execute(kSelectChildren, {storage::Text(context), storage::Text(key)}));
  for (const storage::Row& row : children.rows) {
    auto child = keys::UsageKey::Parse(row.GetText(0));
    if (!child.ok()) return DataLossError("courses: bad stored usage key " + row.GetText(0));
    block.children.push_back(*child);
  }
  return block;
}

StatusOr<std::map<std::string, int64_t>> CourseStore::CountBlocks(storage::Executor& ex,
                                                                  const std::string& context_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kCountBlocks, {storage::Text(context_key)}));
  std::map<std::string, int64_t> out;
  for (const storage::Row& row : rs.rows) out[row.GetText(0)] = row.GetInt(1);
  return out;
}

StatusOr<std::vector<CourseText>> CourseStore::ListTexts(storage::Executor& ex,
                                                         const keys::CourseKey& course_key,
                                                         std::string_view kind) {
  std::string k(kind);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectTexts, {storage::Text(course_key.ToString()),
                                                   storage::Text(k), storage::Text(k)}));
  std::vector<CourseText> out;
  for (const storage::Row& row : rs.rows) {
    out.push_back(
        CourseText{row.GetText(0), row.GetText(1), row.GetInt(2), row.GetText(3), row.GetText(4)});
  }
  return out;
}

StatusOr<std::vector<CourseAsset>> CourseStore::ListAssets(storage::Executor& ex,
                                                           const keys::CourseKey& course_key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectAssets, {storage::Text(course_key.ToString())}));
  std::vector<CourseAsset> out;
  for (const storage::Row& row : rs.rows) out.push_back(AssetFromRow(row));
  return out;
}

StatusOr<CourseAsset> CourseStore::FindAsset(storage::Executor& ex,
                                             const keys::CourseKey& course_key,
                                             std::string_view name) {
  std::string n(name);
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kFindAsset, {storage::Text(course_key.ToString()),
                                                 storage::Text(n), storage::Text(n)}));
  if (rs.empty()) return NotFoundError("asset not found: " + n);
  return AssetFromRow(rs.rows[0]);
}

std::string RewriteStaticUrls(std::string_view html, const keys::CourseKey& course_key) {
  // Only quoted attribute values starting with /static/ are course files
  // (Open edX's replace_static_urls does the same).
  static const std::regex kStatic(R"((["'])/static/([^"'?#]+))");
  std::string prefix = "/asset-v1:" + course_key.org + "+" + course_key.course + "+" +
                       course_key.run + "+type@asset+block@";
  std::string out;
  std::string text(html);
  auto begin = std::sregex_iterator(text.begin(), text.end(), kStatic);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(text, last, static_cast<size_t>(m.position(0)) - last);
    out += m[1].str();
    out += prefix;
    out += keys::AssetNameForStaticPath(m[2].str());
    last = static_cast<size_t>(m.position(0) + m.length(0));
  }
  out.append(text, last, std::string::npos);
  return out;
}

StatusOr<olx::Course> LoadCourse(storage::Database& db, const keys::CourseKey& course_key,
                                 const std::filesystem::path& static_dir) {
  std::vector<CourseAsset> assets;
  LARCH_ASSIGN_OR_RETURN(
      olx::Course course,
      storage::RunWithResult(
          db, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<olx::Course> {
            LARCH_RETURN_IF_ERROR(CourseStore::GetOverview(txn, course_key).status());
            olx::Course course;
            course.key = course_key;
            LARCH_ASSIGN_OR_RETURN(course.tree, CourseStore::LoadTree(txn, course_key.ToString()));
            LARCH_ASSIGN_OR_RETURN(std::vector<CourseText> texts,
                                   CourseStore::ListTexts(txn, course_key));
            LARCH_RETURN_IF_ERROR(ApplyTexts(course, texts));
            LARCH_ASSIGN_OR_RETURN(assets, CourseStore::ListAssets(txn, course_key));
            return course;
          }));
  for (const CourseAsset& a : assets) {
    course.static_files.push_back(olx::StaticFile{a.path, static_cast<uint64_t>(a.size)});
  }
  if (!assets.empty()) {
    LARCH_RETURN_IF_ERROR(WriteAssetFiles(db, assets, static_dir));
    course.static_dir = static_dir;
  }
  return course;
}

Status ExportCourse(storage::Database& db, const keys::CourseKey& course_key,
                    const std::filesystem::path& out_dir) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "larch-export-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return UnavailableError("cannot create a temporary folder");
  StatusOr<olx::Course> course = LoadCourse(db, course_key, std::filesystem::path(tmpl) / "static");
  Status written = course.ok() ? olx::WriteCourse(*course, out_dir) : course.status();
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
  return written;
}

}  // namespace larch::courses
