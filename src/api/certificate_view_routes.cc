#include "larch/api/certificate_view_routes.h"

#include <ctime>
#include <string>

#include "api_internal.h"
#include "larch/http/url.h"
#include "spdlog/spdlog.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// "December 4, 2026" / "4 de diciembre de 2026".
std::string FormatIssued(int64_t micros, std::string_view lang) {
  static const char* const kEn[] = {"January",   "February", "March",    "April",
                                    "May",       "June",     "July",     "August",
                                    "September", "October",  "November", "December"};
  static const char* const kEs[] = {"enero",      "febrero", "marzo",     "abril",
                                    "mayo",       "junio",   "julio",     "agosto",
                                    "septiembre", "octubre", "noviembre", "diciembre"};
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  const int year = tm.tm_year + 1900;
  if (lang == "es") {
    return std::to_string(tm.tm_mday) + " de " + kEs[tm.tm_mon] + " de " + std::to_string(year);
  }
  return std::string(kEn[tm.tm_mon]) + " " + std::to_string(tm.tm_mday) + ", " +
         std::to_string(year);
}

std::string DefaultTitle(std::string_view mode) {
  if (mode == "verified") return "Verified Certificate";
  if (mode == "honor") return "Honor Code Certificate";
  if (mode == "professional" || mode == "no-id-professional") return "Professional Certificate";
  return "Certificate of Achievement";
}

bool IsRtl(std::string_view lang) {
  return lang == "ar" || lang == "he" || lang == "fa" || lang == "ur";
}

// LinkedInAddToProfileConfiguration.add_to_profile_url; "" when the
// configuration is off.
std::string LinkedInUrl(const json& config, const certificates::CertificateView& view,
                        const std::string& platform, const std::string& cert_url) {
  if (!config.is_object()) return "";
  std::string name_format = "{platform_name} Certificate for {course_name}";
  const std::string& mode = view.certificate.mode;
  if (mode == "honor") name_format = "{platform_name} Honor Code Certificate for {course_name}";
  if (mode == "verified") name_format = "{platform_name} Verified Certificate for {course_name}";
  if (mode == "professional" || mode == "no-id-professional") {
    name_format = "{platform_name} Professional Certificate for {course_name}";
  }
  std::string name = name_format;
  name.replace(name.find("{platform_name}"), 15, platform);
  name.replace(name.find("{course_name}"), 13, view.course_title);
  std::time_t seconds = static_cast<std::time_t>(view.certificate.created / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::string url = "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=" +
                    http::PercentEncode(name);
  const std::string company = config.value("company_identifier", "");
  url += company.empty() ? "&organizationName=" + http::PercentEncode(platform)
                         : "&organizationId=" + http::PercentEncode(company);
  url += "&issueYear=" + std::to_string(tm.tm_year + 1900) +
         "&issueMonth=" + std::to_string(tm.tm_mon + 1) +
         "&certUrl=" + http::PercentEncode(cert_url) +
         "&certId=" + http::PercentEncode(view.certificate.verify_uuid);
  return url;
}

bool SharingOn(const config::Settings& settings, const char* key) {
  const json& sharing = settings.social_sharing_settings;
  return sharing.is_object() && sharing.value(key, false) == true;
}

Response HtmlPage(int status, std::string body) {
  Response r = Response::Html(status, std::move(body));
  // A revocation must be seen at once, by anyone verifying.
  r.SetHeader("Cache-Control", "no-cache");
  return r;
}

Response NotFoundPage(const config::Settings& settings, const std::string& why) {
  kainjow::mustache::mustache page(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Certificate not "
      "found</title></head><body><main><h1>Certificate not found</h1><p>{{why}}</p><p>"
      "{{platform}}</p></main></body></html>");
  kainjow::mustache::data data;
  data.set("why", why);
  data.set("platform", settings.platform_name);
  return HtmlPage(404, page.render(data));
}

}  // namespace

kainjow::mustache::data ToMustache(const json& value) {
  using kainjow::mustache::data;
  if (value.is_object()) {
    data out{data::type::object};
    for (const auto& [key, item] : value.items()) out.set(key, ToMustache(item));
    return out;
  }
  if (value.is_array()) {
    data out{data::type::list};
    for (const auto& item : value) out.push_back(ToMustache(item));
    return out;
  }
  if (value.is_boolean()) return data(value.get<bool>());
  // kainjow takes every string as true in a section; the templates'
  // {{#logo_src}}, {{#hours_of_effort}}... mean "when set", so "" is false
  // (a false variable prints nothing).
  if (value.is_string() && value.get<std::string>().empty()) return data(false);
  if (value.is_string()) return data(value.get<std::string>());
  if (value.is_null()) return data(false);
  return data(value.dump());
}

json CertificateTemplateData(const certificates::CertificateView& view,
                             const config::Settings& settings, const std::string& base_url,
                             const json& linkedin_config) {
  const json& html = view.html_config;
  const std::string lang = view.course_language.substr(0, 2);
  const std::string platform = html.value("platform_name", settings.platform_name);
  const std::string verify_url = base_url + "/certificates/" + view.certificate.verify_uuid;
  const std::string title = html.value("certificate_title", DefaultTitle(view.certificate.mode));
  json signatories = json::array();
  if (view.config.has_value()) {
    for (const certificates::Signatory& s : view.config->signatories) {
      std::string image = s.signature_image_path;
      if (!image.empty() && image.front() == '/') image.insert(0, base_url);
      signatories.push_back({{"name", s.name},
                             {"title", s.title},
                             {"organization", s.organization},
                             {"signature_image_path", image}});
    }
  }
  json data = {
      {"lang", lang.empty() ? "en" : lang},
      {"dir", IsRtl(lang) ? "rtl" : "ltr"},
      {"platform_name", platform},
      {"logo_src", html.value("logo_src", "")},
      {"logo_url", html.value("logo_url", base_url + "/")},
      {"company_about_url", html.value("company_about_url", "")},
      {"company_privacy_url", html.value("company_privacy_url", "")},
      {"company_tos_url", html.value("company_tos_url", "")},
      {"document_body_class_append", html.value("document_body_class_append", "")},
      {"certificate_type", html.value("certificate_type", view.certificate.mode)},
      {"certificate_title", title},
      {"document_title", view.course_title + " " + title + " | " + platform},
      {"accomplishment_copy_name",
       view.certificate.name.empty() ? view.username : view.certificate.name},
      {"accomplishment_copy_username", view.username},
      {"accomplishment_copy_course_name", view.course_title},
      {"accomplishment_copy_course_org", view.course_org},
      {"course_number", view.course_number},
      {"course_mode", view.certificate.mode},
      {"certificate_description", view.config.has_value() ? view.config->description : ""},
      {"certificate_date_issued", FormatIssued(view.issued, lang)},
      {"certificate_id_number", view.certificate.verify_uuid},
      {"certificate_verify_url", verify_url},
      {"signatories", signatories},
      {"hours_of_effort",
       view.hours_of_effort.has_value() ? std::to_string(*view.hours_of_effort) : ""},
      {"revoked", view.revoked},
      {"valid", view.valid},
      {"linked_in_url", LinkedInUrl(linkedin_config, view, platform, verify_url)},
      {"facebook_share_url",
       SharingOn(settings, "CERTIFICATE_FACEBOOK")
           ? "https://www.facebook.com/sharer/sharer.php?u=" + http::PercentEncode(verify_url)
           : ""},
      {"twitter_share_url",
       SharingOn(settings, "CERTIFICATE_TWITTER")
           ? "https://twitter.com/intent/tweet?text=" +
                 http::PercentEncode(settings.social_sharing_settings.value(
                     "CERTIFICATE_TWITTER_TEXT",
                     "I completed " + view.course_title + " on " + platform + ".")) +
                 "&url=" + http::PercentEncode(verify_url)
           : ""},
      {"pdf_url", ""},
  };
  return data;
}

void RegisterCertificateViewRoutes(http::Router& router, CertificateViewRoutesContext& context) {
  CertificateViewRoutesContext* ctx = &context;
  router.Get("/certificates/{verify_uuid}", [ctx](Request& request) -> Response {
    auto view = ctx->views.ByVerifyUuid(request.PathParam("verify_uuid"));
    if (!view.ok()) {
      spdlog::error("certificate page: {}", view.status().ToString());
      return HtmlPage(500, "<!DOCTYPE html><title>Server error</title><h1>Server error</h1>");
    }
    if (!view->has_value()) {
      return NotFoundPage(ctx->settings, "No certificate has this number.");
    }
    const certificates::CertificateView& v = **view;
    if (!v.valid && !v.revoked) {
      return NotFoundPage(ctx->settings, "No certificate has this number.");
    }
    if (v.valid && !v.config.has_value()) {
      return NotFoundPage(ctx->settings, "This course has no active certificate configuration.");
    }
    auto linkedin = ctx->config.EnabledValue(certificates::kLinkedInConfigModel);
    json data = CertificateTemplateData(
        v, ctx->settings, internal::AbsoluteBaseUrl(request, ctx->settings),
        linkedin.ok() && linkedin->has_value() ? **linkedin : json(nullptr));
    TemplateChoice choice{
        v.course_org, v.course_key, v.certificate.mode,
        v.settings.language_specific_templates_enabled ? v.course_language.substr(0, 2) : ""};
    auto html = ctx->templates.Render(choice, ToMustache(data));
    if (!html.ok()) {
      spdlog::error("certificate page {}: {}", v.certificate.verify_uuid, html.status().ToString());
      return HtmlPage(500, "<!DOCTYPE html><title>Server error</title><h1>Server error</h1>");
    }
    return HtmlPage(v.valid ? 200 : 404, *std::move(html));
  });
}

}  // namespace larch::api
