-- The file store (storage/file_store.h), shared by every node as Open edX's
-- contentstore shares GridFS: content-addressed blobs cut into chunks of
-- 256 KiB, named files (uploads) pointing at a blob, and the blob of each
-- course asset. A blob no row references any more is deleted in the
-- transaction that dropped its last reference (storage::CollectBlobs).
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE blob_chunks (
  sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (sha256, seq)
);
CREATE TABLE stored_files (
  name TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL REFERENCES blobs (sha256),
  size BIGINT NOT NULL,
  content_type TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX stored_files_sha256 ON stored_files (sha256);
-- NULL for assets imported before 0016 (their files were in the data dir):
-- re-import those courses.
ALTER TABLE course_assets ADD COLUMN sha256 TEXT REFERENCES blobs (sha256);
CREATE INDEX course_assets_sha256 ON course_assets (sha256);
