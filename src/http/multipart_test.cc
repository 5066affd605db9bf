#include "larch/http/multipart.h"

#include <gtest/gtest.h>

#include <string>

namespace larch::http {
namespace {

std::string Body() {
  std::string file("bin\0ary\r\n--XY\r\ndata", 18);
  return "--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n"
         "--XYZ\r\nContent-Disposition: form-data; name=\"course_data\"; "
         "filename=\"course.tar.gz\"\r\nContent-Type: application/gzip\r\n\r\n" +
         file + "\r\n--XYZ--\r\n";
}

TEST(MultipartTest, ParsesFieldsAndBinaryFiles) {
  auto parts = ParseMultipartFormData("multipart/form-data; boundary=XYZ", Body());
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "a");
  EXPECT_EQ((*parts)[0].data, "hello");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  const FormPart* file = FindFormPart(*parts, "course_data");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename.value_or(""), "course.tar.gz");
  EXPECT_EQ(file->content_type, "application/gzip");
  // NUL bytes, CRLFs and a boundary-like line inside the file survive.
  EXPECT_EQ(file->data, std::string("bin\0ary\r\n--XY\r\ndata", 18));
  EXPECT_EQ(FindFormPart(*parts, "missing"), nullptr);
}

TEST(MultipartTest, QuotedBoundaryAndCaseInsensitiveMediaType) {
  std::string body = "--a b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a b--\r\n";
  auto parts = ParseMultipartFormData("Multipart/Form-Data; boundary=\"a b\"", body);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, "1");
}

TEST(MultipartTest, RejectsOtherMediaTypesAndGarbage) {
  EXPECT_EQ(ParseMultipartFormData("application/json", "{}").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMultipartFormData("multipart/form-data", Body()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ParseMultipartFormData("multipart/form-data; boundary=XYZ", "not multipart").status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMultipartFormData("multipart/form-data; boundary=XYZ\r\nX-Evil: 1", Body())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(MultipartTest, RefusesEightBitOrLongContentTypesBeforeGMime) {
  // multipart_fuzz found this 120-byte header value making GMime allocate
  // gigabytes while it re-encoded the 8-bit parameter.
  const std::string evil = "multipart/form-data; smulena" + std::string(64, 'x') +
                           "mk=\"c.ini\x99\xd0\x85\xc5\x8f\xf2\r\n\xf5,\xf2\"";
  EXPECT_EQ(ParseMultipartFormData(evil, Body()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMultipartFormData("multipart/form-data; boundary=XYZ; x=" + std::string(600, 'a'),
                                   Body())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // A UTF-8 file name in the part's own headers is still fine.
  std::string utf8 = Body();
  utf8.replace(utf8.find("course.tar.gz"), 6, "c\xc3\xa9urs");
  EXPECT_TRUE(ParseMultipartFormData("multipart/form-data; boundary=XYZ", utf8).ok());
}

TEST(MultipartTest, RefusesDeeplyNestedMultipartsBeforeParsing) {
  // 20,000 levels of multipart/mixed inside each other: GMime would recurse
  // once per level.
  std::string body;
  for (int i = 0; i < 20'000; ++i) {
    body += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=b" +
            std::to_string(i + 1) + "\r\n\r\n";
  }
  auto parts = ParseMultipartFormData("multipart/form-data; boundary=b0", body);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parts.status().error_code(), "multipart_too_deep");
}

}  // namespace
}  // namespace larch::http
