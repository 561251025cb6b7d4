// The specs shipped in experiments/ compose, name planned components and use only valid
// harness keys. Fully validated (dataset and method keys too) when the named components are
// registered in this executable (they are not linked here; the sdebench program checks them).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "datasets/dataset.h"
#include "harness/config/spec.h"
#include "harness/config/spec_internal.h"
#include "methods/method.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> spec_files() {
  std::vector<std::string> out;
  const fs::path root = fs::path(SDEBENCH_SOURCE_DIR) / "experiments";
  for (const auto& entry : fs::recursive_directory_iterator(root))
    // Suite files (*.suite.toml) list specs; they are not specs themselves.
    if (entry.is_regular_file() && entry.path().extension() == ".toml" &&
        entry.path().string().find(".suite.toml") == std::string::npos)
      out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

void check_harness_section(const spec_detail::RawSpec& raw, const std::string& section,
                           const Schema& schema) {
  auto it = raw.sections.find(section);
  if (it == raw.sections.end()) return;
  for (const auto& [key, value] : it->second) {
    INFO(section << "." << key);
    const OptionSpec* spec = schema.find(key);
    REQUIRE(spec != nullptr);
    REQUIRE(value.value.has_value());
    OptionValue v = *value.value;
    CHECK_FALSE(schema.check(*spec, v).has_value());
  }
}

std::string name_in(const spec_detail::RawSpec& raw, const std::string& section) {
  auto it = raw.sections.find(section);
  if (it == raw.sections.end() || !it->second.count("name")) return "";
  const auto& value = it->second.at("name").value;
  return value && std::holds_alternative<std::string>(*value) ? std::get<std::string>(*value) : "";
}

}  // namespace

TEST_CASE("the specs in experiments/ compose and use valid harness keys", "[spec][experiments]") {
  const auto files = spec_files();
  REQUIRE(files.size() >= 10);
  bool quickstart_seen = false;
  for (const auto& file : files) {
    INFO(file);
    const auto raw = spec_detail::compose_file(file);
    check_harness_section(raw, "training", training_schema());
    check_harness_section(raw, "evaluation", evaluation_schema());
    check_harness_section(raw, "output", output_schema());

    const std::string dataset = name_in(raw, "dataset");
    const std::string method = name_in(raw, "method");
    // Whether the names exist is checked against the real registries, where every shipped
    // spec also trains 2 iterations: tests/suites/test_shipped_specs_run.cpp.

    // Fragments meant for `include` live in a defaults/ folder (experiments/defaults/,
    // experiments/paper/defaults/).
    const bool is_default = file.find("/defaults/") != std::string::npos;
    if (!is_default) {
      // A runnable spec names both components.
      CHECK_FALSE(dataset.empty());
      CHECK_FALSE(method.empty());
      if (DatasetRegistry::instance().contains(dataset) &&
          MethodRegistry::instance().contains(method))
        CHECK_NOTHROW(load_spec(file));
    }
    if (fs::path(file).filename() == "quickstart.toml") {
      quickstart_seen = true;
      CHECK(dataset == "lorenz");
      // Meant to be swept over both methods: the method section carries nothing but the name.
      CHECK(raw.sections.at("method").size() == 1);
    }
  }
  CHECK(quickstart_seen);
}
