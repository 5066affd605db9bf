#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <system_error>

#include "internal.h"

namespace larch::olx::internal {
namespace {

namespace fs = std::filesystem;

// Strips "./" prefixes and a trailing '/'; "" for the archive root itself.
std::string NormalizeEntryName(std::string_view name) {
  while (name.substr(0, 2) == "./") name.remove_prefix(2);
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  if (name == ".") return "";
  return std::string(name);
}

// True when a link at `entry` pointing to `target` stays inside the export.
bool LinkStaysInside(std::string_view entry, std::string_view target) {
  if (target.empty() || target.front() == '/') return false;
  int depth = static_cast<int>(std::count(entry.begin(), entry.end(), '/'));
  size_t start = 0;
  while (start <= target.size()) {
    size_t end = target.find('/', start);
    if (end == std::string_view::npos) end = target.size();
    std::string_view part = target.substr(start, end - start);
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

StatusOr<std::shared_ptr<ScratchDir>> ScratchDir::Create() {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string templ = (base / "larch-olx-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) {
    return InternalError("cannot create a temporary directory under " + base.string());
  }
  return std::shared_ptr<ScratchDir>(new ScratchDir(templ));
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

bool IsSafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Status ExtractArchive(const fs::path& archive_path, const fs::path& dest,
                      const ReadOptions& options) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_gnutar(a);
  archive_read_support_format_tar(a);
  // Studio exports are .tar.gz, but its import API also takes .zip.
  archive_read_support_format_zip(a);
  std::unique_ptr<struct archive, int (*)(struct archive*)> guard(a, archive_read_free);
  if (archive_read_open_filename(a, archive_path.c_str(), size_t{64} * 1024) != ARCHIVE_OK) {
    return InvalidArgumentError(archive_path.string() +
                                ": not a readable archive: " + archive_error_string(a));
  }
  uint64_t entries = 0;
  uint64_t total = 0;
  std::vector<char> buffer(size_t{64} * 1024);
  struct archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return InvalidArgumentError(archive_path.string() +
                                  ": corrupt archive: " + archive_error_string(a));
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string shown = raw_name ? raw_name : "";
    if (++entries > options.max_archive_entries) {
      return InvalidArgumentError("archive entry " + shown + ": more than " +
                                  std::to_string(options.max_archive_entries) + " entries");
    }
    std::string name = NormalizeEntryName(shown);
    if (name.empty()) continue;
    if (!IsSafeRelativePath(name)) {
      return InvalidArgumentError("archive entry " + shown + ": path escapes the export");
    }
    const char* symlink = archive_entry_symlink(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    if (symlink != nullptr || hardlink != nullptr) {
      std::string target = symlink ? symlink : NormalizeEntryName(hardlink);
      bool inside = symlink ? LinkStaysInside(name, target) : IsSafeRelativePath(target);
      if (!inside) {
        std::string message = "archive entry " + shown;
        message += ": link to " + target;
        message += " escapes the export";
        return InvalidArgumentError(std::move(message));
      }
      continue;  // links inside the export are not materialized
    }
    fs::path out = dest / name;
    std::error_code ec;
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      fs::create_directories(out, ec);
      if (ec) return InternalError("cannot create " + out.string() + ": " + ec.message());
      continue;
    }
    if (type != AE_IFREG) continue;  // devices, fifos: never created
    fs::create_directories(out.parent_path(), ec);
    if (ec) return InternalError("cannot create " + out.parent_path().string());
    // A file entry replacing an earlier directory or file: refuse rather than merge.
    if (fs::exists(fs::symlink_status(out, ec))) {
      return InvalidArgumentError("archive entry " + shown + ": duplicate entry");
    }
    std::ofstream file(out, std::ios::binary);
    if (!file) return InternalError("cannot write " + out.string());
    while (true) {
      la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        return InvalidArgumentError("archive entry " + shown + ": " + archive_error_string(a));
      }
      total += static_cast<uint64_t>(n);
      if (total > options.max_uncompressed_bytes) {
        return InvalidArgumentError("archive entry " + shown + ": uncompressed size exceeds " +
                                    std::to_string(options.max_uncompressed_bytes) + " bytes");
      }
      if (total > options.ratio_check_min_bytes) {
        la_int64_t compressed = archive_filter_bytes(a, -1);
        if (compressed > 0 && static_cast<double>(total) / static_cast<double>(compressed) >
                                  options.max_compression_ratio) {
          return InvalidArgumentError("archive entry " + shown +
                                      ": compression ratio suggests a zip bomb");
        }
      }
      file.write(buffer.data(), n);
    }
    if (!file) return InternalError("cannot write " + out.string());
  }
  return OkStatus();
}

std::optional<fs::path> FindRootWith(const fs::path& dir, std::string_view marker) {
  std::deque<std::pair<fs::path, int>> queue{{dir, 0}};
  std::error_code ec;
  while (!queue.empty()) {
    auto [current, depth] = queue.front();
    queue.pop_front();
    if (fs::is_regular_file(current / marker, ec)) return current;
    if (depth >= 3) continue;
    std::vector<fs::path> subdirs;
    for (fs::directory_iterator it(current, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) subdirs.push_back(it->path());
    }
    std::sort(subdirs.begin(), subdirs.end());
    for (auto& sub : subdirs) queue.emplace_back(sub, depth + 1);
  }
  return std::nullopt;
}

std::string NameToPath(std::string_view name) {
  std::string path(name);
  std::replace(path.begin(), path.end(), ':', '/');
  return path;
}

bool IsContainerType(std::string_view type) {
  static const std::set<std::string_view> kContainers = {
      "course",      "chapter",         "sequential", "videosequence", "vertical", "split_test",
      "conditional", "library_content", "library",    "itembank",      "unit"};
  return kContainers.count(type) > 0;
}

bool IsPointerTag(const pugi::xml_node& node) {
  for (auto child : node.children()) {
    if (child.type() == pugi::node_element) return false;
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      std::string_view text = child.value();
      if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) return false;
    }
  }
  std::set<std::string_view> names;
  for (auto attr : node.attributes()) {
    if (std::string_view(attr.name()) != "xblock-family") names.insert(attr.name());
  }
  if (std::string_view(node.name()) == "course") {
    return names == std::set<std::string_view>{"url_name", "course", "org"};
  }
  return names == std::set<std::string_view>{"url_name"};
}

std::string SerializeElement(const pugi::xml_node& node, std::string_view drop_attribute,
                             bool drop_all_attributes) {
  pugi::xml_document copy;
  pugi::xml_node element = copy.append_copy(node);
  if (drop_all_attributes) {
    while (element.first_attribute()) element.remove_attribute(element.first_attribute());
  } else if (!drop_attribute.empty()) {
    element.remove_attribute(std::string(drop_attribute).c_str());
  }
  std::ostringstream out;
  element.print(out, "", pugi::format_raw);
  return std::move(out).str();
}

bool IsOptionElement(const pugi::xml_node& node) {
  std::string_view name = node.name();
  size_t colon = name.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == name.size()) return false;
  std::string xmlns = "xmlns:" + std::string(name.substr(0, colon));
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (auto attr = n.attribute(xmlns.c_str()); !attr.empty()) {
      return std::string_view(attr.value()) == "http://code.edx.org/xblock/option";
    }
  }
  return false;
}

}  // namespace larch::olx::internal
