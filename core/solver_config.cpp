#include "core/solver_config.h"

#include <stdexcept>

namespace sdebench {

Gradient parse_gradient(const std::string& name) {
  if (name == "backprop") return Gradient::Backprop;
  if (name == "adjoint") return Gradient::Adjoint;
  throw std::invalid_argument("unknown gradient '" + name +
                              "': expected 'backprop' (through the solver steps) or 'adjoint' "
                              "(the stochastic adjoint, O(1) memory in the steps)");
}

std::vector<std::string> gradient_names() { return {"adjoint", "backprop"}; }

}  // namespace sdebench
