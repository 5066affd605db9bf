// The two FileStore backends (storage/file_store.h): database and directory.
#include "larch/storage/file_store.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

namespace larch::storage {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxNameBytes = 512;
// With "@<sha256>" appended (directory backend) a segment stays below the
// file systems' 255-byte NAME_MAX.
constexpr size_t kMaxSegmentBytes = 180;

constexpr Query kSelectFile{
    "stored_files.select",
    "SELECT sha256, size, content_type, created_at FROM stored_files WHERE name = ?"};
constexpr Query kUpsertFile{
    "stored_files.upsert",
    "INSERT INTO stored_files (name, sha256, size, content_type, created_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, "
    "size = excluded.size, content_type = excluded.content_type, "
    "created_at = excluded.created_at"};
constexpr Query kDeleteFile{"stored_files.delete", "DELETE FROM stored_files WHERE name = ?"};

StatusOr<std::optional<FileInfo>> SelectFile(Executor& ex, std::string_view name) {
  LARCH_ASSIGN_OR_RETURN(ResultSet rs, ex.Execute(kSelectFile, {Text(std::string(name))}));
  if (rs.empty()) return std::optional<FileInfo>();
  const Row& row = rs.rows[0];
  return std::optional<FileInfo>(
      FileInfo{std::string(name), row.GetInt(1), row.GetText(0), row.GetText(2), row.GetInt(3)});
}

Status NoSuchFile(std::string_view name) {
  return NotFoundError("no stored file " + std::string(name));
}

class DatabaseFileStore : public FileStore {
 public:
  DatabaseFileStore(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  StatusOr<FileInfo> Put(std::string_view name, std::string_view bytes,
                         std::string_view content_type) override {
    return Store(name, content_type,
                 [&](Executor& ex, int64_t now) { return PutBlob(ex, bytes, now); });
  }

  StatusOr<FileInfo> PutFile(std::string_view name, const fs::path& source,
                             std::string_view content_type) override {
    return Store(name, content_type,
                 [&](Executor& ex, int64_t now) { return PutBlobFromFile(ex, source, now); });
  }

  StatusOr<FileInfo> Stat(std::string_view name) override {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    LARCH_ASSIGN_OR_RETURN(std::optional<FileInfo> info,
                           RunWithResult(db_, TxnMode::kReadOnly,
                                         [&](Transaction& txn) { return SelectFile(txn, name); }));
    if (!info.has_value()) return NoSuchFile(name);
    return *info;
  }

  StatusOr<std::string> Read(std::string_view name, uint64_t offset, uint64_t length) override {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    return RunWithResult(db_, TxnMode::kReadOnly, [&](Transaction& txn) -> StatusOr<std::string> {
      LARCH_ASSIGN_OR_RETURN(std::optional<FileInfo> info, SelectFile(txn, name));
      if (!info.has_value()) return NoSuchFile(name);
      return ReadBlob(txn, BlobRef{info->sha256, info->size, info->created_at}, offset, length);
    });
  }

  Status CopyToPath(std::string_view name, const fs::path& dest) override {
    LARCH_ASSIGN_OR_RETURN(FileInfo info, Stat(name));
    return CopyBlobToPath(db_, BlobRef{info.sha256, info.size, info.created_at}, dest);
  }

  Status Delete(std::string_view name) override {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    return db_.RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
      LARCH_ASSIGN_OR_RETURN(std::optional<FileInfo> info, SelectFile(txn, name));
      if (!info.has_value()) return NoSuchFile(name);
      LARCH_RETURN_IF_ERROR(txn.Execute(kDeleteFile, {Text(std::string(name))}).status());
      const std::string candidates[] = {info->sha256};
      return CollectBlobs(txn, candidates).status();
    });
  }

 private:
  // One transaction: the blob, the name pointing at it, and the old blob
  // collected when nothing else uses it.
  template <typename WriteBlob>
  StatusOr<FileInfo> Store(std::string_view name, std::string_view content_type,
                           WriteBlob write_blob) {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    const int64_t now = clock_.NowMicros();
    return RunWithResult(db_, TxnMode::kReadWrite, [&](Transaction& txn) -> StatusOr<FileInfo> {
      LARCH_ASSIGN_OR_RETURN(std::optional<FileInfo> old, SelectFile(txn, name));
      LARCH_ASSIGN_OR_RETURN(BlobRef blob, write_blob(txn, now));
      FileInfo info{std::string(name), blob.size, blob.sha256, std::string(content_type), now};
      LARCH_RETURN_IF_ERROR(
          txn.Execute(kUpsertFile, {Text(info.name), Text(info.sha256), Int(info.size),
                                    Text(info.content_type), Int(info.created_at)})
              .status());
      if (old.has_value() && old->sha256 != info.sha256) {
        const std::string candidates[] = {old->sha256};
        LARCH_RETURN_IF_ERROR(CollectBlobs(txn, candidates).status());
      }
      return info;
    });
  }

  Database& db_;
  const Clock& clock_;
};

// <root>/data/<name>@<sha256> holds the bytes, <root>/meta/<name> the
// FileInfo as JSON; renaming the meta file switches a name to new content
// atomically ('@' never occurs in a valid name).
class DirectoryFileStore : public FileStore {
 public:
  DirectoryFileStore(fs::path root, const Clock& clock) : root_(std::move(root)), clock_(clock) {}

  StatusOr<FileInfo> Put(std::string_view name, std::string_view bytes,
                         std::string_view content_type) override {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    fs::path tmp = TempPath();
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.flush();
      if (!out) return Cleanup(tmp, UnavailableError("cannot write " + tmp.string()));
    }
    return Install(name, tmp, Sha256Hex(bytes), static_cast<int64_t>(bytes.size()), content_type);
  }

  StatusOr<FileInfo> PutFile(std::string_view name, const fs::path& source,
                             std::string_view content_type) override {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    std::error_code ec;
    if (!fs::is_regular_file(source, ec)) return NotFoundError("cannot open " + source.string());
    fs::path tmp = TempPath();
    fs::copy_file(source, tmp, fs::copy_options::overwrite_existing, ec);
    if (ec) return Cleanup(tmp, UnavailableError("cannot copy " + source.string()));
    // The hash of the copy: the stored bytes are the hashed bytes.
    StatusOr<std::string> sha = Sha256HexOfFile(tmp);
    if (!sha.ok()) return Cleanup(tmp, sha.status());
    int64_t size = static_cast<int64_t>(fs::file_size(tmp, ec));
    if (ec) return Cleanup(tmp, UnavailableError("cannot read " + tmp.string()));
    return Install(name, tmp, *sha, size, content_type);
  }

  StatusOr<FileInfo> Stat(std::string_view name) override {
    LARCH_RETURN_IF_ERROR(ValidateFileName(name));
    const fs::path meta_path = root_ / "meta" / std::string(name);
    std::error_code ec;
    // A folder here is the prefix of other names, not a file.
    if (!fs::is_regular_file(meta_path, ec)) return NoSuchFile(name);
    std::ifstream in(meta_path, std::ios::binary);
    if (!in) return NoSuchFile(name);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json meta = nlohmann::json::parse(text.str(), nullptr, false);
    if (!meta.is_object() || !meta.value("sha256", nlohmann::json()).is_string() ||
        !meta.value("size", nlohmann::json()).is_number_integer()) {
      return DataLossError("the record of stored file " + std::string(name) + " is damaged");
    }
    return FileInfo{std::string(name), meta["size"].get<int64_t>(),
                    meta["sha256"].get<std::string>(), meta.value("content_type", ""),
                    meta.value("created_at", int64_t{0})};
  }

  StatusOr<std::string> Read(std::string_view name, uint64_t offset, uint64_t length) override {
    LARCH_ASSIGN_OR_RETURN(FileInfo info, Stat(name));
    const uint64_t size = static_cast<uint64_t>(info.size);
    if (offset > size) {
      return Status(StatusCode::kOutOfRange, "read past the end of " + std::string(name));
    }
    length = std::min(length, size - offset);
    std::ifstream in(DataPath(name, info.sha256), std::ios::binary);
    if (!in) return DataLossError("the content of stored file " + std::string(name) + " is gone");
    std::string out(length, '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(out.data(), static_cast<std::streamsize>(length));
    if (static_cast<uint64_t>(in.gcount()) != length) {
      return DataLossError("the content of stored file " + std::string(name) + " is short");
    }
    return out;
  }

  Status CopyToPath(std::string_view name, const fs::path& dest) override {
    LARCH_ASSIGN_OR_RETURN(FileInfo info, Stat(name));
    std::error_code ec;
    fs::copy_file(DataPath(name, info.sha256), dest, fs::copy_options::overwrite_existing, ec);
    if (ec) return UnavailableError("cannot copy " + std::string(name) + ": " + ec.message());
    return OkStatus();
  }

  Status Delete(std::string_view name) override {
    LARCH_ASSIGN_OR_RETURN(FileInfo info, Stat(name));
    std::error_code ec;
    if (!fs::remove(root_ / "meta" / std::string(name), ec) || ec) return NoSuchFile(name);
    fs::remove(DataPath(name, info.sha256), ec);
    return OkStatus();
  }

 private:
  fs::path DataPath(std::string_view name, const std::string& sha256) const {
    return root_ / "data" / (std::string(name) + "@" + sha256);
  }

  fs::path TempPath() {
    static std::atomic<uint64_t> counter{0};
    return root_ / "tmp" /
           (std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + ".part");
  }

  static Status Cleanup(const fs::path& tmp, Status status) {
    std::error_code ec;
    fs::remove(tmp, ec);
    return status;
  }

  StatusOr<FileInfo> Install(std::string_view name, const fs::path& tmp, const std::string& sha256,
                             int64_t size, std::string_view content_type) {
    std::optional<FileInfo> old;
    if (StatusOr<FileInfo> found = Stat(name); found.ok()) old = *found;
    FileInfo info{std::string(name), size, sha256, std::string(content_type), clock_.NowMicros()};
    std::error_code ec;
    fs::path data = DataPath(name, sha256);
    fs::path meta = root_ / "meta" / std::string(name);
    fs::create_directories(data.parent_path(), ec);
    fs::create_directories(meta.parent_path(), ec);
    // Same content under the same name: the existing data file is it.
    fs::rename(tmp, data, ec);
    if (ec) return Cleanup(tmp, UnavailableError("cannot store " + data.string()));
    fs::path meta_tmp = TempPath();
    {
      std::ofstream out(meta_tmp, std::ios::binary | std::ios::trunc);
      out << nlohmann::json{{"size", info.size},
                            {"sha256", info.sha256},
                            {"content_type", info.content_type},
                            {"created_at", info.created_at}}
                 .dump();
      out.flush();
      if (!out) return Cleanup(meta_tmp, UnavailableError("cannot write " + meta_tmp.string()));
    }
    fs::rename(meta_tmp, meta, ec);
    if (ec) return Cleanup(meta_tmp, UnavailableError("cannot store " + meta.string()));
    if (old.has_value() && old->sha256 != sha256) fs::remove(DataPath(name, old->sha256), ec);
    return info;
  }

  fs::path root_;
  const Clock& clock_;
};

}  // namespace

Status ValidateFileName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return InvalidArgumentError("a stored file name has 1 to 512 bytes");
  }
  std::string_view rest = name;
  while (true) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == ".." || segment.size() > kMaxSegmentBytes) {
      return InvalidArgumentError("bad stored file name: " + std::string(name));
    }
    for (char c : segment) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_';
      if (!ok) return InvalidArgumentError("bad stored file name: " + std::string(name));
    }
    if (slash == std::string_view::npos) return OkStatus();
    rest = rest.substr(slash + 1);
  }
}

std::unique_ptr<FileStore> NewDatabaseFileStore(Database& db, const Clock& clock) {
  return std::make_unique<DatabaseFileStore>(db, clock);
}

StatusOr<std::unique_ptr<FileStore>> NewDirectoryFileStore(const fs::path& root,
                                                           const Clock& clock) {
  std::error_code ec;
  for (const char* sub : {"data", "meta", "tmp"}) {
    fs::create_directories(root / sub, ec);
    if (ec) return UnavailableError("cannot create " + (root / sub).string() + ": " + ec.message());
  }
  return std::unique_ptr<FileStore>(std::make_unique<DirectoryFileStore>(root, clock));
}

StatusOr<std::unique_ptr<FileStore>> OpenFileStore(std::string_view spec, Database& db,
                                                   const Clock& clock) {
  if (spec == "database") return NewDatabaseFileStore(db, clock);
  if (spec.starts_with("dir:") && spec.size() > 4 && spec[4] == '/') {
    return NewDirectoryFileStore(fs::path(std::string(spec.substr(4))), clock);
  }
  return InvalidArgumentError("FILE_STORE must be \"database\" or \"dir:/absolute/path\", not \"" +
                              std::string(spec) + "\"");
}

}  // namespace larch::storage
