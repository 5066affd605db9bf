// The file store: named files (uploads, exports) that every node sharing
// one database can read, the way Open edX's contentstore keeps course files
// in MongoDB GridFS instead of on one server's disk.
//
// Two backends implement FileStore:
//   - the database (default, FILE_STORE "database"): a file is a row of
//     `stored_files` pointing at a content-addressed blob (`blobs`, keyed by
//     the SHA-256 of the bytes) cut into chunks of kBlobChunkBytes
//     (`blob_chunks`). A Put writes in one transaction; identical content is
//     stored once. The same blobs hold the course assets (courses::
//     CourseImporter writes them with PutBlob in its import transaction).
//   - a directory (FILE_STORE "dir:/shared/path"), for a volume every node
//     mounts: <root>/data/<name> holds the bytes and <root>/meta/<name> their
//     size, SHA-256, content type and time. A Put writes temporary files and
//     renames them into place, so readers see the old or the new content.
//     As in any file system, one name cannot also be the folder of others
//     ("a" and "a/b"): that Put is kUnavailable there.
//
// Names are 1..512 bytes of [A-Za-z0-9._-] segments of at most 180 bytes
// joined by '/', none empty, "." or ".." (ValidateFileName): they never
// leave the root.
//
// Errors (both backends): kInvalidArgument for a bad name, kNotFound for a
// missing file, kOutOfRange for a read starting past the end, kUnavailable /
// kAborted / kResourceExhausted from the database or the file system
// (kDataLoss when stored content no longer matches its record).
//
// Thread safety: FileStore implementations are thread-safe. The Executor
// functions below run inside the caller's transaction.
#ifndef LARCH_STORAGE_FILE_STORE_H_
#define LARCH_STORAGE_FILE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/storage/database.h"

namespace larch::storage {

// The chunk size of the database backend (and of CopyToPath's reads).
inline constexpr size_t kBlobChunkBytes = size_t{256} * 1024;

struct FileInfo {
  std::string name;
  int64_t size = 0;
  // Lowercase hex SHA-256 of the content.
  std::string sha256;
  std::string content_type;
  // When this content was stored under the name, micros since the epoch.
  int64_t created_at = 0;
};

class FileStore {
 public:
  virtual ~FileStore() = default;

  // Stores `bytes` under `name`, replacing any file of that name.
  virtual StatusOr<FileInfo> Put(std::string_view name, std::string_view bytes,
                                 std::string_view content_type) = 0;
  // The same with the content of the local file `source`, read in chunks
  // (never whole into memory). kNotFound when `source` cannot be opened.
  virtual StatusOr<FileInfo> PutFile(std::string_view name, const std::filesystem::path& source,
                                     std::string_view content_type) = 0;
  // kNotFound when there is no such file.
  virtual StatusOr<FileInfo> Stat(std::string_view name) = 0;
  // Bytes [offset, offset + length) of the file, fewer at its end; "" when
  // offset == size. kOutOfRange when offset > size.
  virtual StatusOr<std::string> Read(std::string_view name, uint64_t offset, uint64_t length) = 0;
  // Writes the whole file to the local path `dest` (created or truncated),
  // chunk by chunk. kUnavailable when `dest` cannot be written.
  virtual Status CopyToPath(std::string_view name, const std::filesystem::path& dest) = 0;
  // Removes the file; its blob goes too once nothing else refers to it.
  // kNotFound when there is no such file.
  virtual Status Delete(std::string_view name) = 0;
};

// OK for a usable name (see above), kInvalidArgument otherwise.
Status ValidateFileName(std::string_view name);

// The database backend over `db` (migrated to 0016 or later); both
// references must outlive it.
std::unique_ptr<FileStore> NewDatabaseFileStore(Database& db, const Clock& clock);
// The directory backend under `root`, created when missing. kUnavailable
// when it cannot be created.
StatusOr<std::unique_ptr<FileStore>> NewDirectoryFileStore(const std::filesystem::path& root,
                                                           const Clock& clock);
// The FILE_STORE setting: "database" or "dir:<absolute path>".
// kInvalidArgument for anything else.
StatusOr<std::unique_ptr<FileStore>> OpenFileStore(std::string_view spec, Database& db,
                                                   const Clock& clock);

// --- Blobs, inside the caller's transaction ---------------------------------
// The tables that refer to blobs are `stored_files` and `course_assets`
// (their sha256 columns are foreign keys); CollectBlobs checks both.

struct BlobRef {
  std::string sha256;
  int64_t size = 0;
  int64_t created_at = 0;
};

// Lowercase hex SHA-256 of `bytes`, or of the local file `path` read in
// chunks (kNotFound when it cannot be opened).
std::string Sha256Hex(std::string_view bytes);
StatusOr<std::string> Sha256HexOfFile(const std::filesystem::path& path);

// Stores `bytes` as a blob unless one with its hash exists (then it is
// locked against a concurrent CollectBlobs until `ex` ends). kAborted when
// a concurrent transaction removed it meanwhile (RunInTransaction retries).
StatusOr<BlobRef> PutBlob(Executor& ex, std::string_view bytes, int64_t now);
// The same for the local file `path`, read twice in chunks (hash, then
// chunks when new). kNotFound when it cannot be opened.
StatusOr<BlobRef> PutBlobFromFile(Executor& ex, const std::filesystem::path& path, int64_t now);
// nullopt when there is no such blob.
StatusOr<std::optional<BlobRef>> FindBlob(Executor& ex, std::string_view sha256);
// Bytes [offset, offset + length) of the blob of `size` bytes, fewer at its
// end. kNotFound for a missing blob, kOutOfRange when offset > size,
// kDataLoss when chunks are missing.
StatusOr<std::string> ReadBlob(Executor& ex, const BlobRef& blob, uint64_t offset, uint64_t length);
// Writes the blob to `dest` (created or truncated) chunk by chunk, reading
// through `db` in read-only transactions of a few chunks each.
Status CopyBlobToPath(Database& db, const BlobRef& blob, const std::filesystem::path& dest);
// Deletes those of `candidates` (sha256 hex) that no stored file or course
// asset refers to any more, with their chunks; returns how many went. On
// PostgreSQL a blob another transaction is just starting to reuse (locked by
// PutBlob) is skipped.
StatusOr<int64_t> CollectBlobs(Executor& ex, std::span<const std::string> candidates);

}  // namespace larch::storage

#endif  // LARCH_STORAGE_FILE_STORE_H_
