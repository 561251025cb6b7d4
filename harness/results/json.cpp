#include "harness/results/json.h"

#include <limits>
#include <stdexcept>

#include "harness/results/atomic_write.h"

namespace sdebench {

double as_number(const Json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

double number_or(const Json& object, const std::string& key, double fallback) {
  const auto it = object.find(key);  // end() when `object` is not an object
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string string_or(const Json& object, const std::string& key, const std::string& fallback) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

Json read_json_file(const std::string& path) {
  const std::string text = read_text_file(path);
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read '" + path + "': " + e.what());
  }
}

std::string to_file_text(const Json& value) {
  return value.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace sdebench
