// Feeds arbitrary bytes, as a course's annotatable body, to the unit page's
// annotatable renderer, and as the settings of a word cloud (JSON fields).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "larch/builtin_blocks/builtin_blocks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)larch::builtin_blocks::AnnotatableHtml(text);
  larch::courses::CatalogBlock block;
  block.type = "word_cloud";
  nlohmann::json fields = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (fields.is_object()) block.fields = fields;
  (void)larch::builtin_blocks::BuiltinBlockService::WordCloudSettings(block);
  return 0;
}
