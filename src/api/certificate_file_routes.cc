#include <string>

#include "api_internal.h"
#include "larch/api/certificate_pdf.h"
#include "larch/api/certificate_view_routes.h"
#include "spdlog/spdlog.h"

namespace larch::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

enum class Kind { kPdf, kPng };

Response ServerError() { return Response::Text(500, "The certificate could not be rendered."); }

// The stored file of `name`, rendered by `render` when missing.
StatusOr<std::string> Cached(storage::FileStore& files, const std::string& name,
                             const std::function<StatusOr<std::string>()>& render) {
  auto stat = files.Stat(name);
  if (stat.ok()) return files.Read(name, 0, stat->size);
  if (stat.status().code() != StatusCode::kNotFound) return stat.status();
  LARCH_ASSIGN_OR_RETURN(std::string bytes, render());
  // Two nodes may render at once; both write the same bytes.
  LARCH_RETURN_IF_ERROR(
      files.Put(name, bytes, name.ends_with(".png") ? "image/png" : "application/pdf").status());
  return bytes;
}

Response Serve(CertificateFileRoutesContext& ctx, Request& request, Kind kind) {
  auto view = ctx.views.ByVerifyUuid(request.PathParam("verify_uuid"));
  if (!view.ok()) {
    spdlog::error("certificate file: {}", view.status().ToString());
    return ServerError();
  }
  if (!view->has_value() || (!(*view)->valid && !(*view)->revoked) ||
      ((*view)->valid && !(*view)->config.has_value())) {
    return Response::Text(404, "No certificate has this number.");
  }
  const certificates::CertificateView& v = **view;
  if (v.revoked) return Response::Text(404, "This certificate has been revoked.");
  const std::string paper_name = request.Query("paper").value_or("a4");
  if (kind == Kind::kPdf && paper_name != "a4" && paper_name != "letter") {
    return Response::Text(400, "paper must be a4 or letter");
  }
  auto linkedin = ctx.config.EnabledValue(certificates::kLinkedInConfigModel);
  json data =
      CertificateTemplateData(v, ctx.settings, internal::AbsoluteBaseUrl(request, ctx.settings),
                              linkedin.ok() && linkedin->has_value() ? **linkedin : json(nullptr));
  // Only what is drawn decides the file: share links and the like do not.
  for (const char* volatile_key : {"linked_in_url", "facebook_share_url", "twitter_share_url"}) {
    data.erase(volatile_key);
  }
  const std::string fingerprint = storage::Sha256Hex(data.dump()).substr(0, 16);
  const std::string name = "certificates/" + v.certificate.verify_uuid + "/" +
                           (kind == Kind::kPng ? "preview" : paper_name) + "-" + fingerprint +
                           (kind == Kind::kPng ? ".png" : ".pdf");
  auto bytes = Cached(ctx.files, name, [&]() {
    return kind == Kind::kPng
               ? RenderCertificatePng(data)
               : RenderCertificatePdf(data, paper_name == "letter" ? Paper::kLetter : Paper::kA4);
  });
  if (!bytes.ok()) {
    spdlog::error("certificate file {}: {}", name, bytes.status().ToString());
    return ServerError();
  }
  Response r;
  r.status = 200;
  r.body = *std::move(bytes);
  r.SetHeader("Content-Type", kind == Kind::kPng ? "image/png" : "application/pdf");
  if (kind == Kind::kPdf) {
    r.SetHeader("Content-Disposition",
                "inline; filename=\"certificate-" + v.certificate.verify_uuid + ".pdf\"");
  }
  r.SetHeader("Cache-Control", "no-cache");
  return r;
}

}  // namespace

void RegisterCertificateFileRoutes(http::Router& router, CertificateFileRoutesContext& context) {
  CertificateFileRoutesContext* ctx = &context;
  router.Get("/certificates/{verify_uuid}/pdf",
             [ctx](Request& request) { return Serve(*ctx, request, Kind::kPdf); });
  router.Get("/certificates/{verify_uuid}/png",
             [ctx](Request& request) { return Serve(*ctx, request, Kind::kPng); });
}

}  // namespace larch::api
