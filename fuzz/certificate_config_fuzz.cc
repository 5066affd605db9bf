// Feeds arbitrary text to what reads a course team's certificate
// configuration and the operator's HTML view configuration: the input is
// parsed as JSON (when it is) and handed to ParseCourseCertificates (which
// must accept it or say why, and whose accepted output must parse again to
// the same entries) and HtmlViewConfigFor (always an object).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "larch/certificates/web_certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return 0;
  auto configs = larch::certificates::ParseCourseCertificates(parsed);
  if (configs.ok()) {
    nlohmann::json again = larch::certificates::CourseCertificatesJson(*configs);
    auto reparsed = larch::certificates::ParseCourseCertificates(again);
    if (!reparsed.ok() || reparsed->size() != configs->size()) std::abort();
  } else if (configs.status().message().empty()) {
    std::abort();
  }
  for (const char* mode : {"verified", "honor", "default", ""}) {
    if (!larch::certificates::HtmlViewConfigFor(parsed, mode).is_object()) std::abort();
  }
  return 0;
}
