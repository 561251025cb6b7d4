#include "core/options.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace sdebench {

const char* to_string(OptionType type) {
  switch (type) {
    case OptionType::Bool: return "boolean";
    case OptionType::Int: return "integer";
    case OptionType::Float: return "float";
    case OptionType::String: return "string";
    case OptionType::FloatList: return "array of floats";
  }
  return "?";
}

OptionType type_of(const OptionValue& value) { return static_cast<OptionType>(value.index()); }

std::string format_value(const OptionValue& value) {
  std::ostringstream out;
  out.precision(17);
  switch (type_of(value)) {
    case OptionType::Bool: out << (std::get<bool>(value) ? "true" : "false"); break;
    case OptionType::Int: out << std::get<std::int64_t>(value); break;
    case OptionType::Float: {
      double v = std::get<double>(value);
      out << v;
      // Keep floats recognisable as floats in TOML ("1.0", not "1").
      if (std::isfinite(v) && out.str().find_first_of(".eEn") == std::string::npos) out << ".0";
      break;
    }
    case OptionType::String: {
      out << '"';
      for (char c : std::get<std::string>(value)) {
        if (c == '"' || c == '\\') out << '\\';
        out << c;
      }
      out << '"';
      break;
    }
    case OptionType::FloatList: {
      out << '[';
      const auto& list = std::get<std::vector<double>>(value);
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (i) out << ", ";
        out << format_value(OptionValue(list[i]));
      }
      out << ']';
      break;
    }
  }
  return out.str();
}

Schema& Schema::add(OptionSpec spec) {
  if (find(spec.key)) throw std::logic_error("schema: key '" + spec.key + "' declared twice");
  specs_.push_back(std::move(spec));
  return *this;
}

const OptionSpec& Schema::declared(const std::string& key, const char* what) const {
  const OptionSpec* spec = find(key);
  if (!spec) throw std::logic_error(std::string("schema: ") + what + " '" + key + "' is not a declared key");
  return *spec;
}

Schema& Schema::benchmark_solver_step(const std::string& key, StepOption kind) {
  const OptionSpec& spec = declared(key, "solver step");
  if (kind == StepOption::Count ? spec.type() != OptionType::Int : spec.type() != OptionType::Float)
    throw std::logic_error("schema: solver step '" + key + "' must be " +
                           (kind == StepOption::Count ? "an integer count" : "a float step size"));
  solver_step_ = SolverStep{key, kind};
  return *this;
}

Schema& Schema::benchmark_each_choice(const std::string& key) {
  if (declared(key, "benchmark variant").choices.empty())
    throw std::logic_error("schema: benchmark variant '" + key + "' has no choices to benchmark");
  variant_key_ = key;
  return *this;
}

Schema& Schema::add_bool(const std::string& key, bool def, const std::string& help) {
  return add({key, def, help, {}, {}, {}});
}
Schema& Schema::add_int(const std::string& key, std::int64_t def, const std::string& help,
                        std::optional<double> min, std::optional<double> max) {
  return add({key, def, help, {}, min, max});
}
Schema& Schema::add_float(const std::string& key, double def, const std::string& help,
                          std::optional<double> min, std::optional<double> max) {
  return add({key, def, help, {}, min, max});
}
Schema& Schema::add_string(const std::string& key, const std::string& def,
                           const std::string& help, std::vector<std::string> choices) {
  return add({key, def, help, std::move(choices), {}, {}});
}
Schema& Schema::add_floats(const std::string& key, std::vector<double> def,
                           const std::string& help) {
  return add({key, std::move(def), help, {}, {}, {}});
}

const OptionSpec* Schema::find(const std::string& key) const {
  for (const auto& spec : specs_)
    if (spec.key == key) return &spec;
  return nullptr;
}

std::vector<std::string> Schema::keys() const {
  std::vector<std::string> out;
  for (const auto& spec : specs_) out.push_back(spec.key);
  return out;
}

std::optional<std::string> Schema::check(const OptionSpec& spec, OptionValue& value) const {
  const OptionType want = spec.type();
  OptionType got = type_of(value);
  // Lossless conversions: integer -> float, integer list entries are already doubles.
  if (want == OptionType::Float && got == OptionType::Int) {
    value = static_cast<double>(std::get<std::int64_t>(value));
    got = want;
  }
  if (got != want)
    return std::string("expected ") + to_string(want) + ", got " + to_string(got) + " " +
           format_value(value);
  if (want == OptionType::String && !spec.choices.empty()) {
    const auto& s = std::get<std::string>(value);
    if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
      std::string msg = "expected one of";
      for (const auto& c : spec.choices) msg += " \"" + c + "\"";
      msg += ", got \"" + s + "\"";
      auto guess = closest_match(s, spec.choices);
      if (!guess.empty()) msg += " (did you mean \"" + guess + "\"?)";
      return msg;
    }
  }
  if (want == OptionType::Int || want == OptionType::Float) {
    double v = want == OptionType::Int ? static_cast<double>(std::get<std::int64_t>(value))
                                       : std::get<double>(value);
    // No option means anything at NaN or infinity (lr = inf would "train" and diverge at once).
    if (!std::isfinite(v)) return "expected a finite number, got " + format_value(value);
    if (spec.min && v < *spec.min)
      return "expected a value >= " + format_value(OptionValue(*spec.min)) + ", got " +
             format_value(value);
    if (spec.max && v > *spec.max)
      return "expected a value <= " + format_value(OptionValue(*spec.max)) + ", got " +
             format_value(value);
  }
  return std::nullopt;
}

Options Schema::defaults() const {
  Options out;
  for (const auto& spec : specs_) out.set(spec.key, spec.default_value);
  return out;
}

const OptionValue& Options::at(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::invalid_argument("option '" + key + "' is not set");
  return it->second;
}

namespace {
template <class T>
const T& typed(const OptionValue& value, const std::string& key, OptionType want) {
  if (const T* v = std::get_if<T>(&value)) return *v;
  throw std::invalid_argument("option '" + key + "' has type " + to_string(type_of(value)) +
                              ", not " + to_string(want));
}
}  // namespace

bool Options::get_bool(const std::string& key) const {
  return typed<bool>(at(key), key, OptionType::Bool);
}
std::int64_t Options::get_int(const std::string& key) const {
  return typed<std::int64_t>(at(key), key, OptionType::Int);
}
double Options::get_float(const std::string& key) const {
  const auto& v = at(key);
  if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return typed<double>(v, key, OptionType::Float);
}
const std::string& Options::get_string(const std::string& key) const {
  return typed<std::string>(at(key), key, OptionType::String);
}
const std::vector<double>& Options::get_floats(const std::string& key) const {
  return typed<std::vector<double>>(at(key), key, OptionType::FloatList);
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

Options Schema::resolve(const Options& given, const std::string& owner) const {
  Options out = defaults();
  for (const auto& [key, value] : given.values()) {
    const OptionSpec* spec = find(key);
    if (!spec) {
      std::string msg = owner + ": unknown option '" + key + "'";
      const auto guess = closest_match(key, keys());
      if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
      throw std::invalid_argument(msg);
    }
    OptionValue checked = value;
    if (auto error = check(*spec, checked))
      throw std::invalid_argument(owner + ": option '" + key + "': " + *error);
    out.set(key, checked);
  }
  return out;
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Only suggest when the guess is plausibly a typo.
  if (best_distance == std::string::npos || best_distance > std::max<std::size_t>(2, word.size() / 3))
    return "";
  return best;
}

}  // namespace sdebench
