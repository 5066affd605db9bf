// The certificate as a PDF (A4 or Letter, landscape) and a PNG preview,
// drawn with cairo and pango from the same template variables as the web
// page (CertificateTemplateData). Pango shapes every script (right-to-left
// names, combining marks) with the DejaVu fonts; cairo embeds the subset of
// each font it used, so the PDF renders the same anywhere. A course title
// too long for its lines is ellipsized, never drawn off the page.
//
// Thread safety: the functions are thread-safe (pango's font map is per
// thread).
#ifndef LARCH_API_CERTIFICATE_PDF_H_
#define LARCH_API_CERTIFICATE_PDF_H_

#include <string>

#include <nlohmann/json.hpp>

#include "larch/certificates/web_certificate.h"
#include "larch/common/status.h"
#include "larch/config/settings.h"
#include "larch/config_models/config_models.h"
#include "larch/http/router.h"
#include "larch/storage/file_store.h"

namespace larch::api {

enum class Paper { kA4, kLetter };

// The PDF bytes. kInternal when cairo reports an error.
StatusOr<std::string> RenderCertificatePdf(const nlohmann::json& data, Paper paper);

// A PNG of the A4 page at 96 dots per inch (1123 x 794 pixels).
StatusOr<std::string> RenderCertificatePng(const nlohmann::json& data);

// GET /certificates/{verify_uuid}/pdf[?paper=a4|letter] and
// GET /certificates/{verify_uuid}/png: the files of the certificate the
// page shows (404 where the page is 404; a revoked certificate's files are
// 404 and say so). Each is rendered on its first request and kept in the
// file store under certificates/<uuid>/, named by a hash of what it shows,
// so every node serves the stored one and a change (a new name, a
// revocation) renders anew.
struct CertificateFileRoutesContext {
  certificates::CertificateViews& views;
  config_models::ConfigModels& config;
  storage::FileStore& files;
  const config::Settings& settings;
};

void RegisterCertificateFileRoutes(http::Router& router, CertificateFileRoutesContext& context);

}  // namespace larch::api

#endif  // LARCH_API_CERTIFICATE_PDF_H_
