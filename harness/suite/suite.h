#pragma once
// A reproduction suite is data: a file `experiments/paper/<name>.suite.toml` that lists the specs
// to train, how many seeds, which metric is the score, and the published numbers to set beside
// ours. `sdebench reproduce <name>` runs it through the ordinary sweep and writes the report
// (harness/suite/reproduce.h). No torch here.
#include <cstdint>
#include <string>
#include <vector>

namespace sdebench {

struct PublishedRow {
  std::string method;  // registry name it compares with; empty: shown for reference only
  std::string label;
  double value = 0.0;
  double interval = 0.0;  // published +/- (its exact meaning is often not stated)
};

// The comparison a suite exists to answer (the seed claims: "5x+ faster", "far less memory",
// "same accuracy"): one method against baselines, every number with its interval over seeds
// (harness/suite/claims.h). Methods are named by their spec's `name`.
struct Claims {
  std::string fast;                    // e.g. "paper-lorenz-sde_matching"
  std::vector<std::string> baselines;  // e.g. the adjoint and the backprop latent SDE
  std::string accuracy = "test_nelbo";  // lower is better; also the time-to-target metric
  std::string distance = "test_energy_distance";  // a second accuracy metric (lower is better)
  // The time-to-target threshold of `accuracy`; 0: each baseline's median final value.
  double target = 0.0;
  double speedup_claim = 5.0;  // "5x+ faster"
  double memory_claim = 2.0;   // "far less memory", read as at least this ratio
};

// A suite can come at several scales (e.g. "paper": the published settings, hours on 2 cores;
// "small": the same comparison scaled down), each its own spec files and report folder.
struct Suite {
  std::string file;                // the suite file
  std::string scale;               // the chosen scale ("" when the suite has none)
  std::vector<std::string> scales;  // every scale the file defines
  std::string report;              // report folder name under reports/
  std::string title;
  std::string description;         // the chosen scale's (or the suite's): printed in the report
  std::vector<std::string> specs;  // paths of the spec files (resolved against the suite file)
  std::int64_t seeds = 1;          // seeds 0 .. seeds-1
  // Sweep overrides applied to every spec, e.g. "dataset.frame_size=16,32,64": each spec runs
  // at every point of their product (a scaling grid), each point its own row in the tables.
  std::vector<std::string> grid;
  // Square-frame data (video, grids): draw each group's test forecast as a PNG strip of frames,
  // the data above the model's forecast mean.
  bool frame_strips = false;
  // With frame_strips: also plot the angle of each frame's bright centroid about the frame's
  // centre against time (data, forecast mean, forecast sample): for pendulum videos, whether a
  // forecast swings with the data at every time, not only the strip's few.
  bool centroid_angles = false;
  // Draw strips and latent-vs-truth plots only for groups whose label contains this (e.g.
  // "dataset.frame_size=32 dataset.num_frames=100"); empty: every group.
  std::string pictures_for;
  std::string metric;              // the score (lower is better), a final metric of every run
  std::string metric_interval;     // optional: a per-run interval of the score (e.g. over samples)
  // Optional: further scores shown beside it, each as mean ± 95% CI over seeds (e.g. the sample
  // mean's MSE, or the last iterate's score beside the validation-chosen one).
  std::vector<std::string> also_metrics;
  std::vector<std::int64_t> plot_dims;  // data dimensions drawn in the forecast plots
  double score_below = 0.0;  // > 0: the table says whether each score is below this
  std::vector<PublishedRow> published;
  bool has_claims = false;
  Claims claims;
};

// experiments/paper/<name>.suite.toml under `experiments_root`, or, when there is none,
// experiments/<name>/<name>.suite.toml (a suite that is not a paper's, e.g. highdim).
std::string suite_path(const std::string& experiments_root, const std::string& name);
// Reads and checks a suite file; errors name the file, line and key. `scale` picks one of its
// [scales.NAME] tables ("" = the file's default_scale); a suite without scales takes none.
Suite load_suite(const std::string& path, const std::string& scale = "");

}  // namespace sdebench
