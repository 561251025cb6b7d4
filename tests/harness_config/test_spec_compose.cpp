// Composition, overrides, sweeps and the to_toml round trip.
#include <catch2/catch.hpp>

#include "harness/config/spec.h"
#include "spec_files.h"

using namespace sdebench;
using sdebench_test::SpecDir;

namespace {

// A base spec split over includes: defaults/data.toml (dataset + training), defaults/model.toml
// which itself includes common.toml relative to defaults/, then the main file.
std::string write_composed(const SpecDir& dir) {
  dir.write("defaults/data.toml",
            "[dataset]\nname = \"toy_dataset\"\nn_sequences = 32\nvariant = \"torchsde\"\n"
            "[training]\nlr = 0.01\niterations = 50\nbatch_size = 16\n");
  dir.write("defaults/common.toml", "[method]\nactivation = \"silu\"\n[output]\ndir = \"out\"\n");
  dir.write("defaults/model.toml",
            "include = [\"common.toml\"]\n[method]\nname = \"toy_method\"\nhidden = 8\n"
            "[training]\nlr = 0.02\n");
  return dir.write("main.toml",
                   "include = [\"defaults/data.toml\", \"defaults/model.toml\"]\n"
                   "seed = 4\n[training]\niterations = 20\n[evaluation]\nsplit = \"val\"\n");
}

bool same(const ResolvedSpec& a, const ResolvedSpec& b) {
  return a.name == b.name && a.seed == b.seed && a.dataset == b.dataset && a.method == b.method &&
         a.dataset_options.values() == b.dataset_options.values() &&
         a.method_options.values() == b.method_options.values() &&
         a.training.values() == b.training.values() &&
         a.evaluation.values() == b.evaluation.values() && a.output.values() == b.output.values();
}

}  // namespace

TEST_CASE("includes compose key by key, later files and the including file win", "[spec]") {
  SpecDir dir;
  const auto main = write_composed(dir);
  const ResolvedSpec spec = load_spec(main);

  CHECK(spec.name == "main");  // default name: the file's stem
  CHECK(spec.seed == 4);
  CHECK(spec.dataset == "toy_dataset");
  CHECK(spec.method == "toy_method");
  CHECK(spec.dataset_options.get_int("n_sequences") == 32);
  CHECK(spec.dataset_options.get_string("variant") == "torchsde");
  CHECK(spec.dataset_options.get_float("noise") == 0.01);  // schema default
  CHECK(spec.method_options.get_int("hidden") == 8);
  CHECK(spec.method_options.get_string("activation") == "silu");  // nested include
  CHECK(spec.training.get_float("lr") == 0.02);                    // model.toml after data.toml
  CHECK(spec.training.get_int("iterations") == 20);                // the main file wins
  CHECK(spec.training.get_int("batch_size") == 16);
  CHECK(spec.evaluation.get_string("split") == "val");
  CHECK(spec.output.get_string("dir") == "out");

  // Every schema key is listed, with its default where no file set it.
  CHECK(spec.training.values().size() == training_schema().specs().size());
  CHECK(spec.evaluation.values().size() == evaluation_schema().specs().size());
  CHECK(spec.output.values().size() == output_schema().specs().size());
  CHECK(spec.dataset_options.values().size() == 6);
  CHECK(spec.method_options.values().size() == 4);
  CHECK(spec.training.get_string("device") == "cpu");
  CHECK(spec.output.get_bool("checkpoint") == true);

  // Sources, lowest priority first.
  REQUIRE(spec.sources.size() == 4);
  CHECK(spec.sources[0] == dir.path("defaults/data.toml"));
  CHECK(spec.sources[1] == dir.path("defaults/common.toml"));
  CHECK(spec.sources[2] == dir.path("defaults/model.toml"));
  CHECK(spec.sources[3] == main);
}

TEST_CASE("overrides are typed against the schemas and applied in order", "[spec]") {
  SpecDir dir;
  const auto main = write_composed(dir);
  const ResolvedSpec spec = load_spec(
      main, {"training.lr=0.5", "dataset.variant=paper", "seed=7", "name=123",
             "method.activation = softplus", "training.iterations=3", "training.max_seconds=2",
             "dataset.grid=[0.5, 1, 2]", "output.checkpoint=false", "training.iterations=9",
             "training.device=cpu"});
  CHECK(spec.training.get_float("lr") == 0.5);
  CHECK(spec.dataset_options.get_string("variant") == "paper");
  CHECK(spec.seed == 7);
  CHECK(spec.name == "123");  // a number typed for a string key stays the text typed
  CHECK(spec.method_options.get_string("activation") == "softplus");
  CHECK(spec.training.get_int("iterations") == 9);  // the later override wins
  // An integer given for a float key becomes a float.
  CHECK(std::holds_alternative<double>(spec.training.values().at("max_seconds")));
  CHECK(spec.training.get_float("max_seconds") == 2.0);
  CHECK(spec.dataset_options.get_floats("grid") == std::vector<double>{0.5, 1.0, 2.0});
  CHECK(spec.output.get_bool("checkpoint") == false);
  CHECK(spec.dataset_options.get_int("n_sequences") == 32);  // untouched keys keep file values
}

TEST_CASE("changing a component's name keeps only keys the new component has", "[spec]") {
  SpecDir dir;
  const auto main = dir.write("main.toml",
                             "[dataset]\nname = \"toy_dataset\"\nshared = 5\n"
                             "[method]\nname = \"toy_method\"\nshared = 3\n");
  // Keys both schemas have carry over.
  auto spec = load_spec(main, {"method.name=toy_method_b", "dataset.name=toy_dataset_b"});
  CHECK(spec.method == "toy_method_b");
  CHECK(spec.method_options.get_int("shared") == 3);
  CHECK(spec.method_options.get_int("depth") == 2);
  CHECK(spec.dataset_options.get_int("shared") == 5);

  // A key the new method lacks is an error that says it was set for the old one.
  const auto with_hidden = dir.write("hidden.toml",
                                     "[dataset]\nname = \"toy_dataset\"\n"
                                     "[method]\nname = \"toy_method\"\nhidden = 8\n");
  try {
    load_spec(with_hidden, {"method.name=toy_method_b"});
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.file() == with_hidden);
    CHECK(e.line() == 5);
    CHECK(e.column() == 1);
    CHECK(e.key() == "method.hidden");
    CHECK_THAT(e.what(), Catch::Contains("was set for method 'toy_method'"));
    CHECK_THAT(e.what(), Catch::Contains("changed to 'toy_method_b' at <command line>:1:1"));
  }

  // Overrides choosing a component apply first: the other overrides address the new one.
  try {
    load_spec(with_hidden, {"method.hidden=4", "method.name=toy_method_b"});
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.file() == "<command line>");
    CHECK(e.column() == 1);
    CHECK(e.key() == "method.hidden");
    CHECK_THAT(e.what(), Catch::Contains("unknown key for method 'toy_method_b'"));
    CHECK_THAT(e.what(), Catch::Contains("[in override 'method.hidden=4']"));
  }
  auto chosen = load_spec(main, {"method.depth=5", "method.name=toy_method_b"});
  CHECK(chosen.method_options.get_int("depth") == 5);

  // The same rule holds when a later file renames (here: the including file).
  dir.write("base.toml", "[dataset]\nname = \"toy_dataset\"\nnoise = 0.5\n");
  const auto renaming = dir.write("renaming.toml",
                                  "include = [\"base.toml\"]\n[dataset]\nname = \"toy_dataset_b\"\n"
                                  "[method]\nname = \"toy_method\"\n");
  try {
    load_spec(renaming);
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.file() == dir.path("base.toml"));
    CHECK(e.line() == 3);
    CHECK(e.key() == "dataset.noise");
    CHECK_THAT(e.what(), Catch::Contains("was set for dataset 'toy_dataset'"));
    CHECK_THAT(e.what(), Catch::Contains(renaming + ":3:8"));
  }
}

TEST_CASE("sweeps expand to the cartesian product, last override fastest", "[spec][sweep]") {
  SpecDir dir;
  const auto main = dir.write("main.toml",
                              "name = \"sw\"\n[dataset]\nname = \"toy_dataset\"\n"
                              "[method]\nname = \"toy_method\"\n");
  const auto runs =
      expand_sweep(main, {"method.name=toy_method,toy_method_b", "seed=0:3", "training.lr=0.1"});
  REQUIRE(runs.size() == 6);
  const std::vector<std::pair<std::string, int>> expected = {
      {"toy_method", 0},   {"toy_method", 1},   {"toy_method", 2},
      {"toy_method_b", 0}, {"toy_method_b", 1}, {"toy_method_b", 2}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    CHECK(runs[i].method == expected[i].first);
    CHECK(runs[i].seed == expected[i].second);
    CHECK(runs[i].training.get_float("lr") == 0.1);
    CHECK(runs[i].sweep_label == "method.name=" + expected[i].first +
                                     " seed=" + std::to_string(expected[i].second));
  }

  // No sweep: one run with an empty label.
  auto single = expand_sweep(main, {"seed=3"});
  REQUIRE(single.size() == 1);
  CHECK(single[0].seed == 3);
  CHECK(single[0].sweep_label.empty());

  // Commas inside an array or a quoted string do not sweep; top-level ones do.
  auto arrays = expand_sweep(main, {"dataset.grid=[1,2]"});
  REQUIRE(arrays.size() == 1);
  CHECK(arrays[0].dataset_options.get_floats("grid") == std::vector<double>{1.0, 2.0});
  auto two_arrays = expand_sweep(main, {"dataset.grid=[1,2],[3]"});
  REQUIRE(two_arrays.size() == 2);
  CHECK(two_arrays[1].dataset_options.get_floats("grid") == std::vector<double>{3.0});
  CHECK(two_arrays[1].sweep_label == "dataset.grid=[3]");
  auto quoted = expand_sweep(main, {"output.dir=\"a,b\""});
  REQUIRE(quoted.size() == 1);
  CHECK(quoted[0].output.get_string("dir") == "a,b");

  // Ranges with negative bounds; three sweeps multiply.
  CHECK(expand_sweep(main, {"training.target_value=-2:1"}).size() == 3);
  CHECK(expand_sweep(main, {"seed=0:2", "training.lr=0.1,0.2", "evaluation.split=test,val"})
            .size() == 8);

  // A bad value in the last combination fails the whole expansion.
  CHECK_THROWS_AS(expand_sweep(main, {"seed=0:2", "training.batch_size=4,0"}), SpecError);
  CHECK_THROWS_WITH(expand_sweep(main, {"seed=0:2", "training.batch_size=4,0"}),
                    Catch::Contains("expected a value >= 1") &&
                        Catch::Contains("[in sweep run seed=0 training.batch_size=0]"));
  // load_spec refuses sweeps.
  CHECK_THROWS_AS(load_spec(main, {"seed=0:2"}), SpecError);
}

TEST_CASE("to_toml round-trips through load_spec", "[spec][roundtrip]") {
  SpecDir dir;
  const auto main = write_composed(dir);
  const ResolvedSpec original =
      load_spec(main, {"training.lr=0.1", "training.target_value=1e-7", "name=\"we\\\"ird \\\\ name\"",
                       "dataset.grid=[0.1, 0.2, 0.30000000000000004]", "dataset.noise=3",
                       "training.target_metric=test_nelbo", "output.dir=\"runs/with space\""});
  const std::string text = original.to_toml();
  const auto copy_path = dir.write("resolved.toml", text);
  const ResolvedSpec copy = load_spec(copy_path);
  CHECK(same(original, copy));
  CHECK(copy.name == "we\"ird \\ name");
  CHECK(copy.sources == std::vector<std::string>{copy_path});

  // Writing the copy again gives the same file apart from the provenance comments.
  auto strip_comments = [](const std::string& s) {
    std::string out, line;
    std::istringstream in(s);
    while (std::getline(in, line))
      if (line.empty() || line[0] != '#') out += line + "\n";
    return out;
  };
  CHECK(strip_comments(copy.to_toml()) == strip_comments(text));

  // Each run of a sweep round-trips too.
  for (const auto& run : expand_sweep(main, {"seed=0:2", "method.activation=softplus,silu"})) {
    const auto p = dir.write("run.toml", run.to_toml());
    CHECK(same(run, load_spec(p)));
  }
}

TEST_CASE("[model] hands the shared generative model to the method, and nothing sets it twice",
          "[spec]") {
  SpecDir dir;
  dir.write("defaults/model.toml", "[model]\nnoise_std = 0.5\n");
  const auto main = dir.write("main.toml",
                              "include = [\"defaults/model.toml\"]\n"
                              "[dataset]\nname = \"toy_dataset\"\n"
                              "[method]\nname = \"toy_method\"\nhidden = 8\n");
  const ResolvedSpec spec = load_spec(main);
  CHECK(spec.method_options.get_float("noise_std") == 0.5);
  CHECK(spec.method_options.get_int("hidden") == 8);
  // Swept on the command line like any section, and the resolved TOML loads to the same spec.
  const auto runs = expand_sweep(main, {"model.noise_std=0.1,0.2"});
  REQUIRE(runs.size() == 2);
  CHECK(runs[1].method_options.get_float("noise_std") == 0.2);
  CHECK(same(runs[1], load_spec(dir.write("run.toml", runs[1].to_toml()))));

  // The method's own value of a shared key would give this method another model.
  try {
    load_spec(main, {"method.noise_std=0.3"});
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.key() == "method.noise_std");
    CHECK(e.file() == "<command line>");
    CHECK_THAT(e.what(), Catch::Contains("also set by [model] at " + dir.path("defaults/model.toml") +
                                         ":2:1"));
  }
  // A method without the key cannot train the shared model.
  try {
    load_spec(main, {"method.name=toy_method_b"});
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.key() == "model.noise_std");
    CHECK(e.line() == 2);
    CHECK_THAT(e.what(), Catch::Contains("method 'toy_method_b' has no option 'noise_std'"));
  }
  // Only the generative model's keys, checked against the method's bounds under their own name.
  try {
    load_spec(main, {"model.hiden=3"});
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.key() == "model.hiden");
    CHECK_THAT(e.what(), Catch::Contains("not a key of the shared model"));
  }
  try {
    load_spec(main, {"model.noise_std=-1"});
    FAIL("expected a SpecError");
  } catch (const SpecError& e) {
    CHECK(e.key() == "model.noise_std");
  }
}
