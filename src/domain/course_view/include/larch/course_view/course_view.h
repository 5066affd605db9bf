// course_view: what one learner sees of one course in the learning
// micro-frontend, as Open edX's courseware rules decide it. It owns no table:
// it reads the catalog's course tree and summary and the content gate's
// ContentAccess, and answers
//   - CourseLoadAccess: check_course_access(course, user, "load",
//     check_if_enrolled=True) (courseware.courses / access_response);
//   - SequenceUnits: the units of a subsection the viewer may see, with the
//     icon class and breadcrumb path of SequenceBlock.get_metadata;
//   - CourseDates: the dates tab's blocks (courseware.date_summary and
//     courses.get_course_assignments);
//   - UserOutline: the learning_sequences outline after its processors.
// The api routes turn these into Open edX's JSON.
//
// Thread safety: pure functions over immutable inputs.
#ifndef LARCH_COURSE_VIEW_COURSE_VIEW_H_
#define LARCH_COURSE_VIEW_COURSE_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/content_gate/content_gate.h"
#include "larch/courses/course_catalog.h"
#include "larch/courses/courses.h"

namespace larch::course_view {

// The block's own setting, else the inherited one; null when neither is set.
const nlohmann::json* Setting(const courses::CatalogBlock& block, const char* name);
bool SettingTrue(const courses::CatalogBlock& block, const char* name);
std::optional<int64_t> SettingTime(const courses::CatalogBlock& block, const char* name);
// display_name_with_default: the display name, else the url_name with
// underscores as spaces.
std::string DisplayName(const courses::CatalogBlock& block);

// Who is looking: the gate's view plus the facts the rules need.
struct Viewer {
  const courses::CourseTree* tree = nullptr;
  const courses::CourseSummary* course = nullptr;
  content_gate::ContentAccess access;
  bool staff = false;     // course staff, instructor or global staff
  bool enrolled = false;  // an active enrollment
  std::string mode;       // its mode ("" without one)
};

// An AccessResponse: has_access, or the error with its messages.
struct LoadAccess {
  bool has_access = true;
  std::string error_code;
  std::string developer_message;
  std::string user_message;
};

// Staff always load; otherwise unmet prerequisites (unfulfilled_milestones),
// a course before its start (earlier by days_early_for_beta for beta
// testers; course_not_started), and no active enrollment
// (enrollment_required), in that order.
LoadAccess CourseLoadAccess(const Viewer& viewer, int64_t now);

struct SequenceUnit {
  int index = -1;  // into tree->blocks
  std::string title;
  // VerticalBlock.get_icon_class: "problem", "video" or "other".
  std::string icon_class;
  // "Section > Subsection > Unit".
  std::string path;
  bool graded = false;
};

// The units of the subsection at `sequence` the gate lets the viewer see.
std::vector<SequenceUnit> SequenceUnits(const Viewer& viewer, int sequence);

struct DateBlock {
  int64_t date = 0;
  // "course-start-date", "course-end-date" or "assignment-due-date".
  std::string date_type;
  std::string title;
  std::string description;
  // Assignments only: the subsection, its format, whether it has started
  // (only then does it get a link) and its first component.
  int subsection = -1;
  std::optional<std::string> assignment_type;
  bool released = false;
  std::string first_component_block_id;
};

// The course start, the course end and each graded subsection with a due
// date the viewer may see (future ones included), sorted by date (stable).
std::vector<DateBlock> CourseDates(const Viewer& viewer, int64_t now);

struct OutlineSequence {
  int index = -1;
  bool accessible = false;
  bool inaccessible_after_due = false;
  std::optional<int64_t> start;
  std::optional<int64_t> effective_start;
  std::optional<int64_t> due;
};

struct OutlineSection {
  int index = -1;
  std::optional<int64_t> start;
  std::optional<int64_t> effective_start;
  std::vector<OutlineSequence> sequences;
};

// Nothing for a viewer neither enrolled nor staff (a private course);
// staff-only sections and sequences removed; sequences the gate closes
// (not started, milestones) kept with accessible false.
std::vector<OutlineSection> UserOutline(const Viewer& viewer, int64_t now);

}  // namespace larch::course_view

#endif  // LARCH_COURSE_VIEW_COURSE_VIEW_H_
