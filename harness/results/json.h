#pragma once
// The JSON of summary.json, sweep.json, reproduce.json and checkpoint state. The ordered flavour
// keeps keys in the order they were written, so files are stable and readable. JSON has no NaN or
// infinity: dump() writes non-finite numbers as null, and as_number reads null back as NaN.
#include <string>

#include <nlohmann/json.hpp>

namespace sdebench {

using Json = nlohmann::ordered_json;

double as_number(const Json& value);

// Lenient reads for files from failed runs or older versions: `fallback` when the key is absent,
// null or of another type (or `object` is not an object), instead of throwing.
double number_or(const Json& object, const std::string& key, double fallback);
std::string string_or(const Json& object, const std::string& key, const std::string& fallback);

// Parse errors name the file (nlohmann's own only give a position).
Json read_json_file(const std::string& path);
// Indented and newline-terminated. Bytes that are not UTF-8 (a path or an error message in
// another encoding) become U+FFFD: a finished run must not lose its summary over them.
std::string to_file_text(const Json& value);

}  // namespace sdebench
