#include "larch/http/static_files.h"

#include <sys/stat.h>

#include <deque>
#include <fstream>
#include <map>

#include "gzip.h"
#include "http_date.h"
#include "larch/common/mutex.h"
#include "larch/common/strings.h"
#include "larch/http/error_mapping.h"
#include "range.h"

namespace larch::http {

namespace {

// Files larger than this are served uncompressed rather than held in memory
// twice.
constexpr uint64_t kMaxGzipFileBytes = uint64_t{8} * 1024 * 1024;

bool SafeRelativePath(std::string_view rel) {
  if (rel.empty() || rel.front() == '/') return false;
  if (rel.find('\0') != std::string_view::npos || rel.find('\\') != std::string_view::npos) {
    return false;
  }
  while (!rel.empty()) {
    size_t slash = rel.find('/');
    std::string_view segment = rel.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return false;
    rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash + 1);
  }
  return true;
}

bool ReadFileRange(const std::filesystem::path& path, uint64_t offset, uint64_t length,
                   std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(static_cast<std::streamoff>(offset));
  out.resize(length);
  in.read(out.data(), static_cast<std::streamsize>(length));
  return static_cast<uint64_t>(in.gcount()) == length;
}

using internal::IfNoneMatchMatches;
using internal::ParseRange;
using internal::RangeResult;

}  // namespace

struct StaticFiles::State {
  std::filesystem::path root;  // canonical
  size_t max_entries;
  std::string cache_control;  // set before serving, read-only after
  Mutex mu;
  // Compressed bodies keyed by "<etag><path>"; FIFO-evicted.
  std::map<std::string, std::shared_ptr<const std::string>> gzip_cache LARCH_GUARDED_BY(mu);
  std::deque<std::string> gzip_order LARCH_GUARDED_BY(mu);

  std::shared_ptr<const std::string> Cached(const std::string& key) {
    MutexLock lock(mu);
    auto it = gzip_cache.find(key);
    return it == gzip_cache.end() ? nullptr : it->second;
  }
  void Store(const std::string& key, std::shared_ptr<const std::string> value) {
    MutexLock lock(mu);
    if (max_entries == 0 || gzip_cache.contains(key)) return;
    while (gzip_cache.size() >= max_entries) {
      gzip_cache.erase(gzip_order.front());
      gzip_order.pop_front();
    }
    gzip_cache.emplace(key, std::move(value));
    gzip_order.push_back(key);
  }
};

StaticFiles::StaticFiles(std::string url_prefix, const std::filesystem::path& root_dir,
                         size_t gzip_cache_entries)
    : url_prefix_(std::move(url_prefix)), state_(std::make_shared<State>()) {
  while (!url_prefix_.empty() && url_prefix_.back() == '/') url_prefix_.pop_back();
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::canonical(root_dir, ec);
  state_->root = ec ? root_dir : canonical;
  state_->max_entries = gzip_cache_entries;
}

StaticFiles& StaticFiles::SetCacheControl(std::string value) {
  state_->cache_control = std::move(value);
  return *this;
}

void StaticFiles::Register(Router& router) const {
  std::string pattern = url_prefix_ + "/{file:path}";
  StaticFiles self = *this;
  Handler handler = [self](Request& request) {
    return self.Serve(request, request.PathParam("file"));
  };
  router.Add("GET", pattern, handler);
  router.Add("HEAD", pattern, handler);
}

std::string_view StaticFiles::ContentTypeFor(const std::filesystem::path& path) {
  static const std::map<std::string, std::string_view, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".otf", "font/otf"},
      {".eot", "application/vnd.ms-fontobject"},
      {".pdf", "application/pdf"},
      {".mp4", "video/mp4"},
      {".webm", "video/webm"},
      {".mp3", "audio/mpeg"},
      {".vtt", "text/vtt; charset=utf-8"},
      {".srt", "text/plain; charset=utf-8"},
      {".zip", "application/zip"},
      {".wasm", "application/wasm"},
  };
  std::string ext = path.extension().string();
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

Response StaticFiles::Serve(const Request& request, std::string_view relative_path) const {
  auto not_found = [&] {
    return ErrorResponse(NotFoundError("no such static file"), request.request_id());
  };
  if (!SafeRelativePath(relative_path)) return not_found();
  std::error_code ec;
  std::filesystem::path full =
      std::filesystem::canonical(state_->root / std::filesystem::path(relative_path), ec);
  if (ec) return not_found();
  // Symlinks may point anywhere; only what resolves inside the root is served.
  std::string root_text = state_->root.string();
  std::string full_text = full.string();
  if (full_text.size() <= root_text.size() || full_text.compare(0, root_text.size(), root_text) ||
      full_text[root_text.size()] != '/') {
    return not_found();
  }
  struct stat info {};
  if (::stat(full_text.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return not_found();
  uint64_t size = static_cast<uint64_t>(info.st_size);
  int64_t mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                     static_cast<int64_t>(info.st_mtim.tv_nsec);
  std::string etag = "\"";
  AppendHexNumber(etag, size);
  etag.push_back('-');
  AppendHexNumber(etag, static_cast<uint64_t>(mtime_ns));
  etag.push_back('"');
  std::string_view content_type = ContentTypeFor(full);
  bool compressible = internal::IsCompressibleType(content_type) &&
                      size > internal::kGzipMinBytes && size <= kMaxGzipFileBytes;

  Response response;
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back(
      "Last-Modified", internal::FormatHttpDate(static_cast<int64_t>(info.st_mtim.tv_sec)));
  response.headers.emplace_back("Accept-Ranges", "bytes");
  if (!state_->cache_control.empty()) {
    response.headers.emplace_back("Cache-Control", state_->cache_control);
  }
  if (compressible) response.headers.emplace_back("Vary", "Accept-Encoding");

  std::optional<std::string_view> if_none_match = request.Header("if-none-match");
  bool not_modified = false;
  if (if_none_match.has_value()) {
    not_modified = IfNoneMatchMatches(*if_none_match, etag);
  } else if (auto since = request.Header("if-modified-since"); since.has_value()) {
    std::optional<int64_t> when = internal::ParseHttpDate(*since);
    not_modified = when.has_value() && static_cast<int64_t>(info.st_mtim.tv_sec) <= *when;
  }
  if (not_modified) {
    response.status = 304;
    return response;
  }
  response.headers.emplace_back("Content-Type", std::string(content_type));
  bool head = request.method() == "HEAD";

  if (std::optional<std::string_view> range = request.Header("range"); range.has_value()) {
    uint64_t first = 0;
    uint64_t last = 0;
    switch (ParseRange(*range, size, first, last)) {
      case RangeResult::kUnsatisfiable: {
        Response unsatisfiable = ErrorResponse(
            Status(StatusCode::kOutOfRange, "range not satisfiable").WithErrorCode("bad_range"),
            request.request_id());
        unsatisfiable.status = 416;
        unsatisfiable.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
        return unsatisfiable;
      }
      case RangeResult::kRange: {
        uint64_t length = last - first + 1;
        response.status = 206;
        response.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                           std::to_string(last) + "/" +
                                                           std::to_string(size));
        if (head) {
          response.headers.emplace_back("Content-Length", std::to_string(length));
        } else if (!ReadFileRange(full, first, length, response.body)) {
          return not_found();
        }
        return response;
      }
      case RangeResult::kNone:
        break;
    }
  }

  bool gzip = compressible && internal::AcceptsGzip(request.Header("accept-encoding").value_or(""));
  if (head) {
    // The length of the identity body; HEAD never compresses.
    response.headers.emplace_back("Content-Length", std::to_string(size));
    return response;
  }
  if (gzip) {
    std::string key = etag + full_text;
    std::shared_ptr<const std::string> compressed = state_->Cached(key);
    if (compressed == nullptr) {
      std::string raw;
      std::string packed;
      if (!ReadFileRange(full, 0, size, raw)) return not_found();
      if (internal::GzipCompress(raw, packed)) {
        compressed = std::make_shared<const std::string>(std::move(packed));
        state_->Store(key, compressed);
      } else {
        response.body = std::move(raw);
        return response;
      }
    }
    response.body = *compressed;
    response.headers.emplace_back("Content-Encoding", "gzip");
    return response;
  }
  if (!ReadFileRange(full, 0, size, response.body)) return not_found();
  return response;
}

}  // namespace larch::http
