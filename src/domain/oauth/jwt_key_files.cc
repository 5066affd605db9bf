// FileKeySource: the JWT keys as PEM files in one directory (jwt.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <openssl/crypto.h>

#include "larch/oauth/jwt.h"

namespace larch::oauth {
namespace {

constexpr char kCurrentKeyFile[] = "jwt-signing.pem";
constexpr char kAnonSecretFile[] = "anonymous-id.key";

std::string PreviousKeyFile(int n) { return "jwt-previous-" + std::to_string(n) + ".pem"; }

Status Errno(const std::string& what, const std::string& path) {
  return InternalError(what + " " + path + ": " + std::strerror(errno));
}

// Writes via a temporary file and rename so a crash never leaves a torn key.
Status WriteSecretFile(const std::string& path, std::string_view contents) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", tmp);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("cannot write", tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    Status s = Errno("cannot sync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("cannot rename", tmp);
  return OkStatus();
}

// kNotFound when the file does not exist.
StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError(path + " does not exist");
    return Errno("cannot open", path);
  }
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Creates the directory (mode 0700, also when it predates us with a looser
// mode: keys must stay private).
Status EnsurePrivateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Errno("cannot create", dir);
  if (::chmod(dir.c_str(), 0700) != 0) return Errno("cannot chmod", dir);
  return OkStatus();
}

}  // namespace

StatusOr<std::optional<StoredKeys>> FileKeySource::ReadExisting() const {
  const std::string current_path = keys_dir_ + "/" + kCurrentKeyFile;
  StatusOr<std::string> pem = ReadFile(current_path);
  if (!pem.ok()) {
    if (pem.status().code() == StatusCode::kNotFound) return std::optional<StoredKeys>();
    return pem.status();
  }
  StoredKeys keys;
  keys.private_pems.push_back(std::move(*pem));
  for (int i = 1;; ++i) {
    StatusOr<std::string> prev = ReadFile(keys_dir_ + "/" + PreviousKeyFile(i));
    if (!prev.ok()) {
      if (prev.status().code() == StatusCode::kNotFound) break;
      return prev.status();
    }
    keys.private_pems.push_back(std::move(*prev));
  }
  StatusOr<std::string> secret = ReadFile(keys_dir_ + "/" + kAnonSecretFile);
  if (!secret.ok() && secret.status().code() != StatusCode::kNotFound) return secret.status();
  if (secret.ok()) keys.anonymous_secret = std::move(*secret);
  LARCH_ASSIGN_OR_RETURN(keys.version, const_cast<FileKeySource*>(this)->Version());
  return std::optional<StoredKeys>(std::move(keys));
}

StatusOr<StoredKeys> FileKeySource::LoadOrCreate(
    const std::function<StatusOr<std::string>()>& first_pem, const std::string& secret) {
  LARCH_RETURN_IF_ERROR(EnsurePrivateDir(keys_dir_));
  LARCH_ASSIGN_OR_RETURN(std::optional<StoredKeys> existing, ReadExisting());
  if (!existing.has_value()) {
    LARCH_ASSIGN_OR_RETURN(std::string pem, first_pem());
    Status written = WriteSecretFile(keys_dir_ + "/" + kCurrentKeyFile, pem);
    OPENSSL_cleanse(pem.data(), pem.size());
    LARCH_RETURN_IF_ERROR(written);
    LARCH_ASSIGN_OR_RETURN(existing, ReadExisting());
    if (!existing.has_value()) return InternalError(keys_dir_ + ": the new key is gone");
  }
  if (existing->anonymous_secret.empty()) {
    LARCH_RETURN_IF_ERROR(WriteSecretFile(keys_dir_ + "/" + kAnonSecretFile, secret));
    existing->anonymous_secret = secret;
  }
  return std::move(*existing);
}

StatusOr<int64_t> FileKeySource::Version() {
  const std::string path = keys_dir_ + "/" + kCurrentKeyFile;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Errno("cannot stat", path);
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

Status FileKeySource::AddCurrent(const std::string& pem, int max_previous) {
  // Shift previous-(n-1) -> previous-n, oldest first (the oldest kept is
  // overwritten), then current -> previous-1, then write the new current.
  for (int i = max_previous; i >= 1; --i) {
    std::string to = keys_dir_ + "/" + PreviousKeyFile(i);
    std::string from =
        i == 1 ? keys_dir_ + "/" + kCurrentKeyFile : keys_dir_ + "/" + PreviousKeyFile(i - 1);
    if (!FileExists(from)) continue;
    if (::rename(from.c_str(), to.c_str()) != 0) return Errno("cannot rename", from);
  }
  return WriteSecretFile(keys_dir_ + "/" + kCurrentKeyFile, pem);
}

}  // namespace larch::oauth
