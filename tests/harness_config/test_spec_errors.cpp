// Every bad-spec case gives a SpecError naming the file, line, column and key, says what was
// expected (and the closest valid key or name), and nothing is written.
#include <catch2/catch.hpp>

#include "harness/config/spec.h"
#include "spec_files.h"

using namespace sdebench;
using sdebench_test::SpecDir;

namespace {

const char* const kValidHead =
    "[dataset]\nname = \"toy_dataset\"\n[method]\nname = \"toy_method\"\n";  // lines 1-4

struct ErrorCase {
  const char* what;
  std::string body;                    // main.toml
  std::vector<std::string> overrides;  // command line
  std::string file;                    // "main.toml", another file in the folder, or "<command line>"
  int line, column;
  std::string key;
  std::vector<std::string> message_parts;
};

std::vector<ErrorCase> error_cases() {
  const std::string head = kValidHead;  // ends inside [method]
  const std::string method_first =        // ends inside [dataset]
      "[method]\nname = \"toy_method\"\n[dataset]\nname = \"toy_dataset\"\n";
  return {
      {"unknown training key, with a suggestion", head + "[training]\nlrr = 0.1\n", {}, "main.toml",
       6, 1, "training.lrr", {"unknown key", "did you mean 'lr'", "valid keys: iterations"}},
      {"unknown dataset key, suggested from the dataset's schema",
       method_first + "n_sequence = 3\n", {}, "main.toml", 5, 1, "dataset.n_sequence",
       {"for dataset 'toy_dataset'", "did you mean 'n_sequences'"}},
      {"unknown method key", head + "hiden = 3\n", {}, "main.toml", 5, 1,
       "method.hiden", {"did you mean 'hidden'"}},
      {"wrong type", head + "[training]\niterations = \"ten\"\n", {}, "main.toml", 6, 14,
       "training.iterations", {"expected integer, got string"}},
      {"float for an integer key", head + "[training]\nbatch_size = 12.5\n", {}, "main.toml", 6,
       14, "training.batch_size", {"expected integer, got float"}},
      {"a table where a value belongs", head + "[training.lr]\nx = 1\n", {}, "main.toml", 5, 1,
       "training.lr", {"expected float, got table"}},
      {"value below the bound", head + "[training]\nbatch_size = 0\n", {}, "main.toml", 6, 14,
       "training.batch_size", {"expected a value >= 1"}},
      {"exclusive bound", head + "[training]\nlr = 0.0\n", {}, "main.toml", 6, 6, "training.lr",
       {"expected a value > 0"}},
      {"value above the bound", head + "[training]\nlr_decay = 1.5\n", {}, "main.toml", 6, 12,
       "training.lr_decay", {"expected a value <= 1"}},
      {"not one of the choices", head + "[training]\ndtype = \"float16\"\n", {}, "main.toml", 6, 9,
       "training.dtype", {"expected one of \"float32\" \"float64\""}},
      {"dataset choice with a suggestion", method_first + "variant = \"papr\"\n", {},
       "main.toml", 5, 11, "dataset.variant", {"did you mean \"paper\""}},
      {"unknown dataset name", "[dataset]\nname = \"toy_datset\"\n[method]\nname = \"toy_method\"\n",
       {}, "main.toml", 2, 8, "dataset.name", {"unknown dataset 'toy_datset'",
       "did you mean 'toy_dataset'"}},
      {"unknown method name", "[dataset]\nname = \"toy_dataset\"\n[method]\nname = \"toy_methd\"\n",
       {}, "main.toml", 4, 8, "method.name", {"unknown method 'toy_methd'",
       "did you mean 'toy_method'"}},
      {"missing method", "[dataset]\nname = \"toy_dataset\"\n", {}, "main.toml", 0, 0,
       "method.name", {"missing", "toy_method"}},
      {"unknown top-level key", "trainig = { lr = 1 }\n" + head, {}, "main.toml", 1, 1, "trainig",
       {"unknown top-level key", "did you mean 'training'"}},
      {"section that is not a table", "dataset = \"toy_dataset\"\n", {}, "main.toml", 1, 11,
       "dataset", {"expected a table [dataset]"}},
      {"TOML syntax error", head + "[training]\nlr = = 1\n", {}, "main.toml", 6, 6, "",
       {"TOML syntax error"}},
      {"negative seed", "seed = -1\n" + head, {}, "main.toml", 1, 8, "seed",
       {"expected a value >= 0"}},
      // Command-line overrides: the file is "<command line>", the column the argument position.
      {"override without '='", head, {"seed=1", "training.lr"}, "<command line>", 1, 2, "",
       {"expected section.key=value", "in override 'training.lr'"}},
      {"override with an unknown section", head, {"traning.lr=1"}, "<command line>", 1, 1,
       "traning.lr", {"unknown section 'traning'", "did you mean 'training'"}},
      {"override with an unknown key", head, {"seed=1", "seed=2", "training.lrr=1"},
       "<command line>", 1, 3, "training.lrr", {"did you mean 'lr'",
       "in override 'training.lrr=1'"}},
      {"override with a wrong type", head, {"training.iterations=many"}, "<command line>", 1, 1,
       "training.iterations", {"expected integer, got string \"many\""}},
      {"override with a bad TOML value", head, {"training.lr=[1,"}, "<command line>", 1, 1,
       "training.lr", {"bad value"}},
      {"override without a value", head, {"training.lr="}, "<command line>", 1, 1, "training.lr",
       {"missing value"}},
      {"override of a whole section", head, {"training=1"}, "<command line>", 1, 1, "training",
       {"name a key inside the section"}},
      {"override with an unknown dataset", head, {"dataset.name=lorenzz"}, "<command line>", 1, 1,
       "dataset.name", {"unknown dataset 'lorenzz'", "known: ", "toy_dataset"}},
      {"override with an empty range", head, {"seed=3:3"}, "<command line>", 1, 1, "seed",
       {"empty range"}},
  };
}

void check_error(const SpecError& e, const ErrorCase& c, const SpecDir& dir) {
  INFO(c.what << ": " << e.what());
  const std::string file = c.file == "<command line>" ? c.file : dir.path(c.file);
  CHECK(e.file() == file);
  CHECK(e.line() == c.line);
  CHECK(e.column() == c.column);
  CHECK(e.key() == c.key);
  // The message itself names the place and the key.
  const std::string place = c.line > 0 ? file + ":" + std::to_string(c.line) + ":" +
                                             std::to_string(c.column) + ": "
                                       : file + ": ";
  CHECK_THAT(e.what(), Catch::StartsWith(place + (c.key.empty() ? "" : c.key + ": ")));
  for (const auto& part : c.message_parts) CHECK_THAT(e.what(), Catch::Contains(part));
}

}  // namespace

TEST_CASE("each bad spec gives an error naming file, line, column and key", "[spec][errors]") {
  for (const auto& c : error_cases()) {
    SECTION(c.what) {
      SpecDir dir;
      const auto main = dir.write("main.toml", c.body);
      const std::size_t entries = dir.entry_count();
      bool thrown = false;
      try {
        load_spec(main, c.overrides);
      } catch (const SpecError& e) {
        thrown = true;
        check_error(e, c, dir);
      }
      CHECK(thrown);
      // The same error comes from a sweep expansion.
      CHECK_THROWS_AS(expand_sweep(main, c.overrides), SpecError);
      CHECK(dir.entry_count() == entries);  // nothing was written
    }
  }
}

TEST_CASE("include errors name the including file and the chain", "[spec][errors]") {
  SpecDir dir;
  SECTION("a missing include file") {
    const auto main =
        dir.write("main.toml", std::string("include = [\n  \"nope.toml\",\n]\n") + kValidHead);
    try {
      load_spec(main);
      FAIL("expected a SpecError");
    } catch (const SpecError& e) {
      CHECK(e.file() == main);
      CHECK(e.line() == 2);
      CHECK(e.column() == 3);
      CHECK(e.key() == "include");
      CHECK_THAT(e.what(), Catch::Contains("nope.toml' does not exist"));
    }
  }
  SECTION("an include cycle through two files") {
    const auto a = dir.write("a.toml", std::string("include = [\"sub/b.toml\"]\n") + kValidHead);
    dir.write("sub/b.toml", "\ninclude = \"../a.toml\"\n");
    try {
      load_spec(a);
      FAIL("expected a SpecError");
    } catch (const SpecError& e) {
      CHECK(e.file() == dir.path("sub/b.toml"));
      CHECK(e.line() == 2);
      CHECK(e.column() == 11);
      CHECK(e.key() == "include");
      CHECK_THAT(e.what(), Catch::Contains("include cycle: " + a + " -> " +
                                           dir.path("sub/b.toml") + " -> " + a));
    }
  }
  SECTION("a file that includes itself") {
    const auto self = dir.write("self.toml", "include = [\"self.toml\"]\n");
    CHECK_THROWS_WITH(load_spec(self), Catch::Contains("include cycle"));
  }
  SECTION("a missing spec file") {
    try {
      load_spec(dir.path("absent.toml"));
      FAIL("expected a SpecError");
    } catch (const SpecError& e) {
      CHECK(e.file() == dir.path("absent.toml"));
      CHECK_THAT(e.what(), Catch::Contains("does not exist"));
    }
  }
  SECTION("a diamond (two files including the same one) is not a cycle") {
    dir.write("common.toml", kValidHead);
    dir.write("x.toml", "include = [\"common.toml\"]\n[training]\nlr = 0.1\n");
    dir.write("y.toml", "include = [\"common.toml\"]\n[training]\niterations = 5\n");
    const auto main = dir.write("main.toml", "include = [\"x.toml\", \"y.toml\"]\n");
    const auto spec = load_spec(main);
    CHECK(spec.training.get_float("lr") == 0.1);
    CHECK(spec.training.get_int("iterations") == 5);
  }
}
