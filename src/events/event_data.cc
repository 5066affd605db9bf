#include "larch/events/event_data.h"

#include <nlohmann/json.hpp>

#include "larch/events/event.h"

namespace larch::events {
namespace {

nlohmann::json OptionalTime(const std::optional<int64_t>& micros) {
  if (!micros.has_value()) return nullptr;
  return FormatEventTime(*micros);
}

}  // namespace

nlohmann::json ToJson(const UserData& user) {
  return {{"id", user.id},
          {"is_active", user.is_active},
          {"pii", {{"username", user.username}, {"email", user.email}, {"name", user.name}}}};
}

nlohmann::json ToJson(const CourseData& course) {
  return {{"course_key", course.course_key},
          {"display_name", course.display_name},
          {"start", OptionalTime(course.start)},
          {"end", OptionalTime(course.end)}};
}

nlohmann::json ToJson(const CourseEnrollmentData& enrollment) {
  return {{"user", ToJson(enrollment.user)},
          {"course", ToJson(enrollment.course)},
          {"mode", enrollment.mode},
          {"is_active", enrollment.is_active},
          {"creation_date", FormatEventTime(enrollment.creation_date)},
          {"created_by", enrollment.created_by.has_value() ? ToJson(*enrollment.created_by)
                                                           : nlohmann::json(nullptr)}};
}

nlohmann::json ToJson(const CertificateData& certificate) {
  return {{"user", ToJson(certificate.user)},
          {"course", ToJson(certificate.course)},
          {"mode", certificate.mode},
          {"grade", certificate.grade},
          {"download_url", certificate.download_url},
          {"name", certificate.name},
          {"current_status", certificate.current_status},
          {"previous_status", certificate.previous_status}};
}

nlohmann::json ToJson(const CoursePassingStatusData& status) {
  return {{"is_passing", status.is_passing},
          {"course", ToJson(status.course)},
          {"user", ToJson(status.user)}};
}

nlohmann::json ToJson(const PersistentCourseGradeData& grade) {
  return {{"user_id", grade.user_id},
          {"course", ToJson(grade.course)},
          {"course_edited_timestamp", FormatEventTime(grade.course_edited_timestamp)},
          {"course_version", grade.course_version},
          {"grading_policy_hash", grade.grading_policy_hash},
          {"percent_grade", grade.percent_grade},
          {"letter_grade", grade.letter_grade},
          {"passed_timestamp", OptionalTime(grade.passed_timestamp)}};
}

nlohmann::json UserPayload(const UserData& user) { return {{"user", ToJson(user)}}; }

nlohmann::json EnrollmentPayload(const CourseEnrollmentData& enrollment) {
  return {{"enrollment", ToJson(enrollment)}};
}

nlohmann::json CertificatePayload(const CertificateData& certificate) {
  return {{"certificate", ToJson(certificate)}};
}

nlohmann::json CoursePassingStatusPayload(const CoursePassingStatusData& status) {
  return {{"course_passing_status", ToJson(status)}};
}

nlohmann::json GradePayload(const PersistentCourseGradeData& grade) {
  return {{"grade", ToJson(grade)}};
}

}  // namespace larch::events
