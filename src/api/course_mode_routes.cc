#include "larch/api/course_mode_routes.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/enrollment/course_modes.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"
#include "larch/oauth/principal.h"
#include "spdlog/spdlog.h"

namespace larch::api {
namespace {

using enrollment::CourseMode;
using enrollment::CourseModeStore;
using http::Request;
using http::Response;
using internal::Detail;
using nlohmann::json;

constexpr char kListPath[] = "/api/course_modes/v1/courses/{course_id:course_key}/";
constexpr char kDetailPath[] = "/api/course_modes/v1/courses/{course_id:course_key}/{mode_slug}";
constexpr char kMergePatch[] = "application/merge-patch+json";
constexpr char kRequired[] = "This field is required.";
constexpr char kNotNull[] = "This field may not be null.";
constexpr char kNotFound[] = "Not found.";

// CourseModeSerializer's representation.
json ModeJson(std::string_view course_key, const CourseMode& mode) {
  auto optional = [](const std::optional<std::string>& v) -> json {
    return v.has_value() ? json(*v) : json(nullptr);
  };
  return json{
      {"course_id", course_key},
      {"mode_slug", mode.slug},
      {"mode_display_name", mode.name},
      {"min_price", mode.min_price},
      {"currency", mode.currency},
      {"expiration_datetime", mode.expiration_datetime.has_value()
                                  ? json(FormatIso8601(*mode.expiration_datetime))
                                  : json(nullptr)},
      {"expiration_datetime_is_explicit", mode.expiration_datetime_is_explicit},
      {"description", optional(mode.description)},
      {"sku", optional(mode.sku)},
      {"bulk_sku", optional(mode.bulk_sku)},
  };
}

// DRF CharField.to_internal_value (trimmed, not blank, no NUL); nullopt with
// `error` set when the value is refused.
std::optional<std::string> CharValue(const json& value, std::string* error) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number()) {
    text = value.dump();
  } else {
    *error = "Not a valid string.";
    return std::nullopt;
  }
  if (text.find('\0') != std::string::npos) {
    *error = "Null characters are not allowed.";
    return std::nullopt;
  }
  const char* ws = " \t\r\n\f\v";
  size_t begin = text.find_first_not_of(ws);
  if (begin == std::string::npos) {
    *error = "This field may not be blank.";
    return std::nullopt;
  }
  size_t end = text.find_last_not_of(ws);
  return text.substr(begin, end - begin + 1);
}

// DRF IntegerField, bounded by the INTEGER column.
std::optional<int64_t> IntValue(const json& value, std::string* error) {
  std::optional<int64_t> out;
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      *error = "Ensure this value is less than or equal to 2147483647.";
      return std::nullopt;
    }
    out = value.get<int64_t>();
  } else if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -1e15 && d < 1e15) {
      out = static_cast<int64_t>(d);
    }
  } else if (value.is_string()) {
    std::string text = value.get<std::string>();
    size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
    if (i < text.size() && text.size() - i <= 15 &&
        std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      out = std::stoll(text);
    }
  }
  if (!out.has_value()) {
    *error = "A valid integer is required.";
    return std::nullopt;
  }
  if (*out > std::numeric_limits<int32_t>::max()) {
    *error = "Ensure this value is less than or equal to 2147483647.";
    return std::nullopt;
  }
  if (*out < std::numeric_limits<int32_t>::min()) {
    *error = "Ensure this value is greater than or equal to -2147483648.";
    return std::nullopt;
  }
  return out;
}

// DRF BooleanField's accepted spellings.
std::optional<bool> BoolValue(const json& value, std::string* error) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) {
    if (value.get<int64_t>() == 1) return true;
    if (value.get<int64_t>() == 0) return false;
  }
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    for (const char* yes : {"true", "True", "TRUE", "1", "yes", "Yes", "on", "On", "y", "Y"}) {
      if (text == yes) return true;
    }
    for (const char* no : {"false", "False", "FALSE", "0", "no", "No", "off", "Off", "n", "N"}) {
      if (text == no) return false;
    }
  }
  *error = "Must be a valid boolean.";
  return std::nullopt;
}

// The serializer's fields read from `data` into `mode`; `errors` collects
// {"field": ["message"]} as DRF does. With `partial` (PATCH) absent fields
// keep their value; otherwise course_id, mode_slug, mode_display_name and
// currency are required. `course_id` receives the posted course id.
void ReadFields(const json& data, bool partial, CourseMode& mode, std::string* course_id,
                json& errors) {
  auto field = [&](const char* name, bool required) -> const json* {
    auto it = data.find(name);
    if (it == data.end()) {
      if (required && !partial) errors[name] = json::array({kRequired});
      return nullptr;
    }
    if (it->is_null()) {
      errors[name] = json::array({kNotNull});
      return nullptr;
    }
    return &*it;
  };
  std::string error;
  auto fail = [&](const char* name) { errors[name] = json::array({error}); };
  auto text = [&](const char* name, bool required, auto assign) {
    if (const json* v = field(name, required)) {
      if (auto s = CharValue(*v, &error)) {
        assign(*s);
      } else {
        fail(name);
      }
    }
  };
  text("course_id", true, [&](const std::string& s) { *course_id = s; });
  text("mode_slug", true, [&](const std::string& s) { mode.slug = s; });
  text("mode_display_name", true, [&](const std::string& s) { mode.name = s; });
  if (const json* v = field("min_price", false)) {
    if (auto n = IntValue(*v, &error)) {
      mode.min_price = *n;
    } else {
      fail("min_price");
    }
  }
  text("currency", true, [&](const std::string& s) { mode.currency = s; });
  // The model's expiration_datetime setter marks a set date as explicit.
  if (const json* v = field("expiration_datetime", false)) {
    StatusOr<int64_t> when = v->is_string() ? ParseIso8601(v->get<std::string>())
                                            : StatusOr<int64_t>(InvalidArgumentError("type"));
    if (when.ok()) {
      mode.expiration_datetime = *when;
      mode.expiration_datetime_is_explicit = true;
    } else {
      error =
          "Datetime has wrong format. Use one of these formats instead: "
          "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";
      fail("expiration_datetime");
    }
  }
  if (const json* v = field("expiration_datetime_is_explicit", false)) {
    if (auto b = BoolValue(*v, &error)) {
      // On create the model's setter runs after the field is assigned.
      if (partial || !mode.expiration_datetime.has_value()) {
        mode.expiration_datetime_is_explicit = *b;
      }
    } else {
      fail("expiration_datetime_is_explicit");
    }
  }
  text("description", false, [&](const std::string& s) { mode.description = s; });
  text("sku", false, [&](const std::string& s) { mode.sku = s; });
  text("bulk_sku", false, [&](const std::string& s) { mode.bulk_sku = s; });
}

// The request data as a JSON object: the JSON body, or a form's fields.
// nullopt with the 400 to send otherwise.
std::optional<json> RequestData(const Request& request, std::optional<Response>* error) {
  const std::string media = request.MediaType();
  if (media == "application/x-www-form-urlencoded" || media == "multipart/form-data") {
    json out = json::object();
    for (const auto& [name, value] : internal::FormMap(request)) out[name] = value;
    return out;
  }
  StatusOr<json> body = request.JsonBody();
  if (!body.ok()) {
    *error = Detail(400, "JSON parse error - the body is not valid JSON.");
    return std::nullopt;
  }
  if (!body->is_object()) {
    std::string type = body->is_array() ? "list" : body->is_string() ? "str" : body->type_name();
    *error = Response::Json(
        400,
        json{{"non_field_errors", {"Invalid data. Expected a dictionary, but got " + type + "."}}});
    return std::nullopt;
  }
  return std::move(*body);
}

class CourseModeRoutes {
 public:
  explicit CourseModeRoutes(CourseModeRoutesContext& ctx) : ctx_(ctx) {}

  Response List(const Request& request) {
    std::string course;
    if (auto denied = Authorize(request, &course)) return std::move(*denied);
    // Upstream filters the table by the key: an unknown course lists nothing.
    StatusOr<std::vector<CourseMode>> modes = RunWithResult(
        ctx_.db, storage::TxnMode::kReadOnly,
        [&](storage::Transaction& txn) { return CourseModeStore::AllModes(txn, course); });
    if (!modes.ok()) return ServerError(request, modes.status(), "list");
    json out = json::array();
    for (const CourseMode& mode : *modes) out.push_back(ModeJson(course, mode));
    return Response::Json(200, out);
  }

  Response Create(const Request& request) {
    std::string course;
    if (auto denied = Authorize(request, &course)) return std::move(*denied);
    std::optional<Response> bad;
    std::optional<json> data = RequestData(request, &bad);
    if (!data.has_value()) return std::move(*bad);
    CourseMode mode;
    std::string posted_course;
    json errors = json::object();
    ReadFields(*data, /*partial=*/false, mode, &posted_course, errors);
    if (errors.empty()) {
      auto posted_key = keys::CourseKey::Parse(posted_course);
      if (!posted_key.ok() || posted_key->ToString() != course) {
        errors["course_id"] = json::array({"Must be the course id of the URL."});
      }
    }
    if (!errors.empty()) return Response::Json(400, errors);
    std::transform(mode.currency.begin(), mode.currency.end(), mode.currency.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    Status status =
        ctx_.db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
          LARCH_ASSIGN_OR_RETURN(std::vector<CourseMode> existing,
                                 CourseModeStore::AllModes(txn, course));
          for (const CourseMode& m : existing) {
            if (m.slug == mode.slug && m.currency == mode.currency) {
              return AlreadyExistsError("duplicate mode");
            }
          }
          return CourseModeStore::Upsert(txn, course, mode);
        });
    if (!status.ok()) return WriteError(request, status, "create");
    return Response::Json(201, ModeJson(course, mode));
  }

  Response Retrieve(const Request& request) {
    std::string course;
    if (auto denied = Authorize(request, &course)) return std::move(*denied);
    std::string slug(request.PathParam("mode_slug"));
    StatusOr<std::optional<CourseMode>> mode =
        RunWithResult(ctx_.db, storage::TxnMode::kReadOnly,
                      [&](storage::Transaction& txn) { return Find(txn, course, slug); });
    if (!mode.ok()) return ServerError(request, mode.status(), "read");
    if (!mode->has_value()) return Detail(404, kNotFound);
    return Response::Json(200, ModeJson(course, **mode));
  }

  Response Update(const Request& request) {
    std::string course;
    if (auto denied = Authorize(request, &course)) return std::move(*denied);
    std::string slug(request.PathParam("mode_slug"));
    const std::string media = request.MediaType();
    // Without a Content-Type DRF parses no data: an empty update.
    const bool no_data = media.empty() && request.body().empty();
    if (!no_data && media != kMergePatch) {
      return Detail(415, "Unsupported media type \"" + media + "\" in request.");
    }
    json data = json::object();
    if (!no_data) {
      std::optional<Response> bad;
      std::optional<json> parsed = RequestData(request, &bad);
      if (!parsed.has_value()) return std::move(*bad);
      data = std::move(*parsed);
    }
    json errors = json::object();
    std::optional<Response> reply;
    Status status =
        ctx_.db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
          reply.reset();
          errors = json::object();
          LARCH_ASSIGN_OR_RETURN(std::optional<CourseMode> found, Find(txn, course, slug));
          if (!found.has_value()) {
            reply = Detail(404, kNotFound);
            return OkStatus();
          }
          CourseMode mode = *found;
          std::string posted_course;
          ReadFields(data, /*partial=*/true, mode, &posted_course, errors);
          if (errors.empty()) {
            for (const char* fixed : {"course_id", "mode_slug"}) {
              if (data.contains(fixed)) {
                errors[fixed] = json::array({"This field cannot be modified."});
              }
            }
          }
          if (!errors.empty()) {
            reply = Response::Json(400, errors);
            return OkStatus();
          }
          // Upsert keys on (course, slug, currency): drop the old row so a
          // changed currency replaces it instead of adding a second one.
          LARCH_RETURN_IF_ERROR(CourseModeStore::Delete(txn, course, slug));
          return CourseModeStore::Upsert(txn, course, mode);
        });
    if (!status.ok()) return WriteError(request, status, "update");
    if (reply.has_value()) return std::move(*reply);
    return Response::NoContent();
  }

  Response Destroy(const Request& request) {
    std::string course;
    if (auto denied = Authorize(request, &course)) return std::move(*denied);
    std::string slug(request.PathParam("mode_slug"));
    bool found = false;
    Status status =
        ctx_.db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) {
          LARCH_ASSIGN_OR_RETURN(std::optional<CourseMode> mode, Find(txn, course, slug));
          found = mode.has_value();
          if (!found) return OkStatus();
          return CourseModeStore::Delete(txn, course, slug);
        });
    if (!status.ok()) return ServerError(request, status, "delete");
    if (!found) return Detail(404, kNotFound);
    return Response::NoContent();
  }

 private:
  // JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS as Larch applies it: an
  // authenticated global staff member or superuser whose token is not a
  // restricted application's. Sets `course` to the normalized key.
  static std::optional<Response> Authorize(const Request& request, std::string* course) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) return std::move(auth.error);
    const oauth::Principal& caller = *auth.principal;
    if (!(caller.is_staff || caller.is_superuser) || caller.is_restricted) {
      return Detail(403, "You do not have permission to perform this action.");
    }
    auto key = keys::CourseKey::Parse(request.PathParam("course_id"));
    if (!key.ok()) return Detail(404, kNotFound);
    *course = key->ToString();
    return std::nullopt;
  }

  // The course's mode with `slug` (the first currency when there are several).
  static StatusOr<std::optional<CourseMode>> Find(storage::Executor& ex, const std::string& course,
                                                  const std::string& slug) {
    LARCH_ASSIGN_OR_RETURN(std::vector<CourseMode> modes, CourseModeStore::AllModes(ex, course));
    for (CourseMode& mode : modes) {
      if (mode.slug == slug) return std::optional<CourseMode>(std::move(mode));
    }
    return std::optional<CourseMode>();
  }

  static Response ServerError(const Request& request, const Status& status, std::string_view what) {
    spdlog::error("course modes: {} failed (request {}): {}", what, request.request_id(),
                  status.ToString());
    return http::ErrorResponse(status, request.request_id());
  }

  // A failed create or update: the validation message (400), an unknown
  // course (404), a duplicate (400), else a server error.
  static Response WriteError(const Request& request, const Status& status, std::string_view what) {
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        return Response::Json(400, json{{"non_field_errors", {std::string(status.message())}}});
      case StatusCode::kFailedPrecondition:
        return Detail(404, kNotFound);
      case StatusCode::kAlreadyExists:
        return Response::Json(
            400, json{{"non_field_errors",
                       {"The fields course_id, mode_slug, currency must make a unique set."}}});
      default:
        return ServerError(request, status, what);
    }
  }

  CourseModeRoutesContext& ctx_;
};

}  // namespace

void RegisterCourseModeRoutes(http::Router& router, CourseModeRoutesContext& context) {
  auto routes = std::make_shared<CourseModeRoutes>(context);
  router.Get(kListPath, [routes](Request& request) { return routes->List(request); });
  router.Post(kListPath, [routes](Request& request) { return routes->Create(request); });
  router.Get(kDetailPath, [routes](Request& request) { return routes->Retrieve(request); });
  router.Patch(kDetailPath, [routes](Request& request) { return routes->Update(request); });
  router.Delete(kDetailPath, [routes](Request& request) { return routes->Destroy(request); });
}

}  // namespace larch::api
