#include <stdexcept>
#include <string>

#include "core/solvers/reversible_heun.h"
#include "core/solvers/solvers.h"

namespace sdebench {

void unsupported(const char* solver, const std::string& what) {
  throw std::invalid_argument(std::string("solver '") + solver + "' does not support " + what);
}

void check_stratonovich_solver(const char* solver, const Sde& sde) {
  if (sde.sde_type() == SdeType::Ito && !sde.additive())
    unsupported(solver, std::string("Ito SDEs with ") + to_string(sde.noise_type()) +
                            " non-additive noise (it solves Stratonovich SDEs; use 'euler' or "
                            "'milstein', or convert the SDE to Stratonovich form)");
}

std::unique_ptr<Stepper> make_stepper(const std::string& name) {
  if (name == "euler") return std::make_unique<EulerMaruyama>();
  if (name == "milstein") return std::make_unique<Milstein>();
  if (name == "srk") return std::make_unique<StochasticRungeKutta>();
  if (name == "heun") return std::make_unique<Heun>();
  if (name == "midpoint") return std::make_unique<Midpoint>();
  if (name == "reversible_heun") return std::make_unique<ReversibleHeun>();
  std::string msg = "unknown solver '" + name + "'; known:";
  for (const auto& n : solver_names()) msg += " " + n;
  throw std::invalid_argument(msg);
}

std::vector<std::string> solver_names() {
  return {"euler", "milstein", "srk", "heun", "midpoint", "reversible_heun"};
}

std::vector<std::string> solver_descriptions() {
  return {
      "euler            Euler-Maruyama; Ito, any noise (Stratonovich if additive); strong 0.5, 1.0 additive",
      "milstein         Milstein; diagonal noise, Ito or Stratonovich; strong 1.0",
      "srk              stochastic Runge-Kutta SRA1; additive noise; strong 1.5 (uses Levy area)",
      "heun             Heun; Stratonovich (Ito if additive); strong 1.0 commutative noise, 0.5 general",
      "midpoint         explicit midpoint; Stratonovich (Ito if additive); strong 1.0 commutative, 0.5 general",
      "reversible_heun  reversible Heun; Stratonovich (Ito if additive); strong 1.0 additive, 0.5 general; "
      "exact adjoint",
  };
}

}  // namespace sdebench
