// Stochastic heat / advection-diffusion equation on the periodic square [0, L)^2 (issue 18):
//   du = (kappa Laplacian u - c . grad u) dt + sigma dW(x, t),
// dW space-time white noise. Finite differences on an N x N grid of cells (h = L / N, values at
// the cell centres ((col + 1/2) h, (row + 1/2) h)): the 5-point Laplacian
// (u_E + u_W + u_N + u_S - 4 u) / h^2, first-order upwind differences for c . grad u (x along
// columns, y down the rows), and per cell the noise sigma / h dW_cell with independent standard
// Brownian motions: the cell average of space-time white noise has variance dt / h^2 over dt,
// so the spatial mean of u is a Brownian motion with variance sigma^2 t / L^2 when c = 0.
// Time stepping: the shared odeint generator (simulate_paths; explicit Euler-Maruyama), float64.
//
// Stable step rule: one explicit Euler step writes u_i + dt (drift) as a combination of u_i and
// its four neighbours whose weights are all >= 0 (a convex combination, so the scheme is
// monotone and max-norm stable, and every Fourier mode's amplification |1 + dt lambda_k| <= 1)
// exactly when dt (4 kappa / h^2 + (|cx| + |cy|) / h) <= 1. The inner step is
// 0.9 / (4 kappa / h^2 + (|cx| + |cy|) / h), or the option dt when that is positive and
// smaller; each frame interval is then split into the fewest equal steps no longer than it.
//
// With c = 0 the Fourier mode k of the grid is an OU process with the discrete Laplacian's
// eigenvalue lambda_k = -4 kappa / h^2 (sin^2(pi kx / N) + sin^2(pi ky / N)) (see
// tests/datasets/test_heat_grid.cpp for the closed forms the data are checked against).
// Values are [N_seq, T, N * N], each frame row-major (meta grid_size).
#include "datasets/heat_grid.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "datasets/cache.h"
#include "datasets/generator.h"

namespace sdebench {

Schema heat_grid_schema() {
  Schema s;
  s.add_int("grid_size", 32, "cells per side N of the periodic grid (D = N * N values per frame)",
            4, 512)
      .add_float("domain_length", 1.0, "side L of the periodic square domain (cell size h = L / N)",
                 1e-12)
      .add_float("kappa", 0.01, "diffusivity kappa", 0.0)
      .add_float("cx", 0.5, "advection velocity along x (columns); the field moves towards +x")
      .add_float("cy", 0.25, "advection velocity along y (rows, downwards)")
      .add_float("sigma", 0.1,
                 "amplitude of the space-time white noise (each cell gets sigma / h dW)", 0.0)
      .add_int("num_frames", 50, "number of frames (observation times, equally spaced on "
                                 "[0, t_end])",
               2)
      .add_float("t_end", 2.0, "time of the last frame (the first is at t = 0)", 1e-12)
      .add_string("initial", "smooth",
                  "initial field: \"smooth\" (random sum of the Fourier modes with |kx|, |ky| <= "
                  "initial_modes, pointwise std initial_amplitude), \"cosine\" "
                  "(initial_amplitude cos(2 pi (initial_mode_x x + initial_mode_y y) / L)) or "
                  "\"zero\"",
                  {"smooth", "cosine", "zero"})
      .add_float("initial_amplitude", 1.0, "amplitude of the initial field (see initial)", 0.0)
      .add_int("initial_modes", 3,
               "with initial = \"smooth\": the largest wavenumber |kx|, |ky| in the random field",
               1)
      .add_int("initial_mode_x", 1, "with initial = \"cosine\": the wavenumber along x")
      .add_int("initial_mode_y", 0, "with initial = \"cosine\": the wavenumber along y");
  add_generator_options(s, {256, 0.0, false, 0.0});
  return s;
}

double heat_grid_stable_step(double kappa, double cx, double cy, double h) {
  const double rate = 4.0 * kappa / (h * h) + (std::abs(cx) + std::abs(cy)) / h;
  return rate > 0 ? 0.9 / rate : std::numeric_limits<double>::infinity();
}

TimeSeriesDataset make_heat_grid(const Options& given, const DatasetContext& context) {
  const Options o = heat_grid_schema().resolve(given, "dataset 'heat_grid'");
  return cached_dataset("heat_grid", kGeneratorVersion, o, context, [&] {
    const std::int64_t N = o.get_int("grid_size");
    const double L = o.get_float("domain_length"), h = L / double(N);
    const double kappa = o.get_float("kappa"), cx = o.get_float("cx"), cy = o.get_float("cy");
    const double sigma = o.get_float("sigma");
    const double T_end = o.get_float("t_end");
    const auto times = linspace(0.0, T_end, o.get_int("num_frames"));

    double max_dt = heat_grid_stable_step(kappa, cx, cy, h);
    if (o.get_float("dt") > 0) max_dt = std::min(max_dt, o.get_float("dt"));
    if (!std::isfinite(max_dt)) max_dt = T_end;  // nothing moves deterministically: one step
    const std::int64_t steps = inner_steps(times[0], times[1], max_dt);
    const double inner_step = (times[1] - times[0]) / double(steps);

    const double diffusion = kappa / (h * h);
    GeneratorSde sde;
    sde.dim = static_cast<std::size_t>(N * N);
    sde.drift = [=](const OdeState& u, OdeState& f, double) {
      for (std::int64_t r = 0; r < N; ++r) {
        const std::int64_t up = (r + N - 1) % N, down = (r + 1) % N;
        for (std::int64_t c = 0; c < N; ++c) {
          const std::int64_t left = (c + N - 1) % N, right = (c + 1) % N;
          const double centre = u[r * N + c];
          const double west = u[r * N + left], east = u[r * N + right];
          const double north = u[up * N + c], south = u[down * N + c];
          // Upwind: the difference towards where the flow comes from.
          const double ux = cx >= 0 ? centre - west : east - centre;
          const double uy = cy >= 0 ? centre - north : south - centre;
          f[r * N + c] = diffusion * (west + east + north + south - 4.0 * centre) -
                         (cx * ux + cy * uy) / h;
        }
      }
    };
    const double g = sigma / h;
    sde.diffusion = [=](const OdeState&, OdeState& out, double) {
      std::fill(out.begin(), out.end(), g);
    };
    const std::string initial = o.get_string("initial");
    const double amplitude = o.get_float("initial_amplitude");
    const std::int64_t K = o.get_int("initial_modes");
    const double mx = double(o.get_int("initial_mode_x")), my = double(o.get_int("initial_mode_y"));
    const double two_pi = 2.0 * M_PI;
    sde.initial_state = [=](std::mt19937_64& rng, OdeState& u) {
      std::fill(u.begin(), u.end(), 0.0);
      if (initial == "cosine") {
        for (std::int64_t r = 0; r < N; ++r)
          for (std::int64_t c = 0; c < N; ++c)
            u[r * N + c] = amplitude * std::cos(two_pi * (mx * (c + 0.5) + my * (r + 0.5)) / N);
      } else if (initial == "smooth") {
        // Modes (kx, ky) of one half plane (kx > 0, or kx = 0 and ky > 0), |kx|, |ky| <= K, each
        // a cos + b sin with a, b ~ N(0, 1), scaled by 1 / sqrt(modes): pointwise variance
        // amplitude^2.
        std::normal_distribution<double> normal;
        std::int64_t modes = 0;
        for (std::int64_t kx = 0; kx <= K; ++kx)
          for (std::int64_t ky = -K; ky <= K; ++ky) {
            if (kx == 0 && ky <= 0) continue;
            ++modes;
            const double a = normal(rng), b = normal(rng);
            for (std::int64_t r = 0; r < N; ++r)
              for (std::int64_t c = 0; c < N; ++c) {
                const double phase = two_pi * (kx * (c + 0.5) + ky * (r + 0.5)) / N;
                u[r * N + c] += a * std::cos(phase) + b * std::sin(phase);
              }
          }
        for (auto& v : u) v *= amplitude / std::sqrt(double(modes));
      }
    };

    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    std::ostringstream text;
    text.precision(17);
    text << "du = (kappa Laplacian u - c . grad u) dt + sigma dW on the periodic [0, L)^2, "
            "N x N cells: 5-point Laplacian, upwind advection, sigma / h dW per cell (Ito)";
    auto d = generate_from_sde("heat_grid", sde, times, stepper, max_dt, o, context, text.str());
    d.meta["grid_size"] = std::to_string(N);
    d.meta["frame_height"] = std::to_string(N);
    d.meta["frame_width"] = std::to_string(N);
    d.meta["frame_layout"] =
        "D = grid_size^2, row-major, row r and column c hold the cell centred at "
        "((c + 1/2) h, (r + 1/2) h), h = domain_length / grid_size";
    std::ostringstream step;
    step.precision(17);
    step << inner_step;
    d.meta["inner_step"] = step.str();
    d.meta["inner_steps_per_interval"] = std::to_string(steps);
    d.meta["stable_step_rule"] =
        "0.9 / (4 kappa / h^2 + (|cx| + |cy|) / h), or dt when positive and smaller";
    return d;
  });
}

SDEBENCH_REGISTER_DATASET("heat_grid",
                          "stochastic advection-diffusion on a periodic N x N grid (finite "
                          "differences, space-time noise; D = N^2)",
                          heat_grid_schema(), make_heat_grid);

}  // namespace sdebench
