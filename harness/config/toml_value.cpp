#include "harness/config/toml_value.h"

namespace sdebench::spec_detail {

SpecLocation location_of(const toml::source_region& region, const std::string& file) {
  return {file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

namespace {
const char* toml_type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    default: return "nothing";
  }
}
}  // namespace

RawValue raw_value_from_toml(const toml::node& node) {
  RawValue out;
  out.toml_type = toml_type_name(node.type());
  switch (node.type()) {
    case toml::node_type::boolean: out.value = OptionValue(*node.value<bool>()); break;
    case toml::node_type::integer: out.value = OptionValue(*node.value<std::int64_t>()); break;
    case toml::node_type::floating_point: out.value = OptionValue(*node.value<double>()); break;
    case toml::node_type::string: out.value = OptionValue(*node.value<std::string>()); break;
    case toml::node_type::array: {
      std::vector<double> numbers;
      bool all_numbers = true;
      for (const auto& element : *node.as_array()) {
        if (!element.is_number()) {
          all_numbers = false;
          out.toml_type = std::string("array containing a ") + toml_type_name(element.type());
          break;
        }
        numbers.push_back(*element.value<double>());
      }
      if (all_numbers) out.value = OptionValue(std::move(numbers));
      break;
    }
    default: break;
  }
  return out;
}

}  // namespace sdebench::spec_detail
