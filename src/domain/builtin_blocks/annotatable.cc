// annotatable's body (xmodule/annotatable_block.py _render_content): the
// root element becomes <div class="annotatable-content">, each <annotation>
// a highlighted span with its comment, <instructions> is dropped from the
// body (the page shows it apart in upstream; here it is left out).
#include <sstream>
#include <string>

#include <pugixml.hpp>

#include "larch/builtin_blocks/builtin_blocks.h"
#include "larch/common/html.h"
#include "larch/common/strings.h"

namespace larch::builtin_blocks {
namespace {

std::string Escape(std::string_view text) { return HtmlEscaped(text); }

bool Unsafe(const pugi::xml_node& node) {
  std::string name = AsciiLower(node.name());
  return name == "script" || name == "iframe" || name == "object" || name == "embed" ||
         name == "style" || name == "instructions";
}

// The known highlight colours; anything else is yellow (upstream's default).
std::string Highlight(std::string_view color) {
  for (const char* known : {"yellow", "orange", "purple", "blue", "green"}) {
    if (color == known) return known;
  }
  return "yellow";
}

class Writer {
 public:
  std::string Render(const pugi::xml_node& root) {
    out_ += "<div class=\"annotatable-content\">";
    for (pugi::xml_node child : root.children()) Node(child);
    out_ += "</div>";
    return out_;
  }

 private:
  void Node(const pugi::xml_node& node) {
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
      out_ += Escape(node.value());
      return;
    }
    if (node.type() != pugi::node_element || Unsafe(node)) return;
    std::string name = node.name();
    if (name == "annotation") {
      Annotation(node);
      return;
    }
    out_ += "<" + Escape(name);
    for (pugi::xml_attribute attr : node.attributes()) {
      std::string attr_name = AsciiLower(attr.name());
      std::string value = AsciiLower(attr.value());
      if (attr_name.rfind("on", 0) == 0) continue;
      if (value.find("javascript:") != std::string::npos) continue;
      out_ += " " + Escape(attr.name()) + "=\"" + Escape(attr.value()) + "\"";
    }
    static const char* kVoid[] = {"br", "hr", "img", "wbr", "input"};
    for (const char* v : kVoid) {
      if (name == v) {
        out_ += ">";
        return;
      }
    }
    out_ += ">";
    for (pugi::xml_node child : node.children()) Node(child);
    out_ += "</" + Escape(name) + ">";
  }

  void Annotation(const pugi::xml_node& node) {
    std::string id = "annotation-" + std::to_string(++count_);
    out_ += "<mark class=\"annotatable-span highlight-" +
            Highlight(node.attribute("highlight").value()) +
            "\" tabindex=\"0\" aria-describedby=\"" + id + "\">";
    for (pugi::xml_node child : node.children()) Node(child);
    out_ += "</mark><span class=\"annotation-note\" role=\"note\" id=\"" + id + "\">";
    std::string title = node.attribute("title").value();
    if (!title.empty()) out_ += "<strong>" + Escape(title) + "</strong> ";
    out_ += Escape(node.attribute("body").value()) + "</span>";
  }

  std::string out_;
  int count_ = 0;
};

}  // namespace

std::string AnnotatableHtml(std::string_view data) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(data.data(), data.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  if (!parsed || !doc.document_element()) {
    return "<div class=\"annotatable-content\"><p>" + Escape(data) + "</p></div>";
  }
  Writer writer;
  return writer.Render(doc.document_element());
}

}  // namespace larch::builtin_blocks
