#pragma once
// sdeint: integrate an SDE from ts[0] and return the states at every time in ts.
//
// Between consecutive output times the interval is split into the fewest equal steps no
// longer than `dt`, so every output time is hit exactly and no interpolation is needed.
// Extra quantities (Sde::extra_size() > 0) are integrated alongside the state from 0 at
// ts[0], with the solver's own drift quadrature. Gradients flow through the steps unless the
// caller disables autograd (backprop through the solver).
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/brownian.h"
#include "core/sde.h"

namespace sdebench {

struct SdeintOptions {
  std::string method = "euler";
  double dt = 1e-2;
  // Brownian source to use; when null, sdeint makes a BrownianPath (or a BrownianInterval
  // when the solver needs Levy area) from `seed`.
  BrownianSource* brownian = nullptr;
  std::uint64_t seed = 0;
};

struct SdeintResult {
  torch::Tensor states;  // [len(ts), batch, d]
  torch::Tensor extras;  // [len(ts), batch, e], undefined when the SDE has none
};

SdeintResult sdeint(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                    const SdeintOptions& options = {});

// Checks shared by sdeint and other integrators (the adjoint): strictly increasing times,
// dt > 0, y0 of shape [batch, d] matching the SDE. Throw std::invalid_argument.
void check_times(const std::vector<double>& ts);
void check_state(const Sde& sde, const torch::Tensor& y0);
// Number of equal steps used on [a, b] for a maximum step dt.
std::int64_t steps_between(double a, double b, double dt);

}  // namespace sdebench
