#include "larch/api/courses_routes.h"
#include "larch/common/strings.h"

#include <time.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// Open edX's DEFAULT_START_DATE: a course without a real start.
constexpr int64_t kDefaultStartMicros = 1'893'456'000'000'000;  // 2030-01-01T00:00:00Z
constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int kDefaultPageSize = 10;

// Query parameters for GET, form (or JSON object) fields for POST.
class Params {
 public:
  explicit Params(const Request& request) {
    if (request.method() == "POST") {
      if (request.MediaType() == "application/json") {
        StatusOr<json> body = request.JsonBody();
        if (body.ok() && body->is_object()) {
          for (const auto& [name, value] : body->items()) {
            if (value.is_array()) {
              for (const json& item : value) values_.emplace_back(name, Scalar(item));
            } else {
              values_.emplace_back(name, Scalar(value));
            }
          }
        }
      } else {
        values_ = request.FormValues();
      }
    } else {
      values_ = request.query_params();
    }
  }

  std::optional<std::string> Get(std::string_view name) const {
    for (const auto& [k, v] : values_) {
      if (k == name) return v;
    }
    return std::nullopt;
  }
  // Repeated values, each also split on commas (MultiValueField).
  std::vector<std::string> GetAll(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_) {
      if (k != name) continue;
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        if (comma == std::string::npos) comma = v.size();
        if (comma > start) out.push_back(v.substr(start, comma - start));
        start = comma + 1;
      }
    }
    return out;
  }

 private:
  static std::string Scalar(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_null()) return "";
    return value.dump();
  }
  http::ParamList values_;
};

// Django's NullBooleanField reading.
std::optional<bool> ParseBool(const std::optional<std::string>& value) {
  if (!value.has_value()) return std::nullopt;
  std::string s = AsciiLower(*value);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

std::optional<int64_t> ParsePositive(const std::string& text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int64_t value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + (ch - '0');
  }
  if (value <= 0) return std::nullopt;
  return value;
}

using internal::DeveloperError;
using internal::FieldError;

Response StorageError(const Status& status) { return http::ErrorResponse(status, ""); }

json OptionalTime(const std::optional<int64_t>& micros) {
  return micros.has_value() ? json(FormatIso8601(*micros)) : json(nullptr);
}

json OptionalString(const std::optional<std::string>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

// Who a request acts for: nullopt for the anonymous user.
struct EffectiveUser {
  std::optional<CatalogUser> user;
  bool global_staff() const { return user.has_value() && (user->is_staff || user->is_superuser); }
};

// get_effective_user: '' is the anonymous view, the caller's own name is the
// caller, anyone else needs a staff caller (403 otherwise, 404 when unknown).
StatusOr<EffectiveUser> ResolveUser(const Request& request, CourseCatalog& catalog,
                                    const std::string& username) {
  EffectiveUser effective;
  if (username.empty()) return effective;
  const oauth::Principal* caller = CurrentPrincipal(request);
  if (caller != nullptr && caller->username == username) {
    effective.user =
        CatalogUser{caller->user_id, caller->username, caller->is_staff, caller->is_superuser};
    return effective;
  }
  if (caller == nullptr || !(caller->is_staff || caller->is_superuser)) {
    return PermissionDeniedError("You do not have permission to perform this action.");
  }
  LARCH_ASSIGN_OR_RETURN(CatalogUser user, catalog.FindUser(username));
  effective.user = std::move(user);
  return effective;
}

Response UserError(const Status& status) {
  if (status.code() == StatusCode::kPermissionDenied) {
    return DeveloperError(403, "You do not have permission to perform this action.");
  }
  if (status.code() == StatusCode::kNotFound) return DeveloperError(404, status.message());
  return StorageError(status);
}

// The user's roles on one course, from a single RolesFor read (course grants
// and org-wide grants for the course's org).
CourseAccess AccessFor(accounts::RoleStore& roles, const EffectiveUser& effective,
                       const std::string& course_key) {
  if (!effective.user.has_value()) return CourseAccess();
  return CourseAccessFor(roles, effective.user->id, effective.global_staff(), course_key);
}

bool IsCourseStaff(accounts::RoleStore& roles, const EffectiveUser& effective,
                   const std::string& course_key) {
  return AccessFor(roles, effective, course_key).staff;
}

std::string WithPage(const Request& request, const std::string& base_url, int64_t page) {
  std::string query;
  for (const auto& [name, value] : request.query_params()) {
    if (name == "page") continue;
    query +=
        (query.empty() ? "" : "&") + http::PercentEncode(name) + "=" + http::PercentEncode(value);
  }
  if (page > 1) query += (query.empty() ? "" : "&") + std::string("page=") + std::to_string(page);
  std::string url = base_url + std::string(request.path());
  if (!query.empty()) url += "?" + query;
  return url;
}

// NamespacedPageNumberPagination over `items`; nullopt page means 404.
std::optional<Response> Paginate(const Request& request, const Params& params,
                                 const std::string& base_url, const std::vector<json>& items,
                                 int64_t max_page_size) {
  int64_t page_size = kDefaultPageSize;
  if (auto size = params.Get("page_size")) {
    if (auto parsed = ParsePositive(*size)) page_size = std::min(*parsed, max_page_size);
  }
  int64_t page = 1;
  if (auto text = params.Get("page")) {
    std::optional<int64_t> parsed =
        *text == "last" ? std::optional<int64_t>(-1) : ParsePositive(*text);
    if (!parsed.has_value()) return std::nullopt;
    page = *parsed;
  }
  const int64_t count = static_cast<int64_t>(items.size());
  const int64_t num_pages = count == 0 ? 1 : (count + page_size - 1) / page_size;
  if (page == -1) page = num_pages;
  if (page > num_pages) return std::nullopt;
  json results = json::array();
  for (int64_t i = (page - 1) * page_size; i < std::min(count, page * page_size); ++i) {
    results.push_back(items[static_cast<size_t>(i)]);
  }
  json pagination{{"next", page < num_pages ? json(WithPage(request, base_url, page + 1)) : json()},
                  {"previous", page > 1 ? json(WithPage(request, base_url, page - 1)) : json()},
                  {"count", count},
                  {"num_pages", num_pages}};
  return Response::Json(200, json{{"results", std::move(results)}, {"pagination", pagination}});
}

std::string ShortDate(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1'000'000);
  struct tm tm_value {};
  gmtime_r(&seconds, &tm_value);
  char buffer[64];
  size_t n = strftime(buffer, sizeof(buffer), "%b %d, %Y", &tm_value);
  return std::string(buffer, n);
}

std::string CourseImageUri(const CourseSummary& course, const std::string& name) {
  if (!name.empty() && (name[0] == '/' || name.rfind("http", 0) == 0)) return name;
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course.course_key);
  if (!key.ok()) return "/static/" + name;
  StatusOr<keys::AssetKey> asset = key->MakeAssetKey(keys::AssetNameForStaticPath(name));
  if (!asset.ok()) return "/static/" + name;
  return "/" + asset->ToString();
}

bool IsHidden(const CourseSummary& course) {
  if (course.catalog_visibility == "about" || course.catalog_visibility == "none") return true;
  return course.course_key.rfind("course-v1:", 0) != 0 &&
         course.course_key.rfind("ccx-v1:", 0) != 0;
}

// CourseSerializer.
json SerializeCourse(const CourseSummary& course, const std::string& base_url) {
  std::string image = course.course_image.has_value() ? CourseImageUri(course, *course.course_image)
                                                      : std::string("/static/images/pencils.jpg");
  std::string image_absolute = base_url + image;
  json banner = json::object();
  if (course.banner_image.has_value()) {
    std::string uri = CourseImageUri(course, *course.banner_image);
    banner = json{{"uri", uri}, {"uri_absolute", base_url + uri}};
  } else {
    banner = json{{"uri", image}, {"uri_absolute", image_absolute}};
  }
  std::string start_type = "empty";
  json start_display = nullptr;
  auto advertised = course.advanced.find("advertised_start");
  if (advertised != course.advanced.end() && advertised->is_string() &&
      !advertised->get<std::string>().empty()) {
    start_type = "string";
    start_display = *advertised;
  } else if (course.start.has_value() && *course.start != kDefaultStartMicros) {
    start_type = "timestamp";
    start_display = ShortDate(*course.start);
  }
  std::string blocks_url =
      base_url + "/api/courses/v1/blocks/?course_id=" + http::PercentEncode(course.course_key);
  return json{
      {"blocks_url", blocks_url},
      {"effort", OptionalString(course.effort)},
      {"end", OptionalTime(course.end)},
      {"enrollment_start", OptionalTime(course.enrollment_start)},
      {"enrollment_end", OptionalTime(course.enrollment_end)},
      {"id", course.course_key},
      {"media",
       {{"banner_image", banner},
        {"course_image", {{"uri", image}}},
        {"course_video", {{"uri", OptionalString(course.course_video)}}},
        {"image",
         {{"raw", image_absolute}, {"small", image_absolute}, {"large", image_absolute}}}}},
      {"name", course.display_name},
      {"number", course.number},
      {"org", course.org},
      {"short_description", OptionalString(course.short_description)},
      {"start", OptionalTime(course.start)},
      {"start_display", start_display},
      {"start_type", start_type},
      {"pacing", course.self_paced ? "self" : "instructor"},
      {"mobile_available", course.mobile_available},
      {"hidden", IsHidden(course)},
      {"invitation_only", course.invitation_only},
      {"course_id", course.course_key},
  };
}

// ----- Blocks API -----------------------------------------------------------

enum class MilestoneGate { kNone, kPrerequisites, kEntranceExam };

struct BlockQuery {
  int root = -1;
  std::optional<int> depth;  // nullopt = all
  std::set<std::string> requested_fields;
  std::set<std::string> block_counts;
  std::set<std::string> student_view_data;
  std::set<std::string> block_types_filter;
  bool return_list = false;
  // True for staff views (all_blocks or a course/global staff user).
  bool see_all = false;
  bool beta_tester = false;
  int64_t now = 0;
  MilestoneGate gate = MilestoneGate::kNone;
  // The entrance exam chapter left open by kEntranceExam; -1 when the tree
  // has no such chapter.
  int exam_chapter = -1;
  // nav_depth: blocks at most this deep (from the root) list `descendants`.
  std::optional<int> nav_depth;
};

// MilestonesAndSpecialExamsTransformer: unmet prerequisites close all the
// course's content, a pending entrance exam every chapter but the exam.
bool DeniedByMilestones(const CourseTree& tree, const BlockQuery& q, int index) {
  if (q.see_all) return false;
  const CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
  switch (q.gate) {
    case MilestoneGate::kNone:
      return false;
    case MilestoneGate::kPrerequisites:
      return block.type != "course";
    case MilestoneGate::kEntranceExam:
      return block.type == "chapter" && index != q.exam_chapter;
  }
  return false;
}

bool Accessible(const CourseTree& tree, const BlockQuery& q, int index) {
  if (q.see_all) return true;
  const CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
  if (block.visible_to_staff_only) return false;
  if (block.type == "course" || !block.start.has_value()) return true;
  int64_t start = *block.start;
  if (q.beta_tester) start -= block.days_early_for_beta * kMicrosPerDay;
  return start <= q.now;
}

std::string IconClass(const CourseTree& tree, const CatalogBlock& block) {
  if (block.type != "vertical") return "other";
  std::string icon = "other";
  for (int child : block.children) {
    const std::string& type = tree.blocks[static_cast<size_t>(child)].type;
    if (type == "video") return "video";
    if (type == "problem") icon = "problem";
  }
  return icon;
}

class BlocksWriter {
 public:
  BlocksWriter(const CourseTree& tree, const BlockQuery& q, const std::string& base_url)
      : tree_(tree), q_(q), base_url_(base_url) {
    const size_t n = tree.blocks.size();
    accessible_.assign(n, 0);
    included_.assign(n, 0);
    gated_.assign(n, 0);
    counts_.assign(n, json());
    if (q.root >= 0) {
      bool denied_above = false;
      for (int up = tree.blocks[static_cast<size_t>(q.root)].parent; up >= 0 && !denied_above;
           up = tree.blocks[static_cast<size_t>(up)].parent) {
        denied_above = DeniedByMilestones(tree, q, up);
      }
      Walk(q.root, 0, denied_above);
      if (q.nav_depth.has_value()) {
        descendants_.assign(n, std::vector<std::string>());
        has_descendants_.assign(n, 0);
        Navigate(q.root, 0, nullptr, true);
      }
    }
  }

  // The response body, written directly: a depth=all request for a large
  // course is mostly these fixed fields, and escaping them once at load
  // (CatalogBlock::json_*) keeps the hot path to string appends.
  std::string Body() {
    std::string base = JsonQuote(base_url_);
    base_ = base.substr(1, base.size() - 2);
    std::string out;
    // About 900 bytes per block with depth=all and a few fields: one
    // allocation, no regrowth copies.
    out.reserve(tree_.blocks.size() * 1024 + 64);
    if (q_.return_list) {
      out += '[';
    } else {
      out += "{\"root\":";
      out += tree_.blocks[static_cast<size_t>(q_.root)].json_usage_key;
      out += ",\"blocks\":{";
    }
    first_ = true;
    if (q_.root >= 0) Emit(q_.root, out);
    out += q_.return_list ? "]" : "}}";
    return out;
  }

 private:
  // Marks accessible/included blocks and computes block counts (over the
  // accessible tree, before depth limits, as BlockCountsTransformer does).
  // Returns whether the block or a descendant is closed by milestones
  // (contains_gated_content).
  bool Walk(int index, int depth, bool denied_above) {
    const size_t i = static_cast<size_t>(index);
    if (!Accessible(tree_, q_, index)) return false;
    const bool denied = denied_above || DeniedByMilestones(tree_, q_, index);
    // Both versions remove what milestones close, as upstream's
    // MilestonesAndSpecialExamsTransformer does (remove_block).
    if (denied) return true;
    accessible_[i] = 1;
    bool gated = false;
    included_[i] = !q_.depth.has_value() || depth <= *q_.depth;
    json counts = json::object();
    for (const std::string& type : q_.block_counts) {
      counts[type] = tree_.blocks[i].type == type ? 1 : 0;
    }
    for (int child : tree_.blocks[i].children) {
      if (Walk(child, depth + 1, denied)) gated = true;
      if (!accessible_[static_cast<size_t>(child)]) continue;
      for (const std::string& type : q_.block_counts) {
        counts[type] =
            counts[type].get<int64_t>() + counts_[static_cast<size_t>(child)][type].get<int64_t>();
      }
    }
    counts_[i] = std::move(counts);
    gated_[i] = gated;
    return gated;
  }

  // BlockNavigationTransformer over the included blocks: a block not hidden
  // from the TOC joins its nearest navigable ancestor's list; blocks no
  // deeper than nav_depth start their own list (`descendants`). A block
  // hidden from the TOC takes its whole subtree out of navigation.
  void Navigate(int index, int depth, std::vector<std::string>* list, bool is_root) {
    const size_t i = static_cast<size_t>(index);
    if (!included_[i]) return;
    std::vector<std::string>* children_list = nullptr;
    if (!tree_.blocks[i].hide_from_toc && (is_root || list != nullptr)) {
      if (list != nullptr) list->push_back(tree_.blocks[i].usage_key);
      if (depth > *q_.nav_depth) {
        children_list = list;
      } else {
        has_descendants_[i] = 1;
        children_list = &descendants_[i];
      }
    }
    for (int child : tree_.blocks[i].children) Navigate(child, depth + 1, children_list, false);
  }

  bool Kept(int index) const {
    const size_t i = static_cast<size_t>(index);
    if (!included_[i]) return false;
    return q_.block_types_filter.empty() || q_.block_types_filter.count(tree_.blocks[i].type) > 0;
  }

  // The nearest kept descendants (remove_block(keep_descendants=True)).
  void AppendJumpUrl(const CatalogBlock& block, std::string& out) const {
    out += base_;
    out += "/courses/";
    out += tree_.url_course_key;
    out += "/jump_to/";
    out += block.url_usage_key;
  }

  void Emit(int index, std::string& out) {
    const size_t i = static_cast<size_t>(index);
    if (!included_[i]) return;
    if (Kept(index)) {
      const CatalogBlock& block = tree_.blocks[i];
      if (!first_) out += ',';
      first_ = false;
      if (!q_.return_list) {
        out += block.json_usage_key;
        out += ':';
      }
      out += "{\"id\":";
      out += block.json_usage_key;
      out += ",\"block_id\":";
      out += block.json_block_id;
      out += ",\"lms_web_url\":\"";
      AppendJumpUrl(block, out);
      out += "\",\"legacy_web_url\":\"";
      AppendJumpUrl(block, out);
      out += "?experience=legacy\",\"student_view_url\":\"";
      out += base_;
      out += "/xblock/";
      out += block.url_usage_key;
      out += "\",\"type\":";
      out += block.json_type;
      out += ",\"display_name\":";
      out += block.json_display_name;
      AppendExtras(index, out);
      out += '}';
    }
    for (int child : tree_.blocks[i].children) Emit(child, out);
  }

  // requested_fields, looked up once per request rather than per block.
  struct Wanted {
    explicit Wanted(const std::set<std::string>& f)
        : children(f.count("children") > 0),
          graded(f.count("graded") > 0),
          format(f.count("format") > 0),
          start(f.count("start") > 0),
          due(f.count("due") > 0),
          weight(f.count("weight") > 0),
          show_correctness(f.count("show_correctness") > 0),
          visible_to_staff_only(f.count("visible_to_staff_only") > 0),
          has_score(f.count("has_score") > 0),
          hide_from_toc(f.count("hide_from_toc") > 0),
          icon_class(f.count("icon_class") > 0),
          student_view_multi_device(f.count("student_view_multi_device") > 0),
          contains_gated_content(f.count("contains_gated_content") > 0) {}
    bool children, graded, format, start, due, weight, show_correctness, visible_to_staff_only,
        has_score, hide_from_toc, icon_class, student_view_multi_device, contains_gated_content;
  };

  static void Key(std::string& out, std::string_view name) {
    out += ",\"";
    out += name;
    out += "\":";
  }
  static void Bool(std::string& out, std::string_view name, bool value) {
    Key(out, name);
    out += value ? "true" : "false";
  }
  static void Value(std::string& out, std::string_view name, const json& value) {
    Key(out, name);
    out += value.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  // A setting of the block (or inherited from its ancestors); null when unset.
  static const json* Setting(const CatalogBlock& block, const char* name, bool inherited) {
    if (inherited) {
      auto it = block.inherited.find(name);
      if (it != block.inherited.end()) return it->is_null() ? nullptr : &*it;
    }
    auto it = block.fields.find(name);
    return it == block.fields.end() || it->is_null() ? nullptr : &*it;
  }

  void AppendKeptChildren(int index, std::string& out, bool& any) const {
    for (int child : tree_.blocks[static_cast<size_t>(index)].children) {
      if (!included_[static_cast<size_t>(child)]) continue;
      if (Kept(child)) {
        out += any ? ',' : '[';
        any = true;
        out += tree_.blocks[static_cast<size_t>(child)].json_usage_key;
      } else {
        AppendKeptChildren(child, out, any);
      }
    }
  }

  // The requested fields beyond the fixed ones.
  void AppendExtras(int index, std::string& out) const {
    const size_t i = static_cast<size_t>(index);
    const CatalogBlock& block = tree_.blocks[i];
    if (wanted_.children) {
      size_t mark = out.size();
      Key(out, "children");
      bool any = false;
      AppendKeptChildren(index, out, any);
      if (any) {
        out += ']';
      } else {
        out.resize(mark);  // omitted when empty
      }
    }
    if (wanted_.graded) Bool(out, "graded", block.graded);
    if (wanted_.format && !block.json_format.empty()) {
      Key(out, "format");
      out += block.json_format;
    }
    if (wanted_.start) {
      if (const json* v = Setting(block, "start", true)) {
        Value(out, "start", internal::ApiDateTime(*v));
      }
    }
    if (wanted_.due) {
      if (const json* v = Setting(block, "due", true)) Value(out, "due", internal::ApiDateTime(*v));
    }
    if (wanted_.weight) {
      if (const json* v = Setting(block, "weight", false)) Value(out, "weight", *v);
    }
    if (wanted_.show_correctness) {
      if (const json* v = Setting(block, "show_correctness", true)) {
        Value(out, "show_correctness", *v);
      }
    }
    if (wanted_.visible_to_staff_only) {
      Bool(out, "visible_to_staff_only", block.visible_to_staff_only);
    }
    if (wanted_.has_score) Bool(out, "has_score", block.type == "problem");
    if (wanted_.hide_from_toc) Bool(out, "hide_from_toc", block.hide_from_toc);
    if (wanted_.icon_class) Value(out, "icon_class", IconClass(tree_, block));
    if (wanted_.student_view_multi_device) {
      Bool(out, "student_view_multi_device", block.type == "html" || block.type == "video");
    }
    if (!q_.block_counts.empty()) Value(out, "block_counts", counts_[i]);
    if (q_.student_view_data.count(block.type) > 0) {
      json data = internal::StudentViewData(tree_, block, base_url_);
      if (!data.is_null()) Value(out, "student_view_data", data);
    }
    if (q_.nav_depth.has_value() && has_descendants_[i]) {
      Value(out, "descendants", descendants_[i]);
    }
    // Set only where gated content is (None is omitted upstream).
    if (wanted_.contains_gated_content && gated_[i]) Bool(out, "contains_gated_content", true);
  }

  const CourseTree& tree_;
  const BlockQuery& q_;
  const Wanted wanted_{q_.requested_fields};
  const std::string& base_url_;
  // base_url_ JSON-escaped without quotes.
  std::string base_;
  bool first_ = true;
  std::vector<char> accessible_;
  std::vector<char> included_;
  // Denied, or has a denied descendant.
  std::vector<char> gated_;
  std::vector<json> counts_;
  std::vector<std::vector<std::string>> descendants_;
  std::vector<char> has_descendants_;
};

std::set<std::string> SetOf(const std::vector<std::string>& values) {
  return std::set<std::string>(values.begin(), values.end());
}

// A DRF {"detail": text} response (authentication) in the
// DeveloperErrorViewMixin shape, keeping its status and headers.
Response AsDeveloperError(Response response) {
  json body = json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("detail") && body["detail"].is_string()) {
    response.body = json{{"developer_message", body["detail"]}}.dump();
  }
  return response;
}

class CourseRoutes {
 public:
  explicit CourseRoutes(CourseApiContext& ctx) : ctx_(ctx) {}

  Response ListCourses(Request& request) {
    Params params(request);
    std::vector<keys::CourseKey> wanted_keys;
    for (const std::string& text : params.GetAll("course_keys")) {
      StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(text);
      if (!key.ok()) return FieldError("course_keys", "'" + text + "' is not a valid course key.");
      wanted_keys.push_back(*key);
    }
    StatusOr<EffectiveUser> effective =
        ResolveUser(request, ctx_.catalog, params.Get("username").value_or(""));
    if (!effective.ok()) return UserError(effective.status());
    StatusOr<std::vector<CourseSummary>> courses = ctx_.catalog.ListCourses();
    if (!courses.ok()) return StorageError(courses.status());

    std::optional<std::string> org = params.Get("org");
    std::optional<bool> mobile = ParseBool(params.Get("mobile"));
    std::optional<bool> active_only = ParseBool(params.Get("active_only"));
    std::string search = AsciiLower(params.Get("search_term").value_or(""));
    std::set<std::string> key_set;
    for (const keys::CourseKey& key : wanted_keys) key_set.insert(key.ToString());
    const int64_t now = ctx_.clock.NowMicros();
    const std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);

    std::vector<json> items;
    for (const CourseSummary& course : *courses) {
      if (org.has_value() && !org->empty() && AsciiLower(*org) != AsciiLower(course.org)) continue;
      if (mobile.value_or(false) && !course.mobile_available) continue;
      if (active_only.value_or(false) && course.end.has_value() && *course.end <= now) continue;
      if (!key_set.empty() && key_set.count(course.course_key) == 0) continue;
      if (!search.empty()) {
        std::string haystack = AsciiLower(course.display_name + " " + course.course_key + " " +
                                          course.short_description.value_or("") + " " + course.org);
        if (haystack.find(search) == std::string::npos) continue;
      }
      if (course.catalog_visibility != "both" &&
          !IsCourseStaff(ctx_.roles, *effective, course.course_key)) {
        continue;
      }
      items.push_back(SerializeCourse(course, base));
    }
    std::optional<Response> page = Paginate(request, params, base, items, 100);
    if (!page.has_value()) return DeveloperError(404, "Invalid page.");
    return std::move(*page);
  }

  Response CourseDetail(Request& request) {
    std::string key_text(request.PathParam("course_key"));
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(key_text);
    if (!key.ok()) return FieldError("course_key", "'" + key_text + "' is not a valid course key.");
    Params params(request);
    StatusOr<EffectiveUser> effective =
        ResolveUser(request, ctx_.catalog, params.Get("username").value_or(""));
    if (!effective.ok()) return UserError(effective.status());
    StatusOr<CourseSummary> course = ctx_.catalog.GetCourse(key->ToString());
    if (!course.ok()) {
      if (course.status().code() == StatusCode::kNotFound) {
        return DeveloperError(404, "Course not found.");
      }
      return StorageError(course.status());
    }
    bool visible = course->catalog_visibility == "both" || course->catalog_visibility == "about" ||
                   IsCourseStaff(ctx_.roles, *effective, course->course_key);
    if (!visible) return DeveloperError(404, "Course not found.");
    json body = SerializeCourse(*course, internal::AbsoluteBaseUrl(request, ctx_.settings));
    body["overview"] = OptionalString(course->overview_html);
    if (effective->user.has_value()) {
      StatusOr<std::optional<bool>> active =
          ctx_.catalog.EnrollmentActive(effective->user->id, course->course_key);
      if (!active.ok()) return StorageError(active.status());
      body["is_enrolled"] = active->value_or(false);
    }
    return Response::Json(200, body);
  }

  Response CourseIds(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return AsDeveloperError(auth.error);
    Params params(request);
    std::string role = params.Get("role").value_or("");
    if (role.empty()) return FieldError("role", "This field is required.");
    std::string username = params.Get("username").value_or(auth.principal->username);
    StatusOr<EffectiveUser> effective = ResolveUser(request, ctx_.catalog, username);
    if (!effective.ok()) return UserError(effective.status());
    StatusOr<std::vector<CourseSummary>> courses = ctx_.catalog.ListCourses();
    if (!courses.ok()) return StorageError(courses.status());
    std::vector<json> items;
    if (effective->global_staff()) {
      for (const CourseSummary& course : *courses) items.push_back(course.course_key);
    } else if (effective->user.has_value()) {
      StatusOr<std::vector<accounts::RoleGrant>> grants = ctx_.roles.RolesFor(effective->user->id);
      if (!grants.ok()) return StorageError(grants.status());
      for (const CourseSummary& course : *courses) {
        for (const accounts::RoleGrant& grant : *grants) {
          bool role_matches =
              (role == "instructor" && grant.role == accounts::CourseRole::kInstructor) ||
              (role == "staff" && (grant.role == accounts::CourseRole::kStaff ||
                                   grant.role == accounts::CourseRole::kInstructor));
          bool course_matches = grant.course_id.empty()
                                    ? AsciiLower(grant.org) == AsciiLower(course.org)
                                    : grant.course_id == course.course_key;
          if (role_matches && course_matches) {
            items.push_back(course.course_key);
            break;
          }
        }
      }
    }
    std::optional<Response> page =
        Paginate(request, params, internal::AbsoluteBaseUrl(request, ctx_.settings), items, 1000);
    if (!page.has_value()) return DeveloperError(404, "Invalid page.");
    return std::move(*page);
  }

  Response BlocksInCourse(Request& request) {
    std::optional<std::string> course_id = request.Query("course_id");
    if (!course_id.has_value() || course_id->empty()) {
      return DeveloperError(400, "course_id is required.");
    }
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(*course_id);
    if (!key.ok()) {
      return DeveloperError(400, "'" + *course_id + "' is not a valid course key.");
    }
    return Blocks(request, key->ToString(), std::nullopt);
  }

  Response BlocksFromUsage(Request& request) {
    std::string text(request.PathParam("usage_key"));
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(text);
    if (!usage.ok() || usage->in_library()) {
      return DeveloperError(400, "'" + text + "' is not a valid usage key.");
    }
    return Blocks(request, usage->course_key().ToString(), usage->ToString());
  }

 private:
  Response Blocks(Request& request, const std::string& course_key,
                  std::optional<std::string> usage_key) {
    BlockQuery q;
    q.now = ctx_.clock.NowMicros();
    std::string depth = request.Query("depth").value_or("0");
    if (depth == "all") {
      q.depth = std::nullopt;
    } else if (depth == "0") {
      q.depth = 0;
    } else if (auto parsed = ParsePositive(depth)) {
      q.depth = static_cast<int>(*parsed);
    } else {
      return FieldError("depth", "Enter a whole number.");
    }
    std::string return_type = request.Query("return_type").value_or("dict");
    if (return_type != "dict" && return_type != "list") {
      return FieldError("return_type", "Select a valid choice. " + return_type +
                                           " is not one of the available choices.");
    }
    q.return_list = return_type == "list";
    if (std::optional<std::string> nav = request.Query("nav_depth")) {
      if (*nav == "0") {
        q.nav_depth = 0;
      } else if (auto parsed = ParsePositive(*nav)) {
        q.nav_depth = static_cast<int>(*parsed);
      } else {
        return FieldError("nav_depth", "Enter a whole number.");
      }
    }
    Params params(request);
    q.requested_fields = SetOf(params.GetAll("requested_fields"));
    q.requested_fields.insert("type");
    q.requested_fields.insert("display_name");
    q.block_counts = SetOf(params.GetAll("block_counts"));
    q.student_view_data = SetOf(params.GetAll("student_view_data"));
    q.block_types_filter = SetOf(params.GetAll("block_types_filter"));
    bool all_blocks = ParseBool(request.Query("all_blocks")).value_or(false);

    const oauth::Principal* caller = CurrentPrincipal(request);
    EffectiveUser caller_user;
    if (caller != nullptr) {
      caller_user.user =
          CatalogUser{caller->user_id, caller->username, caller->is_staff, caller->is_superuser};
    }
    std::optional<std::string> username = request.Query("username");
    EffectiveUser effective;
    if (all_blocks) {
      if (!IsCourseStaff(ctx_.roles, caller_user, course_key)) {
        return DeveloperError(403, "'" + (caller != nullptr ? caller->username : std::string()) +
                                       "' does not have permission to access all blocks in '" +
                                       course_key + "'.");
      }
      q.see_all = true;
    } else if (!username.has_value() || username->empty()) {
      return FieldError("username", "This field is required unless all_blocks is requested.");
    } else if (caller != nullptr && AsciiLower(caller->username) == AsciiLower(*username)) {
      effective = caller_user;
    } else {
      if (!IsCourseStaff(ctx_.roles, caller_user, course_key)) {
        return DeveloperError(403, "'" + (caller != nullptr ? caller->username : std::string()) +
                                       "' does not have permission to access view for '" +
                                       *username + "'.");
      }
      StatusOr<CatalogUser> user = ctx_.catalog.FindUser(*username);
      if (!user.ok()) {
        if (user.status().code() == StatusCode::kNotFound) {
          return DeveloperError(404, "Requested user " + *username + " does not exist.");
        }
        return StorageError(user.status());
      }
      effective.user = *user;
    }
    if (!q.see_all) {
      CourseAccess access = AccessFor(ctx_.roles, effective, course_key);
      q.see_all = access.staff;
      q.beta_tester = access.beta_tester;
    }
    std::string exam_id;
    if (!q.see_all && ctx_.milestones != nullptr) {
      StatusOr<milestones::CourseGate> gate =
          ctx_.milestones->GateFor(effective.user.has_value() ? effective.user->id : 0, course_key);
      if (!gate.ok()) return StorageError(gate.status());
      if (!gate->unmet_prerequisites.empty()) {
        q.gate = MilestoneGate::kPrerequisites;
      } else if (gate->entrance_exam_pending) {
        q.gate = MilestoneGate::kEntranceExam;
        exam_id = gate->entrance_exam_id;
      }
    }

    StatusOr<std::shared_ptr<const CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) {
        return DeveloperError(404, "Block not found: " + usage_key.value_or(course_key));
      }
      return StorageError(tree.status());
    }
    const CourseTree& t = **tree;
    q.root = usage_key.has_value() ? t.Find(*usage_key) : t.root;
    if (q.root < 0) {
      return DeveloperError(404, "Block not found: " + usage_key.value_or(course_key));
    }
    if (!exam_id.empty()) q.exam_chapter = t.Find(exam_id);
    const std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    BlocksWriter writer(t, q, base);
    Response response;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = writer.Body();
    return response;
  }

  CourseApiContext& ctx_;
};

json MilestoneJson(const milestones::RequiredMilestone& m) {
  json out{{"id", m.id},
           {"namespace", m.milestone_namespace},
           {"name", m.name},
           {"display_name", m.display_name}};
  if (m.kind == milestones::MilestoneKind::kEntranceExam) {
    out["kind"] = "entrance_exam";
    out["entrance_exam_id"] = m.entrance_exam_id;
  } else {
    out["kind"] = "prerequisite";
    out["prerequisite_course"] = m.prerequisite_course;
  }
  return out;
}

// Larch's own staff-only view of edx-milestones (Open edX has no REST API
// for it): inspect a course's milestones and record fulfilments by hand,
// e.g. for learners who completed a prerequisite elsewhere.
class MilestoneRoutes {
 public:
  MilestoneRoutes(CourseApiContext& ctx, milestones::MilestoneService& service)
      : ctx_(ctx), service_(service) {}

  // GET .../milestones/{course_key}/[?username=]: the required milestones,
  // and with a username what that user still lacks and whether the course
  // is gated for them (flags applied, staff exemption not).
  Response Show(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    if (!auth.principal->is_staff && !auth.principal->is_superuser) return Forbidden();
    std::string course_key(request.PathParam("course_key"));
    StatusOr<std::vector<milestones::RequiredMilestone>> required =
        service_.RequiredMilestones(course_key);
    if (!required.ok()) return StorageError(required.status());
    json body{{"course_id", course_key},
              {"flags",
               {{"MILESTONES_APP", service_.flags().milestones_app},
                {"ENABLE_PREREQUISITE_COURSES", service_.flags().prerequisite_courses},
                {"ENTRANCE_EXAMS", service_.flags().entrance_exams}}},
              {"required", json::array()}};
    for (const auto& m : *required) body["required"].push_back(MilestoneJson(m));
    if (std::optional<std::string> username = request.Query("username")) {
      StatusOr<CatalogUser> user = ctx_.catalog.FindUser(*username);
      if (!user.ok()) return UserError(user.status());
      StatusOr<std::vector<milestones::RequiredMilestone>> missing =
          service_.UnfulfilledMilestones(user->id, course_key);
      if (!missing.ok()) return StorageError(missing.status());
      body["username"] = user->username;
      body["unfulfilled"] = json::array();
      for (const auto& m : *missing) body["unfulfilled"].push_back(MilestoneJson(m));
      body["gated"] = !missing->empty();
    }
    return Response::Json(200, body);
  }

  // POST .../milestones/{course_key}/fulfill/ with JSON {"username", "kind":
  // "course_completion" | "entrance_exam"} or {"username", "milestone_id"}.
  // course_completion does what a certificate in the course does.
  Response Fulfill(Request& request) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return auth.error;
    if (!auth.principal->is_staff && !auth.principal->is_superuser) return Forbidden();
    std::string course_key(request.PathParam("course_key"));
    StatusOr<json> body = request.JsonBody();
    if (!body.ok() || !body->is_object()) {
      return DeveloperError(400, "Expected a JSON object body.");
    }
    auto username = body->find("username");
    if (username == body->end() || !username->is_string()) {
      return FieldError("username", "This field is required.");
    }
    StatusOr<CatalogUser> user = ctx_.catalog.FindUser(username->get<std::string>());
    if (!user.ok()) return UserError(user.status());
    json reply{{"course_id", course_key}, {"username", user->username}};
    auto milestone_id = body->find("milestone_id");
    std::string kind = body->value("kind", json()).is_string() ? (*body)["kind"].get<std::string>()
                                                               : std::string();
    if (milestone_id != body->end() && milestone_id->is_number_integer()) {
      Status status = service_.Fulfill(user->id, milestone_id->get<int64_t>());
      if (!status.ok()) return MilestoneError(status);
      reply["milestone_id"] = *milestone_id;
    } else if (kind == "course_completion") {
      StatusOr<int64_t> added = service_.FulfillCoursePrerequisite(user->id, course_key);
      if (!added.ok()) return MilestoneError(added.status());
      reply["kind"] = kind;
      reply["fulfilled"] = *added;
    } else if (kind == "entrance_exam") {
      Status status = service_.FulfillEntranceExam(user->id, course_key);
      if (!status.ok()) return MilestoneError(status);
      reply["kind"] = kind;
    } else {
      return FieldError("kind", "Expected course_completion, entrance_exam or a milestone_id.");
    }
    return Response::Json(200, reply);
  }

 private:
  static Response Forbidden() {
    return internal::Detail(403, "You do not have permission to perform this action.");
  }
  static Response MilestoneError(const Status& status) {
    if (status.code() == StatusCode::kNotFound) return DeveloperError(404, status.message());
    return StorageError(status);
  }

  CourseApiContext& ctx_;
  milestones::MilestoneService& service_;
};

}  // namespace

void RegisterCourseRoutes(http::Router& router, CourseApiContext& context) {
  auto routes = std::make_shared<CourseRoutes>(context);
  auto bind = [routes](Response (CourseRoutes::*method)(Request&)) {
    return [routes, method](Request& request) { return ((*routes).*method)(request); };
  };
  router.Get("/api/courses/v1/courses/", bind(&CourseRoutes::ListCourses));
  router.Post("/api/courses/v1/courses/", bind(&CourseRoutes::ListCourses));
  router.Get("/api/courses/v1/courses/{course_key:course_key}/", bind(&CourseRoutes::CourseDetail));
  // Anything else in that place is a bad key: 400 rather than the router's 404.
  router.Get("/api/courses/v1/courses/{course_key}/", bind(&CourseRoutes::CourseDetail));
  router.Get("/api/courses/v1/course_ids/", bind(&CourseRoutes::CourseIds));
  for (const char* version : {"v1", "v2"}) {
    std::string prefix = std::string("/api/courses/") + version + "/blocks/";
    router.Get(prefix, bind(&CourseRoutes::BlocksInCourse));
    router.Get(prefix + "{usage_key}", bind(&CourseRoutes::BlocksFromUsage));
  }
  if (context.milestones == nullptr) return;
  auto admin = std::make_shared<MilestoneRoutes>(context, *context.milestones);
  router.Get("/api/larch/v1/milestones/{course_key:course_key}/",
             [admin](Request& request) { return admin->Show(request); });
  router.Post("/api/larch/v1/milestones/{course_key:course_key}/fulfill/",
              [admin](Request& request) { return admin->Fulfill(request); });
}

}  // namespace larch::api
