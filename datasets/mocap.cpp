// CMU MOCAP subject 35 (walking) as preprocessed for ODE2VAE: Xtr (16, 300, 50), Xval (3, 300,
// 50), Xtest (4, 300, 50), float64, dt = 0.1. MATLAB stores arrays column-major: element
// (i, j, k) of an (N, T, D) array is at i + N (j + T k); we return row-major [N, T, D].
#include <matio.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "datasets/generator.h"
#include "datasets/irregular_times.h"
#include "datasets/loaders.h"
#include "datasets/normalisation.h"
#include "datasets/seeding.h"
#include "datasets/sha256.h"

namespace sdebench {

Schema mocap_schema() {
  Schema s;
  s.add_string("path", "",
               "path to mocap35.mat; empty: $SDEBENCH_MOCAP, else <data_dir>/mocap35.mat, else "
               "../shared/data/mocap35.mat (from the current directory, then from the source tree)")
      .add_float("dt", 0.1, "time between frames (times 0, dt, ..., 299 dt)", 1e-12)
      .add_bool("verify_checksum", true, "check the file's sha256 against the published value")
      .add_float("keep_probability", 1.0,
                 "< 1: irregularly sampled MOCAP, each sequence on its own times: after its first "
                 "keep_first frames, each frame is kept with this probability (seeded by the "
                 "dataset seed and the sequence), and the batches carry only the kept frames",
                 0.0, 1.0)
      .add_int("keep_first", 3,
               "with keep_probability < 1, the frames every sequence keeps at its start (the "
               "protocol conditions forecasts on frames 0-2)",
               1)
      .add_int("validation_folds", 0,
               "0: the file's split. K >= 2: cross-validation for choosing hyperparameters: "
               "the file's 16 training and 3 validation sequences are pooled (in that order), "
               "sequence i goes to fold i mod K, fold validation_fold is the validation split "
               "and the others the training split; the test split is the file's",
               0, 19)
      .add_int("validation_fold", 0, "with validation_folds = K >= 2: the fold validated on (0 .. K-1)", 0)
      .add_bool("normalise", false,
                "the file is already zero-mean per sequence and dimension; true additionally "
                "divides every dimension by its std over the training split (constant dims keep "
                "std 1) and subtracts its training mean");
  return s;
}

std::vector<PathCandidate> mocap_candidates(const Options& options, const DatasetContext& context) {
  const std::string file = "mocap35.mat";
  if (!options.get_string("path").empty())
    return {{options.get_string("path"), "option 'path'"}};
  if (const char* env = std::getenv("SDEBENCH_MOCAP"); env && *env)
    return {{env, "environment variable SDEBENCH_MOCAP"}};
  std::vector<PathCandidate> out;
  if (!context.data_dir.empty())
    out.push_back({(std::filesystem::path(context.data_dir) / file).string(), "data_dir"});
  out.push_back({"../shared/data/" + file, "../shared/data relative to the current directory"});
#ifdef SDEBENCH_DATASETS_SOURCE_DIR
  out.push_back({std::string(SDEBENCH_DATASETS_SOURCE_DIR) + "/../shared/data/" + file,
                 "../shared/data relative to the source tree"});
#endif
  return out;
}

namespace {

struct MatFileCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct MatVarFreer {
  void operator()(matvar_t* var) const { Mat_VarFree(var); }
};

torch::Tensor read_sequences(mat_t* mat, const std::string& path, const char* name) {
  std::unique_ptr<matvar_t, MatVarFreer> var(Mat_VarRead(mat, name));
  if (!var) throw std::runtime_error("mocap: '" + path + "' has no variable '" + name + "'");
  if (var->rank != 3 || var->class_type != MAT_C_DOUBLE || var->isComplex || !var->data)
    throw std::runtime_error("mocap: variable '" + std::string(name) + "' in '" + path +
                             "' is not a real 3-D double array");
  const std::int64_t n = var->dims[0], T = var->dims[1], D = var->dims[2];
  const auto* data = static_cast<const double*>(var->data);
  auto out = torch::empty({n, T, D}, torch::kFloat64);
  auto acc = out.accessor<double, 3>();
  for (std::int64_t k = 0; k < D; ++k)
    for (std::int64_t j = 0; j < T; ++j)
      for (std::int64_t i = 0; i < n; ++i) acc[i][j][k] = data[i + n * (j + T * k)];
  return out;
}

// Irregular MOCAP: each sequence keeps its first keep_first frames and each later frame with
// probability keep_probability, on its own times (the compact per-sequence form).
void keep_random_frames(TimeSeriesDataset& d, const Options& o, std::uint64_t seed) {
  const double p = o.get_float("keep_probability");
  const std::int64_t T = d.times.size(0), first = o.get_int("keep_first");
  if (first > T)
    throw std::invalid_argument("dataset 'mocap': keep_first = " + std::to_string(first) +
                                " exceeds the " + std::to_string(T) + " frames");
  std::int64_t index = 0;  // sequences numbered over train, val, test
  for (auto* split : {&d.train, &d.val, &d.test}) {
    std::vector<std::vector<bool>> keep(static_cast<std::size_t>(split->size()));
    for (auto& row : keep) {
      auto rng = make_rng(seed, RandomStream::Mask, static_cast<std::uint64_t>(index++));
      std::bernoulli_distribution kept(p);
      row.resize(static_cast<std::size_t>(T));
      for (std::int64_t t = 0; t < T; ++t) row[static_cast<std::size_t>(t)] = t < first || kept(rng);
    }
    *split = kept_frames_as_own_times(*split, d.times, keep);
  }
  d.times = torch::stack({d.times[0], d.times[-1]});
  d.meta["time_grid"] = "per-sequence times: the first " + std::to_string(first) +
                        " frames and each later one with probability " + format_value(p);
}

// Cross-validation folds over the file's training and validation sequences: the file's
// validation split has 3 sequences, too few to choose hyperparameters on without the choice
// fitting those 3 (see experiments/paper/defaults/mocap_protocol.toml). Fold membership is
// i mod K over the pooled order, so a fold mixes training and validation sequences of the file.
void regroup_into_folds(TimeSeriesDataset& d, std::int64_t folds, std::int64_t fold) {
  const auto pooled = torch::cat({d.train.values, d.val.values}, 0);
  const std::int64_t n = pooled.size(0);
  if (folds < 2 || folds > n)
    throw std::invalid_argument("dataset 'mocap': validation_folds = " + std::to_string(folds) +
                                " must be 0 (the file's split) or 2 .. " + std::to_string(n));
  if (fold >= folds)
    throw std::invalid_argument("dataset 'mocap': validation_fold = " + std::to_string(fold) +
                                " must be below validation_folds = " + std::to_string(folds));
  std::vector<std::int64_t> validation, training;
  for (std::int64_t i = 0; i < n; ++i) (i % folds == fold ? validation : training).push_back(i);
  const auto pick = [&](const std::vector<std::int64_t>& rows) {
    return pooled.index_select(0, torch::tensor(rows, torch::kInt64));
  };
  d.train.values = pick(training);
  d.val.values = pick(validation);
  d.meta["split"] = "fold " + std::to_string(fold) + " of " + std::to_string(folds) +
                    " over the file's Xtr and Xval pooled (" + std::to_string(training.size()) +
                    " training, " + std::to_string(validation.size()) +
                    " validation sequences); the file's Xtest";
}

}  // namespace

TimeSeriesDataset make_mocap(const Options& given, const DatasetContext& context) {
  const Options o = mocap_schema().resolve(given, "dataset 'mocap'");
  const auto candidates = mocap_candidates(o, context);
  std::string path;
  for (const auto& c : candidates)
    if (std::filesystem::is_regular_file(c.path)) {
      path = c.path;
      break;
    }
  if (path.empty()) {
    std::string msg = "mocap: mocap35.mat not found. Looked in:";
    for (const auto& c : candidates) msg += "\n  " + c.path + "  (" + c.origin + ")";
    msg += std::string("\nObtain it from the public repository uncbiag/neuro_shooting, file ") +
           "data/mocap/mocap35.mat (sha256 " + kMocapSha256 +
           "), and put it at ../shared/data/mocap35.mat beside the project, or set the option "
           "'path' or the environment variable SDEBENCH_MOCAP.";
    throw std::runtime_error(msg);
  }
  const std::string checksum = sha256_file(path);
  if (o.get_bool("verify_checksum") && checksum != kMocapSha256)
    throw std::runtime_error("mocap: '" + path + "' has sha256 " + checksum + ", expected " +
                             kMocapSha256 +
                             " (a different or damaged file; set verify_checksum = false to "
                             "use it anyway)");

  std::unique_ptr<mat_t, MatFileCloser> mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw std::runtime_error("mocap: matio cannot open '" + path + "' as a MATLAB file");
  TimeSeriesDataset d;
  d.name = "mocap";
  d.train.values = read_sequences(mat.get(), path, "Xtr");
  d.val.values = read_sequences(mat.get(), path, "Xval");
  d.test.values = read_sequences(mat.get(), path, "Xtest");
  const std::int64_t T = d.train.values.size(1), D = d.train.values.size(2);
  for (const auto* split : {&d.val, &d.test})
    if (split->values.size(1) != T || split->values.size(2) != D)
      throw std::runtime_error("mocap: '" + path + "': Xval/Xtest shapes differ from Xtr's");
  d.meta["split"] = "the file's Xtr / Xval / Xtest";
  if (o.get_int("validation_folds") > 0)
    regroup_into_folds(d, o.get_int("validation_folds"), o.get_int("validation_fold"));
  d.times = torch::arange(T, torch::kFloat64) * o.get_float("dt");
  for (auto* split : {&d.train, &d.val, &d.test}) split->mask = torch::ones_like(split->values);
  normalise_from_training(d, o.get_bool("normalise"));
  if (o.get_float("keep_probability") < 1.0) keep_random_frames(d, o, context.seed);
  d.meta["dataset"] = "mocap";
  d.meta["source_file"] = path;
  d.meta["sha256"] = checksum;
  d.meta["seed"] = std::to_string(context.seed);
  d.meta["version"] = "sdebench-mocap/1";
  d.meta["normalisation"] = o.get_bool("normalise") ? "train mean/std per dimension" : "none";
  for (const auto& [key, value] : o.values()) d.meta["option." + key] = format_value(value);
  return d;
}

SDEBENCH_REGISTER_DATASET("mocap",
                          "CMU MOCAP subject 35 (mocap35.mat, 50 dims, 300 frames, 16/3/4 split or folds)",
                          mocap_schema(), make_mocap);

}  // namespace sdebench
