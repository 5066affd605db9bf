#include "larch/api/bookmark_routes.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

using bookmarks::Bookmark;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr char kNoCredentials[] = "Authentication credentials were not provided.";
constexpr char kDefaultUserMessage[] = "An error has occurred. Please try again.";
constexpr int64_t kPageSize = 10;
constexpr int64_t kMaxPageSize = 100;

// BookmarksViewMixin.error_response.
Response Error(int status, const std::string& developer, const std::string& user = "") {
  return Response::Json(status, json{{"developer_message", developer},
                                     {"user_message", user.empty() ? developer : user}});
}

std::optional<int64_t> Positive(const std::string& text) {
  if (text.empty() || text.size() > 12 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  int64_t value = std::stoll(text);
  return value > 0 ? std::optional<int64_t>(value) : std::nullopt;
}

bool SameUsername(std::string a, std::string b) {
  auto lower = [](std::string& s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  lower(a);
  lower(b);
  return a == b;
}

class BookmarkRoutes {
 public:
  explicit BookmarkRoutes(BookmarkRoutesContext& ctx) : ctx_(ctx) {}

  Response List(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return internal::Detail(401, kNoCredentials);
    int64_t page_size = kPageSize;
    if (auto size = request.Query("page_size")) {
      if (auto parsed = Positive(*size)) page_size = std::min(*parsed, kMaxPageSize);
    }
    int64_t page = 1;
    if (auto text = request.Query("page")) {
      std::optional<int64_t> parsed = Positive(*text);
      if (!parsed) return internal::Detail(404, "Invalid page.");
      page = *parsed;
    }
    std::string course;
    bool invalid_course = false;
    if (auto course_id = request.Query("course_id"); course_id && !course_id->empty()) {
      StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(*course_id);
      invalid_course = !key.ok();
      if (key.ok()) course = key->ToString();
    }
    bookmarks::BookmarkPage found;
    if (!invalid_course) {
      StatusOr<bookmarks::BookmarkPage> listed =
          ctx_.bookmarks.List(caller->user_id, course, page_size, (page - 1) * page_size);
      if (!listed.ok()) return http::ErrorResponse(listed.status(), request.request_id());
      found = std::move(*listed);
    }
    int64_t num_pages = found.count == 0 ? 1 : (found.count + page_size - 1) / page_size;
    if (page > num_pages) return internal::Detail(404, "Invalid page.");
    std::set<std::string> fields = Fields(request);
    json results = json::array();
    for (const Bookmark& bookmark : found.bookmarks) {
      results.push_back(Serialize(caller->username, bookmark, fields));
    }
    std::string base = internal::AbsoluteBaseUrl(request, ctx_.settings);
    return Response::Json(
        200, json{{"count", found.count},
                  {"num_pages", num_pages},
                  {"current_page", page},
                  {"start", (page - 1) * page_size},
                  {"next", page < num_pages ? json(PageUrl(request, base, page + 1)) : json()},
                  {"previous", page > 1 ? json(PageUrl(request, base, page - 1)) : json()},
                  {"results", std::move(results)}});
  }

  Response Create(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return internal::Detail(401, kNoCredentials);
    std::map<std::string, std::string> data = internal::FormMap(request);
    if (data.empty()) return Error(400, "No data provided.", kDefaultUserMessage);
    auto usage_id = data.find("usage_id");
    if (usage_id == data.end() || usage_id->second.empty()) {
      return Error(400, "Parameter usage_id not provided.", kDefaultUserMessage);
    }
    const std::string& text = usage_id->second;
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(text);
    if (!usage.ok() || usage->in_library()) {
      return Error(400, "Invalid usage_id: " + text + ".", kDefaultUserMessage);
    }
    std::string not_found = "Block with usage_id: " + text + " not found.";
    std::string course_key = usage->course_key().ToString();
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) {
        return Error(400, not_found, kDefaultUserMessage);
      }
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    int index = (*tree)->Find(usage->ToString());
    StatusOr<bool> may = index >= 0 ? MaySee(*caller, **tree, index) : StatusOr<bool>(false);
    if (!may.ok()) return http::ErrorResponse(may.status(), request.request_id());
    if (!*may) return Error(400, not_found, kDefaultUserMessage);
    StatusOr<Bookmark> created =
        ctx_.bookmarks.Create(caller->user_id, course_key, usage->ToString(), usage->block_type);
    if (created.status().code() == StatusCode::kResourceExhausted) {
      return Error(400, "You can create up to " +
                            std::to_string(bookmarks::kMaxBookmarksPerCourse) +
                            " bookmarks. You must remove some bookmarks before you can add new "
                            "ones.");
    }
    if (!created.ok()) return http::ErrorResponse(created.status(), request.request_id());
    return Response::Json(201, Serialize(caller->username, *created, {"display_name", "path"}));
  }

  Response Detail(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return internal::Detail(401, kNoCredentials);
    std::string id(request.PathParam("bookmark_id"));
    size_t comma = id.find(',');
    if (comma == std::string::npos) return internal::Detail(404, "Not found.");
    std::string username = id.substr(0, comma);
    std::string usage_id = id.substr(comma + 1);
    // IsUserInUrl: someone else's bookmarks do not exist, except for staff.
    if (!SameUsername(username, caller->username)) {
      if (caller->is_staff) {
        return internal::Detail(403, "You do not have permission to perform this action.");
      }
      return internal::Detail(404, "Not found.");
    }
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(usage_id);
    if (!usage.ok()) return Error(404, "Invalid usage_id: " + usage_id + ".");
    std::string missing = "Bookmark with usage_id: " + usage_id + " does not exist.";
    if (request.method() == "DELETE") {
      Status deleted = ctx_.bookmarks.Delete(caller->user_id, usage->ToString());
      if (deleted.code() == StatusCode::kNotFound) return Error(404, missing);
      if (!deleted.ok()) return http::ErrorResponse(deleted, request.request_id());
      return Response::NoContent();
    }
    StatusOr<std::optional<Bookmark>> found =
        ctx_.bookmarks.Get(caller->user_id, usage->ToString());
    if (!found.ok()) return http::ErrorResponse(found.status(), request.request_id());
    if (!found->has_value()) return Error(404, missing);
    return Response::Json(200, Serialize(caller->username, **found, Fields(request)));
  }

 private:
  // The optional fields asked for (fields=display_name,path).
  static std::set<std::string> Fields(const Request& request) {
    std::set<std::string> out;
    std::string text = request.Query("fields").value_or("");
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(',', start);
      if (end == std::string::npos) end = text.size();
      std::string field = text.substr(start, end - start);
      if (field == "display_name" || field == "path") out.insert(field);
      start = end + 1;
    }
    return out;
  }

  // Enrolled (active) or course staff, and the block and its ancestors
  // visible to the caller.
  StatusOr<bool> MaySee(const oauth::Principal& caller, const courses::CourseTree& tree,
                        int index) {
    bool global_staff = caller.is_staff || caller.is_superuser;
    LARCH_ASSIGN_OR_RETURN(content_gate::ContentAccess access,
                           ctx_.gate.AccessFor(caller.user_id, global_staff, tree.course_key));
    if (!access.see_all) {
      LARCH_ASSIGN_OR_RETURN(std::optional<enrollment::Enrollment> enrolled,
                             ctx_.enrollments.Get(caller.user_id, tree.course_key));
      if (!enrolled.has_value() || !enrolled->is_active) return false;
    }
    return content_gate::ContentGate::VisibleWithAncestors(tree, index, access);
  }

  // BookmarkSerializer; display_name and path from the current course tree.
  json Serialize(const std::string& username, const Bookmark& bookmark,
                 const std::set<std::string>& fields) {
    json out = {{"id", username + "," + bookmark.usage_key},
                {"course_id", bookmark.course_key},
                {"usage_id", bookmark.usage_key},
                {"block_type", bookmark.block_type},
                {"created", FormatIso8601(bookmark.created)}};
    if (fields.empty()) return out;
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree =
        ctx_.catalog.GetTree(bookmark.course_key);
    int index = tree.ok() ? (*tree)->Find(bookmark.usage_key) : -1;
    if (fields.count("display_name") > 0) {
      out["display_name"] =
          index >= 0 ? (*tree)->blocks[static_cast<size_t>(index)].display_name : std::string();
    }
    if (fields.count("path") > 0) {
      json path = json::array();
      for (int i = index >= 0 ? (*tree)->blocks[static_cast<size_t>(index)].parent : -1;
           i >= 0 && (*tree)->blocks[static_cast<size_t>(i)].parent >= 0;
           i = (*tree)->blocks[static_cast<size_t>(i)].parent) {
        const courses::CatalogBlock& block = (*tree)->blocks[static_cast<size_t>(i)];
        path.insert(path.begin(),
                    json{{"usage_id", block.usage_key}, {"display_name", block.display_name}});
      }
      out["path"] = std::move(path);
    }
    return out;
  }

  static std::string PageUrl(const Request& request, const std::string& base, int64_t page) {
    std::string query;
    for (const auto& [name, value] : request.query_params()) {
      if (name == "page") continue;
      query +=
          (query.empty() ? "" : "&") + http::PercentEncode(name) + "=" + http::PercentEncode(value);
    }
    query += (query.empty() ? "" : "&") + std::string("page=") + std::to_string(page);
    return base + std::string(request.path()) + "?" + query;
  }

  BookmarkRoutesContext& ctx_;
};

}  // namespace

void RegisterBookmarkRoutes(http::Router& router, BookmarkRoutesContext& context) {
  auto routes = std::make_shared<BookmarkRoutes>(context);
  router.Get("/api/bookmarks/v1/bookmarks/",
             [routes](Request& request) { return routes->List(request); });
  router.Post("/api/bookmarks/v1/bookmarks/",
              [routes](Request& request) { return routes->Create(request); });
  router.Get("/api/bookmarks/v1/bookmarks/{bookmark_id}/",
             [routes](Request& request) { return routes->Detail(request); });
  router.Delete("/api/bookmarks/v1/bookmarks/{bookmark_id}/",
                [routes](Request& request) { return routes->Detail(request); });
}

}  // namespace larch::api
