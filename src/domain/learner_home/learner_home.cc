#include "larch/learner_home/learner_home.h"

#include "larch/certificates/web_certificate.h"

#include <map>
#include <memory>
#include <utility>

#include "larch/accounts/roles.h"
#include "larch/accounts/user_store.h"
#include "larch/completion/completion.h"
#include "larch/grades/grade_service.h"

namespace larch::learner_home {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

// The course key's organization ("course-v1:Org+Course+Run" -> "Org").
std::string OrgOf(std::string_view key) {
  constexpr std::string_view kPrefix = "course-v1:";
  if (key.substr(0, kPrefix.size()) == kPrefix) key.remove_prefix(kPrefix.size());
  size_t end = key.find_first_of("+/");
  return std::string(key.substr(0, end));
}

int64_t DaysEarlyForBeta(const courses::CourseOverview& course) {
  auto it = course.advanced.find("days_early_for_beta");
  if (it == course.advanced.end() || !it->is_number()) return 0;
  return static_cast<int64_t>(it->get<double>());
}

bool HasPrerequisites(const courses::CourseOverview& course) {
  auto it = course.advanced.find("pre_requisite_courses");
  return it != course.advanced.end() && it->is_array() && !it->empty();
}

// What the learner's roles grant on each course of the dashboard.
struct RoleFacts {
  bool staff = false;
  bool beta = false;
};

RoleFacts RolesOn(const std::vector<accounts::RoleGrant>& grants, const std::string& course_key) {
  RoleFacts facts;
  const std::string org = OrgOf(course_key);
  for (const accounts::RoleGrant& g : grants) {
    bool applies = g.course_id.empty() ? g.org == org : g.course_id == course_key;
    if (!applies) continue;
    if (g.role == accounts::CourseRole::kBetaTester) {
      facts.beta = true;
    } else {
      facts.staff = true;
    }
  }
  return facts;
}

std::optional<int64_t> CertificateAvailableDate(const courses::CourseOverview& course) {
  const std::string behavior = course.certificates_display_behavior.value_or("");
  if (behavior == "end_with_date" && course.certificate_available_date.has_value()) {
    return course.certificate_available_date;
  }
  if (behavior == "end" && course.end.has_value()) return course.end;
  return std::nullopt;
}

// complete_course_mode_info's upsell: the learner is in an upsell mode
// (audit, honor) and the course has an unexpired verified mode.
std::optional<enrollment::CourseMode> UpsellMode(const std::string& mode,
                                                 const std::vector<enrollment::CourseMode>& modes) {
  if (mode != enrollment::kModeAudit && mode != enrollment::kModeHonor) return std::nullopt;
  for (const enrollment::CourseMode& m : modes) {
    if (m.slug == enrollment::kModeVerified) return m;
  }
  return std::nullopt;
}

}  // namespace

LearnerHomeService::LearnerHomeService(storage::Database& db, courses::CourseCatalog& catalog,
                                       const Clock& clock, milestones::MilestoneService* milestones)
    : db_(db), catalog_(catalog), clock_(clock), milestones_(milestones) {}

StatusOr<Dashboard> LearnerHomeService::ForUser(int64_t user_id) {
  const int64_t now = clock_.NowMicros();
  LARCH_ASSIGN_OR_RETURN(
      Dashboard dashboard,
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly,
                             [&](storage::Transaction& txn) -> StatusOr<Dashboard> {
                               LARCH_ASSIGN_OR_RETURN(std::optional<accounts::User> user,
                                                      accounts::UserStore::FindById(txn, user_id));
                               if (!user.has_value()) return NotFoundError("no such user");
                               return Load(txn, *std::move(user), now);
                             }));
  for (CourseCard& card : dashboard.cards) {
    if (card.resume_block.has_value()) LARCH_RETURN_IF_ERROR(AddResume(card, *card.resume_block));
    if (milestones_ != nullptr && !card.is_staff && HasPrerequisites(card.course)) {
      LARCH_ASSIGN_OR_RETURN(milestones::CourseGate gate,
                             milestones_->GateFor(user_id, card.enrollment.course_key));
      card.has_unmet_prerequisites = !gate.unmet_prerequisites.empty();
    }
  }
  return dashboard;
}

StatusOr<Dashboard> LearnerHomeService::ForLogin(std::string_view username_or_email) {
  LARCH_ASSIGN_OR_RETURN(
      int64_t user_id,
      storage::RunWithResult(
          db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) -> StatusOr<int64_t> {
            LARCH_ASSIGN_OR_RETURN(std::optional<accounts::User> user,
                                   accounts::UserStore::FindByUsername(txn, username_or_email));
            if (!user.has_value()) {
              LARCH_ASSIGN_OR_RETURN(user,
                                     accounts::UserStore::FindByEmail(txn, username_or_email));
            }
            if (!user.has_value()) return NotFoundError("no such user");
            return user->id;
          }));
  return ForUser(user_id);
}

StatusOr<Dashboard> LearnerHomeService::Load(storage::Transaction& txn, accounts::User user,
                                             int64_t now) {
  Dashboard out;
  LARCH_ASSIGN_OR_RETURN(std::vector<enrollment::Enrollment> enrollments,
                         enrollment::EnrollmentStore::ListActiveNewestFirst(txn, user.id));
  std::vector<std::string> keys;
  keys.reserve(enrollments.size());
  for (const enrollment::Enrollment& e : enrollments) keys.push_back(e.course_key);
  if (keys.empty()) {
    out.user = std::move(user);
    return out;
  }
  LARCH_ASSIGN_OR_RETURN(auto overviews, courses::CourseStore::FindOverviews(txn, keys));
  LARCH_ASSIGN_OR_RETURN(auto modes, enrollment::CourseModeStore::ModesForCourses(txn, keys, now));
  LARCH_ASSIGN_OR_RETURN(auto grades, grades::GradeService::CourseGradesOf(txn, user.id));
  LARCH_ASSIGN_OR_RETURN(auto latest, completion::CompletionStore::LatestPerCourse(txn, user.id));
  LARCH_ASSIGN_OR_RETURN(auto certificates, certificates::CertificateReads::OfUser(txn, user.id));
  LARCH_ASSIGN_OR_RETURN(std::vector<accounts::RoleGrant> grants,
                         accounts::RoleStore::GrantsOf(txn, user.id));
  const bool global_staff = user.is_staff || user.is_superuser;
  for (enrollment::Enrollment& e : enrollments) {
    auto overview = overviews.find(e.course_key);
    if (overview == overviews.end()) continue;
    CourseCard card;
    card.course = overview->second;
    card.modes = modes[e.course_key];
    const courses::CourseOverview& course = card.course;
    card.is_started = course.start.has_value() && *course.start <= now;
    card.is_archived = course.end.has_value() && now > *course.end;
    auto grade = grades.find(e.course_key);
    card.is_passing = grade != grades.end() && grade->second.passed_timestamp.has_value();
    auto resume = latest.find(e.course_key);
    if (resume != latest.end()) card.resume_block = resume->second.block_key;
    RoleFacts roles = RolesOn(grants, e.course_key);
    card.is_staff = global_staff || roles.staff;
    if (!card.is_staff && course.start.has_value()) {
      int64_t opens = *course.start - (roles.beta ? DaysEarlyForBeta(course) * kMicrosPerDay : 0);
      card.is_too_early = now < opens;
    }
    card.certificate_available_date = CertificateAvailableDate(course);
    if (auto cert = certificates.find(e.course_key); cert != certificates.end()) {
      card.certificate = cert->second;
    }
    card.certificates_viewable = certificates::CertificatesViewable(
        course.self_paced, course.certificates_display_behavior.value_or("end"),
        course.certificate_available_date, course.end, now);
    card.upsell_mode = UpsellMode(e.mode, card.modes);
    card.enrollment = std::move(e);
    out.cards.push_back(std::move(card));
  }
  out.user = std::move(user);
  return out;
}

Status LearnerHomeService::AddResume(CourseCard& card, const std::string& block_key) {
  StatusOr<std::shared_ptr<const courses::CourseTree>> tree =
      catalog_.GetTreeAtVersion(card.enrollment.course_key, card.course.version);
  if (tree.status().code() == StatusCode::kNotFound) {
    card.resume_block.reset();
    return OkStatus();
  }
  LARCH_RETURN_IF_ERROR(tree.status());
  int index = (*tree)->Find(block_key);
  // The sequential and vertical above the block (the block itself when it
  // is one), as jump_to resolves a location into the courseware URL.
  for (int i = index; i >= 0; i = (*tree)->blocks[i].parent) {
    const courses::CatalogBlock& block = (*tree)->blocks[i];
    if (block.type == "vertical" && !card.resume_vertical.has_value()) {
      card.resume_vertical = block.usage_key;
    } else if (block.type == "sequential") {
      card.resume_sequential = block.usage_key;
      break;
    }
  }
  if (!card.resume_sequential.has_value()) {
    card.resume_block.reset();
    card.resume_vertical.reset();
  }
  return OkStatus();
}

}  // namespace larch::learner_home
