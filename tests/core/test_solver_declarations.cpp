// Every solver declares the calculus it integrates in (models build their SDE in that form) and
// a summary for `sdebench list`; the declaration must agree with what the solver accepts.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "core/solvers/stepper.h"

using namespace sdebench;

namespace {

// Only the noise type, calculus and additivity matter to Stepper::check.
class DeclaredFormSde : public Sde {
 public:
  DeclaredFormSde(SdeType type, bool additive) : Sde(NoiseType::Diagonal, type, additive) {}
  torch::Tensor drift(double, const torch::Tensor& y) override { return -y; }
  torch::Tensor diffusion(double, const torch::Tensor& y) override { return torch::ones_like(y); }
};

bool accepts(const Stepper& stepper, SdeType type, bool additive) {
  try {
    stepper.check(DeclaredFormSde(type, additive));
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

SdeType other(SdeType type) { return type == SdeType::Ito ? SdeType::Stratonovich : SdeType::Ito; }

}  // namespace

TEST_CASE("every solver accepts SDEs in the calculus it declares", "[solvers]") {
  REQUIRE(solver_names().size() == solver_descriptions().size());
  for (const auto& name : solver_names()) {
    INFO(name);
    const auto stepper = make_stepper(name);
    CHECK(stepper->name() == name);
    CHECK(solver_calculus(name) == stepper->calculus());
    CHECK(std::string(stepper->summary()).size() > 20);
    // Additive noise: every solver handles it in its declared calculus.
    CHECK(accepts(*stepper, stepper->calculus(), true));
    // Non-additive noise: a solver that takes it in some calculus takes it in the declared one.
    if (accepts(*stepper, other(stepper->calculus()), false))
      CHECK(accepts(*stepper, stepper->calculus(), false));
  }
  CHECK(solver_calculus("heun") == SdeType::Stratonovich);
  CHECK(solver_calculus("euler") == SdeType::Ito);
  CHECK_THROWS_WITH(make_stepper("rk45"), Catch::Contains("unknown solver 'rk45'; known: euler"));
}
