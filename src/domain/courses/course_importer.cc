// CourseImporter: OLX export -> rows, in one transaction per import.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "larch/courses/courses.h"

namespace larch::courses {
namespace {

namespace fs = std::filesystem;

constexpr storage::Query kSelectVersionForUpdate{
    "courses.import.select_version", "SELECT version, created_at FROM courses WHERE course_key = ?",
    "SELECT version, created_at FROM courses WHERE course_key = ? FOR UPDATE"};
constexpr storage::Query kUpsertCourse{
    "courses.import.upsert_course",
    "INSERT INTO courses (course_key, org, number, run, display_name, start_at, end_at, "
    "enrollment_start, enrollment_end, self_paced, catalog_visibility, invitation_only, "
    "max_student_enrollments_allowed, language, effort, short_description, overview_html, "
    "course_image, banner_image, course_video, certificates_display_behavior, "
    "certificate_available_date, mobile_available, lowest_passing_grade, advanced, "
    "grading_policy, version, created_at, updated_at) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (course_key) DO UPDATE SET org = excluded.org, number = excluded.number, "
    "run = excluded.run, display_name = excluded.display_name, start_at = excluded.start_at, "
    "end_at = excluded.end_at, enrollment_start = excluded.enrollment_start, "
    "enrollment_end = excluded.enrollment_end, self_paced = excluded.self_paced, "
    "catalog_visibility = excluded.catalog_visibility, "
    "invitation_only = excluded.invitation_only, "
    "max_student_enrollments_allowed = excluded.max_student_enrollments_allowed, "
    "language = excluded.language, effort = excluded.effort, "
    "short_description = excluded.short_description, overview_html = excluded.overview_html, "
    "course_image = excluded.course_image, banner_image = excluded.banner_image, "
    "course_video = excluded.course_video, "
    "certificates_display_behavior = excluded.certificates_display_behavior, "
    "certificate_available_date = excluded.certificate_available_date, "
    "mobile_available = excluded.mobile_available, "
    "lowest_passing_grade = excluded.lowest_passing_grade, advanced = excluded.advanced, "
    "grading_policy = excluded.grading_policy, version = excluded.version, "
    "updated_at = excluded.updated_at"};
constexpr storage::Query kSelectLibraryVersion{
    "courses.import.select_library_version",
    "SELECT version, created_at FROM content_libraries WHERE library_key = ?",
    "SELECT version, created_at FROM content_libraries WHERE library_key = ? FOR UPDATE"};
constexpr storage::Query kUpsertLibrary{
    "courses.import.upsert_library",
    "INSERT INTO content_libraries (library_key, display_name, version, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (library_key) DO UPDATE SET "
    "display_name = excluded.display_name, version = excluded.version, "
    "updated_at = excluded.updated_at"};
constexpr storage::Query kDeleteBlocks{"courses.import.delete_blocks",
                                       "DELETE FROM course_blocks WHERE context_key = ?"};
constexpr storage::Query kDeleteTexts{"courses.import.delete_texts",
                                      "DELETE FROM course_texts WHERE course_key = ?"};
constexpr storage::Query kDeleteAssets{"courses.import.delete_assets",
                                       "DELETE FROM course_assets WHERE course_key = ?"};
constexpr storage::Query kDeleteCourseSearch{"courses.import.delete_course_search",
                                             "DELETE FROM course_search WHERE course_key = ?"};
constexpr storage::Query kDeleteBlockSearch{"courses.import.delete_block_search",
                                            "DELETE FROM block_search WHERE course_key = ?"};
constexpr storage::Query kInsertText{
    "courses.import.insert_text",
    "INSERT INTO course_texts (course_key, kind, name, position, title, content) "
    "VALUES (?, ?, ?, ?, ?, ?)"};
constexpr storage::Query kInsertAsset{
    "courses.import.insert_asset",
    "INSERT INTO course_assets (course_key, path, content_type, size, locked, sha256) "
    "VALUES (?, ?, ?, ?, ?, ?)"};
constexpr storage::Query kSelectAssetBlobs{
    "courses.import.select_asset_blobs",
    "SELECT DISTINCT sha256 FROM course_assets WHERE course_key = ? AND sha256 IS NOT NULL"};
constexpr storage::Query kInsertCourseSearch{
    "courses.import.insert_course_search",
    "INSERT INTO course_search (course_key, title, org, description, content) "
    "VALUES (?, ?, ?, ?, ?)"};
constexpr storage::Query kInsertBlockSearch{
    "courses.import.insert_block_search",
    "INSERT INTO block_search (course_key, usage_key, block_type, title, content) "
    "VALUES (?, ?, ?, ?, ?)"};

constexpr int kBlockColumns = 14;
constexpr size_t kBlockBatch = 64;

std::string BlockInsertSql(size_t rows) {
  std::string sql =
      "INSERT INTO course_blocks (context_key, usage_key, block_type, url_name, parent_key, "
      "position, fields, inherited, attributes, data, xml, supported, inline_definition, "
      "source_file) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ", ";
    sql += "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }
  return sql;
}

// Multi-row statements: one round trip per kBlockBatch blocks.
const storage::Query& BatchBlockInsert() {
  static const std::string* sql = new std::string(BlockInsertSql(kBlockBatch));
  static const storage::Query query{"courses.import.insert_blocks_batch", sql->c_str()};
  return query;
}
const storage::Query& SingleBlockInsert() {
  static const std::string* sql = new std::string(BlockInsertSql(1));
  static const storage::Query query{"courses.import.insert_block", sql->c_str()};
  return query;
}

Status InsertBlocks(storage::Executor& ex, const std::string& context_key,
                    const olx::BlockTree& tree) {
  std::map<keys::UsageKey, int64_t> position;
  for (const auto& [key, block] : tree.blocks) {
    for (size_t i = 0; i < block.children.size(); ++i) {
      position[block.children[i]] = static_cast<int64_t>(i);
    }
  }
  std::vector<storage::SqlValue> params;
  params.reserve(kBlockBatch * kBlockColumns);
  size_t pending = 0;
  auto flush = [&](bool all) -> Status {
    if (pending == kBlockBatch) {
      LARCH_RETURN_IF_ERROR(ex.Execute(BatchBlockInsert(), params).status());
      params.clear();
      pending = 0;
    }
    if (all) {
      for (size_t i = 0; i < pending; ++i) {
        std::span<const storage::SqlValue> one(params.data() + i * kBlockColumns, kBlockColumns);
        LARCH_RETURN_IF_ERROR(ex.Execute(SingleBlockInsert(), one).status());
      }
      params.clear();
      pending = 0;
    }
    return OkStatus();
  };
  for (const auto& [key, block] : tree.blocks) {
    nlohmann::json attributes = nlohmann::json::array();
    for (const auto& [name, value] : block.attributes) {
      attributes.push_back(nlohmann::json::array({name, value}));
    }
    auto pos = position.find(key);
    params.push_back(storage::Text(context_key));
    params.push_back(storage::Text(key.ToString()));
    params.push_back(storage::Text(block.type));
    params.push_back(storage::Text(block.url_name));
    params.push_back(block.parent ? storage::Text(block.parent->ToString()) : storage::Null());
    params.push_back(storage::Int(pos == position.end() ? 0 : pos->second));
    params.push_back(storage::Text(block.fields.dump()));
    params.push_back(storage::Text(block.inherited.dump()));
    params.push_back(storage::Text(attributes.dump()));
    params.push_back(storage::Text(block.data));
    params.push_back(storage::Text(block.xml));
    params.push_back(storage::Bool(block.supported));
    params.push_back(storage::Bool(block.inline_definition));
    params.push_back(storage::Text(block.source_file));
    ++pending;
    LARCH_RETURN_IF_ERROR(flush(false));
  }
  return flush(true);
}

std::optional<std::string> StringField(const nlohmann::json& fields, const char* name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::optional<int64_t> DateField(const nlohmann::json& fields, const char* name) {
  std::optional<std::string> text = StringField(fields, name);
  if (!text || text->empty()) return std::nullopt;
  auto parsed = ParseIso8601(*text);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

bool BoolField(const nlohmann::json& fields, const char* name, bool fallback) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  if (it->is_string()) {
    std::string s = it->get<std::string>();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "true" || s == "1" || s == "yes";
  }
  return fallback;
}

std::optional<int64_t> IntField(const nlohmann::json& fields, const char* name) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return static_cast<int64_t>(it->get<double>());
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string> AboutText(const olx::Course& course, const char* name) {
  auto it = course.about.find(name);
  if (it == course.about.end()) return std::nullopt;
  return it->second;
}

std::string AssetUrl(const keys::CourseKey& key, const std::string& name) {
  std::string asset_name = name;
  if (asset_name.rfind("/static/", 0) == 0) asset_name = asset_name.substr(8);
  return "/asset-v1:" + key.org + "+" + key.course + "+" + key.run + "+type@asset+block@" +
         keys::AssetNameForStaticPath(asset_name);
}

CourseOverview BuildOverview(const olx::Course& course) {
  const olx::Block& root = course.tree.root_block();
  const nlohmann::json& f = root.fields;
  CourseOverview o;
  o.key = course.key;
  o.display_name = StringField(f, "display_name").value_or(course.key.run);
  // start is inherited: the resolved value carries Open edX's default
  // (2030-01-01) for courses that never set one.
  o.start = DateField(f, "start");
  if (!o.start) o.start = DateField(root.inherited, "start");
  o.end = DateField(f, "end");
  o.enrollment_start = DateField(f, "enrollment_start");
  o.enrollment_end = DateField(f, "enrollment_end");
  o.self_paced = BoolField(f, "self_paced", false);
  o.catalog_visibility = StringField(f, "catalog_visibility").value_or("both");
  o.invitation_only = BoolField(f, "invitation_only", false);
  o.max_student_enrollments_allowed = IntField(f, "max_student_enrollments_allowed");
  o.language = StringField(f, "language");
  o.effort = AboutText(course, "effort");
  o.short_description = AboutText(course, "short_description");
  o.overview_html = AboutText(course, "overview");
  o.course_video = AboutText(course, "video");
  o.course_image =
      AssetUrl(course.key, StringField(f, "course_image").value_or("images_course_image.jpg"));
  o.banner_image =
      AssetUrl(course.key, StringField(f, "banner_image").value_or("images_course_image.jpg"));
  o.certificates_display_behavior = StringField(f, "certificates_display_behavior").value_or("end");
  o.certificate_available_date = DateField(f, "certificate_available_date");
  o.mobile_available = BoolField(f, "mobile_available", false);
  o.grading_policy = olx::EffectiveGradingPolicy(course);
  if (auto cutoffs = o.grading_policy.find("GRADE_CUTOFFS");
      cutoffs != o.grading_policy.end() && cutoffs->is_object()) {
    for (const auto& [name, value] : cutoffs->items()) {
      if (!value.is_number()) continue;
      double v = value.get<double>();
      if (!o.lowest_passing_grade || v < *o.lowest_passing_grade) o.lowest_passing_grade = v;
    }
  }
  nlohmann::json& a = o.advanced;
  a["badges_enabled"] = BoolField(f, "issue_badges", true);
  a["entrance_exam_enabled"] = BoolField(f, "entrance_exam_enabled", false);
  if (auto pct = f.find("entrance_exam_minimum_score_pct"); pct != f.end() && !pct->is_null()) {
    a["entrance_exam_minimum_score_pct"] = *pct;
  }
  a["entrance_exam_id"] = StringField(f, "entrance_exam_id").value_or("");
  a["pre_requisite_courses"] = nlohmann::json::array();
  if (auto pre = f.find("pre_requisite_courses"); pre != f.end() && pre->is_array()) {
    for (const auto& item : *pre) {
      if (item.is_string()) a["pre_requisite_courses"].push_back(item);
    }
  }
  if (auto license = StringField(f, "license")) a["license"] = *license;
  if (auto beta = IntField(f, "days_early_for_beta")) a["days_early_for_beta"] = *beta;
  a["cert_html_view_enabled"] = BoolField(f, "cert_html_view_enabled", true);
  // What the web certificate prints: Studio's certificate configurations
  // ({"certificates": [...]}) and the course's certificate names.
  if (auto certs = f.find("certificates"); certs != f.end() && certs->is_object()) {
    a["certificates"] = *certs;
  }
  for (const char* name :
       {"cert_name_short", "cert_name_long", "display_organization", "display_coursenumber"}) {
    if (auto value = StringField(f, name)) a[name] = *value;
  }
  return o;
}

std::string ContentTypeFor(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".css", "text/css"},        {".csv", "text/csv"},
      {".gif", "image/gif"},       {".htm", "text/html"},
      {".html", "text/html"},      {".ico", "image/x-icon"},
      {".jpeg", "image/jpeg"},     {".jpg", "image/jpeg"},
      {".js", "text/javascript"},  {".json", "application/json"},
      {".pdf", "application/pdf"}, {".png", "image/png"},
      {".svg", "image/svg+xml"},   {".srt", "application/x-subrip"},
      {".txt", "text/plain"},      {".woff", "font/woff"},
      {".woff2", "font/woff2"},    {".ttf", "font/ttf"},
      {".xml", "application/xml"}, {".zip", "application/zip"},
      {".mp4", "video/mp4"},       {".mp3", "audio/mpeg"},
      {".webp", "image/webp"},     {".eot", "application/vnd.ms-fontobject"},
  };
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

std::string StripTags(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') {
      in_tag = true;
      out += ' ';
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      out += c;
    }
  }
  return out;
}

Status InsertTexts(storage::Executor& ex, const olx::Course& course) {
  std::string key = course.key.ToString();
  auto insert = [&](const char* kind, const std::string& name, int64_t position,
                    const std::string& title, const std::string& content) {
    return ex
        .Execute(kInsertText,
                 {storage::Text(key), storage::Text(kind), storage::Text(name),
                  storage::Int(position), storage::Text(title), storage::Text(content)})
        .status();
  };
  for (const auto& [name, content] : course.about) {
    LARCH_RETURN_IF_ERROR(insert("about", name, 0, "", content));
  }
  for (const auto& [name, content] : course.info) {
    LARCH_RETURN_IF_ERROR(insert("info", name, 0, "", content));
  }
  for (size_t i = 0; i < course.static_tabs.size(); ++i) {
    const olx::StaticTab& tab = course.static_tabs[i];
    LARCH_RETURN_IF_ERROR(insert("tab", tab.url_slug, static_cast<int64_t>(i), tab.name, tab.html));
  }
  // The policy files as written, so that an export reproduces them.
  LARCH_RETURN_IF_ERROR(insert("policy", "policy.json", 0, "", course.policy.dump()));
  if (!course.grading_policy.is_null()) {
    LARCH_RETURN_IF_ERROR(
        insert("policy", "grading_policy.json", 0, "", course.grading_policy.dump()));
  }
  if (!course.assets_json.empty()) {
    LARCH_RETURN_IF_ERROR(insert("policy", "assets.json", 0, "", course.assets_json));
  }
  return OkStatus();
}

// Each static file becomes a blob (stored once: an unchanged file keeps
// the blob of the previous version) and a course_assets row naming it.
Status InsertAssets(storage::Executor& ex, const olx::Course& course, int64_t now) {
  nlohmann::json assets =
      nlohmann::json::parse(course.assets_json, nullptr, /*allow_exceptions=*/false);
  if (assets.is_discarded() || !assets.is_object()) assets = nlohmann::json::object();
  std::string key = course.key.ToString();
  for (const olx::StaticFile& file : course.static_files) {
    std::string name = keys::AssetNameForStaticPath(file.path);
    bool locked = false;
    std::string content_type = ContentTypeFor(file.path);
    if (auto it = assets.find(name); it != assets.end() && it->is_object()) {
      locked = BoolField(*it, "locked", false);
      if (auto ct = it->find("contentType");
          ct != it->end() && ct->is_string() && !ct->get<std::string>().empty()) {
        content_type = ct->get<std::string>();
      }
    }
    LARCH_ASSIGN_OR_RETURN(storage::BlobRef blob,
                           storage::PutBlobFromFile(ex, course.static_dir / file.path, now));
    LARCH_RETURN_IF_ERROR(
        ex.Execute(kInsertAsset,
                   {storage::Text(key), storage::Text(file.path), storage::Text(content_type),
                    storage::Int(blob.size), storage::Bool(locked), storage::Text(blob.sha256)})
            .status());
  }
  return OkStatus();
}

// A static file of the export as text; "" when absent, unreadable or over
// 4 MiB (transcripts are far smaller).
std::string ReadStaticText(const olx::Course& course, const std::string& name) {
  if (course.static_dir.empty() || name.empty() || name.find("..") != std::string::npos) return "";
  std::error_code ec;
  fs::path path = course.static_dir / name;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > (4u << 20) || ec) return "";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What VideoBlock.index_dictionary indexes: the transcript of every language
// in `transcripts` ({"en": "file.srt"}), else the legacy `sub` (an
// .srt.sjson named after it).
std::string VideoSearchText(const olx::Course& course, const olx::Block& block) {
  std::string out;
  auto append = [&out](const std::string& text) {
    if (text.empty()) return;
    if (!out.empty()) out += ' ';
    out += text;
  };
  auto transcripts = block.fields.find("transcripts");
  if (transcripts != block.fields.end() && transcripts->is_object()) {
    for (const auto& [lang, file] : transcripts->items()) {
      if (!file.is_string()) continue;
      append(
          TranscriptText(ReadStaticText(course, file.get<std::string>()), TranscriptFormat::kSrt));
    }
  }
  if (out.empty()) {
    std::string sub = StringField(block.fields, "sub").value_or("");
    if (!sub.empty()) {
      std::string sjson = ReadStaticText(course, "subs_" + sub + ".srt.sjson");
      if (sjson.empty()) sjson = ReadStaticText(course, sub + ".srt.sjson");
      append(TranscriptText(sjson, TranscriptFormat::kSjson));
    }
  }
  return out;
}

Status InsertSearch(storage::Executor& ex, const olx::Course& course,
                    const CourseOverview& overview) {
  std::string key = course.key.ToString();
  LARCH_RETURN_IF_ERROR(ex.Execute(kInsertCourseSearch,
                                   {storage::Text(key), storage::Text(overview.display_name),
                                    storage::Text(course.key.org),
                                    storage::Text(overview.short_description.value_or("")),
                                    storage::Text(StripTags(overview.overview_html.value_or("")))})
                            .status());
  for (const auto& [usage_key, block] : course.tree.blocks) {
    const std::string& t = block.type;
    if (t != "chapter" && t != "sequential" && t != "vertical" && t != "html" && t != "problem" &&
        t != "video") {
      continue;
    }
    std::string content = (t == "html" || t == "problem") ? StripTags(block.data) : "";
    if (t == "video") content = VideoSearchText(course, block);
    LARCH_RETURN_IF_ERROR(
        ex.Execute(kInsertBlockSearch,
                   {storage::Text(key), storage::Text(usage_key.ToString()), storage::Text(t),
                    storage::Text(StringField(block.fields, "display_name").value_or("")),
                    storage::Text(content)})
            .status());
  }
  return OkStatus();
}

// The blobs the course's assets use now: candidates for collection once
// the new version's rows replaced them.
StatusOr<std::vector<std::string>> AssetBlobs(storage::Executor& ex, const std::string& key) {
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet rs,
                         ex.Execute(kSelectAssetBlobs, {storage::Text(key)}));
  std::vector<std::string> out;
  out.reserve(rs.size());
  for (const storage::Row& row : rs.rows) out.push_back(row.GetText(0));
  return out;
}

std::map<std::string, int64_t> CountByType(const olx::BlockTree& tree) {
  std::map<std::string, int64_t> counts;
  for (const auto& [key, block] : tree.blocks) ++counts[block.type];
  return counts;
}

}  // namespace

CourseImporter::CourseImporter(storage::Database& db, const Clock& clock)
    : db_(db), clock_(clock) {}

std::string PublicImportMessage(std::string_view message, const fs::path& archive) {
  std::string out;
  const std::string stored = archive.string();
  const std::string shown = archive.filename().string();
  constexpr std::string_view kScratch = "/larch-olx-";
  size_t i = 0;
  while (i < message.size()) {
    if (!stored.empty() && message.substr(i, stored.size()) == stored) {
      out += shown;
      i += stored.size();
      continue;
    }
    bool token_start = i == 0 || message[i - 1] == ' ' || message[i - 1] == '\'' ||
                       message[i - 1] == '"' || message[i - 1] == '(';
    if (message[i] != '/' || !token_start) {
      out.push_back(message[i++]);
      continue;
    }
    // An absolute path up to its end (a space, quote or ":line").
    size_t end = message.find_first_of(" :'\"),", i);
    if (end == std::string_view::npos) end = message.size();
    std::string_view path = message.substr(i, end - i);
    size_t scratch = path.find(kScratch);
    size_t inside = scratch == std::string_view::npos ? std::string_view::npos
                                                      : path.find('/', scratch + kScratch.size());
    if (inside != std::string_view::npos) {
      out += path.substr(inside + 1);
    } else {
      out += fs::path(path).filename().string();
    }
    i = end;
  }
  return out;
}

StatusOr<ImportResult> CourseImporter::Import(const fs::path& path, const ImportOptions& options) {
  LARCH_ASSIGN_OR_RETURN(olx::Course course, olx::ReadCourse(path, options.read));
  if (options.target_course_key.has_value()) {
    LARCH_RETURN_IF_ERROR(olx::RekeyCourse(course, *options.target_course_key));
  }
  CourseOverview overview = BuildOverview(course);
  const std::string key = course.key.ToString();
  int64_t now = clock_.NowMicros();

  LARCH_ASSIGN_OR_RETURN(std::unique_ptr<storage::Transaction> txn,
                         db_.Begin(storage::TxnMode::kReadWrite));
  LARCH_ASSIGN_OR_RETURN(storage::ResultSet current,
                         txn->Execute(kSelectVersionForUpdate, {storage::Text(key)}));
  int64_t old_version = current.empty() ? 0 : current.rows[0].GetInt(0);
  int64_t created_at = current.empty() ? now : current.rows[0].GetInt(1);
  overview.version = old_version + 1;

  auto write = [&]() -> Status {
    LARCH_ASSIGN_OR_RETURN(std::vector<std::string> old_blobs, AssetBlobs(*txn, key));
    const CourseOverview& o = overview;
    LARCH_RETURN_IF_ERROR(
        txn->Execute(kUpsertCourse,
                     {storage::Text(key),
                      storage::Text(course.key.org),
                      storage::Text(course.key.course),
                      storage::Text(course.key.run),
                      storage::Text(o.display_name),
                      storage::OptionalInt(o.start),
                      storage::OptionalInt(o.end),
                      storage::OptionalInt(o.enrollment_start),
                      storage::OptionalInt(o.enrollment_end),
                      storage::Bool(o.self_paced),
                      storage::Text(o.catalog_visibility),
                      storage::Bool(o.invitation_only),
                      storage::OptionalInt(o.max_student_enrollments_allowed),
                      storage::OptionalText(o.language),
                      storage::OptionalText(o.effort),
                      storage::OptionalText(o.short_description),
                      storage::OptionalText(o.overview_html),
                      storage::OptionalText(o.course_image),
                      storage::OptionalText(o.banner_image),
                      storage::OptionalText(o.course_video),
                      storage::OptionalText(o.certificates_display_behavior),
                      storage::OptionalInt(o.certificate_available_date),
                      storage::Bool(o.mobile_available),
                      o.lowest_passing_grade ? storage::SqlValue(*o.lowest_passing_grade)
                                             : storage::Null(),
                      storage::Text(o.advanced.dump()),
                      storage::Text(o.grading_policy.dump()),
                      storage::Int(o.version),
                      storage::Int(created_at),
                      storage::Int(now)})
            .status());
    for (const storage::Query* q : {&kDeleteBlocks, &kDeleteTexts, &kDeleteAssets,
                                    &kDeleteCourseSearch, &kDeleteBlockSearch}) {
      LARCH_RETURN_IF_ERROR(txn->Execute(*q, {storage::Text(key)}).status());
    }
    LARCH_RETURN_IF_ERROR(InsertBlocks(*txn, key, course.tree));
    LARCH_RETURN_IF_ERROR(InsertTexts(*txn, course));
    LARCH_RETURN_IF_ERROR(InsertAssets(*txn, course, now));
    // The previous version's files the new one no longer uses.
    LARCH_RETURN_IF_ERROR(storage::CollectBlobs(*txn, old_blobs).status());
    LARCH_RETURN_IF_ERROR(InsertSearch(*txn, course, overview));
    if (options.before_commit_for_test) LARCH_RETURN_IF_ERROR(options.before_commit_for_test());
    return txn->Commit();
  };
  LARCH_RETURN_IF_ERROR(write());
  ImportResult result;
  result.course_key = course.key;
  result.context_key = key;
  result.version = overview.version;
  result.blocks = static_cast<int64_t>(course.tree.blocks.size());
  result.static_files = static_cast<int64_t>(course.static_files.size());
  result.block_counts = CountByType(course.tree);
  return result;
}

StatusOr<ImportResult> CourseImporter::ImportLibrary(const fs::path& path,
                                                     const ImportOptions& options) {
  LARCH_ASSIGN_OR_RETURN(olx::Library library, olx::ReadLibrary(path, options.read));
  const std::string key = library.key.ToString();
  std::string display_name =
      StringField(library.tree.root_block().fields, "display_name").value_or(library.key.library);
  int64_t now = clock_.NowMicros();
  ImportResult result;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(storage::ResultSet current,
                               txn.Execute(kSelectLibraryVersion, {storage::Text(key)}));
        int64_t version = current.empty() ? 1 : current.rows[0].GetInt(0) + 1;
        int64_t created_at = current.empty() ? now : current.rows[0].GetInt(1);
        LARCH_RETURN_IF_ERROR(
            txn.Execute(kUpsertLibrary,
                        {storage::Text(key), storage::Text(display_name), storage::Int(version),
                         storage::Int(created_at), storage::Int(now)})
                .status());
        LARCH_RETURN_IF_ERROR(txn.Execute(kDeleteBlocks, {storage::Text(key)}).status());
        LARCH_RETURN_IF_ERROR(InsertBlocks(txn, key, library.tree));
        if (options.before_commit_for_test) {
          LARCH_RETURN_IF_ERROR(options.before_commit_for_test());
        }
        result.version = version;
        return OkStatus();
      }));
  result.context_key = key;
  result.blocks = static_cast<int64_t>(library.tree.blocks.size());
  result.block_counts = CountByType(library.tree);
  return result;
}

}  // namespace larch::courses
