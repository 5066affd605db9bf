#include "larch/http/multipart.h"

#include <gmime/gmime.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace larch::http {
namespace {

struct GObjectUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

void InitGMime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// GMime reads the boundary from a MIME header, so the HTTP Content-Type is
// replayed as one in front of the body. Only the media type is checked here;
// GMime parses (and unquotes) the parameters.
bool IsFormData(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string media = Lower(content_type.substr(0, semi));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  size_t first = media.find_first_not_of(" \t");
  return first != std::string::npos && media.substr(first) == "multipart/form-data";
}

std::string PartContent(GMimePart* part) {
  GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
  if (wrapper == nullptr) return {};
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(wrapper, out.get()) < 0) return {};
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace

StatusOr<std::vector<FormPart>> ParseMultipartFormData(std::string_view content_type,
                                                       std::string_view body) {
  if (!IsFormData(content_type)) {
    return InvalidArgumentError("expected a multipart/form-data body")
        .WithErrorCode("unsupported_media_type");
  }
  if (content_type.find('\r') != std::string_view::npos ||
      content_type.find('\n') != std::string_view::npos) {
    return InvalidArgumentError("malformed Content-Type header");
  }
  InitGMime();
  GByteArray* array =
      g_byte_array_sized_new(static_cast<guint>(content_type.size() + body.size() + 20));
  std::string header = "Content-Type: " + std::string(content_type) + "\r\n\r\n";
  g_byte_array_append(array, reinterpret_cast<const guint8*>(header.data()),
                      static_cast<guint>(header.size()));
  g_byte_array_append(array, reinterpret_cast<const guint8*>(body.data()),
                      static_cast<guint>(body.size()));
  // The stream owns `array` from here on.
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_byte_array(array));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeObject> root(g_mime_parser_construct_part(parser.get(), nullptr));
  if (root == nullptr || !GMIME_IS_MULTIPART(root.get())) {
    return InvalidArgumentError("malformed multipart/form-data body");
  }
  GMimeMultipart* multipart = GMIME_MULTIPART(root.get());
  const char* boundary = g_mime_multipart_get_boundary(multipart);
  if (boundary == nullptr || *boundary == '\0') {
    return InvalidArgumentError("multipart/form-data without a boundary");
  }
  std::vector<FormPart> parts;
  int count = g_mime_multipart_get_count(multipart);
  for (int i = 0; i < count; ++i) {
    GMimeObject* object = g_mime_multipart_get_part(multipart, i);
    if (object == nullptr || !GMIME_IS_PART(object)) continue;
    const char* name = g_mime_object_get_content_disposition_parameter(object, "name");
    if (name == nullptr || *name == '\0') continue;
    FormPart part;
    part.name = name;
    if (const char* filename =
            g_mime_object_get_content_disposition_parameter(object, "filename")) {
      part.filename = filename;
    }
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (type != nullptr && g_mime_object_get_header(object, "Content-Type") != nullptr) {
      char* mime = g_mime_content_type_get_mime_type(type);
      part.content_type = mime != nullptr ? mime : "text/plain";
      g_free(mime);
    } else {
      part.content_type = "text/plain";
    }
    part.data = PartContent(GMIME_PART(object));
    parts.push_back(std::move(part));
  }
  if (parts.empty()) return InvalidArgumentError("multipart/form-data body has no named part");
  return parts;
}

const FormPart* FindFormPart(const std::vector<FormPart>& parts, std::string_view name) {
  for (const FormPart& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

}  // namespace larch::http
