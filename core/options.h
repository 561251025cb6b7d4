#pragma once
// Typed, schema-checked options: how methods and datasets declare their configuration
// without knowing where it comes from (TOML, the command line, a test). No torch here.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sdebench {

using OptionValue = std::variant<bool, std::int64_t, double, std::string, std::vector<double>>;

enum class OptionType { Bool, Int, Float, String, FloatList };

const char* to_string(OptionType type);
OptionType type_of(const OptionValue& value);
std::string format_value(const OptionValue& value);  // TOML-style literal

struct OptionSpec {
  std::string key;
  OptionValue default_value;
  std::string help;
  std::vector<std::string> choices;  // allowed strings; empty = any
  std::optional<double> min, max;    // inclusive bounds for Int/Float
  OptionType type() const { return type_of(default_value); }
};

class Options;

// A schema lists every key a component accepts, with its type, default and bounds.
class Schema {
 public:
  Schema& add_bool(const std::string& key, bool def, const std::string& help);
  Schema& add_int(const std::string& key, std::int64_t def, const std::string& help,
                  std::optional<double> min = {}, std::optional<double> max = {});
  Schema& add_float(const std::string& key, double def, const std::string& help,
                    std::optional<double> min = {}, std::optional<double> max = {});
  Schema& add_string(const std::string& key, const std::string& def, const std::string& help,
                     std::vector<std::string> choices = {});
  Schema& add_floats(const std::string& key, std::vector<double> def, const std::string& help);

  const OptionSpec* find(const std::string& key) const;
  const std::vector<OptionSpec>& specs() const { return specs_; }
  std::vector<std::string> keys() const;

  // Converts `value` to the key's type where that is lossless (an integer for a float
  // key) and checks choices and bounds. Returns an error message, or nullopt when valid.
  std::optional<std::string> check(const OptionSpec& spec, OptionValue& value) const;

  Options defaults() const;

  // What a benchmark of the component varies, declared by the component itself so that the
  // scaling benchmark (bench/bench_scaling.cpp) covers every registered method unedited:
  //  - the option that sets its solver's resolution over a unit time span: a step size (set to
  //    1/L for L steps) or a step count (set to L);
  //  - an option whose every choice is a different algorithm worth timing apart (each becomes
  //    a variant named "<component>_<choice>").
  enum class StepOption { Size, Count };
  struct SolverStep {
    std::string key;
    StepOption kind = StepOption::Size;
  };
  Schema& benchmark_solver_step(const std::string& key, StepOption kind);
  Schema& benchmark_each_choice(const std::string& key);
  const std::optional<SolverStep>& solver_step() const { return solver_step_; }
  // Empty when the component has one variant.
  const std::string& variant_key() const { return variant_key_; }

  // `given` checked against this schema and laid over its defaults: the one way a method or a
  // dataset reads its options. Errors name `owner` (e.g. "sde_matching", "dataset 'lorenz'"),
  // the key, and the closest valid key.
  Options resolve(const Options& given, const std::string& owner) const;

 private:
  Schema& add(OptionSpec spec);
  const OptionSpec& declared(const std::string& key, const char* what) const;
  std::vector<OptionSpec> specs_;
  std::optional<SolverStep> solver_step_;
  std::string variant_key_;
};

// Resolved values for one component. Getters throw std::invalid_argument naming the key
// when it is missing or of another type.
class Options {
 public:
  bool get_bool(const std::string& key) const;
  std::int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  // accepts Int values too
  const std::string& get_string(const std::string& key) const;
  const std::vector<double>& get_floats(const std::string& key) const;

  bool has(const std::string& key) const { return values_.count(key) != 0; }
  void set(const std::string& key, OptionValue value) { values_[key] = std::move(value); }
  const std::map<std::string, OptionValue>& values() const { return values_; }

 private:
  const OptionValue& at(const std::string& key) const;
  std::map<std::string, OptionValue> values_;
};

// Closest candidate by edit distance (for "did you mean" messages); empty when none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace sdebench
