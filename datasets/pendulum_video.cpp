// Stochastic damped pendulum rendered as grayscale video (issue 18):
//   d theta = omega dt,   d omega = (-(g/l) sin theta - damping omega) dt + sigma dW   (Ito),
// theta0 ~ U(-theta0_range, theta0_range), omega0 ~ N(0, omega0_std^2), simulated in float64 by
// the shared odeint generator (simulate_paths: Euler-Maruyama by default; with additive noise
// Milstein is the same scheme). Frame k shows the bob at time t_k as a disc of radius
// bob_radius * frame_size pixels whose centre hangs arm_length * frame_size pixels from the
// pivot in the frame's centre (theta = 0 straight down, positive theta to the right). Pixel
// values are the disc's area coverage (supersampled), in [0, 1] before observation noise.
// Values are [N, T, size * size], each frame row-major (meta frame_height / frame_width); the
// simulated angle and angular velocity are kept per split in truth[split]["angle"] and
// truth[split]["angular_velocity"] ([N_split, T]). With oracle_runs > 0, also
// truth[split]["oracle_angle_mean"] and ["oracle_angle_std"]: the angle's mean and std at each
// frame over oracle_runs reruns of the SDE from the sequence's exact state at frame
// oracle_from_frame, with fresh noise (before that frame: the path itself, std 0). Set to a
// forecast's last context frame, that is the forecast of a model that knew the state there
// exactly: even it spreads out, by the noise after that frame, and a report sets a model's
// forecast against it.
#include "datasets/pendulum_video.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "datasets/cache.h"
#include "datasets/generator.h"
#include "datasets/irregular_times.h"
#include "datasets/seeding.h"

namespace sdebench {

Schema pendulum_video_schema() {
  Schema s;
  s.add_int("frame_size", 32, "frame height and width in pixels: 16, 32 or 64", 16, 64)
      .add_int("num_frames", 100, "number of frames (observation times, equally spaced on "
                                  "[0, t_end])",
               2)
      .add_float("t_end", 10.0, "time of the last frame (the first is at t = 0)", 1e-12)
      .add_float("g_over_l", 4.0,
                 "gravity over pendulum length g/l in the drift -(g/l) sin theta (small-angle "
                 "period 2 pi / sqrt(g/l))",
                 0.0)
      .add_float("damping", 0.1, "linear damping rate of the angular velocity", 0.0)
      .add_float("sigma", 0.5, "std of the additive noise on the angular velocity, per sqrt(time)",
                 0.0)
      .add_float("theta0_range", 1.5,
                 "initial angle uniform on [-theta0_range, theta0_range] (radians, 0 = down)", 0.0)
      .add_float("omega0_std", 0.5, "std of the Gaussian initial angular velocity", 0.0)
      .add_float("bob_radius", 0.1,
                 "bob radius as a fraction of the frame size (0.1: 3.2 pixels at 32 x 32)", 1e-3,
                 0.5)
      .add_float("arm_length", 0.35,
                 "distance from the pivot (frame centre) to the bob's centre, as a fraction of "
                 "the frame size; arm_length + bob_radius <= 0.5 keeps the bob inside the frame",
                 0.0, 0.5)
      .add_bool("antialias", true,
                "render each pixel as the fraction of its area the bob covers (supersampled); "
                "false: 1 where the pixel centre is inside the bob, else 0")
      .add_int("supersample", 8,
               "with antialias = true, sample points per pixel side (coverage resolution "
               "1/supersample^2)",
               1, 64)
      .add_int("oracle_runs", 64,
               "reruns of each sequence from its exact state at frame oracle_from_frame (fresh "
               "noise) whose angle mean and std per frame go to "
               "truth[split][\"oracle_angle_mean\" / \"oracle_angle_std\"]; 0: none",
               0, 4096)
      .add_int("oracle_from_frame", 0,
               "the frame the oracle's reruns start from (0-based; e.g. a forecast's last "
               "context frame); before it the oracle is the path itself",
               0);
  add_generator_options(s, {256, 0.0, false, 1e-3});
  return s;
}

void render_pendulum_bob(double x, double y, double radius, std::int64_t size,
                         std::int64_t supersample, double* frame) {
  const double r2 = radius * radius;
  const std::int64_t c0 = std::max<std::int64_t>(0, std::int64_t(std::floor(x - radius)));
  const std::int64_t c1 = std::min<std::int64_t>(size - 1, std::int64_t(std::floor(x + radius)));
  const std::int64_t r0 = std::max<std::int64_t>(0, std::int64_t(std::floor(y - radius)));
  const std::int64_t r1 = std::min<std::int64_t>(size - 1, std::int64_t(std::floor(y + radius)));
  const double step = 1.0 / double(supersample);
  for (std::int64_t r = r0; r <= r1; ++r)
    for (std::int64_t c = c0; c <= c1; ++c) {
      // Nearest and farthest points of the pixel square from the centre: a pixel wholly inside
      // (or outside) the disc has every sample point inside (outside): the disc is convex.
      const double nx = std::clamp(x, double(c), double(c + 1)) - x;
      const double ny = std::clamp(y, double(r), double(r + 1)) - y;
      if (nx * nx + ny * ny >= r2) continue;
      const double fx = std::max(std::abs(c - x), std::abs(c + 1 - x));
      const double fy = std::max(std::abs(r - y), std::abs(r + 1 - y));
      double value;
      if (fx * fx + fy * fy < r2) {
        value = 1.0;
      } else {
        std::int64_t inside = 0;
        for (std::int64_t a = 0; a < supersample; ++a) {
          const double dy = r + (a + 0.5) * step - y;
          for (std::int64_t b = 0; b < supersample; ++b) {
            const double dx = c + (b + 0.5) * step - x;
            inside += dx * dx + dy * dy < r2;
          }
        }
        value = double(inside) / double(supersample * supersample);
      }
      frame[r * size + c] = std::min(1.0, frame[r * size + c] + value);
    }
}

namespace {

// Per sequence i of `paths` ([n, T, 2]): `runs` new paths of `sde` from its state at frame
// `from`, each on its own stream (RandomStream::Oracle, so the data's streams are untouched);
// returns the mean and population std of theta over the runs, [n, T] each (before `from`: the
// path's theta, std 0). The drift and diffusion do not depend on time, so a rerun may start
// its clock at times[from].
std::pair<torch::Tensor, torch::Tensor> oracle_angle_moments(const GeneratorSde& sde,
                                                             const std::vector<double>& times,
                                                             const std::vector<double>& paths,
                                                             std::int64_t n, std::int64_t runs,
                                                             std::int64_t from, double dt,
                                                             StepperKind stepper,
                                                             std::uint64_t seed) {
  const auto T = static_cast<std::int64_t>(times.size());
  const std::vector<double> ahead(times.begin() + from, times.end());
  const auto A = static_cast<std::int64_t>(ahead.size());
  auto mean = torch::zeros({n, T}, torch::kFloat64), std = torch::zeros({n, T}, torch::kFloat64);
  auto m = mean.accessor<double, 2>(), s = std.accessor<double, 2>();
  for (std::int64_t i = 0; i < n; ++i) {
    const double* path = paths.data() + i * T * 2;
    for (std::int64_t t = 0; t < from; ++t) m[i][t] = path[t * 2];
    GeneratorSde from_state = sde;
    const double theta = path[from * 2], omega = path[from * 2 + 1];
    from_state.initial_state = [=](std::mt19937_64&, OdeState& x0) {
      x0[0] = theta;
      x0[1] = omega;
    };
    const auto reruns = simulate_paths(from_state, ahead, runs, dt, stepper,
                                       derive_seed(seed, RandomStream::Oracle, std::uint64_t(i)));
    for (std::int64_t a = 0; a < A; ++a) {
      double sum = 0, square = 0;
      for (std::int64_t r = 0; r < runs; ++r) sum += reruns[static_cast<std::size_t>((r * A + a) * 2)];
      const double centre = sum / double(runs);
      for (std::int64_t r = 0; r < runs; ++r) {
        const double d = reruns[static_cast<std::size_t>((r * A + a) * 2)] - centre;
        square += d * d;
      }
      m[i][from + a] = centre;
      s[i][from + a] = std::sqrt(square / double(runs));
    }
  }
  return {mean, std};
}

}  // namespace

TimeSeriesDataset make_pendulum_video(const Options& given, const DatasetContext& context) {
  const std::string owner = "dataset 'pendulum_video'";
  const Options o = pendulum_video_schema().resolve(given, owner);
  const std::int64_t size = o.get_int("frame_size");
  if (size != 16 && size != 32 && size != 64)
    throw std::invalid_argument(owner + ": option 'frame_size' must be 16, 32 or 64, not " +
                                std::to_string(size));
  if (o.get_float("arm_length") + o.get_float("bob_radius") > 0.5 + 1e-12)
    throw std::invalid_argument(owner + ": arm_length + bob_radius must be <= 0.5 (the bob "
                                        "would leave the frame)");
  if (o.get_int("oracle_from_frame") >= o.get_int("num_frames"))
    throw std::invalid_argument(owner + ": option 'oracle_from_frame' (" +
                                std::to_string(o.get_int("oracle_from_frame")) +
                                ") must be below num_frames (" +
                                std::to_string(o.get_int("num_frames")) + ")");
  require_grid_sampling(o, owner);  // frames are rendered from the grid's states
  return cached_dataset("pendulum_video", kGeneratorVersion, o, context, [&] {
    const double g_over_l = o.get_float("g_over_l"), damping = o.get_float("damping"),
                 sigma = o.get_float("sigma"), theta0_range = o.get_float("theta0_range"),
                 omega0_std = o.get_float("omega0_std");
    GeneratorSde sde;
    sde.dim = 2;
    sde.drift = [=](const OdeState& x, OdeState& f, double) {
      f[0] = x[1];
      f[1] = -g_over_l * std::sin(x[0]) - damping * x[1];
    };
    sde.diffusion = [=](const OdeState&, OdeState& g, double) {
      g[0] = 0.0;
      g[1] = sigma;
    };
    sde.initial_state = [=](std::mt19937_64& rng, OdeState& x0) {
      x0[0] = std::uniform_real_distribution<double>(-theta0_range, theta0_range)(rng);
      x0[1] = omega0_std * std::normal_distribution<double>()(rng);
    };
    const std::int64_t T = o.get_int("num_frames");
    const auto times = linspace(0.0, o.get_float("t_end"), T);
    const auto stepper = resolve_stepper(o, StepperKind::Euler);
    const double dt = o.get_float("dt");
    const std::int64_t n = o.get_int("num_sequences");
    const SplitSizes sizes = split_sizes(n, o);
    const auto paths = simulate_paths(sde, times, n, dt, stepper, context.seed);  // [n, T, 2]

    const std::int64_t pixels = size * size;
    const double radius = o.get_float("bob_radius") * double(size);
    const double arm = o.get_float("arm_length") * double(size);
    const double pivot = 0.5 * double(size);
    const std::int64_t supersample = o.get_bool("antialias") ? o.get_int("supersample") : 1;
    std::vector<double> frames(static_cast<std::size_t>(n * T * pixels), 0.0);
    at::parallel_for(0, n * T, 64, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t k = begin; k < end; ++k) {
        const double theta = paths[k * 2];
        render_pendulum_bob(pivot + arm * std::sin(theta), pivot + arm * std::cos(theta), radius,
                            size, supersample, frames.data() + k * pixels);
      }
    });

    auto d = finish_generated("pendulum_video", times, std::move(frames), pixels, sizes, o, context);
    auto state = torch::from_blob(const_cast<double*>(paths.data()), {n, T, 2}, torch::kFloat64);
    const std::int64_t oracle_runs = o.get_int("oracle_runs");
    torch::Tensor oracle_mean, oracle_std;
    if (oracle_runs > 0)
      std::tie(oracle_mean, oracle_std) =
          oracle_angle_moments(sde, times, paths, n, oracle_runs, o.get_int("oracle_from_frame"),
                               dt, stepper, context.seed);
    std::int64_t start = 0;
    for (auto [split, count] : {std::make_pair("train", sizes.train),
                                std::make_pair("val", sizes.val),
                                std::make_pair("test", sizes.test)}) {
      d.truth[split]["angle"] = state.narrow(0, start, count).select(2, 0).clone();
      d.truth[split]["angular_velocity"] = state.narrow(0, start, count).select(2, 1).clone();
      if (oracle_runs > 0) {
        d.truth[split]["oracle_angle_mean"] = oracle_mean.narrow(0, start, count).clone();
        d.truth[split]["oracle_angle_std"] = oracle_std.narrow(0, start, count).clone();
      }
      start += count;
    }
    std::ostringstream sde_text;
    sde_text << "d theta = omega dt, d omega = (-(g/l) sin theta - damping omega) dt + sigma dW "
                "(Ito), rendered as "
             << size << " x " << size << " frames";
    record_generator_meta(d, o, context, sde_text.str(), stepper, dt);
    d.meta["frame_height"] = std::to_string(size);
    d.meta["frame_width"] = std::to_string(size);
    d.meta["frame_layout"] =
        "D = frame_height * frame_width, row-major, row 0 at the top; pixel (r, c) covers "
        "[c, c + 1] x [r, r + 1]; the pivot is at (frame_width / 2, frame_height / 2) and the "
        "bob's centre at pivot + arm_length * frame_size * (sin theta, cos theta)";
    d.meta["truth"] =
        "truth[split][\"angle\"] (theta, radians, unwrapped) and "
        "truth[split][\"angular_velocity\"] (omega), [N_split, T], split = train, val, test: "
        "the simulated pendulum at each frame; with oracle_runs > 0 also "
        "truth[split][\"oracle_angle_mean\"] and [\"oracle_angle_std\"]: theta's mean and "
        "population std over oracle_runs reruns from the sequence's state at frame "
        "oracle_from_frame (before it: the path, std 0)";
    return d;
  });
}

SDEBENCH_REGISTER_DATASET("pendulum_video",
                          "stochastic damped pendulum rendered as grayscale frames (video, "
                          "D = frame_size^2), true angle in truth[split][\"angle\"]",
                          pendulum_video_schema(), make_pendulum_video);

}  // namespace sdebench
