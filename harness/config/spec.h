#pragma once
// Experiment specs: TOML files composed with `include`, overridden from the command line,
// validated against the registered schemas, and expanded into sweeps. No torch here.
//
// A spec file (experiments/*.toml):
//   include = ["defaults/lorenz_paper.toml", "defaults/sde_matching.toml"]  # relative to this file;
//                                        # later includes override earlier, this file overrides all
//   name = "quickstart"                  # default: the spec file's stem
//   seed = 0                             # default 0, >= 0
//   [dataset]      name = "lorenz"  + that dataset's schema keys
//   [method]       name = "sde_matching" + that method's schema keys
//   [model]        keys of the generative model shared by every method of a comparison
//                  (latent_size, prior_width, prior_layers, diffusion_width, decoder,
//                  decoder_hidden, decoder_layers, learn_noise_std, noise_std): handed to the
//                  method; a method that lacks one, or a key also set in [method], is an error
//   [training]     training_schema()
//   [evaluation]   evaluation_schema()
//   [output]       output_schema()
// Composition: includes are read first, in order, then the file's own keys; tables merge key by
// key and the later value wins. When a later file or an override changes dataset.name or
// method.name, keys set for the previous component must exist in the new one's schema (an
// error says which file set them); keys of both schemas carry over. After composition every key
// is validated (unknown keys, types, bounds, choices: SpecError with file:line:column, key and
// the closest valid key) and every missing key takes its schema default.
//
// Overrides: "section.key=value", "seed=3", "name=x". The value is read as a TOML value
// (1e-3, true, [1, 2], "quoted"); a bare word that is not TOML is a string (cpu, results/x), and
// a number given for a string key keeps its text. Overrides apply after all files, in the order
// given, except that dataset.name / method.name overrides apply first. Override errors name
// "<command line>", line 1, column = the argument's position (1-based).
//
// Sweeps (expand_sweep): a value with top-level commas, "key=a,b,c", or an integer range
// "seed=0:5" (0, 1, 2, 3, 4) has several values. Commas inside [..], {..} or quotes do not
// split ("dataset.grid=[1,2]" is one value; quote a string that contains a comma). The runs are
// the cartesian product in the order the overrides were given, the last varying fastest:
// {"method.name=a,b", "seed=0:2"} -> (a,0) (a,1) (b,0) (b,1); each run's sweep_label lists the
// swept keys, e.g. "method.name=b seed=1". load_spec rejects sweeps.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/options.h"

namespace sdebench {

// An error in a spec or an override: names the file, line, column and key, what was
// expected and the closest valid key. Nothing is written when one is thrown.
class SpecError : public std::runtime_error {
 public:
  SpecError(std::string file, int line, int column, std::string key, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key() const { return key_; }
  const std::string& message() const { return message_; }  // without "file:line:col: key: "

 private:
  std::string file_;
  int line_, column_;
  std::string key_;
  std::string message_;
};

struct ResolvedSpec {
  std::string name;
  std::int64_t seed = 0;
  std::string dataset;  // registered dataset name
  Options dataset_options;
  std::string method;  // registered method name
  Options method_options;
  Options training;    // training_schema()
  Options evaluation;  // evaluation_schema()
  Options output;      // output_schema()
  std::vector<std::string> sources;  // files merged, lowest priority first (provenance)

  // The fully resolved spec as TOML (every key, no includes): `sdebench run` accepts it as is.
  std::string to_toml() const;
  // Short label of what a sweep varied, e.g. "method.name=sde_matching seed=2".
  std::string sweep_label;
};

Schema training_schema();
Schema evaluation_schema();
Schema output_schema();

ResolvedSpec load_spec(const std::string& path, const std::vector<std::string>& overrides = {});
// Expands sweep overrides into one resolved spec per combination.
std::vector<ResolvedSpec> expand_sweep(const std::string& path,
                                       const std::vector<std::string>& overrides);

}  // namespace sdebench
