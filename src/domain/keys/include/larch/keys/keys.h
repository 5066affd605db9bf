// Open edX opaque keys: course, library, usage (block) and asset keys.
//
// These are the identifiers every Open edX API and OLX export uses. Parsing
// follows openedx/opaque-keys (opaque_keys/edx/locator.py): org, course and
// run match [\w\-~.:]+, block ids [\w\-~.:%]+ (Python's Unicode \w is
// approximated as ASCII letters, digits, '_' and any non-ASCII byte). The
// deprecated forms (org/course/run, i4x://..., /c4x/...) are parsed and
// printed back in the same form. Branch and version suffixes
// (+branch@, +version@) are not supported: published LMS content never uses
// them.
//
// Thread safety: all types are plain values; Parse functions are pure.
#ifndef LARCH_KEYS_KEYS_H_
#define LARCH_KEYS_KEYS_H_

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "larch/common/status.h"

namespace larch::keys {

struct UsageKey;
struct AssetKey;

// A course run: course-v1:Org+Course+Run, ccx-v1:Org+Course+Run+ccx@N or the
// deprecated Org/Course/Run. A course key taken from a deprecated i4x usage
// key has an empty run (that form does not carry one).
struct CourseKey {
  std::string org;
  std::string course;
  std::string run;
  // Digits of a CCX id; empty when the key is not a CCX.
  std::string ccx;
  bool deprecated = false;

  // kInvalidArgument with the reason when `text` is not a course key.
  static StatusOr<CourseKey> Parse(std::string_view text);
  // kInvalidArgument unless org/course/run are valid key fields.
  static StatusOr<CourseKey> Make(std::string_view org, std::string_view course,
                                  std::string_view run);
  // The canonical string; deprecated keys print as Org/Course/Run.
  std::string ToString() const;

  // The block `block_type`/`block_id` in this course. kInvalidArgument when
  // either does not match the allowed characters.
  StatusOr<UsageKey> MakeUsageKey(std::string_view block_type, std::string_view block_id) const;
  // The asset `name` (a static/ path with '/' already replaced by '_').
  StatusOr<AssetKey> MakeAssetKey(std::string_view name,
                                  std::string_view asset_type = "asset") const;

  friend auto operator<=>(const CourseKey&, const CourseKey&) = default;
  friend bool operator==(const CourseKey&, const CourseKey&) = default;
};

// A v1 content library: library-v1:Org+Library.
struct LibraryLocator {
  std::string org;
  std::string library;

  static StatusOr<LibraryLocator> Parse(std::string_view text);
  static StatusOr<LibraryLocator> Make(std::string_view org, std::string_view library);
  std::string ToString() const;
  StatusOr<UsageKey> MakeUsageKey(std::string_view block_type, std::string_view block_id) const;

  friend auto operator<=>(const LibraryLocator&, const LibraryLocator&) = default;
  friend bool operator==(const LibraryLocator&, const LibraryLocator&) = default;
};

// A block: block-v1:Org+Course+Run+type@T+block@B, lib-block-v1:Org+Lib+type@T+block@B
// or the deprecated i4x://Org/Course/T/B.
struct UsageKey {
  std::variant<CourseKey, LibraryLocator> context;
  std::string block_type;
  std::string block_id;

  static StatusOr<UsageKey> Parse(std::string_view text);
  std::string ToString() const;

  bool in_library() const { return context.index() == 1; }
  // REQUIRES: !in_library().
  const CourseKey& course_key() const { return std::get<CourseKey>(context); }
  // REQUIRES: in_library().
  const LibraryLocator& library_key() const { return std::get<LibraryLocator>(context); }
  bool deprecated() const { return !in_library() && course_key().deprecated; }
  // The same block in `course` (fills the run of a deprecated i4x key).
  UsageKey MapIntoCourse(const CourseKey& course) const;

  friend auto operator<=>(const UsageKey&, const UsageKey&) = default;
  friend bool operator==(const UsageKey&, const UsageKey&) = default;
};

// A course file: asset-v1:Org+Course+Run+type@asset+block@name or the
// deprecated /c4x/Org/Course/asset/name.
struct AssetKey {
  CourseKey course_key;
  std::string asset_type = "asset";
  std::string name;

  static StatusOr<AssetKey> Parse(std::string_view text);
  std::string ToString() const;

  friend auto operator<=>(const AssetKey&, const AssetKey&) = default;
  friend bool operator==(const AssetKey&, const AssetKey&) = default;
};

// Free-function spellings of the factory methods above.
StatusOr<UsageKey> MakeUsageKey(const CourseKey& course, std::string_view block_type,
                                std::string_view block_id);
StatusOr<AssetKey> MakeAssetKey(const CourseKey& course, std::string_view name);

// The asset name of a static/ file path: every '/' becomes '_'
// (StaticContent.compute_location), e.g. "images/foo.png" -> "images_foo.png".
std::string AssetNameForStaticPath(std::string_view path);

// True when `s` is a non-empty run of [\w\-~.:] (key field rule).
bool IsValidKeyField(std::string_view s);
// True when `s` is a non-empty run of [\w\-~.:%] (block id rule).
bool IsValidBlockId(std::string_view s);

}  // namespace larch::keys

template <>
struct std::hash<larch::keys::CourseKey> {
  size_t operator()(const larch::keys::CourseKey& k) const noexcept {
    return std::hash<std::string>()(k.ToString());
  }
};
template <>
struct std::hash<larch::keys::UsageKey> {
  size_t operator()(const larch::keys::UsageKey& k) const noexcept {
    return std::hash<std::string>()(k.ToString());
  }
};

#endif  // LARCH_KEYS_KEYS_H_
