#include <gtest/gtest.h>

#include "larch/certificates/certificates.h"

namespace larch::certificates {
namespace {

Certificate Existing(const char* status, const char* mode = "verified") {
  Certificate c;
  c.id = 1;
  c.status = status;
  c.mode = mode;
  c.verify_uuid = "0123456789abcdef0123456789abcdef";
  return c;
}

LearnerFacts Learner(const char* mode, bool passing) {
  LearnerFacts f;
  f.mode = mode;
  f.passing = passing;
  f.percent = passing ? 0.87 : 0.2;
  return f;
}

TEST(CertificateRulesTest, APassingLearnerInAnEligibleModeGetsACertificate) {
  for (const char* mode : {"verified", "honor", "professional", "no-id-professional", "masters"}) {
    Decision d = Decide({}, Learner(mode, true), Trigger::kGenerate);
    EXPECT_EQ(d.status, status::kDownloadable) << mode;
    EXPECT_EQ(d.reason, "generated") << mode;
  }
}

TEST(CertificateRulesTest, AuditLearnersAreRecordedButNeverCertified) {
  EXPECT_EQ(Decide({}, Learner("audit", true), Trigger::kGenerate).status, status::kAuditPassing);
  EXPECT_EQ(Decide({}, Learner("audit", false), Trigger::kGenerate).status,
            status::kAuditNotPassing);
  LearnerFacts again = Learner("audit", true);
  again.existing = Existing(status::kAuditPassing, "audit");
  EXPECT_EQ(Decide({}, again, Trigger::kGenerate).reason, "unchanged");
  // A downgrade to audit never takes a certificate away.
  LearnerFacts downgraded = Learner("audit", true);
  downgraded.existing = Existing(status::kDownloadable);
  EXPECT_EQ(Decide({}, downgraded, Trigger::kGenerate).reason, "already_downloadable");
}

TEST(CertificateRulesTest, HonorOnlyWithoutDisableHonorCertificates) {
  CourseFacts course;
  course.disable_honor_certificates = true;
  Decision d = Decide(course, Learner("honor", true), Trigger::kGenerate);
  EXPECT_EQ(d.status, "");
  EXPECT_EQ(d.reason, "ineligible_mode");
  EXPECT_FALSE(IsEligibleMode("honor", true));
  EXPECT_TRUE(IsEligibleMode("honor", false));
  EXPECT_FALSE(IsEligibleMode("audit", false));
  // A downloadable honor certificate stays.
  LearnerFacts kept = Learner("honor", true);
  kept.existing = Existing(status::kDownloadable, "honor");
  EXPECT_EQ(Decide(course, kept, Trigger::kGenerate).reason, "already_downloadable");
}

TEST(CertificateRulesTest, NothingWithoutEnrollmentOrHtmlCertificates) {
  LearnerFacts none;
  none.passing = true;
  EXPECT_EQ(Decide({}, none, Trigger::kGenerate).reason, "not_enrolled");
  CourseFacts off;
  off.html_certificates_enabled = false;
  EXPECT_EQ(Decide(off, Learner("verified", true), Trigger::kGenerate).reason,
            "html_certificates_disabled");
}

TEST(CertificateRulesTest, AllowlistedLearnersNeedNoPassingGrade) {
  LearnerFacts f = Learner("verified", false);
  f.allowlisted = true;
  EXPECT_EQ(Decide({}, f, Trigger::kGenerate).status, status::kDownloadable);
}

TEST(CertificateRulesTest, InvalidatedCertificatesBecomeUnavailable) {
  LearnerFacts f = Learner("verified", true);
  f.invalidated = true;
  f.existing = Existing(status::kDownloadable);
  Decision d = Decide({}, f, Trigger::kGenerate);
  EXPECT_EQ(d.status, status::kUnavailable);
  EXPECT_TRUE(d.revoke);
  f.existing = Existing(status::kUnavailable);
  EXPECT_EQ(Decide({}, f, Trigger::kGenerate).reason, "unchanged");
}

TEST(CertificateRulesTest, ANotPassingLearnerWithACertificateIsMarkedNotPassing) {
  LearnerFacts f = Learner("verified", false);
  EXPECT_EQ(Decide({}, f, Trigger::kGenerate).reason, "not_passing");
  EXPECT_EQ(Decide({}, f, Trigger::kGenerate).status, "");
  f.existing = Existing(status::kAuditPassing);
  EXPECT_EQ(Decide({}, f, Trigger::kGenerate).status, status::kNotPassing);
  EXPECT_FALSE(Decide({}, f, Trigger::kGenerate).revoke);
}

TEST(CertificateRulesTest, AFailingGradeRevokesAPassingCertificateUnlessAllowlisted) {
  LearnerFacts f = Learner("verified", false);
  f.existing = Existing(status::kDownloadable);
  Decision d = Decide({}, f, Trigger::kGradeFailed);
  EXPECT_EQ(d.status, status::kNotPassing);
  EXPECT_TRUE(d.revoke);
  f.allowlisted = true;
  EXPECT_EQ(Decide({}, f, Trigger::kGradeFailed).reason, "allowlisted");
  f.allowlisted = false;
  f.passing = true;  // passing again by the time the job runs
  EXPECT_EQ(Decide({}, f, Trigger::kGradeFailed).status, "");
  f.existing = Existing(status::kNotPassing);
  f.passing = false;
  EXPECT_EQ(Decide({}, f, Trigger::kGradeFailed).reason, "unchanged");
}

TEST(CertificateRulesTest, AModeThatBecameEligibleRegenerates) {
  CourseFacts course;
  course.disable_honor_certificates = true;
  LearnerFacts f = Learner("verified", true);
  f.existing = Existing(status::kDownloadable, "honor");
  EXPECT_EQ(Decide(course, f, Trigger::kGenerate).status, status::kDownloadable);
  f.existing = Existing(status::kDownloadable, "professional");
  EXPECT_EQ(Decide(course, f, Trigger::kGenerate).reason, "already_downloadable");
}

TEST(CertificateRulesTest, GradesPrintAsPythonFloats) {
  EXPECT_EQ(PythonFloat(0.87), "0.87");
  EXPECT_EQ(PythonFloat(1.0), "1.0");
  EXPECT_EQ(PythonFloat(0.0), "0.0");
  EXPECT_EQ(PythonFloat(0.5), "0.5");
  EXPECT_TRUE(IsPassingStatus("downloadable"));
  EXPECT_TRUE(IsPassingStatus("generating"));
  EXPECT_FALSE(IsPassingStatus("notpassing"));
}

}  // namespace
}  // namespace larch::certificates
