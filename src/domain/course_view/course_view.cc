#include "larch/course_view/course_view.h"

#include <algorithm>
#include <ctime>
#include <utility>

#include "larch/common/clock.h"

namespace larch::course_view {
namespace {

using content_gate::ContentGate;
using nlohmann::json;

constexpr int64_t kDayMicros = int64_t{86'400} * 1'000'000;
// xmodule.course_metadata_utils.DEFAULT_START_DATE (2030-01-01 UTC).
constexpr int64_t kDefaultStartMicros = int64_t{1'893'456'000} * 1'000'000;

const courses::CatalogBlock& At(const courses::CourseTree& tree, int index) {
  return tree.blocks[static_cast<size_t>(index)];
}

// Python's str() of an aware UTC datetime: "2099-01-01 00:00:00+00:00".
std::string PythonDatetime(int64_t micros) {
  std::string iso = FormatIso8601(micros);  // ...THH:MM:SS[.ffffff]Z
  iso[10] = ' ';
  iso.pop_back();
  return iso + "+00:00";
}

// "%B %d, %Y": "January 01, 2099".
std::string LongDate(int64_t micros) {
  static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
  std::time_t t = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char day[8];
  std::snprintf(day, sizeof(day), "%02d", tm.tm_mday);
  return std::string(kMonths[tm.tm_mon]) + " " + day + ", " + std::to_string(tm.tm_year + 1900);
}

LoadAccess Denied(std::string code, std::string developer, std::string user) {
  return {false, std::move(code), std::move(developer), std::move(user)};
}

// What get_course_blocks(allow_start_dates_in_future=True) keeps: the gate
// without the start dates (staff-only content and milestones still apply).
bool ListedIgnoringStart(const courses::CourseTree& tree, int index,
                         const content_gate::ContentAccess& access) {
  if (access.see_all) return true;
  for (int at = index; at >= 0; at = At(tree, at).parent) {
    const courses::CatalogBlock& block = At(tree, at);
    if (block.visible_to_staff_only) return false;
    if (ContentGate::DeniedByMilestones(block, access)) return false;
  }
  return true;
}

// get_first_component_of_block: the first listed leaf under the block.
std::string FirstComponent(const Viewer& viewer, int index) {
  for (int child : At(*viewer.tree, index).children) {
    if (ListedIgnoringStart(*viewer.tree, child, viewer.access)) {
      return FirstComponent(viewer, child);
    }
  }
  return At(*viewer.tree, index).usage_key;
}

// CourseEndDate.description.
std::string EndDescription(const Viewer& viewer, int64_t end, int64_t now) {
  if (now > end) {
    return "This course is archived, which means you can review course content but it is no "
           "longer active.";
  }
  // CourseMode.is_eligible_for_certificate: every mode but audit.
  if (viewer.enrolled && viewer.mode != "audit") {
    return "After this date, the course will be archived, which means you can review the "
           "course content but can no longer participate in graded assignments or work "
           "towards earning a certificate.";
  }
  return "After the course ends, the course content will be archived and no longer active.";
}

// The latest start of the block and its ancestors, earlier by the block's
// days_early_for_beta for a beta tester.
std::optional<int64_t> EffectiveStart(const Viewer& viewer, int index) {
  const courses::CourseTree& tree = *viewer.tree;
  std::optional<int64_t> start;
  for (int at = index; at >= 0; at = At(tree, at).parent) {
    const std::optional<int64_t>& own = At(tree, at).start;
    if (own && (!start || *own > *start)) start = own;
  }
  if (start && viewer.access.beta_tester) {
    *start -= At(tree, index).days_early_for_beta * kDayMicros;
  }
  return start;
}

}  // namespace

const json* Setting(const courses::CatalogBlock& block, const char* name) {
  for (const json* source : {&block.fields, &block.inherited}) {
    auto it = source->find(name);
    if (it != source->end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

bool SettingTrue(const courses::CatalogBlock& block, const char* name) {
  const json* value = Setting(block, name);
  if (value == nullptr) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) return *value == "true" || *value == "True";
  return false;
}

std::optional<int64_t> SettingTime(const courses::CatalogBlock& block, const char* name) {
  const json* value = Setting(block, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  StatusOr<int64_t> parsed = ParseIso8601(value->get<std::string>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

std::string DisplayName(const courses::CatalogBlock& block) {
  if (!block.display_name.empty()) return block.display_name;
  std::string name = block.block_id;
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

LoadAccess CourseLoadAccess(const Viewer& viewer, int64_t now) {
  if (viewer.staff) return {};
  if (viewer.access.milestones == content_gate::MilestoneGate::kPrerequisites) {
    return Denied("unfulfilled_milestones", "User has unfulfilled milestones",
                  "You have unfulfilled milestones");
  }
  if (viewer.course->start) {
    int64_t start = *viewer.course->start;
    if (viewer.access.beta_tester && viewer.tree->root >= 0) {
      start -= At(*viewer.tree, viewer.tree->root).days_early_for_beta * kDayMicros;
    }
    if (now < start) {
      if (*viewer.course->start == kDefaultStartMicros) {
        return Denied("course_not_started", "Course has not started", "Course has not started");
      }
      return Denied("course_not_started",
                    "Course does not start until " + PythonDatetime(*viewer.course->start),
                    "Course does not start until " + LongDate(*viewer.course->start));
    }
  }
  if (!viewer.enrolled) {
    return Denied("enrollment_required", "User must be enrolled in the course",
                  "You must be enrolled in the course");
  }
  return {};
}

std::vector<SequenceUnit> SequenceUnits(const Viewer& viewer, int sequence) {
  const courses::CourseTree& tree = *viewer.tree;
  const courses::CatalogBlock& block = At(tree, sequence);
  std::string prefix;
  if (block.parent >= 0) prefix = DisplayName(At(tree, block.parent)) + " > ";
  prefix += DisplayName(block) + " > ";
  std::vector<SequenceUnit> units;
  for (int child : block.children) {
    if (!ContentGate::VisibleWithAncestors(tree, child, viewer.access)) continue;
    const courses::CatalogBlock& unit = At(tree, child);
    // CLASS_PRIORITY ["video", "problem"]: the later present one wins.
    bool video = false;
    bool problem = false;
    for (int leaf : unit.children) {
      if (!ContentGate::VisibleWithAncestors(tree, leaf, viewer.access)) continue;
      video = video || At(tree, leaf).type == "video";
      problem = problem || At(tree, leaf).type == "problem";
    }
    SequenceUnit out;
    out.index = child;
    out.title = DisplayName(unit);
    out.icon_class = problem ? "problem" : video ? "video" : "other";
    out.path = prefix + out.title;
    out.graded = SettingTrue(unit, "graded");
    units.push_back(std::move(out));
  }
  return units;
}

std::vector<DateBlock> CourseDates(const Viewer& viewer, int64_t now) {
  const courses::CourseTree& tree = *viewer.tree;
  std::vector<DateBlock> blocks;
  if (tree.root >= 0) {
    // get_course_assignments: graded subsections with a due date.
    for (int chapter : At(tree, tree.root).children) {
      if (!ListedIgnoringStart(tree, chapter, viewer.access)) continue;
      for (int index : At(tree, chapter).children) {
        const courses::CatalogBlock& sub = At(tree, index);
        if (!ListedIgnoringStart(tree, index, viewer.access)) continue;
        std::optional<int64_t> due = SettingTime(sub, "due");
        if (!due || !SettingTrue(sub, "graded")) continue;
        DateBlock block;
        block.date = *due;
        block.date_type = "assignment-due-date";
        block.title = sub.display_name.empty() ? "Assignment" : sub.display_name;
        block.subsection = index;
        if (const json* format = Setting(sub, "format"); format && format->is_string()) {
          block.assignment_type = format->get<std::string>();
        }
        block.released = !sub.start || *sub.start < now;
        block.first_component_block_id = FirstComponent(viewer, index);
        blocks.push_back(std::move(block));
      }
    }
  }
  if (viewer.course->end) {
    blocks.push_back({*viewer.course->end, "course-end-date", "Course ends",
                      EndDescription(viewer, *viewer.course->end, now)});
  }
  if (viewer.course->start) {
    blocks.push_back({*viewer.course->start, "course-start-date", "Course starts", ""});
  }
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const DateBlock& a, const DateBlock& b) { return a.date < b.date; });
  return blocks;
}

std::vector<OutlineSection> UserOutline(const Viewer& viewer, int64_t now) {
  const courses::CourseTree& tree = *viewer.tree;
  std::vector<OutlineSection> sections;
  // EnrollmentOutlineProcessor: nothing for outsiders of a private course.
  if ((!viewer.enrolled && !viewer.staff) || tree.root < 0) return sections;
  auto removed = [&](const courses::CatalogBlock& block) {
    return !viewer.access.see_all && block.visible_to_staff_only;
  };
  for (int chapter : At(tree, tree.root).children) {
    const courses::CatalogBlock& section = At(tree, chapter);
    if (section.type != "chapter" || removed(section)) continue;
    OutlineSection out{chapter, section.start, EffectiveStart(viewer, chapter), {}};
    for (int index : section.children) {
      const courses::CatalogBlock& sequence = At(tree, index);
      if (sequence.type != "sequential" || removed(sequence)) continue;
      OutlineSequence seq;
      seq.index = index;
      seq.due = SettingTime(sequence, "due");
      seq.inaccessible_after_due = SettingTrue(sequence, "hide_after_due") && seq.due &&
                                   *seq.due < now && !viewer.access.see_all;
      seq.accessible = ContentGate::VisibleWithAncestors(tree, index, viewer.access);
      seq.start = sequence.start;
      seq.effective_start = EffectiveStart(viewer, index);
      out.sequences.push_back(seq);
    }
    sections.push_back(std::move(out));
  }
  return sections;
}

}  // namespace larch::course_view
