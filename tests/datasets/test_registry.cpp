// Every dataset is registered with a documented schema and options are checked. (Training
// batches are drawn by the harness: harness/runner/batching.h.)
#include <catch2/catch.hpp>

#include "datasets/generators.h"
#include "test_support.h"

using namespace sdebench;

TEST_CASE("every registered dataset has documented options", "[datasets]") {
  // The list comes from the registry itself (the datasets library is linked whole, so every
  // registration runs); the reference dataset must be among them.
  auto& registry = DatasetRegistry::instance();
  REQUIRE(registry.contains("lorenz"));
  for (const auto& name : registry.names()) {
    INFO(name);
    const auto& entry = registry.get(name, "dataset");
    CHECK_FALSE(entry.description.empty());
    for (const auto& spec : entry.schema.specs()) {
      INFO(spec.key);
      CHECK(spec.help.size() > 10);
    }
  }
}

TEST_CASE("small instances of every generator build through the registry", "[datasets]") {
  for (std::string name : {"lorenz", "ou", "gbm", "double_well", "time_dependent_ou",
                           "lotka_volterra"}) {
    INFO(name);
    const auto& entry = DatasetRegistry::instance().get(name, "dataset");
    Options o = entry.schema.defaults();
    o.set("num_sequences", std::int64_t(name == "lotka_volterra" ? 2 : 20));
    auto d = entry.factory(o, test::no_cache(1));
    CHECK(d.name == name);
    CHECK(d.times.dim() == 1);
    CHECK(d.train.size() > 0);
    CHECK((d.times.slice(0, 1) > d.times.slice(0, 0, -1)).all().item<bool>());
    CHECK(torch::cat({d.train.values, d.val.values, d.test.values}).isfinite().all().item<bool>());
    CHECK(d.meta.at("version") == "sdebench-datasets/1");
  }
}

TEST_CASE("Lotka-Volterra trains on t <= 50 and tests to 65", "[datasets]") {
  Options o;
  auto d = make_lotka_volterra(o, test::no_cache(1));
  REQUIRE(d.times.size(0) == 651);
  CHECK(d.times[-1].item<double>() == Approx(65.0));
  auto observed_train = d.train.mask.select(0, 0).select(1, 0);  // [T]
  CHECK(observed_train.slice(0, 0, 501).min().item<double>() == 1.0);
  CHECK(observed_train.slice(0, 501).max().item<double>() == 0.0);
  CHECK(d.test.mask.min().item<double>() == 1.0);
  // The prey/predator cycle stays positive and near its deterministic orbit.
  CHECK(d.test.values.min().item<double>() > 0.0);
}

TEST_CASE("unknown or ill-typed options name the dataset and key", "[datasets]") {
  Options bad;
  bad.set("thetaa", 1.0);
  CHECK_THROWS_WITH(make_ou(bad, test::no_cache(0)),
                    Catch::Contains("'ou'") && Catch::Contains("thetaa") && Catch::Contains("theta"));
  Options wrong_type;
  wrong_type.set("num_sequences", std::string("many"));
  CHECK_THROWS_WITH(make_ou(wrong_type, test::no_cache(0)), Catch::Contains("num_sequences"));
  Options too_much;
  too_much.set("train_fraction", 0.9);
  too_much.set("val_fraction", 0.2);
  CHECK_THROWS_WITH(make_ou(too_much, test::no_cache(0)), Catch::Contains("exceeds 1"));
}
