#include "core/adjoint/adjoint_sdeint.h"

#include <torch/torch.h>

#include <utility>

#include "core/adjoint/stochastic_adjoint.h"

namespace sdebench {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the backward pass needs of the forward solve; kept alive by the autograd node.
struct AdjointSolve : torch::CustomClassHolder {
  AdjointSolve(Sde& sde, std::vector<double> ts, const SolverConfig& config, BrownianSource& brownian,
               std::unique_ptr<BrownianSource> owned)
      : sde(sde), ts(std::move(ts)), adjoint(config), brownian(brownian), owned(std::move(owned)) {}
  Sde& sde;
  std::vector<double> ts;
  StochasticAdjoint adjoint;
  BrownianSource& brownian;
  std::unique_ptr<BrownianSource> owned;
  std::vector<torch::Tensor> leaves;  // the graph inputs as the SDE sees them
  bool has_extras = false;
};

class AdjointFunction : public torch::autograd::Function<AdjointFunction> {
 public:
  // `anchor` is a scalar leaf that requires grad, so the node exists even when neither y0 nor
  // a graph input does: the parameters' gradients come from its backward.
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& y0,
                               torch::TensorList graph_inputs, const torch::Tensor& anchor,
                               c10::intrusive_ptr<AdjointSolve> solve) {
    (void)graph_inputs;
    (void)anchor;
    SdeintResult result = solve->adjoint.forward(solve->sde, y0.detach(), solve->ts, solve->brownian);
    solve->has_extras = result.extras.defined();
    ctx->saved_data["solve"] = c10::IValue::make_capsule(solve);
    if (solve->has_extras) return {result.states, result.extras};
    return {result.states};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto solve = c10::static_intrusive_pointer_cast<AdjointSolve>(ctx->saved_data["solve"].toCapsule());
    // Autograd materialises the gradient of an output the loss does not read as zeros.
    const torch::Tensor grad_extras = solve->has_extras ? grads[1] : torch::Tensor();
    for (auto& leaf : solve->leaves) leaf.mutable_grad() = torch::Tensor();
    // Autograd runs a node's backward with grad mode off; the sweep differentiates one solver
    // step at a time, so it needs it on.
    torch::AutoGradMode enable_grad(true);
    variable_list out{solve->adjoint.backward(solve->sde, grads[0], grad_extras)};
    for (auto& leaf : solve->leaves)
      out.push_back(leaf.grad().defined() ? leaf.grad() : torch::zeros_like(leaf));
    out.push_back(torch::Tensor());  // anchor
    out.push_back(torch::Tensor());  // the AdjointSolve
    return out;
  }
};

}  // namespace

SdeintResult sdeint_adjoint(Sde& sde, const torch::Tensor& y0, const std::vector<double>& ts,
                            const SolverConfig& config, BrownianSource& brownian,
                            std::unique_ptr<BrownianSource> owned) {
  auto solve = c10::make_intrusive<AdjointSolve>(sde, ts, config, brownian, std::move(owned));
  std::vector<torch::Tensor> graph_inputs;
  for (torch::Tensor* input : sde.graph_inputs()) {
    graph_inputs.push_back(*input);
    *input = input->detach().requires_grad_(true);
    solve->leaves.push_back(*input);
  }
  const auto anchor = torch::zeros({}, y0.options()).requires_grad_(true);
  variable_list outputs = AdjointFunction::apply(y0, torch::TensorList(graph_inputs), anchor, solve);
  SdeintResult result;
  result.states = outputs[0];
  if (outputs.size() > 1) result.extras = outputs[1];
  return result;
}

}  // namespace sdebench
