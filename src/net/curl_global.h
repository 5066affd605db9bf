// Process-wide libcurl initialisation, shared by the net module's clients.
#ifndef LARCH_NET_CURL_GLOBAL_H_
#define LARCH_NET_CURL_GLOBAL_H_

#include <curl/curl.h>

#include "larch/common/status.h"

namespace larch::net::internal {

// Calls curl_global_init exactly once per process (it is not thread-safe on
// its own). Never calls curl_global_cleanup: handles may outlive main.
void EnsureCurlInitialized();

// Maps a transfer error to a canonical code. `what` prefixes the message.
Status CurlCodeToStatus(CURLcode code, const char* error_buffer, const char* what);

}  // namespace larch::net::internal

#endif  // LARCH_NET_CURL_GLOBAL_H_
