#include "larch/api/certificate_templates.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "larch/common/clock.h"
#include "spdlog/spdlog.h"

namespace larch::api {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultScope[] = "default";

std::string TemplateName(std::string_view scope, std::string_view mode, std::string_view lang) {
  std::string name(scope);
  name += "/certificate";
  if (!mode.empty()) {
    name += '.';
    name += mode;
  }
  if (!lang.empty()) {
    name += '.';
    name += lang;
  }
  return name + ".html";
}

// "Unclosed section "x" at 123" -> "line 5: Unclosed section "x"".
std::string WithLine(const std::string& text, const std::string& message) {
  size_t at = message.rfind(" at ");
  if (at == std::string::npos) return "line 1: " + message;
  size_t offset = std::strtoull(message.c_str() + at + 4, nullptr, 10);
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return "line " + std::to_string(line) + ": " + message.substr(0, at);
}

bool ReadText(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return !in.bad();
}

}  // namespace

std::string CertificateTemplates::Check(const std::string& text) {
  kainjow::mustache::mustache parsed(text);
  if (parsed.is_valid()) return "";
  return WithLine(text, parsed.error_message());
}

std::unique_ptr<CertificateTemplates> CertificateTemplates::Load(
    std::string dir, std::vector<std::string>* problems) {
  std::unique_ptr<CertificateTemplates> templates(new CertificateTemplates(std::move(dir)));
  auto table = std::make_shared<Table>();
  (*table)[TemplateName(kDefaultScope, "", "")] =
      std::make_shared<const std::string>(BuiltinCertificateTemplate("en"));
  (*table)[TemplateName(kDefaultScope, "", "es")] =
      std::make_shared<const std::string>(BuiltinCertificateTemplate("es"));
  templates->table_ = std::move(table);
  for (std::string& problem : templates->Reload()) problems->push_back(std::move(problem));
  return templates;
}

std::string CertificateTemplates::Fingerprint() const {
  std::string out;
  std::error_code ec;
  if (dir_.empty() || !fs::is_directory(dir_, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    out += it->path().string();
    out += ':';
    out += std::to_string(it->file_size(ec));
    out += ':';
    out += std::to_string(it->last_write_time(ec).time_since_epoch().count());
    out += '\n';
  }
  return out;
}

void CertificateTemplates::MaybeReload() {
  const int64_t now = SystemClock::Default()->MonotonicMicros();
  int64_t due = next_check_.load(std::memory_order_relaxed);
  if (now < due || !next_check_.compare_exchange_strong(due, now + kRecheckMicros)) return;
  std::string current = Fingerprint();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current == fingerprint_) return;
  }
  Reload();
}

std::vector<std::string> CertificateTemplates::Reload() {
  std::vector<std::string> problems;
  std::string fingerprint = Fingerprint();
  auto next = std::make_shared<Table>(*Snapshot());
  std::error_code ec;
  if (!dir_.empty() && fs::is_directory(dir_, ec)) {
    for (auto it = fs::recursive_directory_iterator(dir_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->path().extension() != ".html") continue;
      const std::string relative = fs::relative(it->path(), dir_, ec).generic_string();
      if (relative.find("certificate") == std::string::npos) continue;
      std::string text;
      if (!ReadText(it->path(), &text)) {
        problems.push_back(it->path().string() + ":1: cannot read the file");
        continue;
      }
      std::string error = Check(text);
      if (!error.empty()) {
        // "line N: reason" -> "<path>:N: reason"
        problems.push_back(it->path().string() + ":" + error.substr(5));
        continue;
      }
      (*next)[relative] = std::make_shared<const std::string>(std::move(text));
    }
  }
  for (const std::string& problem : problems) spdlog::error("certificate template {}", problem);
  std::lock_guard<std::mutex> lock(mu_);
  table_ = std::move(next);
  fingerprint_ = std::move(fingerprint);
  return problems;
}

std::shared_ptr<const CertificateTemplates::Table> CertificateTemplates::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return table_;
}

std::string CertificateTemplates::Select(const TemplateChoice& choice) const {
  std::shared_ptr<const Table> table = Snapshot();
  std::vector<std::string> scopes;
  if (!choice.course_key.empty()) scopes.push_back("course/" + choice.course_key);
  if (!choice.org.empty()) scopes.push_back("org/" + choice.org);
  scopes.push_back(kDefaultScope);
  for (const std::string& scope : scopes) {
    for (std::string_view mode : {std::string_view(choice.mode), std::string_view()}) {
      for (std::string_view lang : {std::string_view(choice.language), std::string_view()}) {
        std::string name = TemplateName(scope, mode, lang);
        if (table->count(name) > 0) return name;
      }
    }
  }
  return TemplateName(kDefaultScope, "", "");
}

StatusOr<std::string> CertificateTemplates::Render(const TemplateChoice& choice,
                                                   const kainjow::mustache::data& data) {
  MaybeReload();
  std::shared_ptr<const Table> table = Snapshot();
  auto it = table->find(Select(choice));
  if (it == table->end()) return InternalError("no certificate template");
  // Parsed once per thread and template version: a mustache object is not
  // safe to render from two threads, and parsing costs more than rendering.
  // The cache holds the text, so a replaced version cannot be mistaken for
  // the one at its old address.
  struct Parsed {
    std::shared_ptr<const std::string> text;
    std::unique_ptr<kainjow::mustache::mustache> tmpl;
  };
  thread_local std::map<std::string, Parsed> cache;
  Parsed& slot = cache[it->first];
  if (slot.text != it->second) {
    slot.text = it->second;
    slot.tmpl = std::make_unique<kainjow::mustache::mustache>(*it->second);
  }
  std::string html = slot.tmpl->render(data);
  if (!slot.tmpl->is_valid()) {
    std::string error = slot.tmpl->error_message();
    slot.text.reset();  // parse afresh next time: the error state sticks
    return InternalError("certificate template " + it->first + ": " + error);
  }
  return html;
}

}  // namespace larch::api
