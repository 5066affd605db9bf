#include "larch/enrollment/course_modes.h"

#include <gtest/gtest.h>

namespace larch::enrollment {
namespace {

CourseMode Mode(std::string slug, int64_t price = 0) {
  CourseMode m;
  m.slug = std::move(slug);
  m.name = m.slug;
  m.min_price = price;
  return m;
}

TEST(CourseModes, DefaultModeIsAuditAtZero) {
  CourseMode m = DefaultCourseMode();
  EXPECT_EQ(m.slug, "audit");
  EXPECT_EQ(m.name, "Audit");
  EXPECT_EQ(m.min_price, 0);
  EXPECT_EQ(m.currency, "usd");
  EXPECT_EQ(m.suggested_prices, "");
  EXPECT_FALSE(m.expiration_datetime.has_value());
  EXPECT_FALSE(m.sku.has_value());
}

TEST(CourseModes, ValidationRules) {
  EXPECT_TRUE(ValidateCourseMode(Mode("audit")).ok());
  EXPECT_TRUE(ValidateCourseMode(Mode("verified", 49)).ok());
  EXPECT_EQ(ValidateCourseMode(Mode("verified", 0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCourseMode(Mode("professional", 0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateCourseMode(Mode("bogus")).code(), StatusCode::kInvalidArgument);
  CourseMode pro = Mode("no-id-professional", 100);
  EXPECT_TRUE(ValidateCourseMode(pro).ok());
  pro.expiration_datetime = 5;
  EXPECT_EQ(ValidateCourseMode(pro).code(), StatusCode::kInvalidArgument);
  CourseMode verified = Mode("verified", 10);
  verified.expiration_datetime = 5;
  EXPECT_TRUE(ValidateCourseMode(verified).ok());
}

TEST(CourseModes, DefaultEnrollmentModeRule) {
  EXPECT_EQ(DefaultEnrollmentMode({}), "audit");
  EXPECT_EQ(DefaultEnrollmentMode({Mode("verified", 5), Mode("honor")}), "honor");
  EXPECT_EQ(DefaultEnrollmentMode({Mode("honor"), Mode("audit")}), "audit");
  EXPECT_EQ(DefaultEnrollmentMode({Mode("verified", 5)}), "audit");
}

TEST(CourseModes, Groups) {
  EXPECT_TRUE(IsAuditMode("honor"));
  EXPECT_TRUE(IsAuditMode("unpaid-bootcamp"));
  EXPECT_FALSE(IsAuditMode("verified"));
  EXPECT_TRUE(IsVerifiedMode("masters"));
  EXPECT_FALSE(IsVerifiedMode("no-id-professional"));
  EXPECT_TRUE(IsCreditMode("credit"));
  EXPECT_TRUE(IsKnownModeSlug("paid-executive-education"));
  EXPECT_FALSE(IsKnownModeSlug("Audit"));
}

TEST(CourseModes, CertificateEligibility) {
  EXPECT_FALSE(IsEligibleForCertificate("audit"));
  EXPECT_FALSE(IsEligibleForCertificate("audit", std::string("downloadable")));
  EXPECT_TRUE(IsEligibleForCertificate("honor"));
  EXPECT_FALSE(IsEligibleForCertificate("honor", std::nullopt, true));
  EXPECT_TRUE(IsEligibleForCertificate("honor", std::string("downloadable"), true));
  EXPECT_FALSE(IsEligibleForCertificate("honor", std::string("notpassing"), true));
  EXPECT_TRUE(IsEligibleForCertificate("verified", std::nullopt, true));
}

}  // namespace
}  // namespace larch::enrollment
