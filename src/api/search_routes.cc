#include "larch/api/search_routes.h"
#include "larch/common/strings.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"
#include "larch/search/query.h"
#include "larch/search/search_index.h"

namespace larch::api {
namespace {

using content_gate::ContentAccess;
using content_gate::ContentGate;
using courses::CatalogBlock;
using courses::CourseTree;
using http::Request;
using http::Response;
using nlohmann::json;

// edx-search's defaults: page size 20, SEARCH_MAX_PAGE_SIZE 100.
constexpr int64_t kDefaultPageSize = 20;
constexpr int64_t kMaxPageSize = 100;
// result_processor.py: DESIRED_EXCERPT_LENGTH and ELLIPSIS; textwrap's width.
constexpr size_t kDesiredExcerptLength = 100;
constexpr size_t kWrapWidth = 70;
constexpr char kEllipsis[] = "<span class=\"search-results-ellipsis\"></span>";

// Upstream answers every failure with status 500 and {"error": ...}.
Response SearchError(const std::string& message) {
  return Response::Json(500, json{{"error", message}});
}

std::string IsoTime(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1'000'000);
  if (micros < 0 && micros % 1'000'000 != 0) --seconds;
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Python's int(): optional sign, digits, surrounding whitespace.
std::optional<int64_t> ParseInt(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\n\r\f\v");
  size_t e = text.find_last_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return std::nullopt;
  std::string s = text.substr(b, e - b + 1);
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size() || s.size() - i > 12) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k) {
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
  }
  int64_t value = std::stoll(s.substr(i));
  return s[0] == '-' ? -value : value;
}

struct Page {
  int64_t size = kDefaultPageSize;
  int64_t from = 0;
};

// views._process_pagination_values: page_index is only read together with
// page_size. Returns the error message on bad input.
std::optional<std::string> ReadPage(const std::map<std::string, std::string>& form, Page& page) {
  auto size_it = form.find("page_size");
  if (size_it == form.end()) return std::nullopt;
  std::optional<int64_t> size = ParseInt(size_it->second);
  if (!size.has_value()) {
    return "invalid literal for int() with base 10: '" + size_it->second + "'";
  }
  if (*size <= 0 || *size > kMaxPageSize) {
    return "Invalid page size of " + std::to_string(*size);
  }
  page.size = *size;
  auto index_it = form.find("page_index");
  if (index_it != form.end()) {
    std::optional<int64_t> index = ParseInt(index_it->second);
    if (!index.has_value()) {
      return "invalid literal for int() with base 10: '" + index_it->second + "'";
    }
    page.from = *index * page.size;
  }
  return std::nullopt;
}

std::string SearchFailed(const std::string& search_string) {
  return "An error occurred when searching for \"" + search_string + "\"";
}

// ---- excerpts (SearchResultProcessor.excerpt) ----

// textwrap.wrap(s) with width 70: greedy word wrap on whitespace.
std::vector<std::string> Wrap(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i) break;
    std::string word = text.substr(i, j - i);
    i = j;
    if (!line.empty() && line.size() + 1 + word.size() > kWrapWidth) {
      lines.push_back(std::move(line));
      line.clear();
    }
    line += line.empty() ? word : " " + word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

// Wraps every case-insensitive occurrence of `phrase` in <b></b>.
std::string Decorate(const std::string& text, const std::string& phrase) {
  if (phrase.empty()) return text;
  std::string lower_text = AsciiLower(text);
  std::string lower_phrase = AsciiLower(phrase);
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t hit = lower_text.find(lower_phrase, pos);
    if (hit == std::string::npos) break;
    out += text.substr(pos, hit - pos);
    out += "<b>" + text.substr(hit, phrase.size()) + "</b>";
    pos = hit + phrase.size();
  }
  out += text.substr(pos);
  return out;
}

std::string Excerpt(const std::vector<std::string>& strings, const std::string& search_string) {
  std::vector<std::string> phrases = {search_string};
  search::TextQuery q = search::ParseSearchText(search_string);
  if (q.terms.size() > 1) phrases.insert(phrases.end(), q.terms.begin(), q.terms.end());
  // find_matches: matching wrapped lines until their total length reaches
  // the desired length (the line that reaches it is left out).
  std::vector<std::string> matches;
  size_t cumulative = 0;
  bool full = false;
  for (const std::string& s : strings) {
    for (std::string& line : Wrap(s)) {
      std::string lower = AsciiLower(line);
      bool hit = std::any_of(phrases.begin(), phrases.end(), [&](const std::string& p) {
        return !p.empty() && lower.find(AsciiLower(p)) != std::string::npos;
      });
      if (!hit) continue;
      cumulative += line.size();
      full = cumulative >= kDesiredExcerptLength;
      if (full) break;
      matches.push_back(std::move(line));
    }
    if (full) break;
  }
  std::string out;
  for (size_t i = 0; i < matches.size(); ++i) {
    std::string decorated = matches[i];
    for (const std::string& p : phrases) decorated = Decorate(decorated, p);
    if (i > 0) out += kEllipsis;
    out += decorated;
  }
  return out;
}

// ---- documents ----

std::string ImageUrl(const search::CourseDocument& doc) {
  if (!doc.course_image.has_value() || doc.course_image->empty()) {
    return "/static/images/pencils.jpg";
  }
  const std::string& name = *doc.course_image;
  if (name[0] == '/' || name.rfind("http", 0) == 0) return name;
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(doc.course_key);
  if (!key.ok()) return "/static/" + name;
  StatusOr<keys::AssetKey> asset = key->MakeAssetKey(keys::AssetNameForStaticPath(name));
  if (!asset.ok()) return "/static/" + name;
  return "/" + asset->ToString();
}

// CourseAboutSearchIndexer.index_about_information: properties are only
// present when truthy.
json CourseData(const search::CourseDocument& doc) {
  json content = json::object();
  content["display_name"] = doc.display_name;
  content["number"] = doc.number;
  if (!doc.overview_text.empty()) content["overview"] = doc.overview_text;
  if (doc.short_description.has_value() && !doc.short_description->empty()) {
    content["short_description"] = *doc.short_description;
  }
  json data = {{"id", doc.course_key},
               {"course", doc.course_key},
               {"content", content},
               {"image_url", ImageUrl(doc)},
               {"self_paced", doc.self_paced},
               {"number", doc.number},
               {"org", doc.org}};
  if (doc.start.has_value()) data["start"] = IsoTime(*doc.start);
  if (doc.end.has_value()) data["end"] = IsoTime(*doc.end);
  if (doc.enrollment_start.has_value()) data["enrollment_start"] = IsoTime(*doc.enrollment_start);
  if (doc.enrollment_end.has_value()) data["enrollment_end"] = IsoTime(*doc.enrollment_end);
  if (doc.effort.has_value() && !doc.effort->empty()) data["effort"] = *doc.effort;
  if (!doc.modes.empty()) data["modes"] = doc.modes;
  if (doc.language.has_value() && !doc.language->empty()) data["language"] = *doc.language;
  if (doc.invitation_only) data["invitation_only"] = true;
  if (!doc.catalog_visibility.empty()) data["catalog_visibility"] = doc.catalog_visibility;
  return data;
}

// The index_dictionary() of each block type: the content field name and
// content_type.
std::pair<const char*, const char*> BlockKind(const std::string& type) {
  if (type == "html") return {"html_content", "Text"};
  if (type == "video") return {"transcript_en", "Video"};
  if (type == "problem") return {"capa_content", "CAPA"};
  if (type == "vertical") return {nullptr, "Vertical"};
  return {nullptr, "Sequence"};
}

json BlockData(const search::BlockMatch& match, const CourseTree& tree, int index,
               const std::string& org, const std::string& search_string) {
  const CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
  auto [field, content_type] = BlockKind(match.block_type);
  json content = {{"display_name", match.title}};
  std::vector<std::string> strings = {match.title};
  if (field != nullptr && !match.content.empty()) {
    content[field] = match.content;
    strings.push_back(match.content);
  }
  // CoursewareSearchIndexer.supplemental_fields: the display names from the
  // course down to the block; the first is the course, the next three the
  // navigable path.
  std::vector<std::string> path;
  for (int i = index; i >= 0; i = tree.blocks[static_cast<size_t>(i)].parent) {
    const std::string& name = tree.blocks[static_cast<size_t>(i)].display_name;
    path.push_back(name.empty() ? "(Unnamed)" : name);
  }
  std::reverse(path.begin(), path.end());
  json location = json::array();
  for (size_t i = 1; i < path.size() && i < 4; ++i) location.push_back(path[i]);
  json data = {{"course", match.course_key},
               {"org", org},
               {"id", match.usage_key},
               {"content", content},
               {"content_type", content_type},
               {"content_groups", nullptr},
               {"course_name", path.empty() ? std::string() : path[0]},
               {"location", location},
               {"url", "/courses/" + match.course_key + "/jump_to/" + match.usage_key},
               {"excerpt", Excerpt(strings, search_string)}};
  if (block.start.has_value()) data["start_date"] = IsoTime(*block.start);
  return data;
}

json Hit(const std::string& index_name, const std::string& id, json data, double score) {
  return json{{"_id", id},
              {"_index", index_name},
              {"_type", "_doc"},
              {"data", std::move(data)},
              {"score", score}};
}

class SearchRoutes {
 public:
  explicit SearchRoutes(const SearchRoutesContext& context)
      : ctx_(context), index_(context.db, context.clock) {
    facets_ = context.course_discovery_filters.empty() ? search::DefaultDiscoveryFacets()
                                                       : context.course_discovery_filters;
  }

  Response CourseDiscovery(Request& request) {
    int64_t started = ctx_.clock.MonotonicMicros();
    std::map<std::string, std::string> form = internal::FormMap(request);
    std::string search_string = form.count("search_string") ? form["search_string"] : "";
    search::DiscoveryQuery query;
    query.search_string = search_string;
    query.facets = facets_;
    Page page;
    if (std::optional<std::string> error = ReadPage(form, page)) return SearchError(*error);
    if (page.from < 0) return SearchError(SearchFailed(search_string));
    query.size = page.size;
    query.from = page.from;
    for (const std::string& facet : facets_) {
      auto it = form.find(facet);
      if (it != form.end()) query.field_filters.emplace_back(facet, it->second);
    }
    StatusOr<search::DiscoveryResult> result = index_.DiscoverCourses(query);
    if (!result.ok()) return SearchError(SearchFailed(search_string));
    json results = json::array();
    for (const search::CourseDocument& doc : result->page) {
      results.push_back(Hit("course_info", doc.course_key, CourseData(doc), doc.score));
    }
    json aggs = json::object();
    for (const auto& [facet, counts] : result->facets) {
      aggs[facet] = {{"terms", counts.terms}, {"total", counts.total}, {"other", counts.other}};
    }
    json body = {{"took", Took(started)},
                 {"total", result->total},
                 {"max_score", MaxScore(result->max_score)},
                 {"results", std::move(results)},
                 {"aggs", std::move(aggs)}};
    return Response::Json(200, body);
  }

  Response CoursewareSearch(Request& request) {
    std::string course_key(request.PathParam("course_id"));
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) {
      return Response::Json(403, json{{"error", "Authentication credentials were not provided."}});
    }
    StatusOr<std::shared_ptr<const CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) {
        return Response::Json(404, json{{"error", "Course not found: " + course_key}});
      }
      return SearchError("An error occurred when searching");
    }
    content_gate::CourseAccess access =
        ctx_.gate.RolesFor(caller->user_id, caller->is_staff || caller->is_superuser, course_key);
    if (!access.staff) {
      StatusOr<std::optional<enrollment::Enrollment>> enrolled =
          ctx_.enrollments.Get(caller->user_id, course_key);
      if (!enrolled.ok()) return SearchError("An error occurred when searching");
      if (!enrolled->has_value() || !(*enrolled)->is_active) {
        return Response::Json(403,
                              json{{"error", "You do not have permission to search this course."}});
      }
    }
    return PerformSearch(request, *caller, {course_key});
  }

  Response DashboardSearch(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) {
      return Response::Json(403, json{{"error", "Authentication credentials were not provided."}});
    }
    StatusOr<std::vector<std::string>> courses = index_.ActiveEnrollments(caller->user_id);
    if (!courses.ok()) return SearchError("An error occurred when searching");
    return PerformSearch(request, *caller, *courses);
  }

 private:
  static int64_t Took(int64_t started_monotonic_micros, int64_t now) {
    return std::max<int64_t>(0, (now - started_monotonic_micros) / 1000);
  }
  int64_t Took(int64_t started) const { return Took(started, ctx_.clock.MonotonicMicros()); }
  static json MaxScore(const std::optional<double>& score) {
    return score.has_value() ? json(*score) : json(nullptr);
  }

  // views.do_search + api.perform_search + LmsSearchResultProcessor.
  Response PerformSearch(Request& request, const oauth::Principal& caller,
                         const std::vector<std::string>& course_keys) {
    int64_t started = ctx_.clock.MonotonicMicros();
    std::map<std::string, std::string> form = internal::FormMap(request);
    auto term_it = form.find("search_string");
    if (term_it == form.end() || term_it->second.empty()) {
      return SearchError("No search term provided for search");
    }
    const std::string& search_string = term_it->second;
    Page page;
    if (std::optional<std::string> error = ReadPage(form, page)) return SearchError(*error);
    if (page.from < 0) return SearchError(SearchFailed(search_string));

    StatusOr<std::vector<search::BlockMatch>> matches =
        index_.MatchBlocks(course_keys, search_string);
    if (!matches.ok()) return SearchError(SearchFailed(search_string));

    struct CourseState {
      std::shared_ptr<const CourseTree> tree;
      ContentAccess access;
      std::string org;
    };
    std::map<std::string, CourseState> courses;
    std::vector<json> visible;
    std::optional<double> max_score;
    int64_t denied = 0;
    for (const search::BlockMatch& match : *matches) {
      auto it = courses.find(match.course_key);
      if (it == courses.end()) {
        CourseState state;
        StatusOr<std::shared_ptr<const CourseTree>> tree = ctx_.catalog.GetTree(match.course_key);
        if (tree.ok()) state.tree = *tree;
        StatusOr<ContentAccess> access = ctx_.gate.AccessFor(
            caller.user_id, caller.is_staff || caller.is_superuser, match.course_key);
        if (!access.ok()) return SearchError(SearchFailed(search_string));
        state.access = *std::move(access);
        StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(match.course_key);
        if (key.ok()) state.org = key->org;
        it = courses.emplace(match.course_key, std::move(state)).first;
      }
      const CourseState& state = it->second;
      int index = state.tree ? state.tree->Find(match.usage_key) : -1;
      if (index < 0 || !ContentGate::VisibleWithAncestors(*state.tree, index, state.access)) {
        ++denied;
        continue;
      }
      max_score = std::max(max_score.value_or(match.score), match.score);
      if (static_cast<int64_t>(visible.size()) >= page.from + page.size) {
        visible.emplace_back();  // counted only
        continue;
      }
      visible.push_back(Hit("courseware_content", match.usage_key,
                            BlockData(match, *state.tree, index, state.org, search_string),
                            match.score));
    }
    json results = json::array();
    for (int64_t i = page.from;
         i < static_cast<int64_t>(visible.size()) && i - page.from < page.size; ++i) {
      results.push_back(std::move(visible[static_cast<size_t>(i)]));
    }
    json body = {{"took", Took(started)},
                 {"total", static_cast<int64_t>(visible.size())},
                 {"max_score", MaxScore(max_score)},
                 {"results", std::move(results)},
                 {"access_denied_count", denied}};
    return Response::Json(200, body);
  }

 public:
  // GET /courses/{course_id}/courseware-search/enabled/ (courseware/views/
  // views.py courseware_mfe_search_enabled): whether the learning MFE shows
  // its search. Upstream's waffle flag courseware.mfe_courseware_search is
  // FEATURES.ENABLE_COURSEWARE_SEARCH here, the flag that also serves
  // /search/{course_id}. With ENABLE_COURSEWARE_SEARCH_VERIFIED_ENROLLMENT_
  // REQUIRED only course staff and learners in a verified mode see it.
  Response CoursewareSearchEnabled(Request& request) {
    bool enabled = ctx_.settings.Feature("ENABLE_COURSEWARE_SEARCH");
    if (enabled && ctx_.settings.Feature("ENABLE_COURSEWARE_SEARCH_VERIFIED_ENROLLMENT_REQUIRED")) {
      const oauth::Principal* caller = CurrentPrincipal(request);
      std::string course_key(request.PathParam("course_id"));
      enabled = false;
      if (caller != nullptr) {
        content_gate::CourseAccess access = ctx_.gate.RolesFor(
            caller->user_id, caller->is_staff || caller->is_superuser, course_key);
        StatusOr<std::optional<enrollment::Enrollment>> enrolled =
            ctx_.enrollments.Get(caller->user_id, course_key);
        if (!enrolled.ok()) return http::ErrorResponse(enrolled.status(), request.request_id());
        enabled = access.staff || (enrolled->has_value() && IsVerifiedMode((*enrolled)->mode));
      }
    }
    return Response::Json(200, json{{"enabled", enabled}});
  }

  // CourseMode.VERIFIED_MODES.
 private:
  static bool IsVerifiedMode(const std::string& mode) {
    return mode == "verified" || mode == "professional" || mode == "masters" ||
           mode == "executive-education" || mode == "paid-executive-education" ||
           mode == "paid-bootcamp";
  }

  SearchRoutesContext ctx_;
  search::SearchIndex index_;
  std::vector<std::string> facets_;
};

}  // namespace

void RegisterSearchRoutes(http::Router& router, const SearchRoutesContext& context) {
  auto routes = std::make_shared<SearchRoutes>(context);
  auto bind = [routes](Response (SearchRoutes::*method)(Request&)) {
    return [routes, method](Request& request) { return ((*routes).*method)(request); };
  };
  const config::Settings& settings = context.settings;
  if (settings.Feature("ENABLE_COURSE_DISCOVERY")) {
    router.Post("/search/course_discovery/", bind(&SearchRoutes::CourseDiscovery));
  }
  // Always answered: the MFE asks before it searches, and {"enabled": false}
  // is what tells it not to.
  router.Get("/courses/{course_id:course_key}/courseware-search/enabled/",
             bind(&SearchRoutes::CoursewareSearchEnabled));
  if (settings.Feature("ENABLE_COURSEWARE_SEARCH")) {
    router.Post("/search/{course_id:course_key}", bind(&SearchRoutes::CoursewareSearch));
  }
  if (settings.Feature("ENABLE_DASHBOARD_SEARCH")) {
    router.Post("/search/", bind(&SearchRoutes::DashboardSearch));
  }
}

}  // namespace larch::api
