// Validation: every key must exist in its schema (the registered dataset's and method's, or
// the harness sections'), every value must have the key's type and satisfy its bounds and
// choices. Missing keys take the schema default, so a resolved spec lists every key.
#include <algorithm>
#include <filesystem>

#include "datasets/dataset.h"
#include "harness/config/spec_internal.h"
#include "methods/method.h"

namespace sdebench::spec_detail {
namespace {

std::string where(const SpecLocation& at) {
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

// Checks one value against its option spec; returns the converted value.
OptionValue checked_value(const Schema& schema, const OptionSpec& spec, const RawValue& raw,
                          const std::string& dotted_key) {
  if (!raw.value)
    fail(raw.value_at, dotted_key,
         std::string("expected ") + to_string(spec.type()) + ", got " + raw.toml_type,
         raw.override_arg);
  OptionValue value = *raw.value;
  // A command-line word that TOML read as a number or date still means a string here.
  if (spec.type() == OptionType::String && !raw.text.empty() &&
      type_of(value) != OptionType::String)
    value = OptionValue(raw.text);
  if (auto problem = schema.check(spec, value))
    fail(raw.value_at, dotted_key, *problem, raw.override_arg);
  if (must_be_positive(dotted_key) && std::get<double>(value) <= 0.0)
    fail(raw.value_at, dotted_key, "expected a value > 0, got " + format_value(value),
         raw.override_arg);
  return value;
}

// `component` is "" for the harness sections, else e.g. "dataset 'lorenz'".
Options validate_section(const RawSection& section, const Schema& schema,
                         const std::string& section_name, const std::string& component) {
  std::vector<std::string> valid = schema.keys();
  if (!component.empty()) valid.insert(valid.begin(), "name");
  Options out;
  for (const auto& [key, raw] : section) {
    if (!component.empty() && key == "name") continue;
    const std::string dotted = section_name.empty() ? key : section_name + "." + key;
    const OptionSpec* spec = schema.find(key);
    if (!spec) {
      if (!raw.set_for.empty())
        fail(raw.key_at, dotted,
             "was set for " + section_name + " '" + raw.set_for + "', but " + section_name +
                 ".name was changed to '" + raw.renamed_to + "' at " + where(raw.renamed_at) +
                 " and " + component + " has no key '" + key +
                 "'; remove it or set it in a file that names '" + raw.set_for + "'",
             raw.override_arg);
      fail(raw.key_at, dotted,
           "unknown key" + std::string(component.empty() ? "" : " for " + component) +
               suggestion(key, valid) + "; valid keys: " + join(valid),
           raw.override_arg);
    }
    out.set(key, checked_value(schema, *spec, raw, dotted));
  }
  for (const auto& spec : schema.specs())
    if (!out.has(spec.key)) out.set(spec.key, spec.default_value);
  return out;
}

const RawSection& section_or_empty(const RawSpec& spec, const std::string& name) {
  static const RawSection empty;
  auto it = spec.sections.find(name);
  return it == spec.sections.end() ? empty : it->second;
}

// Finds the registered component named in section.name and returns (name, schema).
template <class Registry>
std::pair<std::string, Schema> component_of(const RawSpec& spec, const std::string& section_name,
                                            const Registry& registry,
                                            const std::string& main_path) {
  const RawSection& section = section_or_empty(spec, section_name);
  const std::string dotted = section_name + ".name";
  auto it = section.find("name");
  if (it == section.end())
    fail({main_path, 0, 0}, dotted,
         "missing: every spec names a " + section_name + " (known: " + join(registry.names()) +
             ")");
  const RawValue& raw = it->second;
  const std::string* name = raw.value ? std::get_if<std::string>(&*raw.value) : nullptr;
  std::string word = name ? *name : raw.text;
  if (word.empty())
    fail(raw.value_at, dotted, "expected the name of a registered " + section_name + ", got " +
                                   (raw.value ? format_value(*raw.value) : raw.toml_type),
         raw.override_arg);
  if (!registry.contains(word))
    fail(raw.value_at, dotted,
         "unknown " + section_name + " '" + word + "'" + suggestion(word, registry.names()) +
             "; known: " + join(registry.names()),
         raw.override_arg);
  return {word, registry.get(word).schema};
}

// The [model] section: keys of the generative model shared by every method of a comparison,
// handed to the method's section. A key is set in [model] or in [method], never both, so that
// an override of method.<key> cannot quietly give one method of a comparison another model.
RawSection with_shared_model(const RawSpec& spec, const std::string& method,
                             const Schema& method_schema) {
  RawSection merged = section_or_empty(spec, "method");
  for (const auto& [key, raw] : section_or_empty(spec, "model")) {
    const std::string dotted = "model." + key;
    const auto& shared = shared_model_keys();
    if (std::find(shared.begin(), shared.end(), key) == shared.end())
      fail(raw.key_at, dotted,
           "not a key of the shared model" + suggestion(key, shared) + "; [model] keys: " +
               join(shared),
           raw.override_arg);
    const OptionSpec* option = method_schema.find(key);
    if (!option)
      fail(raw.key_at, dotted,
           "method '" + method + "' has no option '" + key +
               "', so it cannot train this shared model; remove the key from [model] or choose "
               "another method",
           raw.override_arg);
    auto clash = merged.find(key);
    if (clash != merged.end())
      fail(clash->second.key_at, "method." + key,
           "also set by [model] at " + where(raw.key_at) +
               "; a key of the shared model is set only there, so that every method of the "
               "comparison trains the same model (change model." + key + " instead)",
           clash->second.override_arg);
    checked_value(method_schema, *option, raw, dotted);  // errors name model.<key>
    merged[key] = raw;
  }
  return merged;
}

}  // namespace

ResolvedSpec resolve(const RawSpec& spec, const std::string& main_path) {
  ResolvedSpec out;
  out.sources = spec.sources;

  Schema top;
  top.add_string("name", std::filesystem::path(main_path).stem().string(), "experiment name");
  top.add_int("seed", 0, "seed for data, initialisation and training noise", 0);
  Options top_values = validate_section(spec.top, top, "", "");
  out.name = top_values.get_string("name");
  out.seed = top_values.get_int("seed");
  if (out.name.empty())
    fail(spec.top.at("name").value_at, "name", "expected a non-empty experiment name",
         spec.top.at("name").override_arg);

  auto [dataset, dataset_schema] =
      component_of(spec, "dataset", DatasetRegistry::instance(), main_path);
  auto [method, method_schema] =
      component_of(spec, "method", MethodRegistry::instance(), main_path);
  out.dataset = dataset;
  out.method = method;
  out.dataset_options = validate_section(section_or_empty(spec, "dataset"), dataset_schema,
                                         "dataset", "dataset '" + dataset + "'");
  out.method_options = validate_section(with_shared_model(spec, method, method_schema),
                                        method_schema, "method", "method '" + method + "'");
  out.training = validate_section(section_or_empty(spec, "training"), training_schema(),
                                  "training", "");
  out.evaluation = validate_section(section_or_empty(spec, "evaluation"), evaluation_schema(),
                                    "evaluation", "");
  out.output = validate_section(section_or_empty(spec, "output"), output_schema(), "output", "");
  return out;
}

}  // namespace sdebench::spec_detail
