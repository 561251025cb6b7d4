#include <algorithm>
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

namespace {

using StepperFactory = std::unique_ptr<Stepper> (*)();

template <class S>
std::unique_ptr<Stepper> create() {
  return std::make_unique<S>();
}

// Every solver, in the order `sdebench list` shows them: adding a solver is its file plus
// one line here. What each solves is declared by the solver itself.
const std::vector<StepperFactory>& all_solvers() {
  static const std::vector<StepperFactory> solvers = {
      &create<EulerMaruyama>, &create<Milstein>, &create<StochasticRungeKutta>,
      &create<Heun>,          &create<Midpoint>, &create<ReversibleHeun>};
  return solvers;
}

}  // namespace

std::unique_ptr<Stepper> make_stepper(const std::string& name) {
  for (const auto make : all_solvers()) {
    auto stepper = make();
    if (name == stepper->name()) return stepper;
  }
  std::string msg = "unknown solver '" + name + "'; known:";
  for (const auto& n : solver_names()) msg += " " + n;
  throw std::invalid_argument(msg);
}

std::vector<std::string> solver_names() {
  std::vector<std::string> names;
  for (const auto make : all_solvers()) names.push_back(make()->name());
  return names;
}

std::vector<std::string> solver_descriptions() {
  std::vector<std::string> lines;
  for (const auto make : all_solvers()) {
    const auto stepper = make();
    std::string line = stepper->name();
    line.resize(std::max<std::size_t>(line.size() + 1, 17), ' ');
    lines.push_back(line + stepper->summary());
  }
  return lines;
}

SdeType solver_calculus(const std::string& name) { return make_stepper(name)->calculus(); }

}  // namespace sdebench
