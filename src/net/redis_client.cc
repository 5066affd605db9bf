#include "larch/net/redis_client.h"

#include <poll.h>
#include <sys/time.h>

#include <charconv>
#include <chrono>
#include <string_view>
#include <utility>

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

namespace larch::net {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

timeval Timeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

bool ParseInt(std::string_view text, int64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

RedisReply Convert(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type =
          r.type == REDIS_REPLY_STRING ? RedisReply::Type::kString : RedisReply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(Convert(*r.element[i]));
      break;
    default:
      break;
  }
  return out;
}

std::string Address(const RedisEndpoint& e) {
  return "redis://" + e.host + ":" + std::to_string(e.port) + "/" + std::to_string(e.db);
}

StatusOr<ReplyPtr> Call(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (reply == nullptr) return UnavailableError(std::string("redis: ") + c->errstr);
  if (reply->type == REDIS_REPLY_ERROR) {
    return InternalError("redis: " + std::string(reply->str, reply->len));
  }
  return reply;
}

// Dials, authenticates and selects the database.
StatusOr<redisContext*> Dial(const RedisEndpoint& e, int timeout_ms) {
  redisContext* c = redisConnectWithTimeout(e.host.c_str(), e.port, Timeval(timeout_ms));
  if (c == nullptr) return UnavailableError("redis: out of memory");
  if (c->err != 0) {
    Status s = UnavailableError("redis at " + Address(e) + ": " + c->errstr);
    redisFree(c);
    return s;
  }
  redisSetTimeout(c, Timeval(timeout_ms));
  Status ready = OkStatus();
  if (!e.password.empty()) ready = Call(c, {"AUTH", e.password}).status();
  if (ready.ok() && e.db != 0) ready = Call(c, {"SELECT", std::to_string(e.db)}).status();
  if (!ready.ok()) {
    redisFree(c);
    return ready;
  }
  return c;
}

}  // namespace

StatusOr<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgumentError("REDIS_URL must start with redis://");
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint e;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    size_t colon = auth.find(':');
    e.password = std::string(colon == std::string_view::npos ? auth : auth.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!ParseInt(db, e.db) || e.db < 0)) {
      return InvalidArgumentError("REDIS_URL database must be a number");
    }
  }
  if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    int64_t port = 0;
    if (!ParseInt(hostport.substr(colon + 1), port) || port <= 0 || port > 65535) {
      return InvalidArgumentError("REDIS_URL port must be 1-65535");
    }
    e.port = static_cast<int>(port);
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) e.host = std::string(hostport);
  if (e.host.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgumentError("REDIS_URL host is not valid");
  }
  return e;
}

RedisClient::RedisClient(RedisOptions options, RedisEndpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)), address_(Address(endpoint_)) {}

RedisClient::~RedisClient() {
  MutexLock lock(mu_);
  for (redisContext* c : idle_) redisFree(c);
}

StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(const RedisOptions& options) {
  LARCH_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUrl(options.url));
  std::unique_ptr<RedisClient> client(new RedisClient(options, std::move(endpoint)));
  LARCH_ASSIGN_OR_RETURN(RedisReply pong, client->Command({"PING"}));
  if (pong.str != "PONG") return UnavailableError("redis did not answer PING");
  return client;
}

StatusOr<redisContext*> RedisClient::Take() {
  {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      return c;
    }
  }
  return Dial(endpoint_, options_.timeout_ms);
}

void RedisClient::Give(redisContext* c) {
  MutexLock lock(mu_);
  if (idle_.size() < options_.max_idle) {
    idle_.push_back(c);
    return;
  }
  redisFree(c);
}

StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  LARCH_ASSIGN_OR_RETURN(redisContext * c, Take());
  StatusOr<ReplyPtr> reply = Call(c, args);
  if (!reply.ok() && reply.status().code() == StatusCode::kUnavailable) {
    redisFree(c);  // broken: the next call dials again
    return reply.status();
  }
  Give(c);
  if (!reply.ok()) return reply.status();
  return Convert(**reply);
}

RedisSubscriber::RedisSubscriber(RedisOptions options, std::vector<std::string> channels,
                                 Callback on_message, int retry_ms)
    : options_(std::move(options)),
      channels_(std::move(channels)),
      on_message_(std::move(on_message)),
      retry_ms_(retry_ms) {
  thread_ = std::thread([this] { Run(); });
}

RedisSubscriber::~RedisSubscriber() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void RedisSubscriber::Run() {
  bool warned = false;
  while (!stop_) {
    Status s = Session();
    if (stop_) break;
    if (!warned) {
      spdlog::warn("redis subscriber: {}; reconnecting every {} ms", s.ToString(), retry_ms_);
      warned = true;
    }
    for (int waited = 0; waited < retry_ms_ && !stop_; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

Status RedisSubscriber::Session() {
  LARCH_ASSIGN_OR_RETURN(RedisEndpoint endpoint, ParseRedisUrl(options_.url));
  LARCH_ASSIGN_OR_RETURN(redisContext * c, Dial(endpoint, options_.timeout_ms));
  std::unique_ptr<redisContext, void (*)(redisContext*)> owned(c, redisFree);
  std::vector<std::string> args = {"SUBSCRIBE"};
  args.insert(args.end(), channels_.begin(), channels_.end());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
      REDIS_OK) {
    return UnavailableError(std::string("redis: ") + c->errstr);
  }
  int done = 0;
  while (done == 0 && redisBufferWrite(c, &done) == REDIS_OK) {
  }
  if (done == 0) return UnavailableError(std::string("redis: ") + c->errstr);
  // Poll so that Stop is seen within 100 ms; replies already buffered are
  // taken before reading more.
  while (!stop_) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(c, &raw) != REDIS_OK) {
      return UnavailableError(std::string("redis: ") + c->errstr);
    }
    if (raw == nullptr) {
      pollfd pfd{c->fd, POLLIN, 0};
      int ready = ::poll(&pfd, 1, 100);
      if (ready < 0 && errno != EINTR) return UnavailableError("redis: poll failed");
      if (ready > 0 && redisBufferRead(c) != REDIS_OK) {
        return UnavailableError(std::string("redis: ") + c->errstr);
      }
      continue;
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) continue;
    std::string_view kind(reply->element[0]->str, reply->element[0]->len);
    if (kind == "subscribe") {
      subscribed_ = true;
    } else if (kind == "message") {
      on_message_(std::string(reply->element[1]->str, reply->element[1]->len),
                  std::string(reply->element[2]->str, reply->element[2]->len));
    }
  }
  return OkStatus();
}

}  // namespace larch::net
