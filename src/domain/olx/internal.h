// Private helpers shared by the OLX reader, writer and archive extraction.
#ifndef LARCH_OLX_INTERNAL_H_
#define LARCH_OLX_INTERNAL_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larch/common/status.h"
#include "larch/olx/olx.h"
#include "pugixml.hpp"

namespace larch::olx::internal {

// A private temporary directory, removed (recursively) on destruction.
class ScratchDir {
 public:
  static StatusOr<std::shared_ptr<ScratchDir>> Create();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Extracts a (gzipped) tar into `dest`, enforcing `options`. Only regular
// files and directories are created.
Status ExtractArchive(const std::filesystem::path& archive, const std::filesystem::path& dest,
                      const ReadOptions& options);

// The shallowest directory under `dir` (itself included) holding `marker`.
std::optional<std::filesystem::path> FindRootWith(const std::filesystem::path& dir,
                                                  std::string_view marker);

// True for a relative '/'-separated path without empty, "." or ".." parts.
bool IsSafeRelativePath(std::string_view path);

// url_name -> file path part: every ':' becomes '/'.
std::string NameToPath(std::string_view name);

// Block types whose child elements are blocks.
bool IsContainerType(std::string_view type);

// olx_format.md 4.1: no element children, no text, attributes exactly
// {url_name} (course: {url_name, course, org}) once xblock-family is ignored.
bool IsPointerTag(const pugi::xml_node& node);

// The element (with its subtree) as XML text, without `drop_attribute`
// (all attributes when drop_all_attributes).
std::string SerializeElement(const pugi::xml_node& node, std::string_view drop_attribute = {},
                             bool drop_all_attributes = false);

// The XBlock-option element form <ns:field xmlns:ns="http://code.edx.org/xblock/option">.
bool IsOptionElement(const pugi::xml_node& node);

}  // namespace larch::olx::internal

#endif  // LARCH_OLX_INTERNAL_H_
