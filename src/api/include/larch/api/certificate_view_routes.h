// The web certificate anyone holding its URL may open (certificates/urls.py
// render_cert_by_uuid):
//   GET /certificates/{verify_uuid}  -> 200 the certificate's HTML page;
//       404 for an unknown uuid, a learner who never passed, or a course
//       without an active certificate configuration; a certificate that was
//       revoked answers 404 with its page saying so.
// The page is rendered from CertificateTemplates with the variables listed
// in docs/api/certificates.md.
//
// Thread safety: register before serving; the handlers are then safe to run
// concurrently.
#ifndef LARCH_API_CERTIFICATE_VIEW_ROUTES_H_
#define LARCH_API_CERTIFICATE_VIEW_ROUTES_H_

#include <nlohmann/json.hpp>

#include "larch/api/certificate_templates.h"
#include "larch/certificates/web_certificate.h"
#include "larch/config/settings.h"
#include "larch/config_models/config_models.h"
#include "larch/http/router.h"

namespace larch::api {

struct CertificateViewRoutesContext {
  certificates::CertificateViews& views;
  CertificateTemplates& templates;
  config_models::ConfigModels& config;
  const config::Settings& settings;
};

void RegisterCertificateViewRoutes(http::Router& router, CertificateViewRoutesContext& context);

// The template variables of `view` (docs/api/certificates.md), for the page
// and for `larch cert-preview`. `base_url` is the site's scheme and host.
nlohmann::json CertificateTemplateData(const certificates::CertificateView& view,
                                       const config::Settings& settings,
                                       const std::string& base_url,
                                       const nlohmann::json& linkedin_config);

// A JSON object as Mustache data (strings, numbers as text, booleans,
// lists and nested objects).
kainjow::mustache::data ToMustache(const nlohmann::json& value);

}  // namespace larch::api

#endif  // LARCH_API_CERTIFICATE_VIEW_ROUTES_H_
