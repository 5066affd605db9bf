#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "internal.h"
#include "larch/common/json.h"
#include "larch/common/strings.h"
#include "larch/olx/olx.h"

namespace larch::olx {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxDepth = 64;

// Where the reader gets file contents from: a directory or an in-memory map.
class FileSource {
 public:
  virtual ~FileSource() = default;
  // nullopt when the file does not exist (or the path is unsafe).
  virtual std::optional<std::string> Read(const std::string& rel) const = 0;
  // Names of the regular files directly inside `dir`, sorted.
  virtual std::vector<std::string> List(const std::string& dir) const = 0;
  virtual std::vector<StaticFile> ListStatic() const = 0;
};

class DirSource : public FileSource {
 public:
  explicit DirSource(fs::path root) : root_(std::move(root)) {}
  std::optional<std::string> Read(const std::string& rel) const override {
    if (!internal::IsSafeRelativePath(rel)) return std::nullopt;
    std::ifstream in(root_ / rel, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return std::move(out).str();
  }
  std::vector<std::string> List(const std::string& dir) const override {
    std::vector<std::string> names;
    std::error_code ec;
    if (!internal::IsSafeRelativePath(dir)) return names;
    for (fs::directory_iterator it(root_ / dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  std::vector<StaticFile> ListStatic() const override {
    std::vector<StaticFile> files;
    std::error_code ec;
    fs::path dir = root_ / "static";
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      files.push_back({fs::relative(it->path(), dir, ec).generic_string(), it->file_size(ec)});
    }
    std::sort(files.begin(), files.end(),
              [](const StaticFile& a, const StaticFile& b) { return a.path < b.path; });
    return files;
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

class MapSource : public FileSource {
 public:
  explicit MapSource(const std::map<std::string, std::string>& files) : files_(files) {}
  std::optional<std::string> Read(const std::string& rel) const override {
    auto it = files_.find(rel);
    if (it == files_.end() || !internal::IsSafeRelativePath(rel)) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> List(const std::string& dir) const override {
    std::vector<std::string> names;
    std::string prefix = dir + "/";
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      std::string rest = it->first.substr(prefix.size());
      if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
    }
    return names;
  }
  std::vector<StaticFile> ListStatic() const override {
    std::vector<StaticFile> files;
    const std::string prefix = "static/";
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      files.push_back({it->first.substr(prefix.size()), it->second.size()});
    }
    return files;
  }

 private:
  const std::map<std::string, std::string>& files_;
};

struct XmlFile {
  std::string path;
  std::string text;
  pugi::xml_document doc;
};

int LineOf(const XmlFile& file, ptrdiff_t offset) {
  if (offset < 0) return 0;
  auto end = file.text.begin() + std::min<ptrdiff_t>(offset, file.text.size());
  return 1 + static_cast<int>(std::count(file.text.begin(), end, '\n'));
}

std::string Where(const XmlFile& file, const pugi::xml_node& node) {
  return file.path + ":" + std::to_string(LineOf(file, node.offset_debug()));
}

std::string Sha1Prefix(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha1(), nullptr);
  return HexEncode(digest, std::min(len, 6U));
}

// BlockUsageLocator.clean: characters outside [\w.%-] become '_', runs of
// '_' collapse.
std::string CleanName(std::string_view value) {
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    bool ok = std::isalnum(c) || c >= 0x80 || c == '_' || c == '.' || c == '%' || c == '-';
    char next = ok ? ch : '_';
    if (next == '_' && !out.empty() && out.back() == '_') continue;
    out += next;
  }
  return out;
}

// Attributes that never become fields (XmlMixin.metadata_to_strip).
bool IsStrippedAttribute(std::string_view name) {
  static const std::set<std::string_view> kStripped = {
      "data_dir", "tabs",     "grading_policy", "discussion_blackouts", "course",       "org",
      "url_name", "filename", "xml_attributes", "x-is-pointer-node",    "xblock-family"};
  return kStripped.count(name) > 0;
}

// String fields keep their raw text unless it decodes to a string or null
// (xblock String.from_json rejects other JSON types).
bool IsStringField(std::string_view name) {
  static const std::set<std::string_view> kStrings = {
      "display_name", "format",     "showanswer", "rerandomize", "show_correctness",
      "course_image", "language",   "editor",     "sub",         "edx_video_id",
      "track",        "markdown",   "slug",       "name",        "source_library_id",
      "capa_type",    "start_time", "end_time",   "title",       "source_library_version"};
  return kStrings.count(name) > 0 || name.substr(0, 7) == "youtube" ||
         name.substr(0, 11) == "discussion_";
}

json DecodeAttribute(std::string_view name, const std::string& value) {
  StatusOr<json> parsed = ParseJson(value);
  if (!parsed.ok()) return value;
  if (IsStringField(name) && !parsed->is_null() && !parsed->is_string()) return value;
  return *std::move(parsed);
}

// Extracts <p:field xmlns:p="...xblock/option"> as (field, value).
std::pair<std::string, json> DecodeOptionElement(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::string field(name.substr(name.find(':') + 1));
  if (std::string_view(node.attribute("none").value()) == "true") return {field, nullptr};
  return {field, DecodeAttribute(field, node.child_value())};
}

// Types edx-platform loads through XmlMixin, whose pointer tags must have a
// definition file.
bool NeedsPointerFile(std::string_view type) {
  static const std::set<std::string_view> kTypes = {
      "html",  "problem",     "video",      "videoalpha", "discussion",
      "lti",   "annotatable", "word_cloud", "customtag",  "poll_question",
      "about", "static_tab",  "course_info"};
  return internal::IsContainerType(type) || kTypes.count(type) > 0;
}

class TreeBuilder {
 public:
  TreeBuilder(const FileSource& src, std::variant<keys::CourseKey, keys::LibraryLocator> context)
      : src_(src), context_(std::move(context)) {}

  StatusOr<XmlFile*> Parse(const std::string& path, std::string text) {
    auto file = std::make_unique<XmlFile>();
    file->path = path;
    file->text = std::move(text);
    auto result = file->doc.load_buffer(
        file->text.data(), file->text.size(),
        pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_comments, pugi::encoding_utf8);
    if (!result) {
      return InvalidArgumentError(path + ":" + std::to_string(LineOf(*file, result.offset)) +
                                  ": malformed XML: " + result.description());
    }
    if (!file->doc.document_element()) return InvalidArgumentError(path + ": no root element");
    files_.push_back(std::move(file));
    return files_.back().get();
  }

  StatusOr<XmlFile*> Load(const std::string& path, const std::string& referrer) {
    auto text = src_.Read(path);
    if (!text) return InvalidArgumentError(referrer + ": missing file " + path);
    return Parse(path, *std::move(text));
  }

  StatusOr<keys::UsageKey> LoadBlock(const pugi::xml_node& node, const XmlFile& file,
                                     const std::optional<keys::UsageKey>& parent, int depth,
                                     bool is_root);

  BlockTree& tree() { return tree_; }

 private:
  StatusOr<keys::UsageKey> MakeKey(const std::string& type, const std::string& id) {
    if (context_.index() == 0) return std::get<0>(context_).MakeUsageKey(type, id);
    return std::get<1>(context_).MakeUsageKey(type, id);
  }

  const FileSource& src_;
  std::variant<keys::CourseKey, keys::LibraryLocator> context_;
  std::vector<std::unique_ptr<XmlFile>> files_;
  std::set<std::string> loading_;  // pointer files on the current path (cycle guard)
  BlockTree tree_;
};

StatusOr<keys::UsageKey> TreeBuilder::LoadBlock(const pugi::xml_node& node, const XmlFile& file,
                                                const std::optional<keys::UsageKey>& parent,
                                                int depth, bool is_root) {
  const std::string type = node.name();
  if (depth > kMaxDepth) return InvalidArgumentError(Where(file, node) + ": nesting too deep");
  if (type.empty() || !keys::IsValidKeyField(type)) {
    return InvalidArgumentError(Where(file, node) + ": invalid block tag '" + type + "'");
  }
  pugi::xml_node def = node;
  const XmlFile* def_file = &file;
  std::string url_name = node.attribute("url_name").value();
  bool pointer = internal::IsPointerTag(node);
  std::string pointer_path;
  if (pointer) {
    if (!keys::IsValidBlockId(url_name)) {
      return InvalidArgumentError(Where(file, node) + ": invalid url_name '" + url_name + "'");
    }
    pointer_path = type + "/" + internal::NameToPath(url_name) + ".xml";
    if (!internal::IsSafeRelativePath(pointer_path)) {
      return InvalidArgumentError(Where(file, node) + ": unsafe url_name '" + url_name + "'");
    }
    if (loading_.count(pointer_path)) {
      return InvalidArgumentError(Where(file, node) + ": pointer cycle through " + pointer_path);
    }
    auto text = src_.Read(pointer_path);
    if (!text && !NeedsPointerFile(type)) {
      // XBlocks outside XmlMixin read a bare <tag url_name=.../> as their
      // whole (empty) definition when no file backs it.
      pointer = false;
    } else {
      if (!text) {
        return InvalidArgumentError(Where(file, node) + ": <" + type + " url_name=\"" + url_name +
                                    "\"/> points to missing file " + pointer_path);
      }
      LARCH_ASSIGN_OR_RETURN(XmlFile * loaded, Parse(pointer_path, *std::move(text)));
      def = loaded->doc.document_element();
      def_file = loaded;
    }
  } else if (url_name.empty()) {
    // make_name_unique's fallbacks for legacy inline blocks.
    if (auto slug = node.attribute("slug"); !slug.empty()) {
      url_name = slug.value();
    } else if (auto name = node.attribute("name"); !name.empty()) {
      url_name = CleanName(name.value());
    } else if (auto dn = node.attribute("display_name"); !dn.empty()) {
      url_name = CleanName(dn.value());
    }
    if (url_name.empty() || url_name == "_") {
      url_name = type + "_" + Sha1Prefix(internal::SerializeElement(node));
    }
  }
  if (!keys::IsValidBlockId(url_name)) {
    return InvalidArgumentError(Where(file, node) + ": invalid url_name '" + url_name + "'");
  }

  Block block;
  block.type = type;
  block.url_name = url_name;
  block.parent = parent;
  block.inline_definition = !pointer;
  block.source_file = def_file->path;
  std::string block_id = (is_root && context_.index() == 0) ? "course" : url_name;
  if (is_root && context_.index() == 1) block_id = "library";
  auto key = MakeKey(type, block_id);
  if (!key.ok()) return InvalidArgumentError(Where(file, node) + ": " + key.status().message());
  if (tree_.blocks.count(*key)) {
    // edx-platform renames a repeated url_name to {tag}_{url_name}_{sha1}.
    block.url_name = type + "_" + url_name + "_" + Sha1Prefix(internal::SerializeElement(def));
    key = MakeKey(type, block.url_name);
    if (!key.ok() || tree_.blocks.count(*key)) {
      return InvalidArgumentError(Where(file, node) + ": duplicate block " + type + "/" + url_name);
    }
  }
  block.key = *key;
  tree_.blocks.emplace(block.key, Block{});  // reserve: children see their parent's id taken

  // Legacy filename= on a non-html definition: the body lives in {tag}/F.xml
  // and the element's attributes override the file root's.
  pugi::xml_node body = def;
  const XmlFile* body_file = def_file;
  std::string legacy = def.attribute("filename").value();
  if (!legacy.empty() && type != "html") {
    std::string path = type + "/" + internal::NameToPath(legacy) + ".xml";
    if (type == "problem" && !src_.Read(path))
      path = "problems/" + internal::NameToPath(legacy) + ".xml";
    if (!internal::IsSafeRelativePath(path)) {
      return InvalidArgumentError(Where(*def_file, def) + ": unsafe filename '" + legacy + "'");
    }
    LARCH_ASSIGN_OR_RETURN(XmlFile * loaded,
                           Load(path, Where(*def_file, def) + ": filename points to"));
    body = loaded->doc.document_element();
    body_file = loaded;
    for (auto attr : body.attributes()) {
      if (std::string_view(attr.name()) != "url_name") {
        block.attributes.emplace_back(attr.name(), attr.value());
      }
    }
  }
  for (auto attr : def.attributes()) {
    std::string_view name = attr.name();
    if (name == "url_name") continue;
    auto it = std::find_if(block.attributes.begin(), block.attributes.end(),
                           [&](const auto& a) { return a.first == name; });
    if (it != block.attributes.end()) {
      it->second = attr.value();
    } else {
      block.attributes.emplace_back(attr.name(), attr.value());
    }
  }
  if (body != def) {
    std::erase_if(block.attributes, [](const auto& a) { return a.first == "filename"; });
  }
  for (const auto& [name, value] : block.attributes) {
    if (!IsStrippedAttribute(name)) block.fields[name] = DecodeAttribute(name, value);
  }

  if (internal::IsContainerType(type)) {
    if (pointer) loading_.insert(pointer_path);
    for (auto child : body.children()) {
      if (child.type() != pugi::node_element) continue;
      std::string_view tag = child.name();
      if (internal::IsOptionElement(child)) {
        auto [field, value] = DecodeOptionElement(child);
        block.fields[field] = std::move(value);
        block.xml += internal::SerializeElement(child);
        continue;
      }
      if (type == "course" && (tag == "wiki" || tag == "textbook")) {
        if (tag == "wiki") {
          block.fields["wiki_slug"] = child.attribute("slug").value();
        } else {
          if (!block.fields.contains("textbooks")) block.fields["textbooks"] = json::array();
          block.fields["textbooks"].push_back(
              json::array({child.attribute("title").value(), child.attribute("book_url").value()}));
        }
        block.xml += internal::SerializeElement(child);
        continue;
      }
      if (type == "conditional" && tag == "show") {
        block.xml += internal::SerializeElement(child);
        continue;
      }
      auto child_key = LoadBlock(child, *body_file, block.key, depth + 1, false);
      if (!child_key.ok()) return child_key.status();
      block.children.push_back(*std::move(child_key));
    }
    if (pointer) loading_.erase(pointer_path);
  } else if (type == "html") {
    std::string filename = def.attribute("filename").value();
    if (!filename.empty()) {
      std::string dir = "html/" + internal::NameToPath(url_name);
      dir = dir.substr(0, dir.rfind('/'));
      std::string path = dir + "/" + internal::NameToPath(filename);
      if (path.size() < 5 || path.compare(path.size() - 5, 5, ".html") != 0) path += ".html";
      auto text = internal::IsSafeRelativePath(path) ? src_.Read(path) : std::nullopt;
      if (!text) {
        return InvalidArgumentError(Where(*def_file, def) + ": html body file " + path +
                                    " is missing");
      }
      block.data = *std::move(text);
    } else {
      for (auto child : def.children()) {
        // An inline <![CDATA[...]]> body is the HTML itself.
        if (child.type() == pugi::node_cdata) {
          block.data += child.value();
          continue;
        }
        std::ostringstream out;
        child.print(out, "", pugi::format_raw);
        block.data += out.str();
      }
    }
  } else {
    // The definition as a single element: legacy filename= is resolved, so
    // the attributes are the merged ones and no longer name a file.
    pugi::xml_document copy;
    pugi::xml_node element = copy.append_copy(body);
    while (element.first_attribute()) element.remove_attribute(element.first_attribute());
    for (const auto& [name, value] : block.attributes) {
      element.append_attribute(name.c_str()) = value.c_str();
    }
    block.xml = internal::SerializeElement(element);
    // Their data field is the element itself (ProblemBlock, AnnotatableBlock).
    if (type == "problem" || type == "annotatable") {
      block.data = internal::SerializeElement(body, {}, true);
    }
  }
  static const std::set<std::string_view> kSupported = {
      "course",     "chapter",     "sequential",      "videosequence", "vertical",
      "split_test", "conditional", "library_content", "library",       "html",
      "problem",    "video",       "discussion"};
  block.supported = kSupported.count(type) > 0;
  keys::UsageKey result = block.key;
  tree_.blocks[result] = std::move(block);
  return result;
}

void ApplyPolicyAndInheritance(BlockTree& tree, const json& policy) {
  if (policy.is_object()) {
    for (auto& [key, block] : tree.blocks) {
      auto it = policy.find(block.type + "/" + block.url_name);
      if (it == policy.end() || !it->is_object()) continue;
      for (const auto& [name, value] : it->items()) block.fields[name] = value;
    }
  }
  const json& defaults = InheritableFieldDefaults();
  std::vector<std::pair<keys::UsageKey, const json*>> stack{{tree.root, &defaults}};
  while (!stack.empty()) {
    auto [key, from_parent] = stack.back();
    stack.pop_back();
    Block& block = tree.blocks.at(key);
    block.inherited = *from_parent;
    for (const auto& [name, value] : defaults.items()) {
      if (auto it = block.fields.find(name); it != block.fields.end()) {
        block.inherited[name] = *it;
      }
    }
    for (auto it = block.children.rbegin(); it != block.children.rend(); ++it) {
      stack.emplace_back(*it, &block.inherited);
    }
  }
}

StatusOr<json> ReadJsonFile(const FileSource& src, const std::string& path) {
  auto text = src.Read(path);
  if (!text) return json();
  StatusOr<json> value = ParseJson(*text);
  if (!value.ok()) {
    bool deep = value.status().error_code() == "json_too_deep";
    return InvalidArgumentError(path + (deep ? ": JSON nested too deeply" : ": malformed JSON"));
  }
  return value;
}

StatusOr<Course> ReadCourseFrom(const FileSource& src) {
  Course course;
  auto root_text = src.Read("course.xml");
  if (!root_text) return InvalidArgumentError("course.xml is missing");
  TreeBuilder bootstrap(src, keys::CourseKey{});
  LARCH_ASSIGN_OR_RETURN(XmlFile * root_file, bootstrap.Parse("course.xml", *std::move(root_text)));
  pugi::xml_node root = root_file->doc.document_element();
  if (std::string_view(root.name()) != "course") {
    return InvalidArgumentError("course.xml:1: root element is <" + std::string(root.name()) +
                                ">, expected <course>");
  }
  std::string org = root.attribute("org").empty() ? "edx" : root.attribute("org").value();
  std::string number = root.attribute("course").value();
  std::string run = root.attribute("url_name").empty() ? root.attribute("slug").value()
                                                       : root.attribute("url_name").value();
  if (number.empty()) return InvalidArgumentError("course.xml: missing course attribute");
  if (run.empty()) return InvalidArgumentError("course.xml: missing url_name");
  auto key = keys::CourseKey::Make(org, number, run);
  if (!key.ok()) return InvalidArgumentError("course.xml: " + key.status().message());
  course.key = *key;

  LARCH_ASSIGN_OR_RETURN(json policy, ReadJsonFile(src, "policies/" + run + "/policy.json"));
  if (policy.is_null() || policy.empty()) {
    LARCH_ASSIGN_OR_RETURN(json legacy, ReadJsonFile(src, "policies/" + run + ".json"));
    if (!legacy.is_null()) policy = std::move(legacy);
  }
  if (policy.is_null()) policy = json::object();
  if (!policy.is_object()) return InvalidArgumentError("policy.json: not a JSON object");
  course.policy = std::move(policy);

  TreeBuilder builder(src, course.key);
  LARCH_ASSIGN_OR_RETURN(XmlFile * file, builder.Parse("course.xml", root_file->text));
  LARCH_ASSIGN_OR_RETURN(keys::UsageKey root_key,
                         builder.LoadBlock(file->doc.document_element(), *file, std::nullopt, 0,
                                           /*is_root=*/true));
  course.tree = std::move(builder.tree());
  course.tree.root = root_key;
  ApplyPolicyAndInheritance(course.tree, course.policy);

  LARCH_ASSIGN_OR_RETURN(course.grading_policy,
                         ReadJsonFile(src, "policies/" + run + "/grading_policy.json"));
  if (course.grading_policy.is_null()) {
    LARCH_ASSIGN_OR_RETURN(course.grading_policy, ReadJsonFile(src, "grading_policy.json"));
  }
  for (const std::string& dir : {std::string("about"), "about/" + run}) {
    for (const auto& name : src.List(dir)) {
      if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".html") != 0) continue;
      std::string file = dir;
      file += "/";
      file += name;
      course.about[name.substr(0, name.size() - 5)] = src.Read(file).value_or("");
    }
  }
  for (const auto& name : src.List("info")) {
    course.info[name] = src.Read("info/" + name).value_or("");
  }
  const json& tabs = course.tree.root_block().fields.value("tabs", json::array());
  for (const auto& name : src.List("tabs")) {
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".html") != 0) continue;
    StaticTab tab;
    tab.url_slug = name.substr(0, name.size() - 5);
    tab.name = tab.url_slug;
    tab.html = src.Read("tabs/" + name).value_or("");
    if (tabs.is_array()) {
      for (const auto& entry : tabs) {
        if (entry.is_object() && entry.value("type", "") == "static_tab" &&
            entry.value("url_slug", "") == tab.url_slug && entry.contains("name") &&
            entry["name"].is_string()) {
          tab.name = entry["name"].get<std::string>();
        }
      }
    }
    course.static_tabs.push_back(std::move(tab));
  }
  course.assets_json = src.Read("policies/assets.json").value_or("");
  course.static_files = src.ListStatic();
  return course;
}

StatusOr<Library> ReadLibraryFrom(const FileSource& src) {
  auto text = src.Read("library.xml");
  if (!text) return InvalidArgumentError("library.xml is missing");
  TreeBuilder bootstrap(src, keys::LibraryLocator{});
  LARCH_ASSIGN_OR_RETURN(XmlFile * file, bootstrap.Parse("library.xml", *text));
  pugi::xml_node root = file->doc.document_element();
  if (std::string_view(root.name()) != "library") {
    return InvalidArgumentError("library.xml:1: root element is not <library>");
  }
  auto key = keys::LibraryLocator::Make(
      root.attribute("org").empty() ? "edx" : root.attribute("org").value(),
      root.attribute("library").value());
  if (!key.ok()) return InvalidArgumentError("library.xml: " + key.status().message());
  Library library;
  library.key = *key;
  TreeBuilder builder(src, library.key);
  LARCH_ASSIGN_OR_RETURN(XmlFile * lib_file, builder.Parse("library.xml", *std::move(text)));
  LARCH_ASSIGN_OR_RETURN(library.tree.root,
                         builder.LoadBlock(lib_file->doc.document_element(), *lib_file,
                                           std::nullopt, 0, /*is_root=*/true));
  keys::UsageKey root_key = library.tree.root;
  library.tree = std::move(builder.tree());
  library.tree.root = root_key;
  ApplyPolicyAndInheritance(library.tree, json::object());
  return library;
}

// Resolves `path` to a directory holding `marker`, extracting archives into
// a scratch directory first.
StatusOr<std::pair<fs::path, std::shared_ptr<internal::ScratchDir>>> Locate(
    const fs::path& path, std::string_view marker, const ReadOptions& options) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFoundError(path.string() + " does not exist");
  std::shared_ptr<internal::ScratchDir> scratch;
  fs::path dir = path;
  if (!fs::is_directory(path, ec)) {
    LARCH_ASSIGN_OR_RETURN(scratch, internal::ScratchDir::Create());
    LARCH_RETURN_IF_ERROR(internal::ExtractArchive(path, scratch->path(), options));
    dir = scratch->path();
  }
  auto root = internal::FindRootWith(dir, marker);
  if (!root) {
    return InvalidArgumentError(path.string() + ": no " + std::string(marker) + " found");
  }
  return std::make_pair(*root, scratch);
}

}  // namespace

const Block* BlockTree::Find(const keys::UsageKey& key) const {
  auto it = blocks.find(key);
  return it == blocks.end() ? nullptr : &it->second;
}

size_t BlockTree::CountType(std::string_view type) const {
  return std::count_if(blocks.begin(), blocks.end(),
                       [&](const auto& entry) { return entry.second.type == type; });
}

std::vector<keys::UsageKey> BlockTree::PreOrder() const {
  std::vector<keys::UsageKey> out;
  if (!Find(root)) return out;
  std::vector<const keys::UsageKey*> stack{&root};
  while (!stack.empty()) {
    const keys::UsageKey* key = stack.back();
    stack.pop_back();
    out.push_back(*key);
    const Block& block = blocks.at(*key);
    for (auto it = block.children.rbegin(); it != block.children.rend(); ++it) {
      stack.push_back(&*it);
    }
  }
  return out;
}

std::vector<keys::LibraryLocator> Course::ReferencedLibraries() const {
  std::set<keys::LibraryLocator> found;
  for (const auto& [key, block] : tree.blocks) {
    if (block.type != "library_content") continue;
    auto it = block.fields.find("source_library_id");
    if (it == block.fields.end() || !it->is_string()) continue;
    auto lib = keys::LibraryLocator::Parse(it->get<std::string>());
    if (lib.ok()) found.insert(*lib);
  }
  return {found.begin(), found.end()};
}

const json& InheritableFieldDefaults() {
  static const json kDefaults = {
      {"graded", false},
      {"start", "2030-01-01T00:00:00+00:00"},
      {"due", nullptr},
      {"relative_weeks_due", nullptr},
      {"visible_to_staff_only", false},
      {"graceperiod", nullptr},
      {"group_access", json::object()},
      {"showanswer", "finished"},
      {"show_correctness", "always"},
      {"rerandomize", "never"},
      {"days_early_for_beta", nullptr},
      {"static_asset_path", ""},
      {"use_latex_compiler", false},
      {"max_attempts", nullptr},
      {"user_partitions", json::array()},
      {"video_speed_optimizations", true},
      {"video_auto_advance", false},
      {"video_bumper", json::object()},
      {"show_reset_button", false},
      {"edxnotes", false},
      {"in_entrance_exam", false},
      {"self_paced", false},
      {"hide_from_toc", false},
  };
  return kDefaults;
}

StatusOr<json> InheritedFields(const BlockTree& tree, const keys::UsageKey& key) {
  const Block* block = tree.Find(key);
  if (!block) return NotFoundError("no block " + key.ToString());
  return block->inherited;
}

json EffectiveGradingPolicy(const Course& course) {
  json policy = {
      {"GRADER",
       json::array({{{"type", "Homework"},
                     {"short_label", "HW"},
                     {"min_count", 12},
                     {"drop_count", 2},
                     {"weight", 0.15}},
                    {{"type", "Lab"}, {"min_count", 12}, {"drop_count", 2}, {"weight", 0.15}},
                    {{"type", "Midterm Exam"},
                     {"short_label", "Midterm"},
                     {"min_count", 1},
                     {"drop_count", 0},
                     {"weight", 0.3}},
                    {{"type", "Final Exam"},
                     {"short_label", "Final"},
                     {"min_count", 1},
                     {"drop_count", 0},
                     {"weight", 0.4}}})},
      {"GRADE_CUTOFFS", {{"Pass", 0.5}}}};
  if (course.grading_policy.is_object()) {
    for (const auto& [name, value] : course.grading_policy.items()) policy[name] = value;
  }
  return policy;
}

StatusOr<Course> ReadCourse(const fs::path& path, const ReadOptions& options) {
  LARCH_ASSIGN_OR_RETURN(auto located, Locate(path, "course.xml", options));
  DirSource src(located.first);
  LARCH_ASSIGN_OR_RETURN(Course course, ReadCourseFrom(src));
  std::error_code ec;
  if (fs::is_directory(located.first / "static", ec)) course.static_dir = located.first / "static";
  course.scratch = located.second;
  return course;
}

StatusOr<Library> ReadLibrary(const fs::path& path, const ReadOptions& options) {
  LARCH_ASSIGN_OR_RETURN(auto located, Locate(path, "library.xml", options));
  DirSource src(located.first);
  return ReadLibraryFrom(src);
}

StatusOr<Course> ReadCourseFromFiles(const std::map<std::string, std::string>& files) {
  MapSource src(files);
  return ReadCourseFrom(src);
}

}  // namespace larch::olx
