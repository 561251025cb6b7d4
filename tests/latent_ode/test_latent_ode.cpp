// The latent ODE: gradients against central finite differences of its own loss with the noise
// held fixed, the published MOCAP parameter counts for it and for the latent SDE built from the
// same options, and forecasts that read only the first frames.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <cmath>

#include "methods/latent_ode/latent_ode.h"
#include "methods/latent_sde/latent_sde.h"

using namespace sdebench;

namespace {

Batch tiny_batch(std::int64_t B = 3, std::int64_t T = 6, std::int64_t D = 2) {
  auto t = torch::linspace(0, 1, T, torch::kFloat64);
  auto values = torch::sin(3 * t.view({1, T, 1}) + torch::arange(B, torch::kFloat64).view({B, 1, 1}) +
                           torch::arange(D, torch::kFloat64).view({1, 1, D}));
  auto mask = torch::ones({B, T, D}, torch::kFloat64);
  mask[1][4][0] = 0;
  return {t, values * mask, mask};
}

std::shared_ptr<LatentOde> make(const Options& given, std::int64_t dims, const torch::Tensor& times) {
  auto o = LatentOde::schema().defaults();
  for (const auto& kv : given.values()) o.set(kv.first, kv.second);
  DataShape shape{dims, times, torch::kFloat64};
  return std::make_shared<LatentOde>(LatentOde::parse(o, dims), shape);
}

std::int64_t count(torch::nn::Module& m) {
  std::int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace

TEST_CASE("latent_ode gradients match central finite differences", "[latent_ode]") {
  Options o;
  o.set("latent_size", std::int64_t{2});
  o.set("hidden_size", std::int64_t{5});
  o.set("encoder_frames", std::int64_t{2});
  o.set("solver", std::string("rk4"));
  o.set("dt", 0.1);
  auto batch = tiny_batch();
  torch::manual_seed(7);
  auto m = make(o, 2, batch.times);
  auto loss_at = [&]() {
    torch::manual_seed(11);  // the same z_0 noise every time
    return m->train_step(batch, {0, 0.6}).total;
  };
  for (auto& p : m->parameters()) p.mutable_grad() = torch::Tensor();
  loss_at();
  std::vector<torch::Tensor> grads;  // before the differences below add more backward passes
  for (auto& p : m->parameters()) grads.push_back(p.grad().clone());
  const double h = 1e-6;
  int checked = 0;
  std::size_t k = 0;
  for (auto& p : m->parameters()) {
    auto grad = grads[k++];
    auto flat = p.data().view(-1);
    for (std::int64_t i = 0; i < flat.numel(); i += std::max<std::int64_t>(1, flat.numel() / 3)) {
      const double old = flat[i].item<double>();
      flat[i] = old + h;
      const double up = loss_at();
      flat[i] = old - h;
      const double down = loss_at();
      flat[i] = old;
      const double fd = (up - down) / (2 * h);
      INFO("parameter element " << i << " of a tensor with " << flat.numel());
      CHECK(grad.view(-1)[i].item<double>() == Approx(fd).epsilon(1e-5).margin(1e-7));
      ++checked;
    }
  }
  CHECK(checked > 10);
}

TEST_CASE("the MOCAP models have the published parameter counts", "[latent_ode][mocap]") {
  // Li et al. 2020: latent SDE 11,605 and latent ODE 10,573 parameters (50 dims, latent 6).
  auto times = torch::arange(300, torch::kFloat64) * 0.1;
  Options ode;
  ode.set("context_size", std::int64_t{3});
  auto m = make(ode, 50, times);
  CHECK(count(*m) == 10573);

  auto o = LatentSde::schema().defaults();
  o.set("latent_size", std::int64_t{6});
  o.set("context_size", std::int64_t{3});
  o.set("hidden_size", std::int64_t{30});
  o.set("drift_layers", std::int64_t{1});
  o.set("prior_width", std::int64_t{30});
  o.set("prior_layers", std::int64_t{1});
  o.set("diffusion_width", std::int64_t{30});
  o.set("encoder", std::string("mlp_first_k"));
  o.set("decoder", std::string("mlp"));
  o.set("decoder_hidden", std::int64_t{30});
  o.set("learn_noise_std", true);
  DataShape shape{50, times, torch::kFloat32};
  LatentSde sde(LatentSde::parse(o, shape), shape);
  CHECK(count(sde) == 11605);
}

TEST_CASE("latent_ode forecasts read only the first frames and start at the first time",
          "[latent_ode]") {
  auto batch = tiny_batch();
  torch::manual_seed(2);
  Options o;
  o.set("encoder_frames", std::int64_t{3});
  o.set("latent_size", std::int64_t{2});
  auto m = make(o, 2, batch.times);
  torch::manual_seed(5);
  auto a = m->forecast(batch, 3, batch.times, 4);
  CHECK(a.sizes() == torch::IntArrayRef({4, 3, 6, 2}));
  Batch changed = batch;
  changed.values = batch.values.clone();
  changed.values.narrow(1, 3, 3).normal_();
  torch::manual_seed(5);
  CHECK(torch::equal(m->forecast(changed, 3, batch.times, 4), a));
  CHECK_THROWS_WITH(m->forecast(batch, 2, batch.times, 4), Catch::Contains("context must be in [3"));
  // Without noise in the ODE, a forecast from the posterior mean is the decoded path from z_0.
  torch::manual_seed(5);
  auto from_later = m->forecast(batch, 3, batch.times.narrow(0, 2, 4), 4);
  CHECK(torch::allclose(from_later, a.narrow(2, 2, 4), 1e-10, 1e-10));
}
