#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "internal.h"
#include "larch/olx/olx.h"

namespace larch::olx {
namespace {

namespace fs = std::filesystem;

Status WriteText(const fs::path& root, const std::string& rel, std::string_view text) {
  if (!internal::IsSafeRelativePath(rel)) {
    return InvalidArgumentError("unsafe export path " + rel);
  }
  fs::path path = root / rel;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return InternalError("cannot create " + path.parent_path().string() + ": " + ec.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) return InternalError("cannot write " + path.string());
  return OkStatus();
}

std::string Print(const pugi::xml_node& node) {
  std::ostringstream out;
  node.print(out, "", pugi::format_raw);
  return std::move(out).str();
}

class Writer {
 public:
  Writer(const BlockTree& tree, fs::path root) : tree_(tree), root_(std::move(root)) {}

  // Writes the definition of `block` to its pointer file {type}/{path}.xml.
  Status WritePointerFile(const Block& block) {
    pugi::xml_document doc;
    LARCH_RETURN_IF_ERROR(BuildDefinition(block, doc));
    return WriteText(root_, block.type + "/" + internal::NameToPath(block.url_name) + ".xml",
                     Print(doc.document_element()));
  }

 private:
  Status AppendXml(pugi::xml_node parent, const std::string& text, const Block& block) {
    if (text.empty()) return OkStatus();
    pugi::xml_document fragment;
    if (!fragment.load_buffer(text.data(), text.size(),
                              pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_comments |
                                  pugi::parse_fragment)) {
      return InternalError("stored XML of " + block.key.ToString() + " does not parse");
    }
    for (auto child : fragment.children()) parent.append_copy(child);
    return OkStatus();
  }

  // Builds the element that defines `block` (its file content) into `doc`.
  Status BuildDefinition(const Block& block, pugi::xml_document& doc) {
    if (internal::IsContainerType(block.type)) {
      pugi::xml_node element = doc.append_child(block.type.c_str());
      for (const auto& [name, value] : block.attributes) {
        element.append_attribute(name.c_str()) = value.c_str();
      }
      for (const auto& child_key : block.children) {
        const Block* child = tree_.Find(child_key);
        if (!child) return InternalError("missing child " + child_key.ToString());
        LARCH_RETURN_IF_ERROR(WriteChild(*child, element));
      }
      return AppendXml(element, block.xml, block);
    }
    if (block.type == "html") {
      std::string path = internal::NameToPath(block.url_name);
      std::string base = path.substr(path.rfind('/') + 1);
      pugi::xml_node element = doc.append_child("html");
      element.append_attribute("filename") = base.c_str();
      for (const auto& [name, value] : block.attributes) {
        if (name != "filename") element.append_attribute(name.c_str()) = value.c_str();
      }
      return WriteText(root_, "html/" + path + ".html", block.data);
    }
    // The document is the parent node here; nothing of it is copied.
    LARCH_RETURN_IF_ERROR(AppendXml(doc, block.xml, block));  // NOLINT(cppcoreguidelines-slicing)
    if (!doc.document_element()) return InternalError("empty XML for " + block.key.ToString());
    return OkStatus();
  }

  Status WriteChild(const Block& child, pugi::xml_node parent) {
    bool leaf = !internal::IsContainerType(child.type) && child.type != "html";
    if (leaf && child.inline_definition) {
      pugi::xml_document doc;
      LARCH_RETURN_IF_ERROR(BuildDefinition(child, doc));
      pugi::xml_node element = doc.document_element();
      element.remove_attribute("url_name");
      element.prepend_attribute("url_name") = child.url_name.c_str();
      // Written inline only if a reader would not take it for a pointer.
      if (!internal::IsPointerTag(element)) {
        parent.append_copy(element);
        return OkStatus();
      }
    }
    parent.append_child(child.type.c_str()).append_attribute("url_name") = child.url_name.c_str();
    return WritePointerFile(child);
  }

  const BlockTree& tree_;
  fs::path root_;
};

}  // namespace

Status WriteCourse(const Course& course, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InternalError("cannot create " + dir.string() + ": " + ec.message());
  const Block* root = course.tree.Find(course.tree.root);
  if (!root) return InvalidArgumentError("course has no root block");
  const std::string& run = root->url_name;

  pugi::xml_document pointer;
  pugi::xml_node element = pointer.append_child("course");
  element.append_attribute("url_name") = run.c_str();
  element.append_attribute("org") = course.key.org.c_str();
  element.append_attribute("course") = course.key.course.c_str();
  LARCH_RETURN_IF_ERROR(WriteText(dir, "course.xml", Print(element)));

  Writer writer(course.tree, dir);
  LARCH_RETURN_IF_ERROR(writer.WritePointerFile(*root));

  LARCH_RETURN_IF_ERROR(WriteText(dir, "policies/" + run + "/policy.json", course.policy.dump(4)));
  if (!course.grading_policy.is_null()) {
    LARCH_RETURN_IF_ERROR(
        WriteText(dir, "policies/" + run + "/grading_policy.json", course.grading_policy.dump(4)));
  }
  if (!course.assets_json.empty()) {
    LARCH_RETURN_IF_ERROR(WriteText(dir, "policies/assets.json", course.assets_json));
  }
  for (const auto& [name, text] : course.about) {
    LARCH_RETURN_IF_ERROR(WriteText(dir, "about/" + name + ".html", text));
  }
  for (const auto& [name, text] : course.info) {
    LARCH_RETURN_IF_ERROR(WriteText(dir, "info/" + name, text));
  }
  for (const auto& tab : course.static_tabs) {
    LARCH_RETURN_IF_ERROR(WriteText(dir, "tabs/" + tab.url_slug + ".html", tab.html));
  }
  for (const auto& file : course.static_files) {
    if (course.static_dir.empty()) break;
    if (!internal::IsSafeRelativePath(file.path)) {
      return InvalidArgumentError("unsafe static path " + file.path);
    }
    fs::path to = dir / "static" / file.path;
    fs::create_directories(to.parent_path(), ec);
    fs::copy_file(course.static_dir / file.path, to, fs::copy_options::overwrite_existing, ec);
    if (ec) return InternalError("cannot copy static/" + file.path + ": " + ec.message());
  }
  return OkStatus();
}

}  // namespace larch::olx
