// heat_grid (issue 18): registry and options, determinism, the stable-step rule, and the
// linear SPDE's closed forms. With the grid's Fourier transform
//   U_k(t) = sum_{r,c} u[r, c] exp(-2 pi i (ky r + kx c) / N)
// and zero advection, explicit Euler-Maruyama with step dt gives, per Fourier mode k,
//   U_k(t_{n+1}) = a_k U_k(t_n) + (sigma / h) sqrt(dt) sum_j xi_j exp(-i theta_j),
//   a_k = 1 + dt lambda_k,  lambda_k = -4 kappa / h^2 (sin^2(pi kx / N) + sin^2(pi ky / N)),
// so that (for 2k != 0 mod N) E U_k(t_n) = a_k^n U_k(0) and Re U_k and Im U_k each have
// variance q dt (1 - a_k^{2n}) / (1 - a_k^2), q = sigma^2 N^2 / (2 h^2): an OU process in
// discrete time whose stationary variance q dt / (1 - a^2) = q / (2 |lambda| - lambda^2 dt)
// tends to the continuous-time q / (2 |lambda|) as dt -> 0. Mode 0 (N^2 times the spatial
// mean) has a = 1: a random walk, Var(mean u(t) - mean u(0)) = sigma^2 t / L^2.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>

#include "datasets/heat_grid.h"
#include "test_support.h"

using namespace sdebench;

namespace heat_grid_test {

Options linear_heat(std::int64_t n_sequences) {
  Options o;
  o.set("grid_size", std::int64_t(16));
  o.set("domain_length", 1.0);
  o.set("kappa", 0.02);
  o.set("cx", 0.0);
  o.set("cy", 0.0);
  o.set("sigma", 0.5);
  o.set("num_frames", std::int64_t(5));
  o.set("t_end", 2.0);
  o.set("initial", std::string("cosine"));
  o.set("initial_mode_x", std::int64_t(1));
  o.set("initial_mode_y", std::int64_t(0));
  o.set("initial_amplitude", 1.0);
  return test::whole_sample(o, n_sequences);
}

// Fourier coefficients U_k of every frame: [n, T, N, N] complex, index [.., ky, kx].
torch::Tensor grid_fft(const TimeSeriesDataset& d, std::int64_t N) {
  auto v = d.train.values;
  return torch::fft::fft2(v.reshape({v.size(0), v.size(1), N, N}));
}

}  // namespace heat_grid_test

using namespace heat_grid_test;

TEST_CASE("heat_grid is registered with its options", "[datasets][heat_grid]") {
  auto& registry = DatasetRegistry::instance();
  REQUIRE(registry.contains("heat_grid"));
  const auto& entry = registry.get("heat_grid", "dataset");
  for (std::string key : {"grid_size", "domain_length", "kappa", "cx", "cy", "sigma",
                          "num_frames", "t_end", "initial", "initial_amplitude", "obs_noise",
                          "num_sequences", "train_fraction", "val_fraction", "test_fraction",
                          "dt"}) {
    INFO(key);
    const auto* spec = entry.schema.find(key);
    REQUIRE(spec != nullptr);
    CHECK(spec->help.size() > 10);
  }
  Options o;
  o.set("grid_size", std::int64_t(8));
  o.set("num_sequences", std::int64_t(10));
  o.set("num_frames", std::int64_t(6));
  auto d = entry.factory(o, test::no_cache(1));
  CHECK(d.name == "heat_grid");
  CHECK(d.train.values.sizes() == torch::IntArrayRef({8, 6, 64}));
  CHECK(d.test.size() == 1);
  CHECK(d.meta.at("grid_size") == "8");
  CHECK(d.train.values.isfinite().all().item<bool>());

  Options unknown;
  unknown.set("kapa", 0.1);
  CHECK_THROWS_WITH(entry.factory(unknown, test::no_cache(0)),
                    Catch::Contains("'heat_grid'") && Catch::Contains("kapa") &&
                        Catch::Contains("kappa"));
  Options bad_initial;
  bad_initial.set("initial", std::string("gaussian"));
  CHECK_THROWS_WITH(make_heat_grid(bad_initial, test::no_cache(0)), Catch::Contains("initial"));
}

TEST_CASE("heat_grid: same seed identical, different seed different",
          "[datasets][heat_grid][seed]") {
  Options o;
  o.set("grid_size", std::int64_t(8));
  o.set("num_sequences", std::int64_t(12));
  o.set("num_frames", std::int64_t(6));
  o.set("obs_noise", 0.01);
  auto a = make_heat_grid(o, test::no_cache(7));
  auto b = make_heat_grid(o, test::no_cache(7));
  auto c = make_heat_grid(o, test::no_cache(8));
  CHECK(test::same_dataset_bytes(a, b));
  CHECK_FALSE(test::same_bytes(a.train.values, c.train.values));
  // The random initial fields differ too, not only the noise.
  CHECK_FALSE(test::same_bytes(a.train.values.select(1, 0), c.train.values.select(1, 0)));
}

TEST_CASE("heat_grid's inner step obeys the stable-step rule; no noise: a maximum principle",
          "[datasets][heat_grid]") {
  // Strong advection against weak diffusion: only a step within the rule keeps the explicit
  // upwind scheme monotone, so without noise max |u| can never grow.
  Options o;
  o.set("grid_size", std::int64_t(32));
  o.set("kappa", 0.002);
  o.set("cx", 3.0);
  o.set("cy", -2.0);
  o.set("sigma", 0.0);
  o.set("num_frames", std::int64_t(11));
  o.set("t_end", 1.0);
  o = test::whole_sample(o, 4);
  auto d = make_heat_grid(o, test::no_cache(2));
  const double h = 1.0 / 32, dt = std::stod(d.meta.at("inner_step"));
  const double rate = 4 * 0.002 / (h * h) + (3.0 + 2.0) / h;
  CHECK(dt * rate <= 0.9 * (1 + 1e-12));
  CHECK(dt == Approx(heat_grid_stable_step(0.002, 3.0, -2.0, h)).epsilon(0.2));
  CHECK(dt * std::stoll(d.meta.at("inner_steps_per_interval")) == Approx(0.1));
  auto peak = d.train.values.abs().amax(2);  // [n, T]
  CHECK((peak.slice(1, 1) <= peak.slice(1, 0, 1) * (1 + 1e-12)).all().item<bool>());
  // ... and the field did move: the advected pattern is not the initial one.
  CHECK((d.train.values.select(1, 10) - d.train.values.select(1, 0)).abs().max().item<double>() >
        0.1);
}

TEST_CASE("heat_grid's spatial mean is a random walk, Fourier modes are OU processes",
          "[datasets][heat_grid]") {
  const std::int64_t N = 16, n = 2000;
  const double L = 1.0, h = L / N, kappa = 0.02, sigma = 0.5, A = 1.0;
  auto d = make_heat_grid(linear_heat(n), test::no_cache(11));
  REQUIRE(d.train.values.sizes() == torch::IntArrayRef({n, 5, N * N}));
  const double dt = std::stod(d.meta.at("inner_step"));
  const std::int64_t per_interval = std::stoll(d.meta.at("inner_steps_per_interval"));
  REQUIRE(dt * per_interval == Approx(0.5));
  const double q = sigma * sigma * N * N / (2 * h * h);

  // The spatial mean: a Brownian motion with variance sigma^2 t / L^2 (the cosine has mean 0).
  auto mean = d.train.values.mean(2);  // [n, T]
  for (std::int64_t k = 1; k < 5; ++k) {
    const double t = d.times[k].item<double>();
    auto m = test::sample_moments(mean.select(1, k) - mean.select(1, 0));
    INFO("t = " << t << ": Var(mean) " << m.variance << " vs " << sigma * sigma * t / (L * L));
    CHECK(std::abs(m.mean) <= 4 * m.mean_se);
    CHECK(std::abs(m.variance - sigma * sigma * t / (L * L)) <= 4 * m.variance_se);
  }

  auto U = grid_fft(d, N);  // [n, T, N, N], [.., ky, kx]
  struct Mode {
    std::int64_t kx, ky;
  };
  for (Mode mode : {Mode{1, 0}, Mode{2, 3}, Mode{5, 1}}) {
    const double lambda = -4 * kappa / (h * h) *
                          (std::pow(std::sin(M_PI * mode.kx / N), 2) +
                           std::pow(std::sin(M_PI * mode.ky / N), 2));
    const double a = 1 + dt * lambda;
    // U_k(0) of A cos(2 pi (c + 1/2) / N): A N^2 / 2 exp(i pi / N) for k = (1, 0), else 0.
    const std::complex<double> initial =
        mode.kx == 1 && mode.ky == 0 ? std::polar(A * N * N / 2, M_PI / N) : 0.0;
    auto Uk = U.select(3, mode.kx).select(2, mode.ky);  // [n, T]
    for (std::int64_t k = 0; k < 5; ++k) {
      const double steps = double(k * per_interval);
      const std::complex<double> expected_mean = std::pow(a, steps) * initial;
      const double expected_var =
          k == 0 ? 0.0 : q * dt * (1 - std::pow(a, 2 * steps)) / (1 - a * a);
      auto re = test::sample_moments(torch::real(Uk.select(1, k)));
      auto im = test::sample_moments(torch::imag(Uk.select(1, k)));
      INFO("mode (" << mode.kx << ", " << mode.ky << "), lambda " << lambda << ", t = "
                    << d.times[k].item<double>() << ": mean " << re.mean << " + " << im.mean
                    << "i vs " << expected_mean << ", Var(Re) " << re.variance << ", Var(Im) "
                    << im.variance << " vs " << expected_var << " (continuous-time stationary "
                    << q / (2 * std::abs(lambda)) << ")");
      if (k == 0) {
        CHECK(std::abs(re.mean - expected_mean.real()) <= 1e-9 * A * N * N);
        CHECK(std::abs(im.mean - expected_mean.imag()) <= 1e-9 * A * N * N);
        CHECK(re.variance <= 1e-18);
        continue;
      }
      CHECK(std::abs(re.mean - expected_mean.real()) <= 4 * re.mean_se);
      CHECK(std::abs(im.mean - expected_mean.imag()) <= 4 * im.mean_se);
      CHECK(std::abs(re.variance - expected_var) <= 4 * re.variance_se);
      CHECK(std::abs(im.variance - expected_var) <= 4 * im.variance_se);
    }
  }

  // The mean field itself: E u(t) = a_1^n A cos(2 pi (c + 1/2) / N) in every cell, checked
  // cell by cell at the last frame against 5 standard errors of the cell's sample mean
  // (256 cells: a false alarm has probability ~1e-4).
  const double lambda1 = -4 * kappa / (h * h) * std::pow(std::sin(M_PI / N), 2);
  const double decay = std::pow(1 + dt * lambda1, double(4 * per_interval));
  auto last = d.train.values.select(1, 4);  // [n, N * N]
  auto column = (torch::arange(N * N, torch::kFloat64).remainder(N) + 0.5);
  auto expected = decay * A * torch::cos(2 * M_PI * column / N);
  auto se = last.std(0) / std::sqrt(double(n));
  auto z = ((last.mean(0) - expected) / se).abs();
  INFO("decay " << decay << ", largest |z| " << z.max().item<double>());
  CHECK(z.max().item<double>() <= 5.0);
}
