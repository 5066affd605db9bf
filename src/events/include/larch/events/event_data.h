// Builders for the openedx-events data classes (openedx_events/learning/
// data.py) as JSON with the upstream field names, so event payloads match
// what Open edX services expect. Datetimes are ISO 8601 strings
// (FormatEventTime), absent optionals are null.
//
// Thread safety: pure functions over values.
#ifndef LARCH_EVENTS_EVENT_DATA_H_
#define LARCH_EVENTS_EVENT_DATA_H_

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace larch::events {

struct UserData {
  int64_t id = 0;
  bool is_active = true;
  // The "pii" sub-object.
  std::string username;
  std::string email;
  std::string name;
};

struct CourseData {
  std::string course_key;  // "course-v1:Org+Course+Run"
  std::string display_name;
  std::optional<int64_t> start;  // micros since epoch
  std::optional<int64_t> end;
};

struct CourseEnrollmentData {
  UserData user;
  CourseData course;
  std::string mode;
  bool is_active = true;
  int64_t creation_date = 0;
  std::optional<UserData> created_by;
};

struct CertificateData {
  UserData user;
  CourseData course;
  std::string mode;
  std::string grade;
  std::string download_url;
  std::string name;
  std::string current_status;
  std::string previous_status;
};

struct CoursePassingStatusData {
  bool is_passing = false;
  CourseData course;
  UserData user;
};

struct PersistentCourseGradeData {
  int64_t user_id = 0;
  CourseData course;
  int64_t course_edited_timestamp = 0;
  std::string course_version;
  std::string grading_policy_hash;
  double percent_grade = 0.0;
  std::string letter_grade;
  std::optional<int64_t> passed_timestamp;
};

// {"id", "is_active", "pii": {"username", "email", "name"}}
nlohmann::json ToJson(const UserData& user);
// {"course_key", "display_name", "start", "end"}
nlohmann::json ToJson(const CourseData& course);
// {"user", "course", "mode", "is_active", "creation_date", "created_by"}
nlohmann::json ToJson(const CourseEnrollmentData& enrollment);
// {"user", "course", "mode", "grade", "download_url", "name",
//  "current_status", "previous_status"}
nlohmann::json ToJson(const CertificateData& certificate);
// {"is_passing", "course", "user"}
nlohmann::json ToJson(const CoursePassingStatusData& status);
// {"user_id", "course", "course_edited_timestamp", "course_version",
//  "grading_policy_hash", "percent_grade", "letter_grade", "passed_timestamp"}
nlohmann::json ToJson(const PersistentCourseGradeData& grade);

// Whole event data objects, keyed as the signals' payloads are (see
// event_types.h): {"user": ...}, {"enrollment": ...}, {"certificate": ...},
// {"course_passing_status": ...}, {"grade": ...}.
nlohmann::json UserPayload(const UserData& user);
nlohmann::json EnrollmentPayload(const CourseEnrollmentData& enrollment);
nlohmann::json CertificatePayload(const CertificateData& certificate);
nlohmann::json CoursePassingStatusPayload(const CoursePassingStatusData& status);
nlohmann::json GradePayload(const PersistentCourseGradeData& grade);

}  // namespace larch::events

#endif  // LARCH_EVENTS_EVENT_DATA_H_
