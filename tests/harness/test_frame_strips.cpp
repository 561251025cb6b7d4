// harness/report/frame_strips: the latent-vs-truth readout against an exactly linear truth and
// a noisy one, the frame strip's checks on what forecasts.csv holds, and the centroid angle
// against bobs drawn by pendulum_video's own renderer.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "datasets/pendulum_video.h"
#include "harness/report/frame_strips.h"
#include "temp_dir.h"

using namespace sdebench;

namespace {

// latents.csv with 3 sequences x 20 times, latent z0..z2, truth = 2 z0 - z1 + 0.5 + noise.
std::string write_latents(const std::string& dir, double noise) {
  const std::string path = dir + "/latents.csv";
  std::ofstream out(path);
  out.precision(17);
  out << "sequence,time,z0,z1,z2,truth_angle\n";
  std::mt19937 rng(3);
  std::normal_distribution<double> n01(0.0, 1.0);
  for (int b = 0; b < 3; ++b)
    for (int t = 0; t < 20; ++t) {
      const double z0 = std::sin(0.3 * t + b), z1 = std::cos(0.7 * t) * b, z2 = 0.1 * t;
      out << b << "," << 0.1 * t << "," << z0 << "," << z1 << "," << z2 << ","
          << 2 * z0 - z1 + 0.5 + noise * n01(rng) << "\n";
    }
  return path;
}

}  // namespace

TEST_CASE("the latent readout recovers an exactly linear truth and scores noise below 1",
          "[report][frames]") {
  testing::TempDir tmp;
  auto exact = fit_latent_truth(write_latents(tmp.path, 0.0), "", "");
  CHECK(exact.truth == "angle");
  CHECK(exact.rows == 60);
  REQUIRE(exact.weights.size() == 4);
  CHECK(exact.weights[0] == Approx(2.0).margin(1e-9));
  CHECK(exact.weights[1] == Approx(-1.0).margin(1e-9));
  CHECK(exact.weights[2] == Approx(0.0).margin(1e-9));
  CHECK(exact.weights[3] == Approx(0.5).margin(1e-9));
  CHECK(exact.r_squared == Approx(1.0).margin(1e-12));
  auto noisy = fit_latent_truth(write_latents(tmp.path, 0.5), "", "");
  CHECK(noisy.r_squared < 0.99);
  CHECK(noisy.r_squared > 0.5);

  std::ofstream(tmp.path + "/no_truth.csv") << "sequence,time,z0\n0,0,1\n0,1,2\n";
  CHECK_THROWS_WITH(fit_latent_truth(tmp.path + "/no_truth.csv", "", ""), Catch::Contains("truth_"));
}

TEST_CASE("a frame strip needs square frames and draws a PNG", "[report][frames]") {
  testing::TempDir tmp;
  const std::string odd = tmp.path + "/odd.csv";
  std::ofstream(odd) << "kind,sequence,time,x0,x1,x2\ndata,0,0,1,2,3\nmean,0,0,1,2,3\n";
  CHECK_THROWS_WITH(write_frame_strip(odd, tmp.path + "/odd.png", "t"),
                    Catch::Contains("not a square frame"));
  const std::string good = tmp.path + "/forecasts.csv";
  {
    std::ofstream out(good);
    out << "kind,sequence,time";
    for (int d = 0; d < 64; ++d) out << ",x" << d;
    out << "\n";
    for (const char* kind : {"data", "mean", "sample"})
      for (int t = 0; t < 5; ++t) {
        out << kind << ",0," << t;
        for (int d = 0; d < 64; ++d) out << "," << (d == 9 * t ? 1.0 : 0.0);
        out << "\n";
      }
  }
  write_frame_strip(good, tmp.path + "/strip.png", "a moving dot", 4);
  CHECK(std::filesystem::file_size(tmp.path + "/strip.png") > 100);
}

TEST_CASE("the centroid angle of a rendered bob is the pendulum's angle", "[report][frames]") {
  const std::int64_t side = 32;
  const double arm = 0.35 * side, radius = 0.1 * side;
  for (double theta : {0.0, 0.4, -1.1, 1.5, 2.6, -3.0}) {
    INFO("theta " << theta);
    std::vector<double> frame(static_cast<std::size_t>(side * side), 0.0);
    render_pendulum_bob(0.5 * side + arm * std::sin(theta), 0.5 * side + arm * std::cos(theta),
                        radius, side, 8, frame.data());
    // Supersampled coverage puts the centroid within a small fraction of a pixel of the centre.
    CHECK(centroid_angle(frame, side) == Approx(theta).margin(0.01));
  }
  CHECK(std::isnan(centroid_angle(std::vector<double>(16, 0.0), 4)));

  testing::TempDir tmp;
  const std::string csv = tmp.path + "/forecasts.csv";
  {
    std::ofstream out(csv);
    out.precision(17);
    out << "kind,sequence,time";
    for (std::int64_t d = 0; d < side * side; ++d) out << ",x" << d;
    out << "\n";
    for (const char* kind : {"data", "mean", "sample"})
      for (int t = 0; t < 6; ++t) {
        std::vector<double> frame(static_cast<std::size_t>(side * side), 0.0);
        const double theta = std::sin(t);
        render_pendulum_bob(0.5 * side + arm * std::sin(theta), 0.5 * side + arm * std::cos(theta),
                            radius, side, 4, frame.data());
        out << kind << ",0," << 0.5 * t;
        for (double v : frame) out << "," << v;
        out << "\n";
      }
  }
  write_centroid_angle_plot(csv, tmp.path + "/angle.png", "a swinging bob");
  CHECK(std::filesystem::file_size(tmp.path + "/angle.png") > 100);
  // With an oracle band from latents.csv (its own line styles reach gnuplot).
  {
    std::ofstream out(tmp.path + "/latents.csv");
    out << "sequence,time,z0,truth_angle,truth_oracle_angle_mean,truth_oracle_angle_std\n";
    for (int t = 0; t < 6; ++t)
      out << "0," << 0.5 * t << ",0," << std::sin(t) << "," << 0.9 * std::sin(t) << "," << 0.05 * t << "\n";
  }
  write_centroid_angle_plot(csv, tmp.path + "/angle_oracle.png", "with the oracle",
                            tmp.path + "/latents.csv");
  CHECK(std::filesystem::file_size(tmp.path + "/angle_oracle.png") > 100);
}

TEST_CASE("the oracle's angles are sequence 0's truth_oracle_angle columns of latents.csv",
          "[report][frames]") {
  testing::TempDir tmp;
  const std::string path = tmp.path + "/latents.csv";
  std::ofstream(path) << "sequence,time,z0,truth_angle,truth_oracle_angle_mean,truth_oracle_angle_std\n"
                         "0,0,1,0.5,0.5,0\n"
                         "0,0.5,2,0.7,0.6,0.25\n"
                         "1,0,3,-1,-1,0\n"
                         "1,0.5,4,-0.8,-0.9,0.5\n";
  const OracleAngles oracle = read_oracle_angles(path);
  CHECK(oracle.times == std::vector<double>{0.0, 0.5});
  CHECK(oracle.mean == std::vector<double>{0.5, 0.6});
  CHECK(oracle.std == std::vector<double>{0.0, 0.25});
  // Without the columns (other datasets, or oracle_runs = 0): nothing to draw.
  std::ofstream(tmp.path + "/plain.csv") << "sequence,time,z0,truth_angle\n0,0,1,0.5\n";
  CHECK(read_oracle_angles(tmp.path + "/plain.csv").times.empty());
}
