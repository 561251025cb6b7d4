// Reading spec files: TOML syntax, the file structure (top-level keys and sections) and
// includes. Includes are resolved relative to the including file; a file may include others
// that include others, but never itself through any chain.
#include <algorithm>
#include <filesystem>

#include "harness/config/toml_value.h"

namespace sdebench::spec_detail {
namespace {

namespace fs = std::filesystem;

class Composer {
 public:
  RawSpec compose(const std::string& path, const SpecLocation* included_from) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      if (included_from)
        fail(*included_from, "include", "included file '" + path + "' does not exist");
      fail({path, 0, 0}, "", "spec file does not exist (or is not a regular file)");
    }
    const std::string identity = fs::weakly_canonical(path, ec).string();
    auto seen = std::find(chain_ids_.begin(), chain_ids_.end(), identity);
    if (seen != chain_ids_.end()) {
      std::vector<std::string> cycle(chain_.begin() + (seen - chain_ids_.begin()), chain_.end());
      cycle.push_back(path);
      fail(*included_from, "include", "include cycle: " + join(cycle, " -> "));
    }
    chain_.push_back(path);
    chain_ids_.push_back(identity);
    RawSpec spec = compose_parsed(path, parse(path));
    chain_.pop_back();
    chain_ids_.pop_back();
    return spec;
  }

 private:
  static toml::table parse(const std::string& path) {
    try {
      return toml::parse_file(path);
    } catch (const toml::parse_error& error) {
      fail(location_of(error.source(), path), "",
           "TOML syntax error: " + std::string(error.description()));
    }
  }

  RawSpec compose_parsed(const std::string& path, const toml::table& table) {
    RawSpec merged;
    // Includes first, in order, so that this file's own values win.
    if (const toml::node* includes = table.get("include")) {
      for (const auto& [target, at] : include_list(path, *includes)) {
        const std::string resolved =
            (fs::path(path).parent_path() / target).lexically_normal().string();
        merge_into(merged, compose(resolved, &at));
      }
    }
    merge_into(merged, own_values(path, table));
    return merged;
  }

  static std::vector<std::pair<std::string, SpecLocation>> include_list(const std::string& path,
                                                                        const toml::node& node) {
    std::vector<std::pair<std::string, SpecLocation>> out;
    auto add = [&](const toml::node& element) {
      if (!element.is_string())
        fail(location_of(element.source(), path), "include",
             "expected a file name (string) or an array of them");
      out.emplace_back(*element.value<std::string>(), location_of(element.source(), path));
    };
    if (const auto* array = node.as_array()) {
      for (const auto& element : *array) add(element);
    } else {
      add(node);
    }
    return out;
  }

  static RawValue located(const toml::key& key, const toml::node& node, const std::string& path) {
    RawValue value = raw_value_from_toml(node);
    value.key_at = location_of(key.source(), path);
    value.value_at = location_of(node.source(), path);
    return value;
  }

  static RawSpec own_values(const std::string& path, const toml::table& table) {
    RawSpec spec;
    spec.sources.push_back(path);
    const auto& sections = section_names();
    for (const auto& [key, node] : table) {
      const std::string name(key.str());
      if (name == "include") continue;
      if (name == "name" || name == "seed") {
        spec.top[name] = located(key, node, path);
        continue;
      }
      if (std::find(sections.begin(), sections.end(), name) == sections.end())
        fail(location_of(key.source(), path), name,
             "unknown top-level key" + suggestion(name, top_level_keys()) +
                 "; expected one of: " + join(top_level_keys(), ", "));
      const auto* section = node.as_table();
      if (!section)
        fail(location_of(node.source(), path), name,
             "expected a table [" + name + "], got a " + raw_value_from_toml(node).toml_type);
      RawSection& out = spec.sections[name];
      for (const auto& [inner_key, inner_node] : *section)
        out[std::string(inner_key.str())] = located(inner_key, inner_node, path);
    }
    return spec;
  }

  std::vector<std::string> chain_;      // files being read, outermost first, as named
  std::vector<std::string> chain_ids_;  // the same, canonical, to detect cycles
};

}  // namespace

RawSpec compose_file(const std::string& path) { return Composer().compose(path, nullptr); }

}  // namespace sdebench::spec_detail
