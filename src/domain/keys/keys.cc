#include "larch/keys/keys.h"

#include <string>
#include <string_view>
#include <vector>

#include "larch/common/strings.h"

namespace larch::keys {
namespace {

constexpr std::string_view kCourseNs = "course-v1:";
constexpr std::string_view kCcxNs = "ccx-v1:";
constexpr std::string_view kLibraryNs = "library-v1:";
constexpr std::string_view kBlockNs = "block-v1:";
constexpr std::string_view kLibBlockNs = "lib-block-v1:";
constexpr std::string_view kCcxBlockNs = "ccx-block-v1:";
constexpr std::string_view kAssetNs = "asset-v1:";
constexpr std::string_view kI4x = "i4x://";
constexpr std::string_view kC4x = "/c4x/";

// Python's re.UNICODE \w; non-ASCII bytes stand in for non-ASCII letters.
bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

bool AllMatch(std::string_view s, std::string_view extra) {
  if (s.empty()) return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (!IsWordByte(c) && extra.find(ch) == std::string_view::npos) return false;
  }
  return true;
}

// Deprecated org/course parts: anything but [\w.%-] is forbidden.
bool IsValidDeprecatedField(std::string_view s) { return AllMatch(s, ".%-"); }

Status Invalid(std::string_view what, std::string_view text, std::string_view reason) {
  return InvalidArgumentError(std::string(what) + " '" + std::string(text) +
                              "': " + std::string(reason));
}

// Parses "prefix@value" and checks that value is a valid id.
bool TakeTagged(std::string_view part, std::string_view prefix, bool allow_percent,
                std::string* out) {
  if (part.size() <= prefix.size() + 1 || part.substr(0, prefix.size()) != prefix ||
      part[prefix.size()] != '@') {
    return false;
  }
  std::string_view value = part.substr(prefix.size() + 1);
  if (!(allow_percent ? IsValidBlockId(value) : IsValidKeyField(value))) return false;
  *out = std::string(value);
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Parses the "Org+Course+Run" head of course-v1 style keys.
Status ParseCourseParts(std::string_view what, std::string_view text,
                        const std::vector<std::string_view>& parts, CourseKey* key) {
  for (size_t i = 0; i < 3; ++i) {
    if (!IsValidKeyField(parts[i])) {
      static constexpr std::string_view kNames[] = {"org", "course", "run"};
      return Invalid(what, text,
                     std::string("invalid characters in ") + std::string(kNames[i]) + " '" +
                         std::string(parts[i]) + "'");
    }
  }
  key->org = std::string(parts[0]);
  key->course = std::string(parts[1]);
  key->run = std::string(parts[2]);
  return OkStatus();
}

}  // namespace

bool IsValidKeyField(std::string_view s) { return AllMatch(s, "-~.:"); }
bool IsValidBlockId(std::string_view s) { return AllMatch(s, "-~.:%"); }

std::string AssetNameForStaticPath(std::string_view path) {
  std::string name(path);
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

// ---- CourseKey ----

StatusOr<CourseKey> CourseKey::Parse(std::string_view text) {
  constexpr std::string_view kWhat = "course key";
  CourseKey key;
  bool ccx = StartsWith(text, kCcxNs);
  if (StartsWith(text, kCourseNs) || ccx) {
    auto parts = Split(text.substr(ccx ? kCcxNs.size() : kCourseNs.size()), '+');
    size_t want = ccx ? 4 : 3;
    if (parts.size() != want) {
      if (parts.size() > want)
        return Invalid(kWhat, text, "unexpected parts (branch/version unsupported)");
      return Invalid(kWhat, text,
                     ccx ? "expected Org+Course+Run+ccx@N" : "expected Org+Course+Run");
    }
    LARCH_RETURN_IF_ERROR(ParseCourseParts(kWhat, text, parts, &key));
    if (ccx) {
      std::string_view tag = parts[3];
      if (!StartsWith(tag, "ccx@") || tag.size() == 4) {
        return Invalid(kWhat, text, "expected ccx@N");
      }
      for (char c : tag.substr(4)) {
        if (c < '0' || c > '9') return Invalid(kWhat, text, "ccx id must be digits");
      }
      key.ccx = std::string(tag.substr(4));
    }
    return key;
  }
  if (text.find(':') != std::string_view::npos) {
    return Invalid(kWhat, text, "unknown namespace");
  }
  auto parts = Split(text, '/');
  if (parts.size() != 3) return Invalid(kWhat, text, "expected course-v1:Org+Course+Run");
  for (auto part : parts) {
    if (!IsValidDeprecatedField(part)) {
      return Invalid(kWhat, text, "invalid characters in '" + std::string(part) + "'");
    }
  }
  key.org = std::string(parts[0]);
  key.course = std::string(parts[1]);
  key.run = std::string(parts[2]);
  key.deprecated = true;
  return key;
}

StatusOr<CourseKey> CourseKey::Make(std::string_view org, std::string_view course,
                                    std::string_view run) {
  CourseKey key;
  std::string text = std::string(org) + "+" + std::string(course) + "+" + std::string(run);
  LARCH_RETURN_IF_ERROR(ParseCourseParts("course key", text, {org, course, run}, &key));
  return key;
}

std::string CourseKey::ToString() const {
  if (deprecated) return org + "/" + course + "/" + run;
  if (!ccx.empty()) return std::string(kCcxNs) + org + "+" + course + "+" + run + "+ccx@" + ccx;
  return std::string(kCourseNs) + org + "+" + course + "+" + run;
}

StatusOr<UsageKey> CourseKey::MakeUsageKey(std::string_view block_type,
                                           std::string_view block_id) const {
  if (!IsValidKeyField(block_type)) {
    return Invalid("block type", block_type, "invalid characters");
  }
  if (!IsValidBlockId(block_id)) return Invalid("block id", block_id, "invalid characters");
  UsageKey key;
  key.context = *this;
  key.block_type = std::string(block_type);
  key.block_id = std::string(block_id);
  return key;
}

StatusOr<AssetKey> CourseKey::MakeAssetKey(std::string_view name,
                                           std::string_view asset_type) const {
  if (!IsValidKeyField(asset_type)) return Invalid("asset type", asset_type, "invalid characters");
  if (!IsValidBlockId(name)) return Invalid("asset name", name, "invalid characters");
  AssetKey key;
  key.course_key = *this;
  // CCX runs share the master course's files.
  key.course_key.ccx.clear();
  key.asset_type = std::string(asset_type);
  key.name = std::string(name);
  return key;
}

StatusOr<UsageKey> MakeUsageKey(const CourseKey& course, std::string_view block_type,
                                std::string_view block_id) {
  return course.MakeUsageKey(block_type, block_id);
}

StatusOr<AssetKey> MakeAssetKey(const CourseKey& course, std::string_view name) {
  return course.MakeAssetKey(name);
}

// ---- LibraryLocator ----

StatusOr<LibraryLocator> LibraryLocator::Parse(std::string_view text) {
  constexpr std::string_view kWhat = "library key";
  if (!StartsWith(text, kLibraryNs)) return Invalid(kWhat, text, "expected library-v1:Org+Library");
  auto parts = Split(text.substr(kLibraryNs.size()), '+');
  if (parts.size() != 2) return Invalid(kWhat, text, "expected library-v1:Org+Library");
  return Make(parts[0], parts[1]);
}

StatusOr<LibraryLocator> LibraryLocator::Make(std::string_view org, std::string_view library) {
  if (!IsValidKeyField(org)) return Invalid("library org", org, "invalid characters");
  if (!IsValidKeyField(library)) return Invalid("library", library, "invalid characters");
  return LibraryLocator{std::string(org), std::string(library)};
}

std::string LibraryLocator::ToString() const {
  return std::string(kLibraryNs) + org + "+" + library;
}

StatusOr<UsageKey> LibraryLocator::MakeUsageKey(std::string_view block_type,
                                                std::string_view block_id) const {
  // Library usage keys allow no '%' in block ids (LibraryUsageLocator).
  if (!IsValidKeyField(block_type)) return Invalid("block type", block_type, "invalid characters");
  if (!IsValidKeyField(block_id)) return Invalid("block id", block_id, "invalid characters");
  UsageKey key;
  key.context = *this;
  key.block_type = std::string(block_type);
  key.block_id = std::string(block_id);
  return key;
}

// ---- UsageKey ----

StatusOr<UsageKey> UsageKey::Parse(std::string_view text) {
  constexpr std::string_view kWhat = "usage key";
  if (StartsWith(text, kBlockNs) || StartsWith(text, kLibBlockNs) ||
      StartsWith(text, kCcxBlockNs)) {
    bool lib = StartsWith(text, kLibBlockNs);
    bool ccx = StartsWith(text, kCcxBlockNs);
    std::string_view ns = lib ? kLibBlockNs : (ccx ? kCcxBlockNs : kBlockNs);
    auto parts = Split(text.substr(ns.size()), '+');
    size_t head = lib ? 2 : (ccx ? 4 : 3);
    if (parts.size() != head + 2) {
      return Invalid(kWhat, text,
                     lib ? "expected lib-block-v1:Org+Lib+type@T+block@B"
                         : "expected block-v1:Org+Course+Run+type@T+block@B");
    }
    UsageKey key;
    if (!TakeTagged(parts[head], "type", false, &key.block_type)) {
      return Invalid(kWhat, text, "bad type@ part");
    }
    if (!TakeTagged(parts[head + 1], "block", !lib, &key.block_id)) {
      return Invalid(kWhat, text, "bad block@ part");
    }
    if (lib) {
      auto library = LibraryLocator::Make(parts[0], parts[1]);
      if (!library.ok()) return Invalid(kWhat, text, library.status().message());
      key.context = *std::move(library);
    } else {
      CourseKey course;
      LARCH_RETURN_IF_ERROR(ParseCourseParts(kWhat, text, parts, &course));
      if (ccx) {
        std::string digits;
        if (!TakeTagged(parts[3], "ccx", false, &digits) ||
            digits.find_first_not_of("0123456789") != std::string::npos) {
          return Invalid(kWhat, text, "expected ccx@N");
        }
        course.ccx = std::move(digits);
      }
      key.context = std::move(course);
    }
    return key;
  }
  if (StartsWith(text, kI4x)) {
    auto parts = Split(text.substr(kI4x.size()), '/');
    if (parts.size() != 4) return Invalid(kWhat, text, "expected i4x://Org/Course/Type/Id");
    if (!IsValidDeprecatedField(parts[0]) || !IsValidDeprecatedField(parts[1])) {
      return Invalid(kWhat, text, "invalid characters in org or course");
    }
    if (!IsValidKeyField(parts[2])) return Invalid(kWhat, text, "invalid block type");
    if (parts[3].find('@') != std::string_view::npos) {
      return Invalid(kWhat, text, "revisions are not supported");
    }
    if (!IsValidBlockId(parts[3])) return Invalid(kWhat, text, "invalid block id");
    CourseKey course;
    course.org = std::string(parts[0]);
    course.course = std::string(parts[1]);
    course.deprecated = true;
    UsageKey key;
    key.context = std::move(course);
    key.block_type = std::string(parts[2]);
    key.block_id = std::string(parts[3]);
    return key;
  }
  return Invalid(kWhat, text, "unknown namespace");
}

std::string UsageKey::ToString() const {
  if (in_library()) {
    const auto& lib = library_key();
    return std::string(kLibBlockNs) + lib.org + "+" + lib.library + "+type@" + block_type +
           "+block@" + block_id;
  }
  const auto& course = course_key();
  if (course.deprecated) {
    return std::string(kI4x) + course.org + "/" + course.course + "/" + block_type + "/" + block_id;
  }
  std::string head =
      course.ccx.empty()
          ? std::string(kBlockNs) + course.org + "+" + course.course + "+" + course.run
          : std::string(kCcxBlockNs) + course.org + "+" + course.course + "+" + course.run +
                "+ccx@" + course.ccx;
  return head + "+type@" + block_type + "+block@" + block_id;
}

UsageKey UsageKey::MapIntoCourse(const CourseKey& course) const {
  UsageKey key = *this;
  key.context = course;
  return key;
}

// ---- AssetKey ----

StatusOr<AssetKey> AssetKey::Parse(std::string_view text) {
  constexpr std::string_view kWhat = "asset key";
  AssetKey key;
  if (StartsWith(text, kAssetNs)) {
    auto parts = Split(text.substr(kAssetNs.size()), '+');
    if (parts.size() != 5) {
      return Invalid(kWhat, text, "expected asset-v1:Org+Course+Run+type@T+block@Name");
    }
    LARCH_RETURN_IF_ERROR(ParseCourseParts(kWhat, text, parts, &key.course_key));
    if (!TakeTagged(parts[3], "type", false, &key.asset_type)) {
      return Invalid(kWhat, text, "bad type@ part");
    }
    if (!TakeTagged(parts[4], "block", true, &key.name)) {
      return Invalid(kWhat, text, "bad block@ part");
    }
    return key;
  }
  if (StartsWith(text, kC4x)) {
    auto parts = Split(text.substr(kC4x.size()), '/');
    if (parts.size() != 4) return Invalid(kWhat, text, "expected /c4x/Org/Course/Type/Name");
    if (!IsValidDeprecatedField(parts[0]) || !IsValidDeprecatedField(parts[1])) {
      return Invalid(kWhat, text, "invalid characters in org or course");
    }
    if (!IsValidKeyField(parts[2])) return Invalid(kWhat, text, "invalid asset type");
    if (parts[3].find('@') != std::string_view::npos) {
      return Invalid(kWhat, text, "revisions are not supported");
    }
    if (!IsValidBlockId(parts[3])) return Invalid(kWhat, text, "invalid asset name");
    key.course_key.org = std::string(parts[0]);
    key.course_key.course = std::string(parts[1]);
    key.course_key.deprecated = true;
    key.asset_type = std::string(parts[2]);
    key.name = std::string(parts[3]);
    return key;
  }
  return Invalid(kWhat, text, "unknown namespace");
}

std::string AssetKey::ToString() const {
  if (course_key.deprecated) {
    return std::string(kC4x) + course_key.org + "/" + course_key.course + "/" + asset_type + "/" +
           name;
  }
  return std::string(kAssetNs) + course_key.org + "+" + course_key.course + "+" + course_key.run +
         "+type@" + asset_type + "+block@" + name;
}

}  // namespace larch::keys
