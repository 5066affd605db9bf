// StaticFiles: serves a directory under a URL prefix with ETag/Last-Modified
// validation (304), single byte ranges (206/416) and cached gzip. Paths that
// try to leave the root ("..", encoded dots, NUL, absolute paths, symlinks
// out of the root) and directories answer 404; there is no listing.
//
// Thread safety: thread-safe; the gzip cache is guarded by a mutex. The
// registered route shares ownership of the state, so the StaticFiles object
// itself may be destroyed after Register.
#ifndef LARCH_HTTP_STATIC_FILES_H_
#define LARCH_HTTP_STATIC_FILES_H_

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "larch/http/request.h"
#include "larch/http/response.h"
#include "larch/http/router.h"

namespace larch::http {

class StaticFiles {
 public:
  // `url_prefix` like "/static" (no trailing slash); `root_dir` must exist.
  StaticFiles(std::string url_prefix, const std::filesystem::path& root_dir,
              size_t gzip_cache_entries = 64);

  // Sends `value` as Cache-Control on every file answer (200, 206, 304), e.g.
  // "public, max-age=31536000, immutable" for content-hashed names. Call
  // before serving; empty (the default) sends none.
  StaticFiles& SetCacheControl(std::string value);

  // Adds GET and HEAD "<url_prefix>/{file:path}" to `router`.
  void Register(Router& router) const;

  // Serves `relative_path` (percent-decoded, relative to the root) for
  // `request` (GET or HEAD; conditional and range headers honoured).
  Response Serve(const Request& request, std::string_view relative_path) const;

  // "text/css; charset=utf-8" etc. by extension; application/octet-stream
  // when unknown.
  static std::string_view ContentTypeFor(const std::filesystem::path& path);

 private:
  struct State;
  std::string url_prefix_;
  std::shared_ptr<State> state_;
};

}  // namespace larch::http

#endif  // LARCH_HTTP_STATIC_FILES_H_
