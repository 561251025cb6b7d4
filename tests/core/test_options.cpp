#include <catch2/catch.hpp>

#include <limits>

#include "core/options.h"

using namespace sdebench;

TEST_CASE("schema checks types, bounds and choices", "[options]") {
  Schema schema;
  schema.add_int("hidden", 100, "width", 1)
      .add_float("lr", 1e-3, "learning rate", 0.0)
      .add_string("solver", "euler", "solver", {"euler", "milstein"});
  auto spec = schema.find("hidden");
  REQUIRE(spec);
  OptionValue bad = std::string("wide");
  REQUIRE(schema.check(*spec, bad).value().find("expected integer") != std::string::npos);
  OptionValue zero = std::int64_t{0};
  REQUIRE(schema.check(*spec, zero).value().find(">= 1") != std::string::npos);
  OptionValue as_int = std::int64_t{1};
  REQUIRE_FALSE(schema.check(*schema.find("lr"), as_int));
  REQUIRE(std::holds_alternative<double>(as_int));  // widened to float
  OptionValue typo = std::string("eulr");
  auto msg = schema.check(*schema.find("solver"), typo);
  REQUIRE(msg);
  REQUIRE(msg->find("did you mean \"euler\"") != std::string::npos);
  REQUIRE(schema.defaults().get_int("hidden") == 100);
  REQUIRE_THROWS_WITH(schema.defaults().get_string("hidden"),
                      Catch::Contains("'hidden' has type integer"));
}

TEST_CASE("closest_match suggests only near misses", "[options]") {
  REQUIRE(closest_match("hiden", {"hidden", "latent"}) == "hidden");
  REQUIRE(closest_match("zzzzzzzz", {"hidden", "latent"}).empty());
}

TEST_CASE("Schema::resolve lays checked options over the defaults and names the owner and key",
          "[options]") {
  Schema schema;
  schema.add_int("hidden", 100, "width", 1).add_float("lr", 1e-3, "learning rate", 0.0);
  Options given;
  given.set("lr", std::int64_t{1});
  const Options o = schema.resolve(given, "my_method");
  CHECK(o.get_int("hidden") == 100);  // left out: the default
  CHECK(o.get_float("lr") == 1.0);    // given as an integer: widened by the check
  Options typo;
  typo.set("hiden", std::int64_t{3});
  CHECK_THROWS_WITH(schema.resolve(typo, "my_method"),
                    "my_method: unknown option 'hiden' (did you mean 'hidden'?)");
  Options bad;
  bad.set("hidden", std::int64_t{0});
  CHECK_THROWS_WITH(schema.resolve(bad, "dataset 'toy'"),
                    Catch::StartsWith("dataset 'toy': option 'hidden': ") && Catch::Contains(">= 1"));
}

TEST_CASE("float and integer options reject NaN and infinities", "[options]") {
  Schema s;
  s.add_float("lr", 1e-3, "learning rate", 0.0);
  for (double bad : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
    OptionValue v = bad;
    auto err = s.check(*s.find("lr"), v);
    REQUIRE(err.has_value());
    CHECK_THAT(*err, Catch::Contains("expected a finite number"));
  }
  OptionValue ok = 0.5;
  CHECK_FALSE(s.check(*s.find("lr"), ok).has_value());
}

TEST_CASE("benchmark declarations name declared keys of the right type", "[options]") {
  Schema s;
  s.add_float("dt", 0.1, "step").add_int("steps", 10, "count").add_string("mode", "a", "mode", {"a", "b"});
  CHECK_THROWS_WITH(s.benchmark_solver_step("dtt", Schema::StepOption::Size), Catch::Contains("'dtt'"));
  CHECK_THROWS_WITH(s.benchmark_solver_step("steps", Schema::StepOption::Size), Catch::Contains("step size"));
  CHECK_THROWS_WITH(s.benchmark_solver_step("dt", Schema::StepOption::Count), Catch::Contains("count"));
  CHECK_THROWS_WITH(s.add_string("free", "x", "no choices").benchmark_each_choice("free"),
                    Catch::Contains("no choices"));
  s.benchmark_solver_step("steps", Schema::StepOption::Count).benchmark_each_choice("mode");
  REQUIRE(s.solver_step().has_value());
  CHECK(s.solver_step()->key == "steps");
  CHECK(s.variant_key() == "mode");
}
