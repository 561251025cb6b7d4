// Command-line overrides "section.key=value", "seed=3", "name=x". A value is read as a TOML
// value (1e-3, true, [1, 2], "quoted"); anything that is not valid TOML but looks like a bare
// word is a string (cpu, results/x). Sweeps: top-level commas split values
// ("method.name=a,b"; commas inside [..], {..} or quotes do not), and "a:b" with integers is
// the range a, a+1, ..., b-1 ("seed=0:5" is 0..4).
#include <algorithm>
#include <cctype>
#include <regex>

#include "harness/config/toml_value.h"

namespace sdebench::spec_detail {
namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

SpecLocation at_argument(int position) { return {kCommandLine, 1, position}; }

// Splits at commas that are outside brackets, braces and quotes.
std::vector<std::string> split_top_level_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        current += c;
        c = text[++i];
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(trim(current));
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(trim(current));
  return parts;
}

constexpr std::int64_t kMaxSweepValues = 100000;

std::vector<std::string> expand_values(const std::string& text, const Override& o) {
  static const std::regex range(R"(^\s*(-?\d+)\s*:\s*(-?\d+)\s*$)");
  std::smatch match;
  if (std::regex_match(text, match, range)) {
    const std::int64_t first = std::stoll(match[1]), last = std::stoll(match[2]);
    if (last <= first)
      fail(at_argument(o.position), o.dotted_key(),
           "empty range " + text + ": a:b means a, a+1, ..., b-1 (b > a)", o.arg);
    if (last - first > kMaxSweepValues)
      fail(at_argument(o.position), o.dotted_key(), "range " + text + " is too long", o.arg);
    std::vector<std::string> values;
    for (std::int64_t v = first; v < last; ++v) values.push_back(std::to_string(v));
    return values;
  }
  auto values = split_top_level_commas(text);
  for (const auto& v : values)
    if (v.empty())
      fail(at_argument(o.position), o.dotted_key(),
           "empty value in '" + text + "' (sweep values are separated by single commas)", o.arg);
  return values;
}

}  // namespace

Override parse_override(const std::string& arg, int position) {
  Override o;
  o.arg = arg;
  o.position = position;
  const SpecLocation at = at_argument(position);
  const auto eq = arg.find('=');
  if (eq == std::string::npos)
    fail(at, "", "expected section.key=value (e.g. training.lr=1e-3) or seed=N", arg);
  const std::string key = trim(arg.substr(0, eq));
  const std::string text = trim(arg.substr(eq + 1));
  if (key.empty()) fail(at, "", "missing key before '='", arg);

  const auto dot = key.find('.');
  const auto& sections = section_names();
  if (dot == std::string::npos) {
    if (key == "include") fail(at, key, "includes cannot be overridden", arg);
    if (std::find(sections.begin(), sections.end(), key) != sections.end())
      fail(at, key, "name a key inside the section, e.g. " + key + ".name=...", arg);
    if (key != "name" && key != "seed")
      fail(at, key,
           "unknown top-level key" + suggestion(key, {"name", "seed"}) +
               "; expected name, seed or section.key with section one of " + join(sections, ", "),
           arg);
    o.key = key;
  } else {
    o.section = key.substr(0, dot);
    o.key = key.substr(dot + 1);
    if (std::find(sections.begin(), sections.end(), o.section) == sections.end())
      fail(at, key,
           "unknown section '" + o.section + "'" + suggestion(o.section, sections) +
               "; expected one of " + join(sections, ", "),
           arg);
    if (o.key.empty() || o.key.find('.') != std::string::npos)
      fail(at, key, "expected section.key with a single key inside the section", arg);
  }
  if (text.empty()) fail(at, key, "missing value after '='", arg);
  o.values = expand_values(text, o);
  o.sweep = o.values.size() > 1;
  return o;
}

namespace {
RawValue parse_value_text(const std::string& text, const Override& o) {
  const SpecLocation at = at_argument(o.position);
  RawValue value;
  bool parsed = false;
  try {
    toml::table table = toml::parse("v = " + text);
    if (table.size() == 1 && table.get("v")) {
      value = raw_value_from_toml(*table.get("v"));
      parsed = true;
    }
  } catch (const toml::parse_error& error) {
    if (std::string("\"'[{").find(text[0]) != std::string::npos)
      fail(at, o.dotted_key(),
           "bad value " + text + ": " + std::string(error.description()), o.arg);
  }
  if (!parsed) {
    if (text.find_first_of("\n\"'") != std::string::npos)
      fail(at, o.dotted_key(), "bad value " + text + " (quote strings as TOML strings)", o.arg);
    value = RawValue();
    value.value = OptionValue(text);  // a bare word: a string
    value.toml_type = "string";
  }
  value.text = text;
  value.override_arg = o.arg;
  value.key_at = at;
  value.value_at = at;
  return value;
}
}  // namespace

void apply_override(RawSpec& spec, const Override& o, const std::string& value_text) {
  RawSpec layer;
  RawValue value = parse_value_text(value_text, o);
  if (o.section.empty())
    layer.top[o.key] = std::move(value);
  else
    layer.sections[o.section][o.key] = std::move(value);
  merge_into(spec, layer);
}

}  // namespace sdebench::spec_detail
