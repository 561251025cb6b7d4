#pragma once
// One fixed-step solver step behind a common interface. Each solver lives in its own file
// (core/solvers/<name>.cpp), declares what it solves (calculus, noise types, strong order), and
// is created by name with make_stepper; core/solvers/common.cpp lists them once.
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/brownian.h"
#include "core/sde.h"

namespace sdebench {

class Stepper {
 public:
  virtual ~Stepper() = default;
  virtual const char* name() const = 0;
  // The calculus it integrates SDEs with non-additive noise in (for additive noise the two
  // agree): a model picks the form of its SDE from this (the latent SDE's Ito or Stratonovich
  // drift).
  virtual SdeType calculus() const = 0;
  // Scheme, accepted noise types and strong order, in one line (`sdebench list`).
  virtual const char* summary() const = 0;
  virtual bool needs_levy_area() const { return false; }
  // Throws std::invalid_argument naming the solver and what it cannot handle (noise type,
  // Ito/Stratonovich) when `sde` is outside its scope.
  virtual void check(const Sde& sde) const = 0;
  // Called once at the start of a solve (solvers that carry state, e.g. reversible Heun).
  virtual void reset(Sde& sde, double t0, const torch::Tensor& y0) {}
  // Advances y (and extras, when defined) from t to t + dt with increment dW over that step.
  virtual void step(Sde& sde, double t, double dt, const BrownianIncrement& dW, torch::Tensor& y,
                    torch::Tensor& extras) = 0;
};

std::unique_ptr<Stepper> make_stepper(const std::string& name);
std::vector<std::string> solver_names();
// One line per solver: name, then its summary().
std::vector<std::string> solver_descriptions();
// The calculus the named solver integrates in (make_stepper(name)->calculus()).
SdeType solver_calculus(const std::string& name);

// Shared helper for error messages: "solver 'milstein' does not support general noise".
[[noreturn]] void unsupported(const char* solver, const std::string& what);

}  // namespace sdebench
