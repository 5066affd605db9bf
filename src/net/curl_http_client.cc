#include "larch/net/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>

#include "curl_global.h"

namespace larch::net {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Only http and https: anything else (file://, gopher://, dict://) would let
// a caller-controlled URL escape the intended use.
Status ValidateUrl(const std::string& url) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (parsed == nullptr) return ResourceExhaustedError("curl_url: out of memory");
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return InvalidArgumentError("malformed URL");
  }
  char* scheme = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
    return InvalidArgumentError("URL has no scheme");
  }
  std::string scheme_str(scheme);
  curl_free(scheme);
  if (scheme_str != "http" && scheme_str != "https") {
    return InvalidArgumentError("unsupported URL scheme: " + scheme_str);
  }
  return OkStatus();
}

struct BodySink {
  std::string* body;
  size_t max_bytes;
  bool exceeded = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * count > sink->max_bytes) {
    sink->exceeded = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  sink->body->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpClientResponse*>(user);
  std::string_view line(data, size * count);
  // A new status line starts a new header block (1xx interim responses, or
  // each hop when redirects are followed): keep only the final one.
  if (line.starts_with("HTTP/")) {
    response->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return size * count;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  response->headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return size * count;
}

}  // namespace

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(std::move(options)) {
  internal::EnsureCurlInitialized();
}

CurlHttpClient::~CurlHttpClient() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* CurlHttpClient::AcquireHandle() {
  {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void CurlHttpClient::ReleaseHandle(void* handle) {
  // reset drops every option but keeps the connection and DNS caches.
  curl_easy_reset(static_cast<CURL*>(handle));
  {
    MutexLock lock(mu_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

StatusOr<HttpClientResponse> CurlHttpClient::Send(const HttpClientRequest& request) {
  LARCH_RETURN_IF_ERROR(ValidateUrl(request.url));
  if (request.timeout_ms <= 0) return InvalidArgumentError("timeout_ms must be positive");
  if (!IsToken(request.method)) return InvalidArgumentError("invalid HTTP method");

  Slist headers;
  // Without this curl waits up to a second for "100 Continue" on large bodies.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || HasLineBreak(value)) {
      return InvalidArgumentError("invalid header: " + name);
    }
    // "Name;" is curl's spelling for a header with an empty value.
    std::string line = name;
    if (value.empty()) {
      line += ';';
    } else {
      line += ": ";
      line += value;
    }
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) return ResourceExhaustedError("curl_slist_append: out of memory");
    (void)headers.release();  // now owned through `appended`
    headers.reset(appended);
  }

  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (curl == nullptr) return ResourceExhaustedError("curl_easy_init failed");
  struct Releaser {
    CurlHttpClient* client;
    CURL* handle;
    ~Releaser() { client->ReleaseHandle(handle); }
  } releaser{this, curl};

  HttpClientResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // signals are not thread-safe
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, options_.follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(request.timeout_ms, options_.connect_timeout_ms)));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // any encoding curl can decode
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  BodySink sink{&response.body, options_.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      // POSTFIELDS sends a Content-Length even for an empty body, which
      // servers expect on these methods.
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    }
    if (request.method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }

  CURLcode code = curl_easy_perform(curl);
  if (sink.exceeded) {
    return ResourceExhaustedError("HTTP response body larger than " +
                                  std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    return internal::CurlCodeToStatus(code, error_buffer, "HTTP request failed");
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace larch::net
