// pendulum_video (issue 18): registry and options, determinism and the cache (truth tensors
// included), frame statistics (pixels in [0, 1], the bob's mass pi r^2) and the rendered bob's
// centroid recovering the simulated angle, the oracle's reruns against closed forms.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "datasets/pendulum_video.h"
#include "test_support.h"

using namespace sdebench;

namespace pendulum_video_test {

Options small(std::int64_t size = 32, std::int64_t sequences = 8, std::int64_t frames = 20) {
  Options o;
  o.set("frame_size", size);
  o.set("num_sequences", sequences);
  o.set("num_frames", frames);
  o.set("t_end", 4.0);
  return o;
}

// Intensity-weighted centroid (x along columns, y down the rows) of each frame of [M, S * S],
// with pixel (r, c) at its centre (c + 1/2, r + 1/2).
std::pair<torch::Tensor, torch::Tensor> centroids(const torch::Tensor& frames, std::int64_t size) {
  auto f = frames.reshape({-1, size, size});
  auto centre = torch::arange(size, torch::kFloat64) + 0.5;
  auto mass = f.sum({1, 2});
  auto x = (f * centre.view({1, 1, size})).sum({1, 2}) / mass;
  auto y = (f * centre.view({1, size, 1})).sum({1, 2}) / mass;
  return {x, y};
}

}  // namespace pendulum_video_test

using namespace pendulum_video_test;

TEST_CASE("pendulum_video is registered with its options", "[datasets][pendulum_video]") {
  auto& registry = DatasetRegistry::instance();
  REQUIRE(registry.contains("pendulum_video"));
  const auto& entry = registry.get("pendulum_video", "dataset");
  for (std::string key : {"frame_size", "num_frames", "t_end", "g_over_l", "damping", "sigma",
                          "theta0_range", "omega0_std", "bob_radius", "arm_length", "antialias",
                          "supersample", "oracle_runs", "obs_noise", "num_sequences", "train_fraction",
                          "val_fraction", "test_fraction", "dt"}) {
    INFO(key);
    const auto* spec = entry.schema.find(key);
    REQUIRE(spec != nullptr);
    CHECK(spec->help.size() > 10);
  }
  // Through the registry, as a spec reaches it: a small set builds, D = frame_size^2.
  Options o = small(16, 10, 5);
  auto d = entry.factory(o, test::no_cache(1));
  CHECK(d.name == "pendulum_video");
  CHECK(d.train.values.sizes() == torch::IntArrayRef({8, 5, 256}));
  CHECK(d.val.size() == 1);
  CHECK(d.test.size() == 1);
  CHECK(d.meta.at("frame_height") == "16");
  CHECK(d.meta.at("frame_width") == "16");
  CHECK(d.truth.at("test").at("angle").sizes() == torch::IntArrayRef({1, 5}));

  Options unknown;
  unknown.set("frame_sise", std::int64_t(32));
  CHECK_THROWS_WITH(entry.factory(unknown, test::no_cache(0)),
                    Catch::Contains("'pendulum_video'") && Catch::Contains("frame_sise") &&
                        Catch::Contains("frame_size"));
  Options odd_size;
  odd_size.set("frame_size", std::int64_t(20));
  CHECK_THROWS_WITH(make_pendulum_video(odd_size, test::no_cache(0)),
                    Catch::Contains("frame_size") && Catch::Contains("16, 32 or 64"));
  Options too_big;
  too_big.set("frame_size", std::int64_t(128));
  CHECK_THROWS_WITH(make_pendulum_video(too_big, test::no_cache(0)),
                    Catch::Contains("frame_size"));
  Options outside;
  outside.set("arm_length", 0.45);
  CHECK_THROWS_WITH(make_pendulum_video(outside, test::no_cache(0)),
                    Catch::Contains("arm_length + bob_radius"));
}

TEST_CASE("pendulum_video: same seed identical, different seed different, cached",
          "[datasets][pendulum_video][seed]") {
  Options o = small(16, 10, 12);
  o.set("obs_noise", 0.05);
  auto a = make_pendulum_video(o, test::no_cache(3));
  auto b = make_pendulum_video(o, test::no_cache(3));
  auto c = make_pendulum_video(o, test::no_cache(4));
  CHECK(test::same_dataset_bytes(a, b));
  for (std::string split : {"train", "val", "test"})
    for (std::string key : {"angle", "angular_velocity", "oracle_angle_mean", "oracle_angle_std"}) {
      INFO(split << " " << key);
      CHECK(test::same_bytes(a.truth.at(split).at(key), b.truth.at(split).at(key)));
    }
  CHECK_FALSE(test::same_bytes(a.train.values, c.train.values));
  CHECK_FALSE(test::same_bytes(a.truth.at("train").at("angle"), c.truth.at("train").at("angle")));

  // The checksummed cache stores and returns the frames and the truth tensors.
  test::ScratchDir dir("pendulum-video-cache");
  DatasetContext context;
  context.seed = 3;
  context.cache_dir = dir.str();
  auto first = make_pendulum_video(o, context);
  auto second = make_pendulum_video(o, context);
  CHECK(first.meta.at("cache") == "generated");
  CHECK(second.meta.at("cache") == "hit");
  CHECK(test::same_dataset_bytes(second, a));
  for (std::string split : {"train", "val", "test"}) {
    REQUIRE(second.truth.at(split).size() == a.truth.at(split).size());
    for (const auto& [key, tensor] : a.truth.at(split)) {
      INFO("cached " << split << " " << key);
      REQUIRE(second.truth.at(split).count(key) == 1);
      CHECK(test::same_bytes(second.truth.at(split).at(key), tensor));
    }
  }
}

TEST_CASE("pendulum_video frames: pixels in [0, 1], the bob's mass is pi r^2",
          "[datasets][pendulum_video]") {
  const std::int64_t size = 32;
  const double radius = 0.1 * size;  // bob_radius 0.1 of the frame: 3.2 pixels
  const double area = M_PI * radius * radius;
  Options o = test::whole_sample(small(size), 16);
  auto d = make_pendulum_video(o, test::no_cache(5));
  const auto& v = d.train.values;  // [16, 20, 1024]
  CHECK(v.min().item<double>() >= 0.0);
  CHECK(v.max().item<double>() <= 1.0);
  CHECK(v.max().item<double>() == 1.0);  // the bob's interior is fully covered
  auto mass = v.sum(2).flatten();
  INFO("mass min " << mass.min().item<double>() << " max " << mass.max().item<double>()
                   << " vs pi r^2 = " << area);
  // Coverage on an 8 x 8 grid per pixel counts the grid points inside the disc: the count's
  // error is a Gauss-circle lattice error of a few points out of 64 pi r^2 ~ 2059, well
  // under 1%.
  CHECK((mass - area).abs().max().item<double>() <= 0.01 * area);

  SECTION("hard edges: values are 0 or 1, the mass is pi r^2 on average") {
    o.set("antialias", false);
    auto hard = make_pendulum_video(o, test::no_cache(5)).train.values;
    CHECK(torch::all((hard == 0) | (hard == 1)).item<bool>());
    // The number of pixel centres inside the disc averages to its area over the disc's
    // position; over 320 frames, within 3%.
    CHECK(hard.sum(2).mean().item<double>() == Approx(area).epsilon(0.03));
  }
  SECTION("observation noise is added after rendering, with its std") {
    o.set("obs_noise", 0.1);
    auto noisy = make_pendulum_video(o, test::no_cache(5)).train.values;
    auto noise = test::sample_moments(noisy - v);
    CHECK(std::abs(noise.mean) <= 4 * noise.mean_se);
    CHECK(std::abs(noise.variance - 0.01) <= 4 * noise.variance_se);
  }
}

TEST_CASE("the rendered bob's centroid recovers the simulated angle",
          "[datasets][pendulum_video]") {
  for (std::int64_t size : {16, 32, 64}) {
    INFO("frame size " << size);
    Options o = test::whole_sample(small(size, 8, 25), 8);
    o.set("theta0_range", 3.0);  // all the way round, both sides
    o.set("sigma", 1.0);
    auto d = make_pendulum_video(o, test::no_cache(6));
    auto theta = d.truth.at("train").at("angle").flatten();  // [200]
    auto [x, y] = centroids(d.train.values.reshape({-1, size * size}), size);
    const double pivot = size / 2.0, arm = 0.35 * size;
    auto error = ((x - (pivot + arm * torch::sin(theta))).pow(2) +
                  (y - (pivot + arm * torch::cos(theta))).pow(2))
                     .sqrt();
    // Tolerance 0.05 pixel. The centroid of an exactly area-weighted disc sampled at pixel
    // centres is off the disc's centre only through the partly covered boundary pixels (each
    // pulls by less than half a pixel, and opposite sides of the disc cancel); the 8 x 8
    // coverage estimate adds lattice noise of order 1/64 of a pixel's mass per boundary pixel.
    // Rendering 10^4 random positions, the largest error was 0.020, 0.019 and 0.012 pixel at
    // r = 1.6, 3.2 and 6.4 pixels (hard edges: 0.48, 0.32, 0.15); a wrong sign or axis moves
    // it by pixels, a pivot off by half a pixel by 0.7.
    const double tolerance = 0.05;
    INFO("largest centroid error " << error.max().item<double>() << " pixel");
    CHECK(error.max().item<double>() <= tolerance);
    // The angle itself, modulo 2 pi: the position error seen from the pivot, arm pixels away.
    auto recovered = torch::atan2(x - pivot, y - pivot);
    auto wrapped = torch::remainder(recovered - theta + M_PI, 2 * M_PI) - M_PI;
    CHECK(wrapped.abs().max().item<double>() <= tolerance / arm);
    // The angle does go round: the check is not about a bob that hangs still.
    CHECK((theta.max() - theta.min()).item<double>() > 3.0);
  }
}

TEST_CASE("the oracle reruns each sequence from its state at a frame: closed forms, data untouched",
          "[datasets][pendulum_video]") {
  Options o = small(16, 12, 11);
  o.set("t_end", 2.0);
  o.set("dt", 2e-3);
  const std::int64_t from = 3;
  o.set("oracle_from_frame", from);
  SECTION("without noise every rerun is the sequence's own path, in every split") {
    o.set("sigma", 0.0);
    o.set("omega0_std", 1.0);
    auto d = make_pendulum_video(o, test::no_cache(7));
    for (std::string split : {"train", "val", "test"}) {
      INFO(split);
      const auto& truth = d.truth.at(split);
      REQUIRE(truth.at("oracle_angle_mean").size(0) == truth.at("angle").size(0));
      // The mean of identical values, up to the rounding of their sum.
      CHECK((truth.at("oracle_angle_mean") - truth.at("angle")).abs().max().item<double>() <= 1e-12);
      CHECK(truth.at("oracle_angle_std").abs().max().item<double>() <= 1e-12);
    }
  }
  SECTION("a free particle's angle: mean theta_k + omega_k tau, variance sigma^2 tau^3 / 3") {
    // g/l = 0 and no damping: after frame k, theta = theta_k + omega_k tau + sigma * (integral
    // of W) with tau = t - t_k, whose variance is sigma^2 tau^3 / 3 (Euler's sum differs by
    // sigma^2 tau^2 dt / 2: under 2% from tau = 0.2 on). Before frame k: the path, std 0.
    o.set("g_over_l", 0.0);
    o.set("damping", 0.0);
    o.set("sigma", 0.7);
    const std::int64_t runs = 2048;
    o.set("oracle_runs", runs);
    auto d = make_pendulum_video(test::whole_sample(o, 6), test::no_cache(8));
    const auto& truth = d.truth.at("train");
    auto theta_k = truth.at("angle").select(1, from).unsqueeze(1);
    auto omega_k = truth.at("angular_velocity").select(1, from).unsqueeze(1);
    auto tau = (d.times - d.times[from]).clamp_min(0.0).unsqueeze(0);
    auto before = (d.times < d.times[from]).unsqueeze(0);
    auto expected_mean = torch::where(before, truth.at("angle"), theta_k + omega_k * tau);
    auto variance = 0.49 * tau.pow(3) / 3.0;
    // 4 standard errors: of a mean, sqrt(var / runs); of a variance, var sqrt(2 / runs).
    auto mean_error = (truth.at("oracle_angle_mean") - expected_mean).abs();
    CHECK((mean_error <= 4 * (variance / runs).sqrt() + 1e-12).all().item<bool>());
    auto var_error = (truth.at("oracle_angle_std").square() - variance).abs();
    CHECK((var_error <= 4 * variance * std::sqrt(2.0 / runs) + 1e-12).all().item<bool>());
    CHECK(truth.at("oracle_angle_std")[0][-1].item<double>() > 0.5);  // it does spread
    // Each sequence its own noise: no two sequences' spreads are equal.
    auto last = truth.at("oracle_angle_std").select(1, -1);
    CHECK(last[0].item<double>() != last[1].item<double>());
  }
  SECTION("the reruns draw on their own streams: the data's bytes are the same without them") {
    auto with = make_pendulum_video(o, test::no_cache(9));
    o.set("oracle_runs", 0);
    auto without = make_pendulum_video(o, test::no_cache(9));
    CHECK(test::same_dataset_bytes(with, without));
    CHECK(test::same_bytes(with.truth.at("test").at("angle"), without.truth.at("test").at("angle")));
    CHECK(without.truth.at("test").count("oracle_angle_mean") == 0);
  }
  SECTION("the frame must exist") {
    o.set("oracle_from_frame", 11);
    CHECK_THROWS_WITH(make_pendulum_video(o, test::no_cache(1)),
                      Catch::Contains("oracle_from_frame") && Catch::Contains("num_frames"));
  }
}
