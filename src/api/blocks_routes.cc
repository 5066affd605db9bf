// The Blocks API: /api/courses/v{1,2}/blocks/ over the catalog tree, with
// what each viewer sees decided by content_gate::ContentGate.
#include <time.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "courses_routes_internal.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"

namespace larch::api::internal {
namespace {

using content_gate::ContentAccess;
using content_gate::ContentGate;
using courses::CatalogBlock;
using courses::CourseTree;
using courses::JsonQuote;
using http::Request;
using http::Response;
using nlohmann::json;

struct BlockQuery {
  int root = -1;
  std::optional<int> depth;  // nullopt = all
  std::set<std::string> requested_fields;
  std::set<std::string> block_counts;
  std::set<std::string> student_view_data;
  std::set<std::string> block_types_filter;
  bool return_list = false;
  // What the viewer may see (all_blocks is a staff view).
  ContentAccess access;
  // nav_depth: blocks at most this deep (from the root) list `descendants`.
  std::optional<int> nav_depth;
};

bool DeniedByMilestones(const CourseTree& tree, const BlockQuery& q, int index) {
  return ContentGate::DeniedByMilestones(tree.blocks[static_cast<size_t>(index)], q.access);
}

bool Accessible(const CourseTree& tree, const BlockQuery& q, int index) {
  return ContentGate::Visible(tree.blocks[static_cast<size_t>(index)], q.access);
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
        Value(out, "start", ApiDateTime(*v));
      }
    }
    if (wanted_.due) {
      if (const json* v = Setting(block, "due", true)) Value(out, "due", ApiDateTime(*v));
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
      json data = StudentViewData(tree_, block, base_url_);
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

class BlocksRoutes {
 public:
  explicit BlocksRoutes(CourseRoutesContext& ctx) : ctx_(ctx) {}

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
    if (std::optional<Response> error = ParseQuery(request, q)) return std::move(*error);
    if (std::optional<Response> error = ResolveAccess(request, course_key, q)) {
      return std::move(*error);
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
    const std::string base = AbsoluteBaseUrl(request, ctx_.settings);
    BlocksWriter writer(t, q, base);
    Response response;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = writer.Body();
    return response;
  }

  // depth, return_type, nav_depth and the field lists; a 400 when one is bad.
  static std::optional<Response> ParseQuery(const Request& request, BlockQuery& q) {
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
    return std::nullopt;
  }

  // all_blocks or the viewer named by `username`, and what they may see.
  std::optional<Response> ResolveAccess(const Request& request, const std::string& course_key,
                                        BlockQuery& q) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    const std::string caller_name = caller != nullptr ? caller->username : std::string();
    EffectiveUser caller_user = CallerUser(request);
    std::optional<std::string> username = request.Query("username");
    if (ParseBool(request.Query("all_blocks")).value_or(false)) {
      if (!IsCourseStaff(ctx_, caller_user, course_key)) {
        return DeveloperError(403, "'" + caller_name +
                                       "' does not have permission to access all blocks in '" +
                                       course_key + "'.");
      }
      q.access = ctx_.gate.SeeAll();
      return std::nullopt;
    }
    EffectiveUser effective;
    if (!username.has_value() || username->empty()) {
      return FieldError("username", "This field is required unless all_blocks is requested.");
    } else if (caller != nullptr && AsciiLower(caller->username) == AsciiLower(*username)) {
      effective = caller_user;
    } else {
      if (!IsCourseStaff(ctx_, caller_user, course_key)) {
        return DeveloperError(403, "'" + caller_name +
                                       "' does not have permission to access view for '" +
                                       *username + "'.");
      }
      StatusOr<ViewUser> user = FindNamedUser(ctx_, *username);
      if (!user.ok()) {
        if (user.status().code() == StatusCode::kNotFound) {
          return DeveloperError(404, "Requested user " + *username + " does not exist.");
        }
        return StorageError(user.status());
      }
      effective.user = *user;
    }
    std::optional<int64_t> user_id;
    if (effective.user.has_value()) user_id = effective.user->id;
    StatusOr<ContentAccess> access =
        ctx_.gate.AccessFor(user_id, effective.global_staff(), course_key);
    if (!access.ok()) return StorageError(access.status());
    q.access = *std::move(access);
    return std::nullopt;
  }

  CourseRoutesContext& ctx_;
};

}  // namespace

void RegisterBlocksRoutes(http::Router& router, CourseRoutesContext& context) {
  auto routes = std::make_shared<BlocksRoutes>(context);
  for (const char* version : {"v1", "v2"}) {
    std::string prefix = std::string("/api/courses/") + version + "/blocks/";
    router.Get(prefix, [routes](Request& request) { return routes->BlocksInCourse(request); });
    router.Get(prefix + "{usage_key}",
               [routes](Request& request) { return routes->BlocksFromUsage(request); });
  }
}

}  // namespace larch::api::internal
