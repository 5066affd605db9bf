// CourseCatalog: summaries through CourseStore and the per-version LRU of
// parsed block trees.
#include "larch/courses/course_catalog.h"

#include <algorithm>
#include <utility>

#include "larch/common/clock.h"
#include "larch/common/strings.h"
#include "larch/keys/keys.h"

namespace larch::courses {
namespace {

// OLX values arrive as JSON values or as the raw attribute strings.
bool JsonTruthy(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string()) {
    std::string s = AsciiLower(value.get_ref<const std::string&>());
    return s == "true" || s == "1";
  }
  return false;
}

std::optional<int64_t> JsonTime(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  StatusOr<int64_t> parsed = ParseIso8601(value.get<std::string>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

const nlohmann::json* Setting(const CatalogBlock& block, const char* name) {
  auto it = block.inherited.find(name);
  if (it != block.inherited.end() && !it->is_null()) return &*it;
  it = block.fields.find(name);
  if (it != block.fields.end() && !it->is_null()) return &*it;
  return nullptr;
}

// What the access rules and the Blocks API writer read, computed once.
void DeriveFields(CatalogBlock& block, const StatusOr<keys::CourseKey>& parsed_key) {
  auto name = block.fields.find("display_name");
  if (name != block.fields.end() && name->is_string())
    block.display_name = name->get<std::string>();
  if (const nlohmann::json* start = Setting(block, "start")) block.start = JsonTime(*start);
  if (const nlohmann::json* staff_only = Setting(block, "visible_to_staff_only")) {
    block.visible_to_staff_only = JsonTruthy(*staff_only);
  }
  if (const nlohmann::json* days = Setting(block, "days_early_for_beta")) {
    if (days->is_number()) block.days_early_for_beta = static_cast<int64_t>(days->get<double>());
  }
  if (auto hide = block.fields.find("hide_from_toc"); hide != block.fields.end()) {
    block.hide_from_toc = JsonTruthy(*hide);
  }
  if (block.type == "html") {
    block.student_view_html =
        parsed_key.ok() ? RewriteStaticUrls(block.data, *parsed_key) : block.data;
  }
  block.json_usage_key = JsonQuote(block.usage_key);
  block.url_usage_key = block.json_usage_key.substr(1, block.json_usage_key.size() - 2);
  block.json_block_id = JsonQuote(block.block_id);
  block.json_type = JsonQuote(block.type);
  block.json_display_name = JsonQuote(block.display_name);
  if (auto graded = block.fields.find("graded"); graded != block.fields.end()) {
    block.graded = graded->is_boolean()  ? graded->get<bool>()
                   : graded->is_string() ? graded->get<std::string>() == "true"
                                         : false;
  }
  if (auto format = block.fields.find("format");
      format != block.fields.end() && !format->is_null()) {
    block.json_format = format->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

}  // namespace

std::string JsonQuote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int CourseTree::Find(std::string_view usage_key) const {
  auto it = index.find(std::string(usage_key));
  return it == index.end() ? -1 : it->second;
}

CourseCatalog::CourseCatalog(storage::Database& db, size_t tree_cache_capacity)
    : db_(db), capacity_(std::max<size_t>(1, tree_cache_capacity)) {}

StatusOr<std::vector<CourseSummary>> CourseCatalog::ListCourses() {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [](storage::Transaction& txn) {
    return CourseStore::ListSummaries(txn);
  });
}

StatusOr<CourseSummary> CourseCatalog::GetCourse(std::string_view course_key) {
  return storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    return CourseStore::GetSummary(txn, course_key);
  });
}

StatusOr<std::shared_ptr<const CourseTree>> CourseCatalog::GetTree(std::string_view course_key) {
  std::string key(course_key);
  LARCH_ASSIGN_OR_RETURN(
      int64_t version,
      storage::RunWithResult(db_, storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
        return CourseStore::GetVersionByText(txn, key);
      }));
  return GetTreeAtVersion(key, version);
}

StatusOr<std::shared_ptr<const CourseTree>> CourseCatalog::GetTreeAtVersion(
    std::string_view course_key, int64_t version) {
  std::string key(course_key);
  {
    MutexLock lock(mu_);
    auto it = by_key_.find(key);
    if (it != by_key_.end() && (*it->second)->version == version) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return *it->second;
    }
  }
  LARCH_ASSIGN_OR_RETURN(std::shared_ptr<const CourseTree> tree, LoadTree(key));
  MutexLock lock(mu_);
  ++loads_;
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    // Two loaders may race; keep the newer version.
    if ((*it->second)->version > tree->version) return tree;
    lru_.erase(it->second);
    by_key_.erase(it);
  }
  lru_.push_front(tree);
  by_key_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    by_key_.erase(lru_.back()->course_key);
    lru_.pop_back();
  }
  return tree;
}

int64_t CourseCatalog::tree_loads_for_test() const {
  MutexLock lock(mu_);
  return loads_;
}

StatusOr<std::shared_ptr<const CourseTree>> CourseCatalog::LoadTree(std::string_view course_key) {
  std::string key(course_key);
  auto tree = std::make_shared<CourseTree>();
  tree->course_key = key;
  std::vector<std::string> parents;
  StatusOr<keys::CourseKey> parsed_key = keys::CourseKey::Parse(key);
  Status status = db_.RunInTransaction(storage::TxnMode::kReadOnly, [&](storage::Transaction& txn) {
    tree->blocks.clear();
    tree->index.clear();
    parents.clear();
    LARCH_ASSIGN_OR_RETURN(tree->version, CourseStore::GetVersionByText(txn, key));
    LARCH_ASSIGN_OR_RETURN(std::vector<CatalogBlockRow> rows,
                           CourseStore::ListCatalogBlocks(txn, key));
    tree->blocks.reserve(rows.size());
    for (CatalogBlockRow& row : rows) {
      CatalogBlock block;
      block.usage_key = std::move(row.usage_key);
      block.type = std::move(row.type);
      block.block_id = std::move(row.block_id);
      parents.push_back(std::move(row.parent_key));
      block.fields = std::move(row.fields);
      block.inherited = std::move(row.inherited);
      block.data = std::move(row.data);
      tree->index.emplace(block.usage_key, static_cast<int>(tree->blocks.size()));
      tree->blocks.push_back(std::move(block));
    }
    tree->handouts_html.reset();
    if (!parsed_key.ok()) return OkStatus();
    LARCH_ASSIGN_OR_RETURN(std::vector<CourseText> infos,
                           CourseStore::ListTexts(txn, *parsed_key, "info"));
    for (CourseText& text : infos) {
      if (text.name == "handouts.html") tree->handouts_html = std::move(text.content);
    }
    return OkStatus();
  });
  if (!status.ok()) return status;
  tree->url_course_key = JsonQuote(key);
  tree->url_course_key = tree->url_course_key.substr(1, tree->url_course_key.size() - 2);
  if (tree->handouts_html && parsed_key.ok()) {
    tree->handouts_html = RewriteStaticUrls(*tree->handouts_html, *parsed_key);
  }
  // Rows come ordered by position, so appending keeps each parent's children
  // in order.
  for (size_t i = 0; i < tree->blocks.size(); ++i) {
    CatalogBlock& block = tree->blocks[i];
    DeriveFields(block, parsed_key);
    auto parent = parents[i].empty() ? tree->index.end() : tree->index.find(parents[i]);
    if (parent == tree->index.end()) {
      if (block.type == "course" || tree->root < 0) tree->root = static_cast<int>(i);
      continue;
    }
    block.parent = parent->second;
    tree->blocks[parent->second].children.push_back(static_cast<int>(i));
  }
  return std::shared_ptr<const CourseTree>(std::move(tree));
}

}  // namespace larch::courses
