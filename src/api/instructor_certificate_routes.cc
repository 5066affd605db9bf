// The instructor dashboard's certificate actions (instructor/views/api.py:
// CertificateExceptionView, GenerateCertificateExceptions,
// CertificateInvalidationView, StartCertificateGeneration,
// enable_certificate_generation). Who may call and the bodies are decided
// here; what may be done to a learner's certificate is the certificates
// module's (CertificateService's checked actions).
#include "larch/api/instructor_certificate_routes.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "courses_routes_internal.h"
#include "instructor_certificate_internal.h"
#include "larch/api/account_routes.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

using certificates::InstructorOutcome;
using certificates::Refusal;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr char kNoPermission[] = "You do not have permission to perform this action.";
constexpr char kBadRecord[] =
    "The record is not in the correct format. Please add a valid username or email address.";

// How a view writes its refusals: DeveloperErrorViewMixin views
// ({"developer_message"}) or a plain APIView ({"detail"}).
enum class Shape { kDeveloper, kDetail };

Response Refuse(Shape shape, int status, std::string_view message) {
  return shape == Shape::kDeveloper ? internal::DeveloperError(status, message)
                                    : internal::Detail(status, message);
}

// strftime("%B %d, %Y") of a UTC time, as the dashboard's tables show
// dates ("December 04, 2026").
std::string DashboardDate(int64_t micros) {
  static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char day[8];
  std::snprintf(day, sizeof(day), "%02d", tm.tm_mday);
  return std::string(kMonths[tm.tm_mon]) + " " + day + ", " + std::to_string(tm.tm_year + 1900);
}

// strip_if_string (CharField's trim_whitespace).
std::string Strip(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// The `course` part of a course key ("course-v1:Org+C+Run" -> "C").
std::string CoursePart(const std::string& course_key) {
  StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course_key);
  return key.ok() ? key->course : course_key;
}

// A JSON string, or the JSON text of any other value (a CharField takes
// numbers too).
std::string AsText(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Python's truth of a JSON value (`a or b` picks the first truthy one).
bool Truthy(const json& value) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  return !value.empty() && !(value.is_string() && value.get<std::string>().empty());
}

class InstructorCertificateRoutes {
 public:
  explicit InstructorCertificateRoutes(InstructorCertificateRoutesContext& context)
      : ctx_(context) {}

  // The caller when they may act on the course (global staff, superusers
  // and the course's instructors: upstream's `is_staff |
  // HasAccessRule('instructor')` for every certificate permission), else
  // the refusal: 401 anonymous, 404 an unknown course, 403 anyone else.
  std::optional<Response> Authorize(const Request& request, const std::string& course_key,
                                    Shape shape, const oauth::Principal** caller) {
    AuthResult auth = RequireUser(request);
    if (auth.principal == nullptr) {
      return shape == Shape::kDeveloper ? internal::AsDeveloperError(std::move(auth.error))
                                        : std::move(auth.error);
    }
    *caller = auth.principal;
    // InstructorPermission looks the course up first (get_course_by_id).
    StatusOr<bool> exists = internal::CertificateCourseExists(ctx_.views, course_key);
    if (!exists.ok()) return http::ErrorResponse(exists.status(), request.request_id());
    if (!*exists) return Refuse(shape, 404, "Course not found: " + course_key + ".");
    StatusOr<bool> allowed = internal::IsCourseInstructor(ctx_.roles, *auth.principal, course_key);
    if (!allowed.ok()) return http::ErrorResponse(allowed.status(), request.request_id());
    if (!*allowed) return Refuse(shape, 403, kNoPermission);
    return std::nullopt;
  }

  // POST/DELETE certificate_exception_view/ with {"user_name" | "user_email",
  // "notes"}: adds the learner to the allowlist or removes them.
  Response Exception(Request& request, bool add) {
    const std::string course_key(request.PathParam("course_id"));
    const oauth::Principal* caller = nullptr;
    if (auto refused = Authorize(request, course_key, Shape::kDeveloper, &caller)) {
      return std::move(*refused);
    }
    std::optional<json> data = ExceptionData(request);
    if (!data.has_value() || !data->is_object()) return Failure(kBadRecord);
    std::string identifier;
    for (const char* field : {"user_name", "user_email"}) {
      auto it = data->find(field);
      // `a or b`: an empty or missing user_name falls to user_email.
      if (it != data->end() && Truthy(*it)) {
        identifier = AsText(*it);
        break;
      }
    }
    identifier = Strip(identifier);
    if (identifier.empty()) {
      return Response::Json(
          400, json{{"success", false},
                    {"message", {{"user", json::array({"This field may not be blank."})}}}});
    }
    StatusOr<std::optional<accounts::User>> student = FindStudent(identifier);
    if (!student.ok()) return Error(request, student.status());
    if (!student->has_value()) {
      return Failure(identifier +
                     " does not exist in the LMS. Please check your spelling and retry.");
    }
    const accounts::User& user = **student;
    if (!add) {
      StatusOr<bool> removed = ctx_.certificates.RemoveFromAllowlist(user.id, course_key);
      if (!removed.ok()) return Error(request, removed.status());
      if (!*removed) {
        return Failure("Error occurred removing the allowlist entry for student " + user.username +
                       ". Please refresh the page and try again");
      }
      return Response::NoContent();
    }
    std::string notes;
    if (auto it = data->find("notes"); it != data->end() && !it->is_null()) notes = AsText(*it);
    StatusOr<InstructorOutcome> outcome =
        ctx_.certificates.AddException(user.id, course_key, notes);
    if (!outcome.ok()) return Error(request, outcome.status());
    switch (outcome->refusal) {
      case Refusal::kNone:
        break;
      case Refusal::kNotEnrolled:
        return Failure("Student " + user.username +
                       " is not enrolled in this course. Please check your spelling and retry.");
      case Refusal::kInvalidated:
        return Failure("Student " + user.username +
                       " is already on the certificate invalidation list and cannot be added to "
                       "the certificate exception list.");
      default:
        return Failure("Student (username/email=" + user.username +
                       ") already in certificate exception list.");
    }
    json generated = nullptr;
    if (outcome->certificate.has_value()) generated = DashboardDate(outcome->certificate->created);
    return NoCache(Response::Json(200, json{{"id", outcome->entry->id},
                                            {"user_email", user.email},
                                            {"user_name", user.username},
                                            {"user_id", user.id},
                                            {"certificate_generated", generated},
                                            {"created", DashboardDate(outcome->entry->created)}}));
  }

  // POST generate_certificate_exceptions/{new|all}.
  Response GenerateExceptions(Request& request) {
    const std::string course_key(request.PathParam("course_id"));
    const oauth::Principal* caller = nullptr;
    if (auto refused = Authorize(request, course_key, Shape::kDeveloper, &caller)) {
      return std::move(*refused);
    }
    const std::string_view generate_for = request.PathParam("generate_for");
    if (generate_for != "new" && generate_for != "all") {
      return Response::Json(
          400, json{{"success", false},
                    {"message", "Invalid data, generate_for must be \"new\" or \"all\"."}});
    }
    auto generated = ctx_.certificates.GenerateAllowlisted(course_key, generate_for == "new");
    if (!generated.ok()) return Error(request, generated.status());
    return NoCache(Response::Json(
        200, json{{"success", true},
                  {"message", "Certificate generation started for students on the allowlist."}}));
  }

  // POST certificate_invalidation_view/ with {"user", "notes"}.
  Response Invalidate(Request& request) {
    const std::string course_key(request.PathParam("course_id"));
    const oauth::Principal* caller = nullptr;
    if (auto refused = Authorize(request, course_key, Shape::kDetail, &caller)) {
      return std::move(*refused);
    }
    std::optional<json> data = RequestData(request);
    if (!data.has_value()) return internal::Detail(400, "JSON parse error - the body is not JSON.");
    std::optional<json> user_errors = UserFieldErrors(*data);
    if (user_errors.has_value()) return Response::Json(400, json{{"message", *user_errors}});
    const std::string identifier = Strip(AsText((*data)["user"]));
    StatusOr<std::optional<accounts::User>> student = FindStudent(identifier);
    if (!student.ok()) return Error(request, student.status());
    if (!student->has_value()) return Message(400, MissingUser(identifier));
    const accounts::User& user = **student;
    json notes = data->contains("notes") ? (*data)["notes"] : json(nullptr);
    if (!notes.is_null()) notes = AsText(notes);
    StatusOr<InstructorOutcome> outcome = ctx_.certificates.InvalidateChecked(
        user.id, course_key, caller->user_id, notes.is_null() ? "" : notes.get<std::string>());
    if (!outcome.ok()) return Error(request, outcome.status());
    switch (outcome->refusal) {
      case Refusal::kNone:
        break;
      case Refusal::kNoCertificate:
        return Message(400, NoCertificate(user, course_key));
      case Refusal::kAllowlisted:
        return Message(400, "The student " + user.username +
                                " appears on the Certificate Exception list in course " +
                                course_key +
                                ". Please remove them from the Certificate Exception list before "
                                "attempting to invalidate their certificate.");
      case Refusal::kAlreadyInvalidated:
        return Message(400, "Certificate of " + user.username +
                                " has already been invalidated. Please check your spelling and "
                                "retry.");
      default:
        return Message(400, "Certificate for student " + user.username +
                                " is already invalid, kindly verify that certificate was "
                                "generated for this student and then proceed.");
    }
    return NoCache(
        Response::Json(200, json{{"id", outcome->invalidation->id},
                                 {"user", user.username},
                                 {"invalidated_by", caller->username},
                                 {"created", DashboardDate(outcome->invalidation->created)},
                                 {"notes", notes}}));
  }

  // DELETE certificate_invalidation_view/ with {"user"}: re-validates.
  Response Revalidate(Request& request) {
    const std::string course_key(request.PathParam("course_id"));
    const oauth::Principal* caller = nullptr;
    if (auto refused = Authorize(request, course_key, Shape::kDetail, &caller)) {
      return std::move(*refused);
    }
    // json.loads(body or '{}'), anything unreadable read as {}.
    json data = json::parse(request.body().empty() ? "{}" : request.body(), nullptr, false);
    if (data.is_discarded() || !data.is_object()) data = json::object();
    // HttpResponseBadRequest(reason=...): the errors go to the status line
    // only, the body is empty.
    if (UserFieldErrors(data).has_value()) return Response::Text(400, "");
    const std::string identifier = Strip(AsText(data["user"]));
    StatusOr<std::optional<accounts::User>> student = FindStudent(identifier);
    if (!student.ok()) return Error(request, student.status());
    if (!student->has_value()) return Message(400, MissingUser(identifier));
    const accounts::User& user = **student;
    StatusOr<InstructorOutcome> outcome = ctx_.certificates.Revalidate(user.id, course_key);
    if (!outcome.ok()) return Error(request, outcome.status());
    if (outcome->refusal == Refusal::kNoCertificate) {
      return Message(400, NoCertificate(user, course_key));
    }
    if (outcome->refusal != Refusal::kNone) {
      return Message(400,
                     "Certificate Invalidation does not exist, Please refresh the page and try "
                     "again.");
    }
    return Response::NoContent();
  }

  // POST start_certificate_generation: generation for every enrolled
  // learner. Larch runs it in the request; the task_id names that run.
  Response StartGeneration(Request& request) {
    const std::string course_key(request.PathParam("course_id"));
    const oauth::Principal* caller = nullptr;
    if (auto refused = Authorize(request, course_key, Shape::kDeveloper, &caller)) {
      return std::move(*refused);
    }
    auto generated = ctx_.certificates.Generate(course_key, {});
    if (!generated.ok()) return Error(request, generated.status());
    return NoCache(Response::Json(
        200, json{{"message",
                   "Certificate generation task for all students of this course has been "
                   "started. You can view the status of the generation task in the \"Pending "
                   "Tasks\" section."},
                  {"task_id", TaskId()}}));
  }

  // POST enable_certificate_generation with certificates-enabled=true|false
  // (a plain Django view: bare 403s, a redirect back to the dashboard).
  Response EnableGeneration(Request& request) {
    const std::string course_key(request.PathParam("course_id"));
    StatusOr<bool> exists = internal::CertificateCourseExists(ctx_.views, course_key);
    if (!exists.ok()) return Error(request, exists.status());
    if (!*exists) return Response::Text(404, "Course not found: " + course_key + ".");
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return Response::Text(403, "");
    StatusOr<bool> allowed = internal::IsCourseInstructor(ctx_.roles, *caller, course_key);
    if (!allowed.ok()) return Error(request, allowed.status());
    if (!*allowed) return Response::Text(403, "");
    // require_POST, checked after the permission.
    if (request.method() != "POST") {
      Response r = Response::Text(405, "");
      r.SetHeader("Allow", "POST");
      return r;
    }
    std::map<std::string, std::string> form = internal::FormMap(request);
    auto enabled = form.find("certificates-enabled");
    StatusOr<certificates::CourseCertificateSettings> settings =
        ctx_.views.Settings(NormalizedKey(course_key));
    if (!settings.ok()) return Error(request, settings.status());
    settings->self_generation_enabled = enabled != form.end() && enabled->second == "true";
    Status saved =
        ctx_.views.SetSettings(NormalizedKey(course_key), *settings, ctx_.clock.NowMicros());
    if (!saved.ok()) return Error(request, saved);
    return Response::Redirect("/courses/" + course_key + "/instructor#view-certificates");
  }

 private:
  static Response Failure(const std::string& message) {
    return Response::Json(400, json{{"success", false}, {"message", message}});
  }
  static Response Message(int status, const std::string& message) {
    return Response::Json(status, json{{"message", message}});
  }
  static Response Error(const Request& request, const Status& status) {
    return http::ErrorResponse(status, request.request_id());
  }
  static Response NoCache(Response response) {
    response.SetHeader("Cache-Control", "no-cache, no-store, must-revalidate");
    return response;
  }
  static std::string MissingUser(const std::string& identifier) {
    return identifier + " does not exist in the LMS. Please check your spelling and retry.";
  }
  static std::string NoCertificate(const accounts::User& user, const std::string& course_key) {
    return "The student " + user.username + " does not have certificate for the course " +
           CoursePart(course_key) +
           ". Kindly verify student username/email and the selected course are correct and try "
           "again.";
  }
  static std::string NormalizedKey(const std::string& course_key) {
    StatusOr<keys::CourseKey> key = keys::CourseKey::Parse(course_key);
    return key.ok() ? key->ToString() : course_key;
  }

  // CertificateSerializer's `user`: required, not blank; nullopt when valid.
  static std::optional<json> UserFieldErrors(const json& data) {
    auto it = data.find("user");
    if (it == data.end()) return json{{"user", json::array({"This field is required."})}};
    if (it->is_null()) return json{{"user", json::array({"This field may not be null."})}};
    if (!it->is_string() && !it->is_number()) {
      return json{{"user", json::array({"Not a valid string."})}};
    }
    if (Strip(AsText(*it)).empty()) {
      return json{{"user", json::array({"This field may not be blank."})}};
    }
    return std::nullopt;
  }

  // request.data: a JSON body, or the form's fields; nullopt for a JSON
  // body that does not parse (DRF's ParseError).
  static std::optional<json> RequestData(const Request& request) {
    if (request.MediaType() == "application/json" || request.MediaType().ends_with("+json")) {
      StatusOr<json> body = request.JsonBody();
      if (!body.ok()) return std::nullopt;
      return body->is_object() ? *body : json::object();
    }
    json out = json::object();
    for (const auto& [name, value] : request.FormValues()) {
      if (!out.contains(name)) out[name] = value;
    }
    return out;
  }

  // The exception view's data: a JSON body, or a form whose first field
  // name is the JSON (what the dashboard's DELETE sends); nullopt when
  // neither parses.
  static std::optional<json> ExceptionData(const Request& request) {
    if (request.MediaType() == "application/x-www-form-urlencoded") {
      const http::ParamList& form = request.FormValues();
      if (form.empty()) return std::nullopt;
      json parsed = json::parse(form.front().first, nullptr, false);
      if (parsed.is_discarded()) return std::nullopt;
      return parsed;
    }
    StatusOr<json> body = request.JsonBody();
    if (!body.ok()) return std::nullopt;
    return *body;
  }

  // get_student_from_identifier: an e-mail address when it has an "@",
  // else a username; nullopt for nobody.
  StatusOr<std::optional<accounts::User>> FindStudent(const std::string& identifier) {
    StatusOr<accounts::User> user = identifier.find('@') != std::string::npos
                                        ? ctx_.accounts.GetUserByEmail(identifier)
                                        : ctx_.accounts.GetUserByUsername(identifier);
    if (user.ok()) return std::optional<accounts::User>(*std::move(user));
    if (user.status().code() == StatusCode::kNotFound) return std::optional<accounts::User>();
    return user.status();
  }

  // A task id in UUID form, unique within the process (the run is over by
  // the time the id is returned; nothing looks it up).
  std::string TaskId() {
    const uint64_t micros = static_cast<uint64_t>(ctx_.clock.NowMicros());
    const uint64_t serial = next_task_.fetch_add(1, std::memory_order_relaxed);
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-8%03x-%012llx",
                  static_cast<unsigned>(micros >> 32),
                  static_cast<unsigned>((micros >> 16) & 0xffff),
                  static_cast<unsigned>(micros & 0xfff), static_cast<unsigned>(serial & 0xfff),
                  static_cast<unsigned long long>((serial >> 12) & 0xffffffffffffULL));
    return buf;
  }

  InstructorCertificateRoutesContext& ctx_;
  std::atomic<uint64_t> next_task_{1};
};

}  // namespace

void RegisterInstructorCertificateRoutes(http::Router& router,
                                         InstructorCertificateRoutesContext& context) {
  auto routes = std::make_shared<InstructorCertificateRoutes>(context);
  const std::string base = "/courses/{course_id:course_key}/instructor/api/";
  router.Post(base + "certificate_exception_view/",
              [routes](Request& request) { return routes->Exception(request, true); });
  router.Delete(base + "certificate_exception_view/",
                [routes](Request& request) { return routes->Exception(request, false); });
  router.Post(base + "generate_certificate_exceptions/{generate_for}",
              [routes](Request& request) { return routes->GenerateExceptions(request); });
  // An empty generate_for reaches the view too (upstream's [^/]*).
  router.Post(base + "generate_certificate_exceptions/",
              [routes](Request& request) { return routes->GenerateExceptions(request); });
  router.Post(base + "certificate_invalidation_view/",
              [routes](Request& request) { return routes->Invalidate(request); });
  router.Delete(base + "certificate_invalidation_view/",
                [routes](Request& request) { return routes->Revalidate(request); });
  router.Post(base + "start_certificate_generation",
              [routes](Request& request) { return routes->StartGeneration(request); });
  auto enable = [routes](Request& request) { return routes->EnableGeneration(request); };
  router.Post(base + "enable_certificate_generation", enable);
  router.Get(base + "enable_certificate_generation", enable);
  internal::RegisterCertificateConfigRoutes(router, context);
}

}  // namespace larch::api
