// Conversion from a parsed Beast message to a larch Request, shared by the
// server and ParseRequestForTest so both take the same path.
#ifndef LARCH_HTTP_BEAST_REQUEST_H_
#define LARCH_HTTP_BEAST_REQUEST_H_

#include <cstdint>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>

#include "larch/common/status.h"
#include "larch/http/request.h"

namespace larch::http::internal {

// A request body kept in memory, or, when `path` is set before the body is
// read (routes that take large uploads), written to that file as it arrives
// so that a slow upload holds no more than one read buffer. The parser's
// body_limit bounds both.
struct UploadBody {
  struct value_type {
    std::string data;
    std::string path;  // set by the server before the body: stream to this file
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>& /*header*/, value_type& body)
        : body_(body) {}
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;
    ~reader() { CloseFile(); }

    void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec);
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      std::size_t written = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        boost::asio::const_buffer buffer = *it;
        if (!Append(static_cast<const char*>(buffer.data()), buffer.size(), ec)) return written;
        written += buffer.size();
      }
      return written;
    }
    void finish(boost::beast::error_code& ec);

   private:
    bool Append(const char* data, std::size_t size, boost::beast::error_code& ec);
    void CloseFile();

    value_type& body_;
    int fd_ = -1;
  };
};

using BeastRequest = boost::beast::http::request<UploadBody>;
using BeastParser = boost::beast::http::request_parser<UploadBody>;

// kInvalidArgument when the target is neither origin-form ("/..."),
// absolute-form ("http://host/...") nor "*".
StatusOr<Request> RequestFromBeast(BeastRequest&& message);
// The same without the body (for checks that run before it is read).
StatusOr<Request> RequestHeadersFromBeast(const BeastRequest& message);

// 413 for body_limit, 431 for header_limit, 400 for everything else.
int HttpStatusForParseError(const boost::beast::error_code& ec);

}  // namespace larch::http::internal

#endif  // LARCH_HTTP_BEAST_REQUEST_H_
