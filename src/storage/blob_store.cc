// Content-addressed blobs in `blobs` / `blob_chunks` (storage/file_store.h).
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "larch/common/strings.h"
#include "larch/storage/file_store.h"

namespace larch::storage {
namespace {

constexpr Query kInsertBlob{"blobs.insert",
                            "INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (sha256) DO NOTHING RETURNING sha256"};
// FOR SHARE keeps a concurrent CollectBlobs (FOR UPDATE SKIP LOCKED) off a
// blob this transaction is about to refer to; SQLite has one writer.
constexpr Query kLockBlob{"blobs.lock", "SELECT size, created_at FROM blobs WHERE sha256 = ?",
                          "SELECT size, created_at FROM blobs WHERE sha256 = ? FOR SHARE"};
constexpr Query kFindBlob{"blobs.find", "SELECT size, created_at FROM blobs WHERE sha256 = ?"};
constexpr Query kInsertChunk{"blobs.insert_chunk",
                             "INSERT INTO blob_chunks (sha256, seq, data) VALUES (?, ?, ?)"};
constexpr Query kSelectChunks{"blobs.select_chunks",
                              "SELECT seq, data FROM blob_chunks WHERE sha256 = ? AND seq >= ? "
                              "AND seq <= ? ORDER BY seq"};
// The referrers: stored_files and course_assets. Chunks go by cascade.
constexpr Query kCollectBlob{
    "blobs.collect",
    "DELETE FROM blobs WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM stored_files f WHERE "
    "f.sha256 = ?) AND NOT EXISTS (SELECT 1 FROM course_assets a WHERE a.sha256 = ?)",
    "DELETE FROM blobs WHERE sha256 IN (SELECT b.sha256 FROM blobs b WHERE b.sha256 = ? AND "
    "NOT EXISTS (SELECT 1 FROM stored_files f WHERE f.sha256 = ?) AND NOT EXISTS (SELECT 1 "
    "FROM course_assets a WHERE a.sha256 = ?) FOR UPDATE SKIP LOCKED)"};

// Chunks per read transaction of CopyBlobToPath (4 MiB).
constexpr int64_t kChunksPerCopyRead = 16;

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Update(std::string_view bytes) { EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()); }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &size);
    return HexEncode(digest, size);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

// Inserts the blobs row: nullopt when it is new (its chunks must follow),
// else the existing blob (now locked).
StatusOr<std::optional<BlobRef>> ClaimBlob(Executor& ex, const BlobRef& blob) {
  LARCH_ASSIGN_OR_RETURN(
      ResultSet inserted,
      ex.Execute(kInsertBlob, {Text(blob.sha256), Int(blob.size), Int(blob.created_at)}));
  if (!inserted.empty()) return std::optional<BlobRef>();
  LARCH_ASSIGN_OR_RETURN(ResultSet locked, ex.Execute(kLockBlob, {Text(blob.sha256)}));
  if (locked.empty()) return AbortedError("blob " + blob.sha256 + " was removed concurrently");
  return std::optional<BlobRef>(
      BlobRef{blob.sha256, locked.rows[0].GetInt(0), locked.rows[0].GetInt(1)});
}

// Calls `on_chunk` with each piece of up to kBlobChunkBytes of `path`.
template <typename OnChunk>
Status ForEachFileChunk(const std::filesystem::path& path, OnChunk on_chunk) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + path.string());
  std::string buffer(kBlobChunkBytes, '\0');
  for (;;) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize got = in.gcount();
    if (got > 0) {
      LARCH_RETURN_IF_ERROR(on_chunk(std::string_view(buffer.data(), static_cast<size_t>(got))));
    }
    if (!in) break;
  }
  if (in.bad()) return UnavailableError("cannot read " + path.string());
  return OkStatus();
}

Status InsertChunk(Executor& ex, const std::string& sha256, int64_t seq, std::string_view bytes) {
  return ex.Execute(kInsertChunk, {Text(sha256), Int(seq), Blob{std::string(bytes)}}).status();
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.HexDigest();
}

StatusOr<std::string> Sha256HexOfFile(const std::filesystem::path& path) {
  Sha256 hash;
  LARCH_RETURN_IF_ERROR(ForEachFileChunk(path, [&](std::string_view chunk) {
    hash.Update(chunk);
    return OkStatus();
  }));
  return hash.HexDigest();
}

StatusOr<BlobRef> PutBlob(Executor& ex, std::string_view bytes, int64_t now) {
  BlobRef blob{Sha256Hex(bytes), static_cast<int64_t>(bytes.size()), now};
  LARCH_ASSIGN_OR_RETURN(std::optional<BlobRef> existing, ClaimBlob(ex, blob));
  if (existing.has_value()) return *existing;
  for (size_t offset = 0, seq = 0; offset < bytes.size(); offset += kBlobChunkBytes, ++seq) {
    LARCH_RETURN_IF_ERROR(InsertChunk(ex, blob.sha256, static_cast<int64_t>(seq),
                                      bytes.substr(offset, kBlobChunkBytes)));
  }
  return blob;
}

StatusOr<BlobRef> PutBlobFromFile(Executor& ex, const std::filesystem::path& path, int64_t now) {
  Sha256 hash;
  int64_t size = 0;
  LARCH_RETURN_IF_ERROR(ForEachFileChunk(path, [&](std::string_view chunk) {
    hash.Update(chunk);
    size += static_cast<int64_t>(chunk.size());
    return OkStatus();
  }));
  BlobRef blob{hash.HexDigest(), size, now};
  LARCH_ASSIGN_OR_RETURN(std::optional<BlobRef> existing, ClaimBlob(ex, blob));
  if (existing.has_value()) return *existing;
  Sha256 again;
  int64_t seq = 0;
  LARCH_RETURN_IF_ERROR(ForEachFileChunk(path, [&](std::string_view chunk) {
    again.Update(chunk);
    return InsertChunk(ex, blob.sha256, seq++, chunk);
  }));
  // The file changed between the two reads: the chunks are not the hash's.
  if (again.HexDigest() != blob.sha256) {
    return FailedPreconditionError(path.string() + " changed while it was stored");
  }
  return blob;
}

StatusOr<std::optional<BlobRef>> FindBlob(Executor& ex, std::string_view sha256) {
  LARCH_ASSIGN_OR_RETURN(ResultSet rs, ex.Execute(kFindBlob, {Text(std::string(sha256))}));
  if (rs.empty()) return std::optional<BlobRef>();
  return std::optional<BlobRef>(
      BlobRef{std::string(sha256), rs.rows[0].GetInt(0), rs.rows[0].GetInt(1)});
}

StatusOr<std::string> ReadBlob(Executor& ex, const BlobRef& blob, uint64_t offset,
                               uint64_t length) {
  const uint64_t size = static_cast<uint64_t>(blob.size);
  if (offset > size)
    return Status(StatusCode::kOutOfRange, "read past the end of blob " + blob.sha256);
  length = std::min(length, size - offset);
  if (length == 0) return std::string();
  const int64_t first = static_cast<int64_t>(offset / kBlobChunkBytes);
  const int64_t last = static_cast<int64_t>((offset + length - 1) / kBlobChunkBytes);
  LARCH_ASSIGN_OR_RETURN(ResultSet rs,
                         ex.Execute(kSelectChunks, {Text(blob.sha256), Int(first), Int(last)}));
  if (rs.size() != static_cast<size_t>(last - first + 1)) {
    return DataLossError("blob " + blob.sha256 + " is missing chunks");
  }
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < rs.size(); ++i) {
    const auto* data = std::get_if<Blob>(&rs.rows[i][1]);
    const std::string& bytes = data != nullptr ? data->bytes : std::get<std::string>(rs.rows[i][1]);
    const uint64_t chunk_start =
        static_cast<uint64_t>(first + static_cast<int64_t>(i)) * kBlobChunkBytes;
    const uint64_t from = offset > chunk_start ? offset - chunk_start : 0;
    if (from > bytes.size()) return DataLossError("blob " + blob.sha256 + " has a short chunk");
    out.append(bytes, from, length - out.size());
  }
  if (out.size() != length) return DataLossError("blob " + blob.sha256 + " has short chunks");
  return out;
}

Status CopyBlobToPath(Database& db, const BlobRef& blob, const std::filesystem::path& dest) {
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  if (!out) return UnavailableError("cannot write " + dest.string());
  const uint64_t step = kBlobChunkBytes * kChunksPerCopyRead;
  for (uint64_t offset = 0; offset < static_cast<uint64_t>(blob.size); offset += step) {
    LARCH_ASSIGN_OR_RETURN(std::string piece,
                           RunWithResult(db, TxnMode::kReadOnly, [&](Transaction& txn) {
                             return ReadBlob(txn, blob, offset, step);
                           }));
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  out.flush();
  if (!out) return UnavailableError("cannot write " + dest.string());
  return OkStatus();
}

StatusOr<int64_t> CollectBlobs(Executor& ex, std::span<const std::string> candidates) {
  std::vector<std::string> unique(candidates.begin(), candidates.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  int64_t removed = 0;
  for (const std::string& sha : unique) {
    LARCH_ASSIGN_OR_RETURN(ResultSet rs,
                           ex.Execute(kCollectBlob, {Text(sha), Text(sha), Text(sha)}));
    removed += rs.rows_affected;
  }
  return removed;
}

}  // namespace larch::storage
