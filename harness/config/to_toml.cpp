// The resolved spec as a self-contained TOML file: every key in schema order with its help as
// a comment, no includes. Floats use the shortest text that reads back to the same double, so
// load_spec(to_toml()) gives the same spec bit for bit.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "datasets/dataset.h"
#include "harness/config/spec.h"
#include "harness/quoted_string.h"
#include "methods/method.h"

namespace sdebench {
namespace {

std::string toml_string(const std::string& s) { return quoted_string(s); }

std::string toml_key(const std::string& key) {
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return toml_string(key);
  return key.empty() ? "\"\"" : key;
}

std::string toml_float(double v) {
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  std::string text = buffer;  // "inf", "-inf" and "nan" are TOML floats too
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string toml_value(const OptionValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return toml_string(*s);
  if (const auto* d = std::get_if<double>(&value)) return toml_float(*d);
  if (const auto* list = std::get_if<std::vector<double>>(&value)) {
    std::string out = "[";
    for (std::size_t i = 0; i < list->size(); ++i) out += (i ? ", " : "") + toml_float((*list)[i]);
    return out + "]";
  }
  return format_value(value);  // booleans and integers
}

// The schema of a section, when known, gives the key order and the help comments.
template <class Registry>
const Schema* registered_schema(const Registry& registry, const std::string& name) {
  return registry.contains(name) ? &registry.get(name).schema : nullptr;
}

void write_section(std::ostringstream& out, const std::string& section, const std::string* name,
                   const Options& options, const Schema* schema) {
  out << "\n[" << section << "]\n";
  if (name) out << "name = " << toml_string(*name) << "\n";
  std::vector<std::string> written;
  if (schema) {
    for (const auto& spec : schema->specs()) {
      auto it = options.values().find(spec.key);
      if (it == options.values().end()) continue;
      out << toml_key(spec.key) << " = " << toml_value(it->second);
      if (!spec.help.empty()) {
        std::string help = spec.help;
        std::replace(help.begin(), help.end(), '\n', ' ');
        out << "  # " << help;
      }
      out << "\n";
      written.push_back(spec.key);
    }
  }
  for (const auto& [key, value] : options.values())
    if (std::find(written.begin(), written.end(), key) == written.end())
      out << toml_key(key) << " = " << toml_value(value) << "\n";
}

}  // namespace

std::string ResolvedSpec::to_toml() const {
  std::ostringstream out;
  out << "# Resolved sdebench spec: every key, no includes; `sdebench run` accepts it as is.\n";
  for (const auto& source : sources) out << "# from: " << source << "\n";
  if (!sweep_label.empty()) out << "# sweep: " << sweep_label << "\n";
  out << "name = " << toml_string(name) << "\n";
  out << "seed = " << seed << "\n";
  const Schema training_keys = training_schema(), evaluation_keys = evaluation_schema(),
               output_keys = output_schema();
  write_section(out, "dataset", &dataset, dataset_options,
                registered_schema(DatasetRegistry::instance(), dataset));
  write_section(out, "method", &method, method_options,
                registered_schema(MethodRegistry::instance(), method));
  write_section(out, "training", nullptr, training, &training_keys);
  write_section(out, "evaluation", nullptr, evaluation, &evaluation_keys);
  write_section(out, "output", nullptr, output, &output_keys);
  return out.str();
}

}  // namespace sdebench
