// The built-in web certificate templates (Mustache). Operators override them
// with files in CERTIFICATE_TEMPLATES_DIR (certificate_templates.h); every
// variable is listed in docs/api/certificates.md.
#include <string>

#include "larch/api/certificate_templates.h"

namespace larch::api {
namespace {

// The page around a certificate: {{> body}} is replaced per language by
// plain substitution below, so each built-in stays one self-contained file.
constexpr char kHead[] = R"HTML(<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{document_title}}</title>
<style>
  body { margin: 0; background: #f2f0ef; color: #23282c; font-family: "DejaVu Sans", Arial, sans-serif; }
  .page { max-width: 960px; margin: 2rem auto; background: #fff; border: 12px solid #00262b; padding: 3rem 4rem; }
  .page.revoked { border-color: #a0a0a0; }
  .brand { display: flex; justify-content: space-between; align-items: center; }
  .brand img { max-height: 60px; }
  .title { font-size: 1rem; letter-spacing: .2em; text-transform: uppercase; color: #0a3055; margin-top: 2.5rem; }
  .name { font-size: 2.6rem; font-family: "DejaVu Serif", Georgia, serif; margin: 1rem 0; border-bottom: 1px solid #ccc; padding-bottom: .5rem; overflow-wrap: anywhere; }
  .course { font-size: 1.6rem; font-weight: bold; overflow-wrap: anywhere; }
  .meta { color: #555; margin-top: 1rem; }
  .signatories { display: flex; flex-wrap: wrap; gap: 2rem; margin-top: 3rem; }
  .signatory { min-width: 180px; border-top: 1px solid #333; padding-top: .5rem; }
  .signatory img { max-height: 60px; display: block; }
  .verify { margin-top: 2.5rem; font-size: .85rem; color: #555; overflow-wrap: anywhere; }
  .revoked-banner { background: #b20610; color: #fff; padding: 1rem; font-weight: bold; margin-bottom: 1.5rem; }
  .share a { margin-inline-end: 1rem; }
  footer { max-width: 960px; margin: 0 auto 2rem; font-size: .8rem; color: #555; }
  footer a { color: #555; margin-inline-end: 1rem; }
  @media print { body { background: #fff; } .share, footer { display: none; } .page { margin: 0; } }
</style>
</head>
<body class="certificate {{document_body_class_append}}">
)HTML";

constexpr char kBodyEn[] =
    R"HTML(<main class="page{{#revoked}} revoked{{/revoked}}" data-certificate-id="{{certificate_id_number}}">
  {{#revoked}}<div class="revoked-banner" role="alert">This certificate has been revoked. It no longer certifies that {{accomplishment_copy_name}} completed {{accomplishment_copy_course_name}}.</div>{{/revoked}}
  <div class="brand">
    <a href="{{logo_url}}">{{#logo_src}}<img src="{{logo_src}}" alt="{{platform_name}}">{{/logo_src}}{{^logo_src}}<strong>{{platform_name}}</strong>{{/logo_src}}</a>
    <span>{{accomplishment_copy_course_org}}</span>
  </div>
  <div class="title">{{certificate_title}}</div>
  <p>This is to certify that</p>
  <h1 class="name" dir="auto">{{accomplishment_copy_name}}</h1>
  <p>successfully completed</p>
  <div class="course" dir="auto">{{accomplishment_copy_course_name}}</div>
  <div class="meta">{{accomplishment_copy_course_org}} {{course_number}} · issued {{certificate_date_issued}}</div>
  {{#hours_of_effort}}<div class="meta hours-of-effort">{{hours_of_effort}} hours of effort</div>{{/hours_of_effort}}
  {{#certificate_description}}<p class="meta">{{certificate_description}}</p>{{/certificate_description}}
  <div class="signatories">
    {{#signatories}}<div class="signatory">{{#signature_image_path}}<img src="{{signature_image_path}}" alt="">{{/signature_image_path}}<strong>{{name}}</strong><br>{{title}}<br>{{organization}}</div>{{/signatories}}
  </div>
  <div class="verify">Certificate ID {{certificate_id_number}}. Verify it at <a href="{{certificate_verify_url}}">{{certificate_verify_url}}</a>.</div>
  {{^revoked}}<div class="share">
    {{#linked_in_url}}<a class="linkedin" href="{{linked_in_url}}">Add to LinkedIn profile</a>{{/linked_in_url}}
    {{#facebook_share_url}}<a class="facebook" href="{{facebook_share_url}}">Share on Facebook</a>{{/facebook_share_url}}
    {{#twitter_share_url}}<a class="twitter" href="{{twitter_share_url}}">Share on Twitter</a>{{/twitter_share_url}}
    {{#pdf_url}}<a class="pdf" href="{{pdf_url}}">Download PDF</a>{{/pdf_url}}
    <a href="javascript:window.print()">Print</a>
  </div>{{/revoked}}
</main>
<footer>
  {{#company_about_url}}<a href="{{company_about_url}}">About</a>{{/company_about_url}}
  {{#company_privacy_url}}<a href="{{company_privacy_url}}">Privacy Policy</a>{{/company_privacy_url}}
  {{#company_tos_url}}<a href="{{company_tos_url}}">Terms of Service</a>{{/company_tos_url}}
  © {{platform_name}}
</footer>
</body>
</html>
)HTML";

constexpr char kBodyEs[] =
    R"HTML(<main class="page{{#revoked}} revoked{{/revoked}}" data-certificate-id="{{certificate_id_number}}">
  {{#revoked}}<div class="revoked-banner" role="alert">Este certificado ha sido revocado. Ya no certifica que {{accomplishment_copy_name}} completó {{accomplishment_copy_course_name}}.</div>{{/revoked}}
  <div class="brand">
    <a href="{{logo_url}}">{{#logo_src}}<img src="{{logo_src}}" alt="{{platform_name}}">{{/logo_src}}{{^logo_src}}<strong>{{platform_name}}</strong>{{/logo_src}}</a>
    <span>{{accomplishment_copy_course_org}}</span>
  </div>
  <div class="title">{{certificate_title}}</div>
  <p>Se certifica que</p>
  <h1 class="name" dir="auto">{{accomplishment_copy_name}}</h1>
  <p>completó con éxito</p>
  <div class="course" dir="auto">{{accomplishment_copy_course_name}}</div>
  <div class="meta">{{accomplishment_copy_course_org}} {{course_number}} · emitido el {{certificate_date_issued}}</div>
  {{#hours_of_effort}}<div class="meta hours-of-effort">{{hours_of_effort}} horas de dedicación</div>{{/hours_of_effort}}
  {{#certificate_description}}<p class="meta">{{certificate_description}}</p>{{/certificate_description}}
  <div class="signatories">
    {{#signatories}}<div class="signatory">{{#signature_image_path}}<img src="{{signature_image_path}}" alt="">{{/signature_image_path}}<strong>{{name}}</strong><br>{{title}}<br>{{organization}}</div>{{/signatories}}
  </div>
  <div class="verify">Identificador del certificado {{certificate_id_number}}. Verifíquelo en <a href="{{certificate_verify_url}}">{{certificate_verify_url}}</a>.</div>
  {{^revoked}}<div class="share">
    {{#linked_in_url}}<a class="linkedin" href="{{linked_in_url}}">Añadir al perfil de LinkedIn</a>{{/linked_in_url}}
    {{#facebook_share_url}}<a class="facebook" href="{{facebook_share_url}}">Compartir en Facebook</a>{{/facebook_share_url}}
    {{#twitter_share_url}}<a class="twitter" href="{{twitter_share_url}}">Compartir en Twitter</a>{{/twitter_share_url}}
    {{#pdf_url}}<a class="pdf" href="{{pdf_url}}">Descargar PDF</a>{{/pdf_url}}
    <a href="javascript:window.print()">Imprimir</a>
  </div>{{/revoked}}
</main>
<footer>
  {{#company_about_url}}<a href="{{company_about_url}}">Acerca de</a>{{/company_about_url}}
  {{#company_privacy_url}}<a href="{{company_privacy_url}}">Política de privacidad</a>{{/company_privacy_url}}
  {{#company_tos_url}}<a href="{{company_tos_url}}">Términos del servicio</a>{{/company_tos_url}}
  © {{platform_name}}
</footer>
</body>
</html>
)HTML";

}  // namespace

const std::string& BuiltinCertificateTemplate(std::string_view language) {
  static const std::string* const kEn = new std::string(std::string(kHead) + kBodyEn);
  static const std::string* const kEs = new std::string(std::string(kHead) + kBodyEs);
  return language == "es" ? *kEs : *kEn;
}

}  // namespace larch::api
