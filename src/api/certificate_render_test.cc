// The certificate's PDF and PNG (certificate_pdf.h) checked with poppler's
// own tools (pdfinfo, pdffonts, pdftotext, pdftoppm), and the template
// folder's precedence, validation and reload (certificate_templates.h).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/api/certificate_pdf.h"
#include "larch/api/certificate_templates.h"
#include "larch/api/certificate_view_routes.h"
#include "larch/testing/net_support.h"

namespace larch::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A fresh folder under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "larch-cert-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

json Sample() {
  return {
      {"lang", "en"},
      {"platform_name", "Larch"},
      {"certificate_title", "Verified Certificate"},
      {"accomplishment_copy_name", "Zoë Ἀλέξανδρος سارة"},
      {"accomplishment_copy_course_name", "Demonstration Course"},
      {"accomplishment_copy_course_org", "edX"},
      {"course_number", "DemoX"},
      {"certificate_date_issued", "December 4, 2026"},
      {"certificate_id_number", "0123456789abcdef0123456789abcdef"},
      {"certificate_verify_url", "http://larch.test/certificates/0123456789abcdef0123456789abcdef"},
      {"hours_of_effort", "20"},
      {"signatories", {{{"name", "Ada Lovelace"}, {"title", "Dean"}, {"organization", "edX"}}}},
      {"revoked", false}};
}

// pdfinfo's "Pages:" value, -1 without one.
int Pages(const std::string& info) {
  size_t at = info.find("Pages:");
  if (at == std::string::npos) return -1;
  return std::atoi(info.c_str() + at + 6);
}

bool HaveTool(const char* tool) {
  return larch::testing::RunCapture(std::string("command -v ") + tool).find(tool) !=
         std::string::npos;
}

class CertificateRenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("pdftoppm") || !HaveTool("pdffonts")) {
      GTEST_SKIP() << "poppler-utils is not installed";
    }
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    fs::path path = fs::path(dir_.path()) / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  TempDir dir_;
};

TEST_F(CertificateRenderTest, PdfIsOneLandscapePageWithEveryFontEmbedded) {
  auto pdf = RenderCertificatePdf(Sample(), Paper::kA4);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);
  const std::string path = Write("a4.pdf", *pdf);
  std::string info = larch::testing::RunCapture("pdfinfo " + path);
  EXPECT_EQ(Pages(info), 1) << info;
  EXPECT_NE(info.find("841.89 x 595.28"), std::string::npos) << info;
  std::string fonts = larch::testing::RunCapture("pdffonts " + path + " | tail -n +3");
  ASSERT_FALSE(fonts.empty());
  std::istringstream lines(fonts);
  for (std::string line; std::getline(lines, line);) {
    // name type [encoding] emb sub uni object ID: emb is the 4th column from the end but 2.
    EXPECT_NE(line.find(" yes yes "), std::string::npos) << "not embedded: " << line;
  }
  std::string text = larch::testing::RunCapture("pdftotext -layout " + path + " -");
  EXPECT_NE(text.find("Zoë"), std::string::npos) << text;
  EXPECT_NE(text.find("Demonstration Course"), std::string::npos) << text;
  EXPECT_NE(text.find("20 hours of effort"), std::string::npos) << text;
  EXPECT_NE(text.find("Ada Lovelace"), std::string::npos) << text;
  EXPECT_NE(text.find("0123456789abcdef0123456789abcdef"), std::string::npos) << text;
  // poppler rasterizes it.
  larch::testing::RunCapture("pdftoppm -png -r 30 " + path + " " + dir_.path() + "/page");
  EXPECT_GT(fs::file_size(fs::path(dir_.path()) / "page-1.png"), 1000u);
}

TEST_F(CertificateRenderTest, LetterPaperAndALongTitleStayOnOnePage) {
  json data = Sample();
  std::string title;
  while (title.size() < 300) title += "A very long course title that goes on ";
  data["accomplishment_copy_course_name"] = title;
  auto pdf = RenderCertificatePdf(data, Paper::kLetter);
  ASSERT_TRUE(pdf.ok());
  const std::string path = Write("letter.pdf", *pdf);
  std::string info = larch::testing::RunCapture("pdfinfo " + path);
  EXPECT_EQ(Pages(info), 1) << info;
  EXPECT_NE(info.find("792 x 612 pts (letter)"), std::string::npos) << info;
  // The title keeps to its three lines: the signatory below is still on the
  // page (pdftotext reports the ellipsized run by its original text).
  std::string text = larch::testing::RunCapture("pdftotext " + path + " -");
  EXPECT_NE(text.find("Ada Lovelace"), std::string::npos) << "the title overran the page";
}

TEST_F(CertificateRenderTest, RevokedAndSpanishPagesSaySo) {
  json data = Sample();
  data["revoked"] = true;
  data["lang"] = "es";
  auto pdf = RenderCertificatePdf(data, Paper::kA4);
  ASSERT_TRUE(pdf.ok());
  // -raw: in drawing order, so the rotated watermark reads as one word.
  std::string text = larch::testing::RunCapture("pdftotext -raw " + Write("r.pdf", *pdf) + " -");
  EXPECT_NE(text.find("REVOCADO"), std::string::npos) << text;
  EXPECT_NE(text.find("Se certifica que"), std::string::npos) << text;
}

TEST_F(CertificateRenderTest, PngIsTheA4PageAt96Dpi) {
  auto png = RenderCertificatePng(Sample());
  ASSERT_TRUE(png.ok());
  ASSERT_GT(png->size(), 24u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<unsigned char>((*png)[at])) << 24) |
           (static_cast<uint32_t>(static_cast<unsigned char>((*png)[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<unsigned char>((*png)[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<unsigned char>((*png)[at + 3]));
  };
  EXPECT_EQ(be32(16), 1123u);  // IHDR width
  EXPECT_EQ(be32(20), 794u);   // IHDR height
}

TEST(CertificateTemplatesTest, BrokenTemplatesAreReportedWithTheirLine) {
  EXPECT_EQ(CertificateTemplates::Check("<p>{{name}}</p>"), "");
  std::string error = CertificateTemplates::Check("<p>\n{{#signatories}}\n<b>{{name}}</b>\n");
  EXPECT_EQ(error.rfind("line 2: ", 0), 0u) << error;
}

TEST(CertificateTemplatesTest, TheMostSpecificTemplateWinsAndABrokenEditKeepsTheLastGood) {
  TempDir dir;
  auto put = [&](const std::string& name, const std::string& text) {
    fs::path path = fs::path(dir.path()) / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  };
  put("org/edX/certificate.html", "org {{name}}");
  put("org/edX/certificate.verified.html", "org verified {{name}}");
  put("course/course-v1:edX+DemoX+1/certificate.html", "course {{name}}");
  put("default/certificate.fr.html", "fr {{name}}");
  std::vector<std::string> problems;
  auto templates = CertificateTemplates::Load(dir.path(), &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(templates->Select({"edX", "course-v1:edX+DemoX+1", "verified", ""}),
            "course/course-v1:edX+DemoX+1/certificate.html");
  EXPECT_EQ(templates->Select({"edX", "course-v1:edX+Other+1", "verified", ""}),
            "org/edX/certificate.verified.html");
  EXPECT_EQ(templates->Select({"edX", "course-v1:edX+Other+1", "honor", ""}),
            "org/edX/certificate.html");
  EXPECT_EQ(templates->Select({"MITx", "course-v1:MITx+A+1", "honor", "fr"}),
            "default/certificate.fr.html");
  EXPECT_EQ(templates->Select({"MITx", "course-v1:MITx+A+1", "honor", "es"}),
            "default/certificate.es.html");
  EXPECT_EQ(templates->Select({"MITx", "course-v1:MITx+A+1", "honor", ""}),
            "default/certificate.html");
  kainjow::mustache::data data;
  data.set("name", "<Zoë>");
  EXPECT_EQ(*templates->Render({"edX", "", "honor", ""}, data), "org &lt;Zoë&gt;");

  put("org/edX/certificate.html", "org {{#name}} unclosed");
  std::vector<std::string> reloaded = templates->Reload();
  ASSERT_EQ(reloaded.size(), 1u);
  EXPECT_NE(reloaded[0].find("org/edX/certificate.html:1: "), std::string::npos) << reloaded[0];
  EXPECT_EQ(*templates->Render({"edX", "", "honor", ""}, data), "org &lt;Zoë&gt;");
}

TEST(CertificateTemplatesTest, TheBuiltInTemplatesRenderTheSampleEscaped) {
  std::vector<std::string> problems;
  auto templates = CertificateTemplates::Load("", &problems);
  json data = Sample();
  data["accomplishment_copy_name"] = "<script>alert(1)</script>";
  auto html = templates->Render({"", "", "verified", ""}, ToMustache(data));
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(html->find("<script>alert"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html->find("20 hours of effort"), std::string::npos);
  EXPECT_EQ(html->find("class=\"revoked-banner\""), std::string::npos);
}

}  // namespace
}  // namespace larch::api
