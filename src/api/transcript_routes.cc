// GET /courses/{course_id}/xblock/{usage_id}/handler_noauth/transcript/download
// ?lang=xx: the video transcript download that VideoBlock's student_view_data
// links (video_handlers.py VideoStudentViewHandlers.transcript, dispatch
// "download"), served from the course's imported static files.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/asset_response.h"
#include "larch/api/courses_routes.h"
#include "larch/courses/courses.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

using courses::CatalogBlock;
using courses::CourseTree;
using http::Request;
using http::Response;
using nlohmann::json;

struct Located {
  keys::CourseKey course;
  int64_t version = 0;
  courses::CourseAsset asset;
};

class TranscriptRoutes {
 public:
  TranscriptRoutes(CourseRoutesContext& ctx, storage::Database& db) : ctx_(ctx), db_(db) {}

  Response Download(Request& request) {
    std::string course_text(request.PathParam("course_id"));
    std::string usage_text(request.PathParam("usage_id"));
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(usage_text);
    if (!usage.ok() || usage->course_key().ToString() != course_text) return NotFound(request);
    StatusOr<std::shared_ptr<const CourseTree>> tree = ctx_.catalog.GetTree(course_text);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) return NotFound(request);
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    int index = (*tree)->Find(usage->ToString());
    if (index < 0) return NotFound(request);
    const CatalogBlock& block = (*tree)->blocks[static_cast<size_t>(index)];
    if (block.type != "video" || !MayView(request, block, course_text)) return NotFound(request);
    std::string lang = request.Query("lang").value_or("en");
    std::map<std::string, std::string> files = internal::VideoTranscriptFiles(block.fields);
    auto file = files.find(lang);
    if (file == files.end()) return NotFound(request);
    StatusOr<Located> located = Locate(usage->course_key(), file->second);
    if (!located.ok()) {
      if (located.status().code() == StatusCode::kNotFound) return NotFound(request);
      return http::ErrorResponse(located.status(), request.request_id());
    }
    if (located->asset.locked) return NotFound(request);
    std::string name = file->second;
    Response response;
    if (name.size() > 6 && name.compare(name.size() - 6, 6, ".sjson") == 0) {
      StatusOr<std::string> content =
          courses::ReadAssetContent(db_, located->asset, kMaxSjsonBytes);
      if (!content.ok()) return http::ErrorResponse(content.status(), request.request_id());
      response = Response::Text(200, courses::SjsonToSrt(*content));
      name = name.substr(0, name.size() - 6);
      if (name.rfind("subs_", 0) == 0) name = name.substr(5);
    } else {
      response = ServeCourseAsset(request, db_, located->asset);
      if (response.status != 200 && response.status != 206) return response;
    }
    response.SetHeader("Content-Type", "application/x-subrip; charset=utf-8");
    response.SetHeader("Content-Language", lang);
    response.SetHeader("Content-Disposition", "attachment; filename=\"" + SafeName(name) + "\"");
    return response;
  }

 private:
  // ContentGate's visibility rule for the block itself (roles, start
  // dates, staff-only; not its ancestors nor the milestones).
  bool MayView(const Request& request, const CatalogBlock& block, const std::string& course_key) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    content_gate::ContentAccess access =
        caller == nullptr
            ? ctx_.gate.RoleAccess(std::nullopt, false, course_key)
            : ctx_.gate.RoleAccess(caller->user_id, caller->is_staff || caller->is_superuser,
                                   course_key);
    return content_gate::ContentGate::Visible(block, access);
  }

  StatusOr<Located> Locate(const keys::CourseKey& course, const std::string& name) {
    return storage::RunWithResult(
        db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<Located> {
          Located out;
          out.course = course;
          LARCH_ASSIGN_OR_RETURN(out.version, courses::CourseStore::GetVersion(txn, course));
          LARCH_ASSIGN_OR_RETURN(out.asset, courses::CourseStore::FindAsset(txn, course, name));
          return out;
        });
  }

  static std::string SafeName(const std::string& name) {
    std::string out;
    for (char c : name) {
      if (c != '"' && c != '\\' && c != '\r' && c != '\n' && c != '/') out += c;
    }
    return out;
  }

  static Response NotFound(const Request& request) {
    return http::ErrorResponse(NotFoundError("no such transcript"), request.request_id());
  }

  // A legacy .srt.sjson is converted whole in memory; real ones are far
  // smaller.
  static constexpr uint64_t kMaxSjsonBytes = uint64_t{16} << 20;

  CourseRoutesContext& ctx_;
  storage::Database& db_;
};

}  // namespace

void RegisterTranscriptRoutes(http::Router& router, CourseRoutesContext& context,
                              storage::Database& db) {
  auto routes = std::make_shared<TranscriptRoutes>(context, db);
  router.Get("/courses/{course_id:course_key}/xblock/{usage_id}/handler_noauth/transcript/download",
             [routes](Request& request) { return routes->Download(request); });
}

}  // namespace larch::api
