// The report CSVs: CourseGradeReport (tasks_helper/grades.py) and the
// enrolled learner profile report (upload_students_csv), column for column.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "larch/accounts/user_store.h"
#include "larch/enrollment/enrollment_service.h"
#include "larch/instructor_tasks/instructor_task_service.h"
#include "report_csv.h"

namespace larch::instructor_tasks {
namespace {

using internal::AppendCsvRow;
using internal::PythonFloat;

// CourseMode.VERIFIED_MODES.
bool IsVerifiedMode(std::string_view mode) {
  static const std::set<std::string, std::less<>> kModes = {
      "verified",     "professional", "masters", "executive-education", "paid-executive-education",
      "paid-bootcamp"};
  return kModes.count(mode) > 0;
}

// One assignment type's columns (graded_assignments): its graded
// subsections in course order and its grader.
struct TypeColumns {
  std::string type;
  std::vector<std::pair<std::string, std::string>> subsections;  // (usage key, header)
  const grading::AssignmentType* grader = nullptr;
  bool separate() const { return subsections.size() > 1; }
};

std::vector<TypeColumns> GradedAssignments(const grades::CourseGradeReport& report,
                                           const grading::GradingPolicy& policy) {
  std::vector<TypeColumns> types;
  for (const grades::SectionGrade& section : report.sections) {
    for (const grades::SubsectionGrade& sub : section.subsections) {
      if (!sub.graded) continue;
      auto it = std::find_if(types.begin(), types.end(),
                             [&](const TypeColumns& t) { return t.type == sub.format; });
      if (it == types.end()) {
        types.push_back(TypeColumns{sub.format, {}, nullptr});
        it = types.end() - 1;
        for (const grading::AssignmentType& grader : policy.graders) {
          if (grader.type == sub.format) it->grader = &grader;
        }
      }
      it->subsections.emplace_back(
          sub.usage_key,
          sub.format + " " + std::to_string(it->subsections.size() + 1) + ": " + sub.display_name);
    }
  }
  return types;
}

std::vector<std::string> Header(const std::vector<TypeColumns>& types) {
  std::vector<std::string> header = {"Student ID", "Email", "Username", "Grade"};
  for (const TypeColumns& t : types) {
    if (t.separate()) {
      for (const auto& [key, name] : t.subsections) header.push_back(name);
      header.push_back(t.type + " (Avg)");
    } else {
      header.push_back(t.type);
    }
  }
  for (const char* name : {"Enrollment Track", "Verification Status", "Certificate Eligible",
                           "Certificate Delivered", "Certificate Type", "Enrollment Status"}) {
    header.emplace_back(name);
  }
  return header;
}

// AssignmentFormatGrader.total_with_drops over the subsections as they are
// (not padded to min_count): the lowest drop_count percents dropped, the
// rest summed in order and divided by how many remain.
double TotalWithDrops(const std::vector<double>& percents, int drop_count) {
  std::vector<size_t> order(percents.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return percents[a] < percents[b]; });
  std::set<size_t> dropped;
  for (size_t i = 0; i < order.size() && static_cast<int>(i) < drop_count; ++i) {
    dropped.insert(order[i]);
  }
  double total = 0;
  for (size_t i = 0; i < percents.size(); ++i) {
    if (dropped.count(i) == 0) total += percents[i];
  }
  int64_t remaining = static_cast<int64_t>(percents.size()) - drop_count;
  if (remaining > 0) total /= static_cast<double>(remaining);
  return total;
}

std::vector<std::string> GradeCells(const grades::CourseGradeReport& report,
                                    const std::vector<TypeColumns>& types) {
  std::unordered_map<std::string, const grades::SubsectionGrade*> by_key;
  bool course_attempted = false;
  for (const grades::SectionGrade& section : report.sections) {
    for (const grades::SubsectionGrade& sub : section.subsections) {
      by_key[sub.usage_key] = &sub;
      if (sub.first_attempted) course_attempted = true;
    }
  }
  std::vector<std::string> cells = {PythonFloat(report.grade.percent)};
  for (const TypeColumns& t : types) {
    std::vector<double> percents;
    for (const auto& [key, name] : t.subsections) {
      const grades::SubsectionGrade* sub = by_key[key];
      bool attempted_graded = false;
      for (const grades::ProblemScore& p : sub->problems) {
        if (p.attempted && p.graded) attempted_graded = true;
      }
      cells.push_back(attempted_graded || sub->override ? PythonFloat(sub->percent_graded)
                                                        : "Not Attempted");
      percents.push_back(sub->percent_graded);
    }
    if (!t.separate()) continue;
    if (t.grader == nullptr) {
      cells.emplace_back();  // Upstream writes no cell here (see docs/api/instructor.md).
    } else {
      cells.push_back(
          PythonFloat(course_attempted ? TotalWithDrops(percents, t.grader->drop_count) : 0.0));
    }
  }
  return cells;
}

}  // namespace

StatusOr<InstructorTaskService::Csv> InstructorTaskService::GradeReportCsv(
    std::string_view course_key) {
  std::vector<enrollment::Enrollment> enrollments;
  std::unordered_map<int64_t, accounts::UserSummary> users;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(enrollments,
                               enrollment::EnrollmentStore::ListForCourse(txn, course_key));
        std::vector<int64_t> ids;
        ids.reserve(enrollments.size());
        for (const auto& e : enrollments) ids.push_back(e.user_id);
        LARCH_ASSIGN_OR_RETURN(users, accounts::UserStore::FindSummaries(txn, std::move(ids)));
        return OkStatus();
      }));
  std::erase_if(enrollments, [&](const enrollment::Enrollment& e) {
    return users.find(e.user_id) == users.end();
  });
  std::vector<int64_t> ids;
  ids.reserve(enrollments.size());
  for (const auto& e : enrollments) ids.push_back(e.user_id);
  // The structure is the same for every learner; a learner without state
  // (user 0) gives it when nobody is enrolled.
  LARCH_ASSIGN_OR_RETURN(
      std::vector<grades::CourseGradeReport> reports,
      grades_.ComputeMany(course_key, ids.empty() ? std::vector<int64_t>{0} : ids,
                          grades::ScoreRead::kWholeCourse));
  LARCH_ASSIGN_OR_RETURN(grading::GradingPolicy policy, grades_.PolicyFor(course_key));
  std::vector<TypeColumns> types = GradedAssignments(reports.front(), policy);
  Csv csv;
  AppendCsvRow(csv.text, Header(types));
  for (size_t i = 0; i < ids.size(); ++i) {
    const enrollment::Enrollment& e = enrollments[i];
    const accounts::UserSummary& user = users[e.user_id];
    const grades::CourseGradeReport& report = reports[i];
    std::vector<std::string> row = {std::to_string(user.id), user.email, user.username};
    std::vector<std::string> cells = GradeCells(report, types);
    row.insert(row.end(), cells.begin(), cells.end());
    bool verified = IsVerifiedMode(e.mode);
    row.push_back(e.mode);
    row.emplace_back(verified ? "Not ID Verified" : "N/A");
    // certificate_info_for_user without certificates: eligible when a
    // verified-track learner has a letter grade; none delivered.
    row.emplace_back(verified && report.grade.letter.has_value() ? "Y" : "N");
    row.emplace_back("N");
    row.emplace_back("N/A");
    row.emplace_back(e.is_active ? "enrolled" : "unenrolled");
    AppendCsvRow(csv.text, row);
    ++csv.rows;
  }
  return csv;
}

const std::vector<std::string>& ProfileFeatures() {
  static const std::vector<std::string> kFeatures = {"id",
                                                     "username",
                                                     "name",
                                                     "email",
                                                     "language",
                                                     "location",
                                                     "year_of_birth",
                                                     "gender",
                                                     "level_of_education",
                                                     "mailing_address",
                                                     "goals",
                                                     "enrollment_mode",
                                                     "last_login",
                                                     "date_joined",
                                                     "external_user_key",
                                                     "city",
                                                     "country"};
  return kFeatures;
}

StatusOr<InstructorTaskService::Csv> InstructorTaskService::ProfileCsv(
    std::string_view course_key) {
  std::vector<enrollment::Enrollment> enrollments;
  LARCH_RETURN_IF_ERROR(
      db_.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> Status {
        LARCH_ASSIGN_OR_RETURN(enrollments,
                               enrollment::EnrollmentStore::ListForCourse(txn, course_key));
        return OkStatus();
      }));
  struct Learner {
    accounts::User user;
    accounts::Profile profile;
    std::string mode;
  };
  std::vector<Learner> learners;
  for (const enrollment::Enrollment& e : enrollments) {
    if (!e.is_active) continue;
    StatusOr<accounts::User> user = accounts_.GetUserById(e.user_id);
    if (user.status().code() == StatusCode::kNotFound) continue;
    LARCH_RETURN_IF_ERROR(user.status());
    StatusOr<accounts::Profile> profile = accounts_.GetProfile(e.user_id);
    if (!profile.ok() && profile.status().code() != StatusCode::kNotFound) {
      return profile.status();
    }
    learners.push_back(Learner{*std::move(user),
                               profile.ok() ? *std::move(profile) : accounts::Profile{}, e.mode});
  }
  // enrolled_students_features orders the learners by username.
  std::sort(learners.begin(), learners.end(),
            [](const Learner& a, const Learner& b) { return a.user.username < b.user.username; });
  auto text = [](const std::optional<std::string>& v) { return v.value_or(""); };
  Csv csv;
  AppendCsvRow(csv.text, ProfileFeatures());
  for (const Learner& l : learners) {
    const accounts::Profile& p = l.profile;
    AppendCsvRow(csv.text,
                 {std::to_string(l.user.id), l.user.username, p.name, l.user.email, "", "",
                  p.year_of_birth ? std::to_string(*p.year_of_birth) : "", text(p.gender),
                  text(p.level_of_education), text(p.mailing_address), text(p.goals), l.mode,
                  l.user.last_login ? internal::PythonDatetime(*l.user.last_login) : "",
                  internal::PythonDatetime(l.user.date_joined), "", text(p.city), text(p.country)});
    ++csv.rows;
  }
  return csv;
}

}  // namespace larch::instructor_tasks
