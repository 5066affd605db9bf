// OLX (Open Learning XML) course exports: read into an in-memory block tree
// and write back.
//
// ReadCourse follows shared/reference/olx_format.md (the edx-platform XML
// import rules): the course.xml pointer, pointer vs inline tags, the html
// .html body and legacy `filename`, ':' in url_names mapping to '/' in file
// paths, JSON-decoded attribute values, policy.json overrides and inherited
// settings. drafts/ and files no pointer reaches (orphans) are ignored; XBlock
// types Larch does not know are kept with their XML so that WriteCourse loses
// nothing. No database is involved: a later layer stores the tree.
//
// Thread safety: the functions are reentrant; a Course is a value (copies
// share the read-only scratch directory of an extracted archive).
#ifndef LARCH_OLX_OLX_H_
#define LARCH_OLX_OLX_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larch/common/status.h"
#include "larch/keys/keys.h"
#include "nlohmann/json.hpp"

namespace larch::olx {

// One XBlock of a course or library.
struct Block {
  keys::UsageKey key;
  std::string type;                      // == key.block_type (the XML tag)
  std::string url_name;                  // == key.block_id
  std::optional<keys::UsageKey> parent;  // nullopt for the root
  std::vector<keys::UsageKey> children;  // document order
  // Fields set on this block (a JSON object): XML attributes decoded as in
  // olx_format.md 4.4 (JSON when it parses, else the raw string; "null" is
  // an explicit null), XBlock-option child elements, course <wiki>/<textbook>
  // as wiki_slug/textbooks, then policy.json["type/url_name"] on top.
  nlohmann::json fields = nlohmann::json::object();
  // Every inheritable setting (InheritableFieldDefaults()) resolved for this
  // block: its own value if set, else the nearest ancestor's, else the default.
  nlohmann::json inherited = nlohmann::json::object();
  // The definition element's attributes as written, in order, without url_name.
  std::vector<std::pair<std::string, std::string>> attributes;
  // html: the HTML body. problem: the <problem> element serialized without
  // attributes (the capa source). Empty otherwise.
  std::string data;
  // Leaf blocks other than html: the definition element serialized (without
  // url_name), so unknown XBlocks re-export unchanged. Containers: the
  // non-block child elements (course <wiki>, XBlock-option elements, ...).
  std::string xml;
  // False for XBlock types Larch cannot render (kept, not interpreted).
  bool supported = false;
  // True when the parent's file held the whole definition (not a pointer).
  bool inline_definition = false;
  // The file the definition came from, relative to the course root.
  std::string source_file;
};

struct BlockTree {
  keys::UsageKey root;
  std::map<keys::UsageKey, Block> blocks;

  // nullptr when the key is not in the tree.
  const Block* Find(const keys::UsageKey& key) const;
  const Block& root_block() const { return blocks.at(root); }
  // Number of blocks of `type`.
  size_t CountType(std::string_view type) const;
  // All keys in pre-order (root first, children in order).
  std::vector<keys::UsageKey> PreOrder() const;
};

// A file under static/ (not loaded; read it from Course::static_dir / path).
struct StaticFile {
  std::string path;  // relative to static/, '/'-separated
  uint64_t size = 0;
};

// tabs/<url_slug>.html with its name from the course's tabs policy.
struct StaticTab {
  std::string url_slug;
  std::string name;
  std::string html;
};

struct Course {
  keys::CourseKey key;
  BlockTree tree;
  // policies/<run>/policy.json (or legacy policies/<run>.json); {} if absent.
  nlohmann::json policy = nlohmann::json::object();
  // grading_policy.json as written; null when the course has none.
  nlohmann::json grading_policy;
  // about/<field>.html (about/<run>/ overrides): field name -> content.
  std::map<std::string, std::string> about;
  // info/<file> (updates.html, handouts.html, updates.items.json): name -> content.
  std::map<std::string, std::string> info;
  std::vector<StaticTab> static_tabs;    // sorted by url_slug
  std::vector<StaticFile> static_files;  // sorted by path
  // Where static_files live; empty when the course has no static/ folder.
  std::filesystem::path static_dir;
  // policies/assets.json as written; empty when absent.
  std::string assets_json;
  // Keeps an extracted archive's scratch directory alive (removed with the
  // last copy of the Course).
  std::shared_ptr<const void> scratch;

  // Libraries referenced by library_content blocks (source_library_id), sorted, unique.
  std::vector<keys::LibraryLocator> ReferencedLibraries() const;
};

struct Library {
  keys::LibraryLocator key;
  BlockTree tree;  // usage keys are lib-block-v1:
};

// Bounds on .tar.gz imports (zip bombs, hostile entries).
struct ReadOptions {
  uint64_t max_archive_entries = 20000;
  uint64_t max_uncompressed_bytes = 500ull << 20;
  // Uncompressed/compressed ratio above which the archive is refused, checked
  // once more than ratio_check_min_bytes have been extracted.
  double max_compression_ratio = 200.0;
  uint64_t ratio_check_min_bytes = 4ull << 20;
};

// Reads a course export: a directory holding course.xml (or whose single
// subdirectory does), or a .tar.gz whose top folder holds course.xml.
// kInvalidArgument (message names the file and line, or the archive entry)
// for malformed XML/JSON, a missing pointer file, an invalid url_name,
// pointer cycles, or an archive entry that escapes the export, is a link out
// of it, or breaks ReadOptions limits. kNotFound when `path` does not exist.
StatusOr<Course> ReadCourse(const std::filesystem::path& path, const ReadOptions& options = {});

// Moves `course` to the course run `key`, as Studio does when an export is
// imported into another run: the course key, every block key, parent and
// child links, and string fields holding a usage key of the old run (e.g.
// entrance_exam_id). kInvalidArgument, with `course` unchanged, when a block
// key cannot be rebuilt.
Status RekeyCourse(Course& course, const keys::CourseKey& key);

// Reads a v1 library export (library.xml at the root of a directory or of a
// .tar.gz's top folder). Errors as ReadCourse.
StatusOr<Library> ReadLibrary(const std::filesystem::path& path, const ReadOptions& options = {});

// Reads a course from in-memory files (path relative to the course root ->
// content); for tests and fuzzing. static_files sizes come from the map.
StatusOr<Course> ReadCourseFromFiles(const std::map<std::string, std::string>& files);

// Writes `course` as an OLX export into `dir` (created if missing): pointer
// form for containers/html/problem/video, the originally-inline XBlocks
// inline, policies, about/info/tabs, and static/ copied from static_dir.
// ReadCourse(dir) then yields the same tree. kInvalidArgument for a block id
// that is unsafe as a path; kInternal/kUnavailable for I/O failures.
Status WriteCourse(const Course& course, const std::filesystem::path& dir);

// The inheritable settings (olx_format.md 8.2) with their defaults.
const nlohmann::json& InheritableFieldDefaults();

// The resolved inherited settings of `key` (Block::inherited); kNotFound
// when the key is not in the tree.
StatusOr<nlohmann::json> InheritedFields(const BlockTree& tree, const keys::UsageKey& key);

// DEFAULT_GRADING_POLICY with the course file's top-level keys replacing
// the defaults (olx_format.md 6.2).
nlohmann::json EffectiveGradingPolicy(const Course& course);

}  // namespace larch::olx

#endif  // LARCH_OLX_OLX_H_
