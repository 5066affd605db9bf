// The web certificate's templates: Mustache (kainjow) HTML, built-in English
// and Spanish base templates, and an operator's template folder laid over
// them, edited without a rebuild:
//
//   <dir>/default/certificate[.<mode>][.<lang>].html
//   <dir>/org/<ORG>/certificate[.<mode>][.<lang>].html
//   <dir>/course/<course key>/certificate[.<mode>][.<lang>].html
//
// The most specific template wins (CertificateTemplate's precedence): the
// course's over the organization's over the default; within one, the
// mode's over the all-modes one; the language's (when the course has
// language-specific templates on) over the language-neutral one. The
// built-in templates are the default scope's `certificate.html` (English)
// and `certificate.es.html`.
//
// Every file is parsed when loaded; a broken one is reported with its path
// and line and is not used, and on a reload the last good version of that
// file keeps serving. Render looks at the folder at most every
// kRecheckMicros and reloads it when a file was added, removed or changed.
//
// Thread safety: Select and Render may run concurrently with Reload.
#ifndef LARCH_API_CERTIFICATE_TEMPLATES_H_
#define LARCH_API_CERTIFICATE_TEMPLATES_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <kainjow/mustache.hpp>

#include "larch/common/status.h"

namespace larch::api {

struct TemplateChoice {
  std::string org;
  std::string course_key;
  std::string mode;
  std::string language;  // "" for language-neutral templates only
};

class CertificateTemplates {
 public:
  // The built-in templates and those of `dir` ("" or a missing folder: the
  // built-ins alone). What failed to load is appended to *problems as
  // "<path>:<line>: <reason>".
  static std::unique_ptr<CertificateTemplates> Load(std::string dir,
                                                    std::vector<std::string>* problems);

  // Reads the folder again; returns the problems (broken files keep their
  // last good version).
  std::vector<std::string> Reload();

  // The name of the template Render would use ("default/certificate.html").
  std::string Select(const TemplateChoice& choice) const;
  // Renders the chosen template with `data`; kInternal when rendering fails
  // (a partial that is missing, a lambda error).
  StatusOr<std::string> Render(const TemplateChoice& choice, const kainjow::mustache::data& data);

  // Parses `text` as a template; "" when it is valid, else "line N: reason".
  static std::string Check(const std::string& text);

  static constexpr int64_t kRecheckMicros = 2'000'000;

 private:
  explicit CertificateTemplates(std::string dir) : dir_(std::move(dir)) {}
  using Table = std::map<std::string, std::shared_ptr<const std::string>>;
  std::shared_ptr<const Table> Snapshot() const;
  // The folder's files with their sizes and times, as one string.
  std::string Fingerprint() const;
  // Reloads when the fingerprint changed since the last look (at most every
  // kRecheckMicros).
  void MaybeReload();

  const std::string dir_;
  mutable std::mutex mu_;
  std::shared_ptr<const Table> table_;  // name -> template text, all valid
  std::string fingerprint_;             // guarded by mu_
  std::atomic<int64_t> next_check_{0};
};

// The built-in English and Spanish templates, for tests and for
// `larch cert-preview`.
const std::string& BuiltinCertificateTemplate(std::string_view language);

}  // namespace larch::api

#endif  // LARCH_API_CERTIFICATE_TEMPLATES_H_
