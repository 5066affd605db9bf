// Private helpers of the learning micro-frontend routes (learning_routes.h):
// who is asking about which course, the course's tabs and the small JSON
// shapes the endpoints share.
#ifndef LARCH_API_LEARNING_COMMON_H_
#define LARCH_API_LEARNING_COMMON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/api/learning_routes.h"
#include "larch/course_view/course_view.h"
#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/oauth/principal.h"

namespace larch::api::learning {

// The signed-in caller looking at one course.
struct CourseViewer {
  const oauth::Principal* caller = nullptr;
  std::shared_ptr<const courses::CourseTree> tree;
  courses::CourseSummary course;
  bool global_staff = false;
  // Course staff, instructors and global staff.
  bool staff = false;
  std::optional<enrollment::Enrollment> enrollment;
  // What the content gate lets the caller see now.
  content_gate::ContentAccess access;

  bool enrolled() const { return enrollment.has_value() && enrollment->is_active; }
};

// The viewer of `course_key`; kNotFound for an unknown course (or one
// without blocks), else storage errors.
StatusOr<CourseViewer> LoadViewer(LearningRoutesContext& ctx, const oauth::Principal& caller,
                                  std::string_view course_key);

// 401 {"detail": "Authentication credentials were not provided."}.
http::Response Unauthenticated();
// DRF's 404 {"detail": "Not found."}.
http::Response NotFoundDetail();
// NotFoundDetail for kNotFound, the mapped error otherwise.
http::Response ErrorFor(const http::Request& request, const Status& status);

// A DateTimeField: "2013-02-05T05:00:00Z", or null.
nlohmann::json Time(const std::optional<int64_t>& micros);

// certificate_data (CertificateDataSerializer): {cert_status,
// cert_web_view_url, download_url, certificate_available_date} of the
// learner enrolled in `enrollment`, or null when the MFE shows nothing
// (`views` null, no enrollment, or CertDataFor says so). Errors are logged
// and show nothing.
nlohmann::json CertificateData(certificates::CertificateViews* views,
                               const config::Settings& settings, int64_t user_id,
                               std::string_view course_key,
                               const std::optional<enrollment::Enrollment>& enrollment,
                               bool passing, int64_t now);

// The block rules of course_view, by their short names here.
using course_view::DisplayName;
using course_view::Setting;
using course_view::SettingTime;
using course_view::SettingTrue;

// The course_view::Viewer of the caller (it points into `viewer`).
course_view::Viewer ViewOf(const CourseViewer& viewer);

// The course tabs the caller sees, in order: {tab_id, title, url (absolute,
// under `base`), type, priority}.
nlohmann::json CourseTabs(const CourseViewer& viewer, const std::string& base);

// AccessResponse.to_json() of check_course_access(course, user, "load",
// check_if_enrolled=True) for the viewer.
nlohmann::json CourseAccessJson(const CourseViewer& viewer, int64_t now);

// The caller's "time_zone" preference, or null.
nlohmann::json UserTimezone(LearningRoutesContext& ctx, int64_t user_id);

}  // namespace larch::api::learning

#endif  // LARCH_API_LEARNING_COMMON_H_
