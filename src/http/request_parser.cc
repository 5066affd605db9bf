#include "larch/http/request_parser.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/buffer.hpp>

#include "beast_request.h"

namespace larch::http {

namespace internal {

void UploadBody::reader::init(const boost::optional<std::uint64_t>& length,
                              boost::beast::error_code& ec) {
  ec = {};
  if (body_.path.empty()) {
    if (length.has_value() && *length < body_.data.max_size()) {
      body_.data.reserve(static_cast<size_t>(*length));
    }
    return;
  }
  // O_EXCL: the server names a fresh file; never write through an existing one.
  fd_ = ::open(body_.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) ec = boost::beast::error_code(errno, boost::system::generic_category());
}

bool UploadBody::reader::Append(const char* data, size_t size, boost::beast::error_code& ec) {
  if (fd_ < 0) {
    body_.data.append(data, size);
    return true;
  }
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ec = boost::beast::error_code(errno != 0 ? errno : EIO, boost::system::generic_category());
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void UploadBody::reader::finish(boost::beast::error_code& ec) {
  ec = {};
  if (fd_ >= 0 && ::close(fd_) != 0) {
    ec = boost::beast::error_code(errno, boost::system::generic_category());
  }
  fd_ = -1;
}

void UploadBody::reader::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

StatusOr<Request> RequestFromBeast(BeastRequest&& message) {
  LARCH_ASSIGN_OR_RETURN(Request request, RequestHeadersFromBeast(message));
  request.set_body(std::move(message.body().data));
  if (!message.body().path.empty()) request.set_body_file(message.body().path);
  return request;
}

StatusOr<Request> RequestHeadersFromBeast(const BeastRequest& message) {
  std::string_view target(message.target().data(), message.target().size());
  bool absolute = target.starts_with("http://") || target.starts_with("https://");
  if (!target.starts_with('/') && !absolute && target != "*") {
    return InvalidArgumentError("request target must be a path");
  }
  Request request(std::string(message.method_string()), std::string(target));
  for (const auto& field : message) {
    request.AddHeader(std::string(field.name_string()), std::string(field.value()));
  }
  return request;
}

int HttpStatusForParseError(const boost::beast::error_code& ec) {
  namespace bhttp = boost::beast::http;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  return 400;
}

}  // namespace internal

StatusOr<Request> ParseRequestForTest(std::string_view raw, const ParseLimits& limits) {
  internal::BeastParser parser;
  parser.eager(true);
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(limits.max_header_bytes);
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    if (raw.empty()) return InvalidArgumentError("incomplete request");
    size_t used = parser.put(boost::asio::const_buffer(raw.data(), raw.size()), ec);
    raw.remove_prefix(used);
    // need_more means the parser wants bytes beyond what it was given; all
    // input is already here, so the request is incomplete. (Calling put
    // again without new bytes violates Beast's contract.)
    if (ec == boost::beast::http::error::need_more) {
      return InvalidArgumentError("incomplete request");
    }
    if (!ec && used == 0) return InvalidArgumentError("parser made no progress");
    if (ec) {
      int status = internal::HttpStatusForParseError(ec);
      if (status != 400) return ResourceExhaustedError(ec.message());
      return InvalidArgumentError("malformed request: " + ec.message());
    }
  }
  return internal::RequestFromBeast(parser.release());
}

}  // namespace larch::http
