#pragma once
// The steps behind load_spec/expand_sweep, exposed for the tests: compose (read TOML files with
// their includes into a RawSpec that remembers where every value came from), override (parse
// "section.key=value" arguments and sweeps), resolve (validate against the schemas and fill
// the defaults). Only compose.cpp and override.cpp see toml++.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/config/spec.h"

namespace sdebench::spec_detail {

inline const char* const kCommandLine = "<command line>";

// The sections of a spec; "dataset" and "method" also carry the component's `name`.
const std::vector<std::string>& section_names();
// Keys a [model] section may set: the generative model's (p(z_0) is always learned), which
// resolve() hands to the method so that every method of a comparison trains the same model.
const std::vector<std::string>& shared_model_keys();
// Every key allowed at the top level of a file: name, seed, include and the sections.
const std::vector<std::string>& top_level_keys();
// Keys whose lower bound is exclusive (Schema bounds are inclusive), e.g. "training.lr".
bool must_be_positive(const std::string& dotted_key);

struct SpecLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

// One key's value as last set by a file or an override, with where it was set.
struct RawValue {
  std::optional<OptionValue> value;  // nullopt: a TOML type no option has (table, date, ...)
  std::string toml_type;             // what the value was, for "expected X, got Y" messages
  std::string text;                  // override only: the value as typed (used for string keys)
  std::string override_arg;          // override only: the whole argument, for messages
  SpecLocation key_at;               // where the key was written
  SpecLocation value_at;             // where the value was written
  // Set when the section's component `name` changed after this key was set: the name it was
  // set for and where the new name came from. Such a key must exist in the new schema.
  std::string set_for;
  std::string renamed_to;
  SpecLocation renamed_at;
};

using RawSection = std::map<std::string, RawValue>;

struct RawSpec {
  RawSection top;                              // name, seed
  std::map<std::string, RawSection> sections;  // dataset, model, method, training, evaluation, output
  std::vector<std::string> sources;            // files merged, lowest priority first
};

// Key by key, `layer` wins. A changed dataset/method name tags the keys set for the old one.
void merge_into(RawSpec& base, const RawSpec& layer);

// Reads `path` and its includes (relative to the including file, recursively, cycles are an
// error naming the chain) into one RawSpec. Checks only the file structure; values are
// checked by resolve().
RawSpec compose_file(const std::string& path);

// A command-line override, already split into its values (more than one: a sweep).
struct Override {
  std::string arg;      // as given
  int position = 0;     // 1-based argument position (the column of its errors)
  std::string section;  // "" for top-level keys (name, seed)
  std::string key;
  std::vector<std::string> values;  // value texts; a sweep has several
  bool sweep = false;
  std::string dotted_key() const { return section.empty() ? key : section + "." + key; }
};

Override parse_override(const std::string& arg, int position);
// Applies `value_text` (one of override.values) to `spec` as the latest layer.
void apply_override(RawSpec& spec, const Override& override, const std::string& value_text);

// Validates everything against the registries and schemas and fills every missing key from
// its schema default. `main_path` names the spec (default name, errors about missing keys).
ResolvedSpec resolve(const RawSpec& spec, const std::string& main_path);

// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& words, const std::string& separator = ", ");

// A SpecError at `at` for `key`; appends the override argument when the value came from one.
[[noreturn]] void fail(const SpecLocation& at, const std::string& key, const std::string& message,
                       const std::string& override_arg = "");

}  // namespace sdebench::spec_detail
