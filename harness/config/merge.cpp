// Composition: later layers win key by key. When a layer changes the dataset or method name,
// the keys already set for the previous component are tagged, so that resolve() can say that a
// key the new component lacks was meant for the old one (strict: nothing is dropped silently).
#include "harness/config/spec_internal.h"

namespace sdebench::spec_detail {
namespace {

const std::string* name_of(const RawSection& section) {
  auto it = section.find("name");
  if (it == section.end() || !it->second.value) return nullptr;
  return std::get_if<std::string>(&*it->second.value);
}

void tag_keys_of_renamed_component(RawSection& base, const RawSection& layer) {
  const std::string* old_name = name_of(base);
  const std::string* new_name = name_of(layer);
  if (!old_name || !new_name || *old_name == *new_name) return;
  const RawValue& renamer = layer.at("name");
  for (auto& [key, value] : base) {
    if (key == "name" || layer.count(key) || !value.set_for.empty()) continue;
    value.set_for = *old_name;
    value.renamed_to = *new_name;
    value.renamed_at = renamer.value_at;
  }
}

void merge_section(RawSection& base, const RawSection& layer, bool has_component) {
  if (has_component) tag_keys_of_renamed_component(base, layer);
  for (const auto& [key, value] : layer) base[key] = value;
}

}  // namespace

void merge_into(RawSpec& base, const RawSpec& layer) {
  merge_section(base.top, layer.top, false);
  for (const auto& [name, section] : layer.sections)
    merge_section(base.sections[name], section, name == "dataset" || name == "method");
  base.sources.insert(base.sources.end(), layer.sources.begin(), layer.sources.end());
}

}  // namespace sdebench::spec_detail
