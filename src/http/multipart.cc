#include "larch/http/multipart.h"
#include <algorithm>
#include "larch/common/strings.h"
#include "larch/http/url.h"

#include <dlfcn.h>
#include <gmime/gmime.h>
#include <sys/types.h>

#include <memory>
#include <mutex>

namespace larch::http {
namespace {

// GMime (with GLib, GObject, GIO and GPGME behind it) adds about 2.5 MB to
// the resident size of a process that loads it, and most Larch servers never
// receive an upload. So it is not linked: the functions below are looked up
// in libgmime-3.0.so.0 (Debian's libgmime-3.0-0, installed with the -dev
// package) the first time a multipart body arrives. The header still gives
// the types and signatures.
struct GMimeApi {
  void (*mime_init)();
  GByteArray* (*byte_array_sized_new)(guint);
  GByteArray* (*byte_array_append)(GByteArray*, const guint8*, guint);
  void (*object_unref)(gpointer);
  gboolean (*type_check_instance_is_a)(GTypeInstance*, GType);
  void (*free)(gpointer);
  GType (*multipart_get_type)();
  GType (*part_get_type)();
  GMimeStream* (*stream_mem_new)();
  GMimeStream* (*stream_mem_new_with_byte_array)(GByteArray*);
  GByteArray* (*stream_mem_get_byte_array)(GMimeStreamMem*);
  GMimeParser* (*parser_new_with_stream)(GMimeStream*);
  GMimeObject* (*parser_construct_part)(GMimeParser*, GMimeParserOptions*);
  const char* (*multipart_get_boundary)(GMimeMultipart*);
  int (*multipart_get_count)(GMimeMultipart*);
  GMimeObject* (*multipart_get_part)(GMimeMultipart*, int);
  const char* (*object_get_content_disposition_parameter)(GMimeObject*, const char*);
  GMimeContentType* (*object_get_content_type)(GMimeObject*);
  const char* (*object_get_header)(GMimeObject*, const char*);
  char* (*content_type_get_mime_type)(GMimeContentType*);
  GMimeDataWrapper* (*part_get_content)(GMimePart*);
  ssize_t (*data_wrapper_write_to_stream)(GMimeDataWrapper*, GMimeStream*);
};

template <typename Fn>
bool Bind(void* library, const char* name, Fn*& out) {
  out = reinterpret_cast<Fn*>(dlsym(library, name));
  return out != nullptr;
}

// Loaded once; null when the library or a symbol is missing (the handle is
// kept for the life of the process).
const GMimeApi* LoadGMime() {
  static const GMimeApi* api = []() -> const GMimeApi* {
    void* library = dlopen("libgmime-3.0.so.0", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) return nullptr;
    auto* a = new GMimeApi();
    bool ok =
        Bind(library, "g_mime_init", a->mime_init) &&
        Bind(library, "g_byte_array_sized_new", a->byte_array_sized_new) &&
        Bind(library, "g_byte_array_append", a->byte_array_append) &&
        Bind(library, "g_object_unref", a->object_unref) &&
        Bind(library, "g_type_check_instance_is_a", a->type_check_instance_is_a) &&
        Bind(library, "g_free", a->free) &&
        Bind(library, "g_mime_multipart_get_type", a->multipart_get_type) &&
        Bind(library, "g_mime_part_get_type", a->part_get_type) &&
        Bind(library, "g_mime_stream_mem_new", a->stream_mem_new) &&
        Bind(library, "g_mime_stream_mem_new_with_byte_array", a->stream_mem_new_with_byte_array) &&
        Bind(library, "g_mime_stream_mem_get_byte_array", a->stream_mem_get_byte_array) &&
        Bind(library, "g_mime_parser_new_with_stream", a->parser_new_with_stream) &&
        Bind(library, "g_mime_parser_construct_part", a->parser_construct_part) &&
        Bind(library, "g_mime_multipart_get_boundary", a->multipart_get_boundary) &&
        Bind(library, "g_mime_multipart_get_count", a->multipart_get_count) &&
        Bind(library, "g_mime_multipart_get_part", a->multipart_get_part) &&
        Bind(library, "g_mime_object_get_content_disposition_parameter",
             a->object_get_content_disposition_parameter) &&
        Bind(library, "g_mime_object_get_content_type", a->object_get_content_type) &&
        Bind(library, "g_mime_object_get_header", a->object_get_header) &&
        Bind(library, "g_mime_content_type_get_mime_type", a->content_type_get_mime_type) &&
        Bind(library, "g_mime_part_get_content", a->part_get_content) &&
        Bind(library, "g_mime_data_wrapper_write_to_stream", a->data_wrapper_write_to_stream);
    if (!ok) {
      delete a;
      return nullptr;
    }
    a->mime_init();
    return a;
  }();
  return api;
}

class GObjectPtr {
 public:
  GObjectPtr(const GMimeApi& api, void* object) : api_(api), object_(object) {}
  ~GObjectPtr() {
    if (object_ != nullptr) api_.object_unref(object_);
  }
  GObjectPtr(const GObjectPtr&) = delete;
  GObjectPtr& operator=(const GObjectPtr&) = delete;
  void* get() const { return object_; }

 private:
  const GMimeApi& api_;
  void* object_;
};

bool IsA(const GMimeApi& api, void* object, GType type) {
  return object != nullptr &&
         api.type_check_instance_is_a(static_cast<GTypeInstance*>(object), type) != 0;
}

// GMime reads the boundary from a MIME header, so the HTTP Content-Type is
// replayed as one in front of the body. Only the media type is checked here;
// GMime parses (and unquotes) the parameters.
bool IsFormData(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string media = AsciiLower(content_type.substr(0, semi));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.pop_back();
  size_t first = media.find_first_not_of(" \t");
  return first != std::string::npos && media.substr(first) == "multipart/form-data";
}

std::string PartContent(const GMimeApi& api, GMimePart* part) {
  GMimeDataWrapper* wrapper = api.part_get_content(part);
  if (wrapper == nullptr) return {};
  GObjectPtr out(api, api.stream_mem_new());
  auto* stream = static_cast<GMimeStream*>(out.get());
  if (api.data_wrapper_write_to_stream(wrapper, stream) < 0) return {};
  GByteArray* bytes = api.stream_mem_get_byte_array(reinterpret_cast<GMimeStreamMem*>(stream));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// GMime builds nested multiparts recursively, so a body of parts that each
// declare another multipart/ type nests one stack frame chain per level.
// Form data never needs nesting (RFC 7578 section 4.3), so more than a few
// such declarations is refused before GMime sees the body. Counting every
// "Content-Type: multipart/" line over-counts file contents that happen to
// contain one, which only makes the check stricter.
constexpr size_t kMaxNestedMultiparts = 16;

// Browsers send "multipart/form-data; boundary=" and about 70 characters.
constexpr size_t kMaxContentTypeLength = 512;

bool TooManyNestedMultiparts(std::string_view body) {
  constexpr std::string_view kHeader = "content-type:";
  constexpr std::string_view kMultipart = "multipart/";
  size_t count = 0;
  for (size_t i = 0; i + kHeader.size() <= body.size(); ++i) {
    if (!EqualsIgnoreCase(body.substr(i, kHeader.size()), kHeader)) continue;
    size_t j = i + kHeader.size();
    while (j < body.size() && (body[j] == ' ' || body[j] == '\t')) ++j;
    if (EqualsIgnoreCase(body.substr(j, kMultipart.size()), kMultipart) &&
        ++count > kMaxNestedMultiparts) {
      return true;
    }
  }
  return false;
}

}  // namespace

StatusOr<std::vector<FormPart>> ParseMultipartFormData(std::string_view content_type,
                                                       std::string_view body) {
  if (!IsFormData(content_type)) {
    return InvalidArgumentError("expected a multipart/form-data body")
        .WithErrorCode("unsupported_media_type");
  }
  // Printable ASCII only, and short: GMime re-encodes the parameters of the
  // header we hand it, and a 120-byte value with raw 8-bit bytes in a
  // parameter made it allocate gigabytes (found by multipart_fuzz).
  if (content_type.size() > kMaxContentTypeLength ||
      std::any_of(content_type.begin(), content_type.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && byte != '\t') || byte >= 0x7f;
      })) {
    return InvalidArgumentError("malformed Content-Type header");
  }
  if (TooManyNestedMultiparts(body)) {
    return InvalidArgumentError("multipart/form-data body nests too many multipart parts")
        .WithErrorCode("multipart_too_deep");
  }
  const GMimeApi* loaded = LoadGMime();
  if (loaded == nullptr) {
    return UnavailableError("multipart/form-data needs libgmime-3.0.so.0 (libgmime-3.0-0)");
  }
  const GMimeApi& api = *loaded;
  std::string header = "Content-Type: " + std::string(content_type) + "\r\n\r\n";
  GByteArray* array = api.byte_array_sized_new(static_cast<guint>(header.size() + body.size()));
  api.byte_array_append(array, reinterpret_cast<const guint8*>(header.data()),
                        static_cast<guint>(header.size()));
  api.byte_array_append(array, reinterpret_cast<const guint8*>(body.data()),
                        static_cast<guint>(body.size()));
  // The stream owns `array` from here on.
  GObjectPtr stream(api, api.stream_mem_new_with_byte_array(array));
  GObjectPtr parser(api, api.parser_new_with_stream(static_cast<GMimeStream*>(stream.get())));
  GObjectPtr root(api, api.parser_construct_part(static_cast<GMimeParser*>(parser.get()), nullptr));
  if (!IsA(api, root.get(), api.multipart_get_type())) {
    return InvalidArgumentError("malformed multipart/form-data body");
  }
  auto* multipart = static_cast<GMimeMultipart*>(root.get());
  const char* boundary = api.multipart_get_boundary(multipart);
  if (boundary == nullptr || *boundary == '\0') {
    return InvalidArgumentError("multipart/form-data without a boundary");
  }
  std::vector<FormPart> parts;
  int count = api.multipart_get_count(multipart);
  for (int i = 0; i < count; ++i) {
    GMimeObject* object = api.multipart_get_part(multipart, i);
    if (!IsA(api, object, api.part_get_type())) continue;
    const char* name = api.object_get_content_disposition_parameter(object, "name");
    if (name == nullptr || *name == '\0') continue;
    FormPart part;
    part.name = name;
    if (const char* filename = api.object_get_content_disposition_parameter(object, "filename")) {
      part.filename = filename;
    }
    GMimeContentType* type = api.object_get_content_type(object);
    if (type != nullptr && api.object_get_header(object, "Content-Type") != nullptr) {
      char* mime = api.content_type_get_mime_type(type);
      part.content_type = mime != nullptr ? mime : "text/plain";
      api.free(mime);
    } else {
      part.content_type = "text/plain";
    }
    part.data = PartContent(api, reinterpret_cast<GMimePart*>(object));
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
