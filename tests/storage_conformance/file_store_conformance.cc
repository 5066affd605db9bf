// The FileStore contract (storage/file_store.h), run on both of its backends
// (database and directory) over each database backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backend_fixture.h"
#include "larch/storage/file_store.h"
#include "larch/testing/status_matchers.h"

namespace larch::storage {
namespace {

namespace fs = std::filesystem;
using ::larch::testing::StatusIs;

// Bytes of every value, NULs included, crossing several chunk boundaries.
std::string Content(size_t size, int seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + seed) % 256);
  return out;
}

std::string ReadLocal(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FileStoreConformance : public testing::BackendTest {
 protected:
  void SetUp() override {
    testing::BackendTest::SetUp();
    if (IsSkipped()) return;
    std::string tmpl = (fs::temp_directory_path() / "larch-files-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    scratch_ = tmpl;
    stores_.emplace_back("database", NewDatabaseFileStore(db(), clock()));
    auto dir = NewDirectoryFileStore(scratch_ / "store", clock());
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    stores_.emplace_back("directory", std::move(*dir));
  }
  void TearDown() override {
    stores_.clear();
    std::error_code ec;
    if (!scratch_.empty()) fs::remove_all(scratch_, ec);
    testing::BackendTest::TearDown();
  }

  int64_t Count(const char* table) {
    auto n = RunWithResult(db(), TxnMode::kReadOnly, [&](Transaction& txn) -> StatusOr<int64_t> {
      LARCH_ASSIGN_OR_RETURN(
          ResultSet rs,
          txn.Execute(Query{"test.count", (std::string("SELECT COUNT(*) FROM ") + table).c_str()}));
      return rs.rows[0].GetInt(0);
    });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  fs::path scratch_;
  std::vector<std::pair<std::string, std::unique_ptr<FileStore>>> stores_;
};

TEST_P(FileStoreConformance, PutStatAndReadRanges) {
  const std::string content = Content(3 * kBlobChunkBytes + 17, 1);
  for (auto& [kind, store] : stores_) {
    SCOPED_TRACE(kind);
    clock().SetNowMicros(1'700'000'000'000'000);
    LARCH_ASSERT_OK_AND_ASSIGN(
        FileInfo put, store->Put("imports/t-1/course.tar.gz", content, "application/gzip"));
    EXPECT_EQ(put.size, static_cast<int64_t>(content.size()));
    EXPECT_EQ(put.sha256, Sha256Hex(content));
    LARCH_ASSERT_OK_AND_ASSIGN(FileInfo stat, store->Stat("imports/t-1/course.tar.gz"));
    EXPECT_EQ(stat.name, "imports/t-1/course.tar.gz");
    EXPECT_EQ(stat.size, put.size);
    EXPECT_EQ(stat.sha256, put.sha256);
    EXPECT_EQ(stat.content_type, "application/gzip");
    EXPECT_EQ(stat.created_at, 1'700'000'000'000'000);
    // Within one chunk, across two, across all, to the end and past it.
    for (auto [offset, length] :
         std::vector<std::pair<uint64_t, uint64_t>>{{0, 10},
                                                    {kBlobChunkBytes - 5, 10},
                                                    {1, 3 * kBlobChunkBytes},
                                                    {content.size() - 7, 100},
                                                    {0, content.size() + 1000}}) {
      LARCH_ASSERT_OK_AND_ASSIGN(std::string got,
                                 store->Read("imports/t-1/course.tar.gz", offset, length));
      EXPECT_EQ(got, content.substr(offset, length)) << offset << "+" << length;
    }
    LARCH_ASSERT_OK_AND_ASSIGN(std::string at_end,
                               store->Read("imports/t-1/course.tar.gz", content.size(), 5));
    EXPECT_EQ(at_end, "");
    EXPECT_THAT(store->Read("imports/t-1/course.tar.gz", content.size() + 1, 5),
                StatusIs(StatusCode::kOutOfRange));
    EXPECT_THAT(store->Stat("imports/t-1/other"), StatusIs(StatusCode::kNotFound));
    // The folders of names are no files.
    EXPECT_THAT(store->Stat("imports/t-1"), StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->Read("imports", 0, 1), StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->Delete("imports/t-1"), StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->Read("imports/t-1/other", 0, 1), StatusIs(StatusCode::kNotFound));
  }
}

TEST_P(FileStoreConformance, KnownDigestAndEmptyFiles) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (auto& [kind, store] : stores_) {
    SCOPED_TRACE(kind);
    LARCH_ASSERT_OK_AND_ASSIGN(FileInfo info, store->Put("empty", "", "text/plain"));
    EXPECT_EQ(info.size, 0);
    EXPECT_EQ(info.sha256, Sha256Hex(""));
    LARCH_ASSERT_OK_AND_ASSIGN(std::string got, store->Read("empty", 0, 10));
    EXPECT_EQ(got, "");
    LARCH_EXPECT_OK(store->CopyToPath("empty", scratch_ / ("empty-" + kind)));
    EXPECT_EQ(fs::file_size(scratch_ / ("empty-" + kind)), 0u);
  }
}

TEST_P(FileStoreConformance, PutFileStreamsAndCopyToPathRestores) {
  const std::string content = Content(2 * kBlobChunkBytes + 1, 7);
  const fs::path source = scratch_ / "source.bin";
  std::ofstream(source, std::ios::binary) << content;
  for (auto& [kind, store] : stores_) {
    SCOPED_TRACE(kind);
    LARCH_ASSERT_OK_AND_ASSIGN(FileInfo info,
                               store->PutFile("uploads/a.bin", source, "application/zip"));
    EXPECT_EQ(info.sha256, Sha256Hex(content));
    EXPECT_EQ(info.size, static_cast<int64_t>(content.size()));
    const fs::path dest = scratch_ / ("copy-" + kind);
    LARCH_ASSERT_OK(store->CopyToPath("uploads/a.bin", dest));
    EXPECT_EQ(ReadLocal(dest), content);
    EXPECT_THAT(store->PutFile("uploads/b.bin", scratch_ / "missing", ""),
                StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->Stat("uploads/b.bin"), StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->CopyToPath("uploads/b.bin", dest), StatusIs(StatusCode::kNotFound));
  }
}

TEST_P(FileStoreConformance, ReplaceAndDelete) {
  for (auto& [kind, store] : stores_) {
    SCOPED_TRACE(kind);
    LARCH_ASSERT_OK(store->Put("x/y", "first", "text/plain").status());
    LARCH_ASSERT_OK_AND_ASSIGN(FileInfo second, store->Put("x/y", "second!", "text/csv"));
    LARCH_ASSERT_OK_AND_ASSIGN(FileInfo stat, store->Stat("x/y"));
    EXPECT_EQ(stat.sha256, second.sha256);
    EXPECT_EQ(stat.content_type, "text/csv");
    LARCH_ASSERT_OK_AND_ASSIGN(std::string got, store->Read("x/y", 0, 100));
    EXPECT_EQ(got, "second!");
    LARCH_EXPECT_OK(store->Delete("x/y"));
    EXPECT_THAT(store->Stat("x/y"), StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->Read("x/y", 0, 1), StatusIs(StatusCode::kNotFound));
    EXPECT_THAT(store->Delete("x/y"), StatusIs(StatusCode::kNotFound));
  }
  // Nothing of the replaced or deleted content is left in the database.
  EXPECT_EQ(Count("blobs"), 0);
  EXPECT_EQ(Count("blob_chunks"), 0);
}

TEST_P(FileStoreConformance, NamesNeverLeaveTheStore) {
  for (auto& [kind, store] : stores_) {
    SCOPED_TRACE(kind);
    for (const char* name : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/", "a b",
                             "a@b", "a\\b", "imports/..", "x\n"}) {
      EXPECT_THAT(store->Put(name, "x", ""), StatusIs(StatusCode::kInvalidArgument)) << name;
      EXPECT_THAT(store->Stat(name), StatusIs(StatusCode::kInvalidArgument)) << name;
      EXPECT_THAT(store->Read(name, 0, 1), StatusIs(StatusCode::kInvalidArgument)) << name;
      EXPECT_THAT(store->Delete(name), StatusIs(StatusCode::kInvalidArgument)) << name;
    }
    EXPECT_THAT(store->Put(std::string(181, 'a'), "x", ""), StatusIs(StatusCode::kInvalidArgument));
    const std::string segment(169, 'a');
    const std::string longest = segment + "/" + segment + "/" + segment + "/" + std::string(2, 'b');
    ASSERT_EQ(longest.size(), 512u);
    LARCH_EXPECT_OK(store->Put(longest, "x", "").status());
    EXPECT_THAT(store->Put(longest + "b", "x", ""), StatusIs(StatusCode::kInvalidArgument));
  }
  EXPECT_FALSE(fs::exists(scratch_ / "x"));
}

TEST_P(FileStoreConformance, DatabaseStoresIdenticalContentOnceInChunks) {
  std::unique_ptr<FileStore>& store = stores_[0].second;
  const std::string content = Content(2 * kBlobChunkBytes + 3, 3);
  LARCH_ASSERT_OK(store->Put("a", content, "").status());
  LARCH_ASSERT_OK(store->Put("b", content, "").status());
  EXPECT_EQ(Count("stored_files"), 2);
  EXPECT_EQ(Count("blobs"), 1);
  EXPECT_EQ(Count("blob_chunks"), 3);
  // The blob stays while one name still refers to it.
  LARCH_ASSERT_OK(store->Delete("a"));
  EXPECT_EQ(Count("blobs"), 1);
  LARCH_ASSERT_OK_AND_ASSIGN(std::string got, store->Read("b", 0, content.size()));
  EXPECT_EQ(got, content);
  LARCH_ASSERT_OK(store->Delete("b"));
  EXPECT_EQ(Count("blobs"), 0);
  EXPECT_EQ(Count("blob_chunks"), 0);
}

TEST_P(FileStoreConformance, DatabaseFilesAreSeenThroughAnotherHandleAndThreads) {
  // Another handle on the same database, as another node would have.
  auto other_db = Open(url());
  ASSERT_TRUE(other_db.ok()) << other_db.status().ToString();
  std::unique_ptr<FileStore> other = NewDatabaseFileStore(**other_db, clock());
  const std::string content = Content(kBlobChunkBytes + 9, 5);
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      FileStore& store = i % 2 == 0 ? *stores_[0].second : *other;
      results[static_cast<size_t>(i)] =
          store.Put("same/" + std::to_string(i), content, "application/octet-stream").status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) LARCH_EXPECT_OK(s);
  EXPECT_EQ(Count("blobs"), 1);
  for (int i = 0; i < 4; ++i) {
    LARCH_ASSERT_OK_AND_ASSIGN(std::string got,
                               other->Read("same/" + std::to_string(i), 0, 1 << 20));
    EXPECT_EQ(got, content);
  }
}

TEST_P(FileStoreConformance, CollectBlobsKeepsReferencedBlobs) {
  LARCH_ASSERT_OK(stores_[0].second->Put("kept", "kept bytes", "").status());
  LARCH_ASSERT_OK(db().RunInTransaction(TxnMode::kReadWrite, [&](Transaction& txn) -> Status {
    LARCH_ASSIGN_OR_RETURN(BlobRef loose, PutBlob(txn, "loose bytes", 1));
    const std::string candidates[] = {loose.sha256, Sha256Hex("kept bytes"), "no-such-blob"};
    LARCH_ASSIGN_OR_RETURN(int64_t removed, CollectBlobs(txn, candidates));
    EXPECT_EQ(removed, 1);
    return OkStatus();
  }));
  EXPECT_EQ(Count("blobs"), 1);
  LARCH_ASSERT_OK_AND_ASSIGN(std::string got, stores_[0].second->Read("kept", 0, 100));
  EXPECT_EQ(got, "kept bytes");
}

TEST(FileStoreSpec, OpenFileStoreParsesTheSetting) {
  FakeClock clock;
  std::string tmpl = (fs::temp_directory_path() / "larch-files-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  // The directory backend does not touch the database.
  auto db = OpenDatabase(DatabaseOptions{.url = "sqlite::memory:"});
  ASSERT_TRUE(db.ok());
  LARCH_EXPECT_OK(OpenFileStore("dir:" + tmpl + "/shared", **db, clock).status());
  EXPECT_TRUE(fs::is_directory(fs::path(tmpl) / "shared" / "data"));
  LARCH_EXPECT_OK(OpenFileStore("database", **db, clock).status());
  for (const char* bad : {"", "dir:", "dir:relative/path", "s3://bucket", "Database"}) {
    EXPECT_THAT(OpenFileStore(bad, **db, clock), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  std::error_code ec;
  fs::remove_all(tmpl, ec);
}

LARCH_INSTANTIATE_BACKEND_SUITE(FileStoreConformance);

}  // namespace
}  // namespace larch::storage
