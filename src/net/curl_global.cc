#include "curl_global.h"

#include <mutex>
#include <string>

namespace larch::net::internal {

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Status CurlCodeToStatus(CURLcode code, const char* error_buffer, const char* what) {
  // The error buffer names host and port but never credentials, unlike the URL.
  std::string message =
      std::string(what) + ": " +
      (error_buffer != nullptr && error_buffer[0] != '\0' ? std::string(error_buffer)
                                                          : std::string(curl_easy_strerror(code)));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError(std::move(message));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return InvalidArgumentError(std::move(message));
    case CURLE_OUT_OF_MEMORY:
      return ResourceExhaustedError(std::move(message));
    default:
      // Resolve, connect, TLS, send/receive and protocol errors: the peer is
      // unreachable or misbehaving right now, which a later retry may fix.
      return UnavailableError(std::move(message));
  }
}

}  // namespace larch::net::internal
