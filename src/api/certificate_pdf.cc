#include "larch/api/certificate_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>

namespace larch::api {
namespace {

using nlohmann::json;

// Points (1/72 inch), landscape.
constexpr double kA4Width = 841.89, kA4Height = 595.28;
constexpr double kLetterWidth = 792, kLetterHeight = 612;

struct LayoutDeleter {
  void operator()(PangoLayout* layout) const { g_object_unref(layout); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

std::string Text(const json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : "";
}

// Draws `text` centred on the page's width at `y` (its top), wrapped to
// `width` and at most `max_lines` lines (ellipsized after); returns the
// height drawn.
double Centered(cairo_t* cr, double page_width, double y, double width, const std::string& text,
                const char* font, int max_lines = 2) {
  if (text.empty()) return 0;
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* desc = pango_font_description_from_string(font);
  pango_layout_set_font_description(layout.get(), desc);
  pango_font_description_free(desc);
  pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_height(layout.get(), -max_lines);
  pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment(layout.get(), PANGO_ALIGN_CENTER);
  pango_layout_set_auto_dir(layout.get(), TRUE);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  int w = 0, h = 0;
  pango_layout_get_size(layout.get(), &w, &h);
  cairo_move_to(cr, (page_width - width) / 2, y);
  pango_cairo_show_layout(cr, layout.get());
  return static_cast<double>(h) / PANGO_SCALE;
}

void DrawSignatories(cairo_t* cr, double width, double y, const json& signatories) {
  if (!signatories.is_array() || signatories.empty()) return;
  const size_t n = std::min<size_t>(signatories.size(), 4);
  const double slot = (width - 160) / static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) {
    const json& s = signatories[i];
    const double x = 80 + slot * static_cast<double>(i);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    cairo_move_to(cr, x + 15, y);
    cairo_line_to(cr, x + slot - 15, y);
    cairo_stroke(cr);
    const double center_page = 2 * x + slot;  // Centered() centres on a page this wide
    double dy = 4;
    dy += Centered(cr, center_page, y + dy, slot - 30, Text(s, "name"), "DejaVu Sans Bold 10", 1);
    dy += Centered(cr, center_page, y + dy, slot - 30, Text(s, "title"), "DejaVu Sans 9", 2);
    Centered(cr, center_page, y + dy, slot - 30, Text(s, "organization"), "DejaVu Sans 9", 1);
  }
}

// The page's fixed phrases in the built-in languages (English otherwise).
struct Phrases {
  const char* certify;
  const char* completed;
  const char* hours;
  const char* id;
  const char* revoked;
};

const Phrases& PhrasesFor(const std::string& lang) {
  static const Phrases kEn{"This is to certify that", "successfully completed", " hours of effort",
                           "Certificate ID ", "REVOKED"};
  static const Phrases kEs{"Se certifica que", "completó con éxito", " horas de dedicación",
                           "Identificador del certificado ", "REVOCADO"};
  return lang == "es" ? kEs : kEn;
}

void Draw(cairo_t* cr, double width, double height, const json& data) {
  const bool revoked = data.value("revoked", false);
  const Phrases& phrases = PhrasesFor(Text(data, "lang"));
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_line_width(cr, 10);
  if (revoked) {
    cairo_set_source_rgb(cr, 0.63, 0.63, 0.63);
  } else {
    cairo_set_source_rgb(cr, 0, 0.15, 0.17);
  }
  cairo_rectangle(cr, 20, 20, width - 40, height - 40);
  cairo_stroke(cr);
  const double text_width = width - 160;
  double y = 50;
  cairo_set_source_rgb(cr, 0.14, 0.16, 0.17);
  y += Centered(cr, width, y, text_width, Text(data, "platform_name"), "DejaVu Sans Bold 14", 1);
  y += 8;
  cairo_set_source_rgb(cr, 0.04, 0.19, 0.33);
  y += Centered(cr, width, y, text_width, Text(data, "certificate_title"), "DejaVu Sans 13", 1);
  y += 22;
  cairo_set_source_rgb(cr, 0.14, 0.16, 0.17);
  y += Centered(cr, width, y, text_width, phrases.certify, "DejaVu Sans 11", 1);
  y += 8;
  y += Centered(cr, width, y, text_width, Text(data, "accomplishment_copy_name"), "DejaVu Serif 30",
                2);
  y += 10;
  y += Centered(cr, width, y, text_width, phrases.completed, "DejaVu Sans 11", 1);
  y += 8;
  y += Centered(cr, width, y, text_width, Text(data, "accomplishment_copy_course_name"),
                "DejaVu Sans Bold 18", 3);
  y += 8;
  std::string meta = Text(data, "accomplishment_copy_course_org") + " " +
                     Text(data, "course_number") + "  ·  " + Text(data, "certificate_date_issued");
  y += Centered(cr, width, y, text_width, meta, "DejaVu Sans 10", 1);
  const std::string hours = Text(data, "hours_of_effort");
  if (!hours.empty()) {
    y += 4;
    Centered(cr, width, y, text_width, hours + phrases.hours, "DejaVu Sans 10", 1);
  }
  DrawSignatories(cr, width, height - 150, data.value("signatories", json::array()));
  cairo_set_source_rgb(cr, 0.33, 0.33, 0.33);
  Centered(cr, width, height - 70, text_width,
           phrases.id + Text(data, "certificate_id_number") + " · " +
               Text(data, "certificate_verify_url"),
           "DejaVu Sans 8", 2);
  if (revoked) {
    cairo_save(cr);
    cairo_translate(cr, width / 2, height / 2);
    cairo_rotate(cr, -0.35);
    cairo_set_source_rgba(cr, 0.7, 0.02, 0.06, 0.55);
    Centered(cr, 0, -30, width, phrases.revoked, "DejaVu Sans Bold 72", 1);
    cairo_restore(cr);
  }
}

cairo_status_t AppendTo(void* closure, const unsigned char* bytes, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(bytes), length);
  return CAIRO_STATUS_SUCCESS;
}

Status CheckSurface(cairo_surface_t* surface, const char* what) {
  cairo_status_t status = cairo_surface_status(surface);
  if (status == CAIRO_STATUS_SUCCESS) return OkStatus();
  return InternalError(std::string(what) + ": " + cairo_status_to_string(status));
}

}  // namespace

StatusOr<std::string> RenderCertificatePdf(const json& data, Paper paper) {
  const double width = paper == Paper::kA4 ? kA4Width : kLetterWidth;
  const double height = paper == Paper::kA4 ? kA4Height : kLetterHeight;
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(AppendTo, &out, width, height);
  const std::string title = Text(data, "document_title");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Larch");
  cairo_t* cr = cairo_create(surface);
  Draw(cr, width, height, data);
  cairo_show_page(cr);
  cairo_status_t drawn = cairo_status(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  Status status = CheckSurface(surface, "certificate PDF");
  cairo_surface_destroy(surface);
  if (drawn != CAIRO_STATUS_SUCCESS) {
    return InternalError(std::string("certificate PDF: ") + cairo_status_to_string(drawn));
  }
  LARCH_RETURN_IF_ERROR(status);
  return out;
}

StatusOr<std::string> RenderCertificatePng(const json& data) {
  constexpr int kWidth = 1123, kHeight = 794;
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, kWidth / kA4Width, kHeight / kA4Height);
  Draw(cr, kA4Width, kA4Height, data);
  cairo_destroy(cr);
  std::string out;
  cairo_status_t written = cairo_surface_write_to_png_stream(surface, AppendTo, &out);
  Status status = CheckSurface(surface, "certificate PNG");
  cairo_surface_destroy(surface);
  LARCH_RETURN_IF_ERROR(status);
  if (written != CAIRO_STATUS_SUCCESS) {
    return InternalError(std::string("certificate PNG: ") + cairo_status_to_string(written));
  }
  return out;
}

}  // namespace larch::api
