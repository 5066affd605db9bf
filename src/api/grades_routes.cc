#include "larch/api/grades_routes.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/clock.h"
#include "larch/http/error_mapping.h"
#include "larch/http/url.h"
#include "larch/keys/keys.h"
#include "larch/oauth/jwt.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr int64_t kPageSize = 50;      // CourseEnrollmentPagination.page_size
constexpr int64_t kMaxPageSize = 500;  // Larch's bound: each row is a grade computation.
constexpr char kNoPermission[] = "You do not have permission to perform this action.";

// DeveloperErrorViewMixin.api_error.
Response ApiError(int status, std::string_view message, std::string_view code) {
  return Response::Json(status, json{{"developer_message", message}, {"error_code", code}});
}

// DRF's CursorPagination cursor ("p=<position>", "r=1&p=..." walking back),
// base64 as upstream, over the enrollment id.
struct Cursor {
  int64_t position = 0;
  bool reverse = false;
};

std::string EncodeCursor(int64_t position, bool reverse) {
  return oauth::Base64UrlEncode((reverse ? "r=1&p=" : "p=") + std::to_string(position));
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  StatusOr<std::string> raw = oauth::Base64UrlDecode(text);
  if (!raw.ok()) return std::nullopt;
  std::string_view v = *raw;
  Cursor cursor;
  if (v.substr(0, 4) == "r=1&") {
    cursor.reverse = true;
    v.remove_prefix(4);
  }
  if (v.substr(0, 2) != "p=") return std::nullopt;
  v.remove_prefix(2);
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), cursor.position);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return cursor;
}

// The request's URL with `cursor` replacing its cursor parameter.
std::string CursorUrl(const Request& request, const config::Settings& settings,
                      const std::string& cursor) {
  std::string query;
  for (const auto& [name, value] : request.query_params()) {
    if (name == "cursor") continue;
    query +=
        (query.empty() ? "" : "&") + http::PercentEncode(name) + "=" + http::PercentEncode(value);
  }
  query += (query.empty() ? "" : "&") + std::string("cursor=") + http::PercentEncode(cursor);
  return internal::AbsoluteBaseUrl(request, settings) + std::string(request.path()) + "?" + query;
}

// page_size as CourseEnrollmentPagination.get_page_size reads it: a bad
// value falls back to the default.
int64_t PageSize(const Request& request) {
  std::optional<std::string> text = request.Query("page_size");
  if (!text.has_value()) return kPageSize;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 1) return kPageSize;
  return std::min(value, kMaxPageSize);
}

// serialize_user_grade: the email only for master's learners (their
// institution's records), as upstream.
json UserGrade(const std::string& username, const std::string& email, const std::string& mode,
               const grades::CourseGradeReport& report) {
  return {{"username", username},
          {"email", mode == "masters" ? email : ""},
          {"course_id", report.course_key},
          {"passed", report.grade.passed},
          {"percent", report.grade.percent},
          {"letter_grade", report.grade.letter ? json(*report.grade.letter) : json(nullptr)}};
}

// GradebookView._section_breakdown: the graded subsections in course
// order, labelled "HW 01", "HW 02", ... per assignment type.
json SectionBreakdown(const grades::CourseGradeReport& report) {
  std::map<std::string, int, std::less<>> next_index;
  json breakdown = json::array();
  for (const grades::SectionGrade& section : report.sections) {
    for (const grades::SubsectionGrade& sub : section.subsections) {
      if (!sub.graded) continue;
      json label = nullptr;
      for (const grading::AssignmentType& type : report.policy.graders) {
        if (type.type != sub.format) continue;
        int index = ++next_index[type.type];
        std::string number = std::to_string(index);
        if (number.size() < 2) number.insert(0, "0");
        label = type.LabelPrefix() + " " + number;
        break;
      }
      bool attempted =
          std::any_of(sub.problems.begin(), sub.problems.end(),
                      [](const grades::ProblemScore& p) { return p.graded && p.attempted; });
      // An overridden subsection has a persisted grade upstream (a
      // ReadSubsectionGrade), so it shows its totals even unattempted.
      bool shown = attempted || sub.override.has_value();
      breakdown.push_back({{"attempted", attempted},
                           {"category", sub.format},
                           {"label", label},
                           {"module_id", sub.usage_key},
                           {"percent", sub.percent_graded},
                           {"score_earned", shown ? sub.earned_graded : 0.0},
                           {"score_possible", shown ? sub.possible_graded : 0.0},
                           {"subsection_name", sub.display_name}});
    }
  }
  return breakdown;
}

json GradebookEntry(const enrollment::RosterEntry& learner,
                    const grades::CourseGradeReport& report) {
  json entry = UserGrade(learner.username, learner.email, learner.mode, report);
  entry["user_id"] = learner.user_id;
  entry["full_name"] = learner.mode == "masters" ? learner.full_name : "";
  entry["progress_page_url"] =
      "/courses/" + report.course_key + "/progress/" + std::to_string(learner.user_id) + "/";
  entry["section_breakdown"] = SectionBreakdown(report);
  return entry;
}

json OptionalNumber(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json OptionalString(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

// SubsectionGradeOverrideSerializer.
json OverrideJson(const grades::GradeOverride& o) {
  return {{"earned_all_override", OptionalNumber(o.earned_all)},
          {"possible_all_override", OptionalNumber(o.possible_all)},
          {"earned_graded_override", OptionalNumber(o.earned_graded)},
          {"possible_graded_override", OptionalNumber(o.possible_graded)}};
}

// A DRF field error list, {"field": ["message"]}.
json FieldError(const char* field, const char* message) {
  return json{{field, json::array({message})}};
}

// A number field of a bulk-update grade: absent, null or a number.
bool ReadOverrideField(const json& grade, const char* name,
                       grades::GradeService::OverrideField& out, json& errors) {
  auto it = grade.find(name);
  if (it == grade.end()) return true;
  out.given = true;
  if (it->is_null()) return true;
  if (!it->is_number()) {
    errors[name] = json::array({"A valid number is required."});
    return false;
  }
  out.value = it->get<double>();
  return true;
}

// One item of the bulk-update body as GradebookBulkUpdateView reads it;
// `errors` gets DRF-style field errors for what it cannot read.
std::optional<grades::GradeService::OverrideRequest> ReadOverrideItem(const json& item,
                                                                      json& errors) {
  if (!item.is_object()) {
    errors = json{{"non_field_errors", json::array({"Invalid data. Expected a dictionary."})}};
    return std::nullopt;
  }
  grades::GradeService::OverrideRequest request;
  auto user_id = item.find("user_id");
  if (user_id == item.end() || user_id->is_null()) {
    errors.update(FieldError("user_id", "This field is required."));
  } else if (user_id->is_number_integer()) {
    request.user_id = user_id->get<int64_t>();
  } else if (user_id->is_string() && !user_id->get_ref<const std::string&>().empty() &&
             user_id->get_ref<const std::string&>().find_first_not_of("0123456789") ==
                 std::string::npos &&
             user_id->get_ref<const std::string&>().size() < 19) {
    request.user_id = std::stoll(user_id->get<std::string>());
  } else {
    errors.update(FieldError("user_id", "A valid integer is required."));
  }
  auto usage_id = item.find("usage_id");
  if (usage_id == item.end() || usage_id->is_null()) {
    errors.update(FieldError("usage_id", "This field is required."));
  } else if (!usage_id->is_string()) {
    errors.update(FieldError("usage_id", "Not a valid string."));
  } else {
    request.usage_key = usage_id->get<std::string>();
  }
  auto grade = item.find("grade");
  if (grade == item.end() || grade->is_null()) {
    errors.update(FieldError("grade", "This field is required."));
  } else if (!grade->is_object()) {
    errors.update(FieldError("grade", "Invalid data. Expected a dictionary."));
  } else {
    json grade_errors = json::object();
    ReadOverrideField(*grade, "earned_all_override", request.earned_all, grade_errors);
    ReadOverrideField(*grade, "possible_all_override", request.possible_all, grade_errors);
    ReadOverrideField(*grade, "earned_graded_override", request.earned_graded, grade_errors);
    ReadOverrideField(*grade, "possible_graded_override", request.possible_graded, grade_errors);
    if (auto comment = grade->find("comment"); comment != grade->end() && !comment->is_null()) {
      if (comment->is_string()) {
        request.comment = comment->get<std::string>();
      } else {
        grade_errors["comment"] = json::array({"Not a valid string."});
      }
    }
    if (!grade_errors.empty()) errors["grade"] = grade_errors;
  }
  if (!errors.empty()) return std::nullopt;
  return request;
}

class GradesRoutes {
 public:
  explicit GradesRoutes(const GradesRoutesContext& ctx) : ctx_(ctx) {}

  // CourseGradesView.get.
  Response CourseGrades(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (auto refused = RefuseCaller(caller)) return *refused;
    std::optional<std::string> username = request.Query("username");
    bool global_staff = caller->is_staff || caller->is_superuser;
    bool self = username.has_value() && http::EqualsIgnoreCase(*username, caller->username);
    if (!global_staff && !self) return internal::Detail(403, kNoPermission);
    std::string course_key;
    if (auto missing = ResolveCourse(request, course_key)) return *missing;
    if (username.has_value() && !username->empty()) {
      std::optional<enrollment::RosterEntry> learner;
      if (auto missing = FindLearner(*username, course_key, learner)) return *missing;
      auto reports = ctx_.grades.ComputeMany(course_key, {learner->user_id});
      if (!reports.ok()) return Error(request, reports.status());
      json list = json::array();
      list.push_back(UserGrade(learner->username, learner->email, learner->mode, reports->front()));
      return Response::Json(200, list);
    }
    return Page(
        request, course_key, enrollment::RosterQuery{},
        [](const enrollment::RosterEntry& learner, const grades::CourseGradeReport& report) {
          return UserGrade(learner.username, learner.email, learner.mode, report);
        });
  }

  // CourseGradingPolicy.get.
  Response Policy(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (auto refused = RefuseCaller(caller)) return *refused;
    std::string course_key(request.PathParam("course_id"));
    if (!keys::CourseKey::Parse(course_key).ok()) {
      return ApiError(400, "The provided course key cannot be parsed.", "invalid_course_key");
    }
    if (!ctx_.gate.RolesFor(caller->user_id, caller->is_staff || caller->is_superuser, course_key)
             .staff) {
      return ApiError(403, "The course does not exist.", "user_or_course_does_not_exist");
    }
    auto tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() != StatusCode::kNotFound) return Error(request, tree.status());
      return ApiError(404, "The course does not exist.", "user_or_course_does_not_exist");
    }
    auto policy = ctx_.grades.PolicyFor(course_key);
    if (!policy.ok()) return Error(request, policy.status());
    json out = json::array();
    for (const grading::AssignmentType& type : policy->graders) {
      out.push_back({{"assignment_type", type.type},
                     {"count", type.min_count},
                     {"dropped", type.drop_count},
                     {"weight", type.weight}});
    }
    return Response::Json(200, out);
  }

  // GradebookBulkUpdateView.post: 202 when every item succeeded, else 422,
  // with one result per item.
  Response BulkUpdate(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (auto refused = RefuseCaller(caller)) return *refused;
    std::string course_key;
    if (auto missing = ResolveCourse(request, course_key)) return *missing;
    if (auto refused = RefuseNonAuthor(*caller, course_key)) return *refused;
    json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return internal::Detail(400, "JSON parse error - the request body is not valid JSON.");
    }
    if (!body.is_array()) {
      return Response::Json(
          400, json{{"non_field_errors",
                     json::array({std::string("Expected a list of items but got type \"") +
                                  (body.is_object() ? "dict" : body.type_name()) + "\"."})}});
    }
    std::vector<grades::GradeService::OverrideRequest> requests;
    json errors = json::array();
    bool invalid = false;
    for (const json& item : body) {
      json item_errors = json::object();
      auto parsed = ReadOverrideItem(item, item_errors);
      invalid = invalid || !parsed.has_value();
      errors.push_back(std::move(item_errors));
      if (parsed) requests.push_back(std::move(*parsed));
    }
    if (invalid) return Response::Json(400, errors);
    auto outcomes = ctx_.grades.OverrideSubsectionGrades(caller->user_id, course_key, requests);
    if (!outcomes.ok()) return Error(request, outcomes.status());
    json results = json::array();
    bool all = true;
    for (size_t i = 0; i < requests.size(); ++i) {
      const auto& outcome = (*outcomes)[i];
      all = all && outcome.success;
      // Upstream echoes the requested values for failures and the user's
      // id and the parsed key for successes.
      results.push_back(
          {{"user_id", outcome.success ? json(requests[i].user_id) : body[i]["user_id"]},
           {"usage_id", requests[i].usage_key},
           {"success", outcome.success},
           {"reason", outcome.success ? json(nullptr) : json(outcome.reason)}});
    }
    return Response::Json(all ? 202 : 422, results);
  }

  // SubsectionGradeView.get: the learner's computed subsection grade, the
  // override that replaces it and the override's history.
  Response SubsectionGradeDetail(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (auto refused = RefuseCaller(caller)) return *refused;
    std::string subsection_id(request.PathParam("subsection_id"));
    StatusOr<keys::UsageKey> usage_key = keys::UsageKey::Parse(subsection_id);
    if (!usage_key.ok() || usage_key->in_library()) {
      return ApiError(404, "Invalid UsageKey", "invalid_usage_key");
    }
    std::string course_key = usage_key->course_key().ToString();
    if (auto refused = RefuseNonAuthor(*caller, course_key)) return *refused;
    std::string text = request.Query("user_id").value_or("");
    int64_t user_id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), user_id);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      return ApiError(404, "Invalid UserID", "invalid_user_id");
    }
    StatusOr<accounts::User> user = ctx_.accounts.GetUserById(user_id);
    if (!user.ok()) {
      if (user.status().code() != StatusCode::kNotFound) return Error(request, user.status());
      return ApiError(404, "Invalid UserID", "invalid_user_id");
    }
    std::optional<int64_t> limit;
    if (std::optional<std::string> raw = request.Query("history_record_limit")) {
      int64_t value = 0;
      auto [lend, lec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
      limit = lec == std::errc() && lend == raw->data() + raw->size() ? value : 0;
    }
    json body = {{"success", true},
                 {"subsection_id", usage_key->ToString()},
                 {"user_id", user_id},
                 {"course_id", course_key},
                 {"original_grade",
                  {{"earned_all", 0.0},
                   {"possible_all", 0.0},
                   {"earned_graded", 0.0},
                   {"possible_graded", 0.0}}},
                 {"override", nullptr},
                 {"history", json::array()}};
    auto view = ctx_.grades.GetSubsectionGrade(user_id, course_key, usage_key->ToString());
    if (!view.ok() && view.status().code() != StatusCode::kNotFound) {
      return Error(request, view.status());
    }
    if (!view.ok() || !view->available) {
      body["success"] = false;
      body["error_message"] =
          "Cannot override subsection grade: subsection is not available for target learner.";
      return Response::Json(200, body);
    }
    body["original_grade"] = {{"earned_all", view->original.earned_all},
                              {"possible_all", view->original.possible_all},
                              {"earned_graded", view->original.earned_graded},
                              {"possible_graded", view->original.possible_graded}};
    if (view->override) body["override"] = OverrideJson(*view->override);
    auto history = HistoryJson(view->history, limit);
    if (!history.ok()) return Error(request, history.status());
    body["history"] = std::move(*history);
    return Response::Json(200, body);
  }

  // GradebookView.get.
  Response Gradebook(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (auto refused = RefuseCaller(caller)) return *refused;
    std::string course_key;
    if (auto missing = ResolveCourse(request, course_key)) return *missing;
    if (auto refused = RefuseNonAuthor(*caller, course_key)) return *refused;
    if (std::optional<std::string> username = request.Query("username");
        username.has_value() && !username->empty()) {
      std::optional<enrollment::RosterEntry> learner;
      if (auto missing = FindLearner(*username, course_key, learner)) return *missing;
      auto reports = ctx_.grades.ComputeMany(course_key, {learner->user_id});
      if (!reports.ok()) return Error(request, reports.status());
      return Response::Json(200, GradebookEntry(*learner, reports->front()));
    }
    enrollment::RosterQuery filters;
    filters.user_contains = request.Query("user_contains").value_or("");
    filters.username_contains = request.Query("username_contains").value_or("");
    filters.mode = request.Query("enrollment_mode").value_or("");
    return Page(request, course_key, filters, GradebookEntry, /*with_counts=*/true);
  }

 private:
  template <typename Shape>
  Response Page(const Request& request, const std::string& course_key,
                enrollment::RosterQuery query, Shape shape, bool with_counts = false) {
    query.course_key = course_key;
    query.page_size = PageSize(request);
    std::optional<Cursor> cursor;
    if (std::optional<std::string> text = request.Query("cursor"); text && !text->empty()) {
      cursor = DecodeCursor(*text);
      if (!cursor.has_value()) return internal::Detail(404, "Invalid cursor");
      query.position = cursor->position;
      query.backward = cursor->reverse;
    }
    auto page = ctx_.enrollments.ListRoster(query);
    if (!page.ok()) return Error(request, page.status());
    std::vector<int64_t> ids;
    ids.reserve(page->entries.size());
    for (const enrollment::RosterEntry& e : page->entries) ids.push_back(e.user_id);
    auto reports = ctx_.grades.ComputeMany(course_key, ids);
    if (!reports.ok()) return Error(request, reports.status());
    json results = json::array();
    for (size_t i = 0; i < page->entries.size(); ++i) {
      results.push_back(shape(page->entries[i], (*reports)[i]));
    }
    const bool reverse = cursor.has_value() && cursor->reverse;
    bool has_next = cursor.has_value() ? (reverse || page->more) : page->more;
    bool has_previous = cursor.has_value() && (!reverse || page->more);
    json next = nullptr;
    json previous = nullptr;
    if (!page->entries.empty()) {
      if (has_next) {
        next = CursorUrl(request, ctx_.settings,
                         EncodeCursor(page->entries.back().enrollment_id, false));
      }
      if (has_previous) {
        previous = CursorUrl(request, ctx_.settings,
                             EncodeCursor(page->entries.front().enrollment_id, true));
      }
    }
    json body = {{"next", next}, {"previous", previous}, {"results", std::move(results)}};
    if (with_counts) {
      body["total_users_count"] = page->total;
      body["filtered_users_count"] = page->filtered;
    }
    return Response::Json(200, body);
  }

  // SubsectionGradeOverrideSimpleHistorySerializer over the newest
  // `limit` entries (all without one), oldest first.
  StatusOr<json> HistoryJson(const std::vector<grades::OverrideHistoryEntry>& history,
                             std::optional<int64_t> limit) {
    size_t first = 0;
    if (limit.has_value()) {
      size_t keep = *limit > 0 ? static_cast<size_t>(*limit) : 0;
      first = history.size() > keep ? history.size() - keep : 0;
    }
    std::map<int64_t, json> usernames;
    json out = json::array();
    for (size_t i = first; i < history.size(); ++i) {
      const grades::OverrideHistoryEntry& entry = history[i];
      json user = nullptr;
      if (entry.history_user_id) {
        auto known = usernames.find(*entry.history_user_id);
        if (known == usernames.end()) {
          StatusOr<accounts::User> found = ctx_.accounts.GetUserById(*entry.history_user_id);
          if (!found.ok() && found.status().code() != StatusCode::kNotFound) {
            return found.status();
          }
          known = usernames
                      .emplace(*entry.history_user_id,
                               found.ok() ? json(found->username) : json(nullptr))
                      .first;
        }
        user = known->second;
      }
      const grades::GradeOverride& v = entry.values;
      out.push_back({{"created", FormatIso8601(v.created)},
                     {"grade_id", v.grade_id},
                     {"history_id", entry.history_id},
                     {"earned_all_override", OptionalNumber(v.earned_all)},
                     {"earned_graded_override", OptionalNumber(v.earned_graded)},
                     {"override_reason", OptionalString(v.reason)},
                     {"system", OptionalString(v.system)},
                     {"history_date", FormatIso8601(entry.history_date)},
                     {"history_type", entry.history_type},
                     {"history_user", user},
                     {"history_user_id",
                      entry.history_user_id ? json(*entry.history_user_id) : json(nullptr)},
                     {"id", v.id},
                     {"possible_all_override", OptionalNumber(v.possible_all)},
                     {"possible_graded_override", OptionalNumber(v.possible_graded)}});
    }
    return out;
  }

  // GradeViewMixin.perform_authentication, and the restricted-application
  // branch of JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS.
  static std::optional<Response> RefuseCaller(const oauth::Principal* caller) {
    if (caller == nullptr) return internal::Detail(401, "Incorrect authentication credentials.");
    if (caller->is_restricted) return internal::Detail(403, kNoPermission);
    return std::nullopt;
  }

  // verify_course_exists: the path's course_id, else the course_id query
  // parameter.
  // The gradebook views' permission: course staff (or global staff).
  std::optional<Response> RefuseNonAuthor(const oauth::Principal& caller,
                                          const std::string& course_key) const {
    if (ctx_.gate.RolesFor(caller.user_id, caller.is_staff || caller.is_superuser, course_key)
            .staff) {
      return std::nullopt;
    }
    return ApiError(403, "The requesting user does not have course author permissions.",
                    "user_permissions");
  }

  std::optional<Response> ResolveCourse(const Request& request, std::string& course_key) {
    course_key = std::string(request.PathParam("course_id"));
    if (course_key.empty()) course_key = request.Query("course_id").value_or("");
    if (!keys::CourseKey::Parse(course_key).ok()) {
      return ApiError(404, "The provided course key cannot be parsed.", "invalid_course_key");
    }
    auto tree = ctx_.catalog.GetTree(course_key);
    if (tree.ok()) return std::nullopt;
    if (tree.status().code() != StatusCode::kNotFound) return Error(request, tree.status());
    return ApiError(404, "Requested grade for unknown course " + course_key,
                    "course_does_not_exist");
  }

  // GradeViewMixin._get_user_or_raise: the user and any enrollment of
  // theirs in the course (active or not).
  std::optional<Response> FindLearner(const std::string& username, const std::string& course_key,
                                      std::optional<enrollment::RosterEntry>& out) {
    StatusOr<accounts::User> user = ctx_.accounts.GetUserByUsername(username);
    if (!user.ok()) {
      if (user.status().code() != StatusCode::kNotFound) {
        return http::ErrorResponse(user.status(), "");
      }
      return ApiError(404, "The user matching the requested username does not exist.",
                      "user_does_not_exist");
    }
    auto enrolled = ctx_.enrollments.Get(user->id, course_key);
    if (!enrolled.ok()) return http::ErrorResponse(enrolled.status(), "");
    if (!enrolled->has_value()) {
      return ApiError(404,
                      "The user matching the requested username is not enrolled in this course",
                      "user_not_enrolled");
    }
    std::string full_name;
    if ((*enrolled)->mode == "masters") {
      auto profile = ctx_.accounts.GetProfile(user->id);
      if (!profile.ok()) return http::ErrorResponse(profile.status(), "");
      full_name = profile->name;
    }
    out = enrollment::RosterEntry{0,           user->id, (*enrolled)->mode, user->username,
                                  user->email, full_name};
    return std::nullopt;
  }

  static Response Error(const Request& request, const Status& status) {
    return http::ErrorResponse(status, request.request_id());
  }

  GradesRoutesContext ctx_;  // references only; copied at registration
};

}  // namespace

void RegisterGradesRoutes(http::Router& router, const GradesRoutesContext& context) {
  auto routes = std::make_shared<GradesRoutes>(context);
  // The router also matches each path without its trailing slash.
  router.Get("/api/grades/v1/courses/",
             [routes](Request& request) { return routes->CourseGrades(request); });
  router.Get("/api/grades/v1/courses/{course_id:course_key}/",
             [routes](Request& request) { return routes->CourseGrades(request); });
  router.Get("/api/grades/v1/policy/courses/{course_id}/",
             [routes](Request& request) { return routes->Policy(request); });
  router.Get("/api/grades/v1/gradebook/{course_id:course_key}/",
             [routes](Request& request) { return routes->Gradebook(request); });
  router.Post("/api/grades/v1/gradebook/{course_id:course_key}/bulk-update",
              [routes](Request& request) { return routes->BulkUpdate(request); });
  router.Get("/api/grades/v1/subsection/{subsection_id}/",
             [routes](Request& request) { return routes->SubsectionGradeDetail(request); });
}

}  // namespace larch::api
