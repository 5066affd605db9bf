// Feeds arbitrary text as an operator's certificate template: validating it
// (CertificateTemplates::Check) and, when it is valid, rendering it with the
// sample variables must not crash, loop or leave the page unescaped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <kainjow/mustache.hpp>

#include "larch/api/certificate_templates.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string error = larch::api::CertificateTemplates::Check(text);
  if (!error.empty()) {
    if (error.rfind("line ", 0) != 0) std::abort();
    return 0;
  }
  kainjow::mustache::data sample;
  sample.set("accomplishment_copy_name", "<b>Zoë</b>");
  kainjow::mustache::data signatories{kainjow::mustache::data::type::list};
  kainjow::mustache::data signatory;
  signatory.set("name", "Ada");
  signatories.push_back(signatory);
  sample.set("signatories", signatories);
  sample.set("revoked", false);
  kainjow::mustache::mustache tmpl(text);
  std::string html = tmpl.render(sample);
  (void)html;
  return 0;
}
