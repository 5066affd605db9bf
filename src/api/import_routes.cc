#include "larch/api/import_routes.h"

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/accounts/roles.h"
#include "larch/api/account_routes.h"
#include "larch/courses/import_tasks.h"
#include "larch/http/multipart.h"
#include "larch/keys/keys.h"
#include "larch/oauth/principal.h"
#include "spdlog/spdlog.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// The DeveloperErrorViewMixin body the view raises with api_error().
Response ApiError(int status, std::string_view message, std::string_view error_code) {
  return Response::Json(status, json{{"developer_message", message}, {"error_code", error_code}});
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A file name safe as the last segment of a file store name: the last path
// component, with anything outside [A-Za-z0-9._-] replaced, at most
// kMaxNameBytes long.
constexpr size_t kMaxNameBytes = 120;
std::string SafeFilename(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(0, "upload");
  // The file store takes segments of up to 180 bytes; the end keeps the
  // extension the import looks at.
  if (out.size() > kMaxNameBytes) out = "upload" + out.substr(out.size() - kMaxNameBytes + 6);
  return out;
}

// The multipart body: the server streams this route's uploads to a file
// (Request::body_file), so a slow upload holds no memory while it arrives;
// it is read here only once complete and accepted. nullopt when it cannot be
// read.
// TODO(issue 8): parse the multipart from the file (a GMime file stream)
// instead of reading it into memory once more.
std::optional<std::string> UploadedBody(const Request& request) {
  if (request.body_file().empty()) return request.body();
  std::ifstream in(request.body_file(), std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return data;
}

// UserTaskStatus states.
std::string_view StateName(storage::JobState state) {
  switch (state) {
    case storage::JobState::kQueued:
      return "Pending";
    case storage::JobState::kRunning:
      return "In Progress";
    case storage::JobState::kSucceeded:
      return "Succeeded";
    case storage::JobState::kDead:
      return "Failed";
  }
  return "Pending";
}

class ImportRoutes {
 public:
  explicit ImportRoutes(CourseImportRoutesContext& ctx) : ctx_(ctx) {}

  // course_author_access_required: the caller, or the response to send.
  std::optional<Response> CheckAuthor(const Request& request, const keys::CourseKey& key,
                                      const oauth::Principal** out) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return std::move(auth.error);
    *out = auth.principal;
    if (auth.principal->is_staff || auth.principal->is_superuser) return std::nullopt;
    std::string course = key.ToString();
    for (accounts::CourseRole role :
         {accounts::CourseRole::kInstructor, accounts::CourseRole::kStaff}) {
      StatusOr<bool> has = ctx_.roles.HasRole(auth.principal->user_id, course, role);
      if (!has.ok()) {
        return ApiError(500, "could not check course roles", "internal_error");
      }
      if (*has) return std::nullopt;
    }
    return ApiError(403, "The requesting user does not have course author permissions.",
                    "user_permissions");
  }

  static std::optional<keys::CourseKey> ParseKey(const Request& request) {
    auto key = keys::CourseKey::Parse(request.PathParam("course_id"));
    if (!key.ok()) return std::nullopt;
    return *key;
  }

  std::optional<Response> CheckHeaders(const Request& request) {
    std::optional<keys::CourseKey> key = ParseKey(request);
    if (!key.has_value()) return ApiError(400, "Invalid course key.", "invalid_course_key");
    const oauth::Principal* principal = nullptr;
    return CheckAuthor(request, *key, &principal);
  }

  Response Post(Request& request) {
    std::optional<keys::CourseKey> key = ParseKey(request);
    if (!key.has_value()) return ApiError(400, "Invalid course key.", "invalid_course_key");
    const oauth::Principal* principal = nullptr;
    if (auto denied = CheckAuthor(request, *key, &principal)) return std::move(*denied);

    std::optional<std::string> body = UploadedBody(request);
    if (!body.has_value()) {
      return ApiError(500, "The upload could not be read.", "internal_error");
    }
    std::optional<std::string_view> content_type = request.Header("content-type");
    StatusOr<std::vector<http::FormPart>> parts =
        content_type.has_value()
            ? http::ParseMultipartFormData(*content_type, *body)
            : StatusOr<std::vector<http::FormPart>>(InvalidArgumentError("no Content-Type"));
    body.reset();
    const http::FormPart* file = parts.ok() ? http::FindFormPart(*parts, "course_data") : nullptr;
    if (file == nullptr || !file->filename.has_value()) {
      return ApiError(400, "Missing required parameter", "internal_error");
    }
    const std::string& filename = *file->filename;
    if (!EndsWith(filename, ".tar.gz") && !EndsWith(filename, ".zip")) {
      return ApiError(400, "Parameter in the wrong format", "internal_error");
    }

    std::string task_id = ctx_.random.Uuid4();
    const std::string archive =
        std::string(courses::kImportsPrefix) + task_id + "/" + SafeFilename(filename);
    if (StatusOr<storage::FileInfo> stored =
            ctx_.files.Put(archive, file->data, "application/octet-stream");
        !stored.ok()) {
      spdlog::error("course import {}: cannot store the upload as {}: {}", key->ToString(), archive,
                    stored.status().ToString());
      return ApiError(500, "The upload could not be stored.", "internal_error");
    }
    Status queued = courses::QueueCourseImport(ctx_.db,
                                               {.task_id = task_id,
                                                .course_key = key->ToString(),
                                                .archive = archive,
                                                .filename = filename,
                                                .user_id = principal->user_id},
                                               ctx_.clock.NowMicros());
    if (!queued.ok()) {
      ctx_.files.Delete(archive).IgnoreError();
      return ApiError(500, std::string(queued.message()), "internal_error");
    }
    spdlog::info("course import {}: upload of {} bytes queued as task {}", key->ToString(),
                 file->data.size(), task_id);
    return Response::Json(200, json{{"task_id", task_id}});
  }

  Response Get(Request& request) {
    std::optional<keys::CourseKey> key = ParseKey(request);
    if (!key.has_value()) return ApiError(400, "Invalid course key.", "invalid_course_key");
    const oauth::Principal* principal = nullptr;
    if (auto denied = CheckAuthor(request, *key, &principal)) return std::move(*denied);
    std::optional<std::string> task_id = request.Query("task_id");
    if (!task_id.has_value() || task_id->empty()) {
      return ApiError(400, "Missing required parameter task_id", "internal_error");
    }
    StatusOr<std::optional<courses::ImportTaskState>> task =
        courses::FindCourseImport(ctx_.db, key->ToString(), *task_id);
    if (!task.ok()) return ApiError(500, std::string(task.status().message()), "internal_error");
    if (!task->has_value()) {
      return ApiError(404, "No import task " + *task_id + " for this course.", "not_found");
    }
    json body{{"state", StateName((*task)->state)}};
    if ((*task)->error.has_value()) body["message"] = *(*task)->error;
    return Response::Json(200, body);
  }

 private:
  CourseImportRoutesContext& ctx_;
};

}  // namespace

void RegisterCourseImportRoutes(http::Router& router, CourseImportRoutesContext& context) {
  auto routes = std::make_shared<ImportRoutes>(context);
  const std::string path = std::string(kCourseImportPathPrefix) + "{course_id:course_key}/";
  router.Post(path, [routes](Request& request) { return routes->Post(request); });
  // Authentication and the author check need only the headers: an upload
  // that would be refused is answered before its (up to
  // COURSE_IMPORT_MAX_BYTES) body is read into memory.
  router.SetHeaderCheck("POST", path, [routes](Request& request) -> std::optional<Response> {
    return routes->CheckHeaders(request);
  });
  router.Get(path, [routes](Request& request) { return routes->Get(request); });
}

}  // namespace larch::api
