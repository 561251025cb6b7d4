#pragma once
// Comparing settings over several runs each, as cross-validation needs: runs are grouped by the
// values of chosen spec keys (read from each run's resolved spec.toml), so that seeds and folds
// are pooled, and each group is compared with a reference group run by run, matched on the seed
// and on other chosen keys (e.g. dataset.validation_fold). A paired difference removes what the
// matched runs share (a fold's difficulty), which the groups' own intervals do not.
//
// Metrics: a name from summary.json's final metrics (e.g. best_val_forecast_mse_samples), or a
// summary of one eval.csv column over training:
//   last:COLUMN         the last evaluation's value;
//   late_median:COLUMN  the median over the second half of the evaluations (rows n/2 .. n-1).
// The best value seen during training is optimistic by more the more a metric swings between
// evaluations; late_median measures the level the swings go around.
#include <string>
#include <vector>

#include "harness/report/aggregate.h"
#include "harness/stats.h"

namespace sdebench {

struct PairedComparisonOptions {
  std::vector<std::string> by;       // spec keys whose values define a group
  std::vector<std::string> metrics;  // at least one
  std::vector<std::string> against;  // the reference group's values of `by`, in order; empty = none
  std::vector<std::string> match;    // spec keys that, with the seed, pair two runs
};

// One metric's value for a run, by the naming above; NaN when the run does not have it.
// Throws on a malformed name (an unknown prefix, or no column after the colon).
double run_metric(const RunRecord& run, const std::string& metric);

// The values of dotted keys in a run's spec.toml (read once) as text, numbers as %.10g so that
// 300 and 300.0 read alike; throws naming the run's spec file and the key when a key is absent.
std::vector<std::string> spec_values(const std::string& run_dir, const std::vector<std::string>& keys);
// A value given on the command line, written the way spec_values writes it.
std::string canonical_value(const std::string& text);

struct PairedMetric {
  MeanInterval stat;  // over the group's runs
  // Against the reference group of the same method and dataset (empty when there is none, or
  // for the reference itself): differences group minus reference over the paired runs, and
  // in how many of them the group's value is the lower.
  bool has_difference = false;
  MeanInterval difference;
  int lower = 0;
};

struct PairedGroup {
  std::string method, dataset;
  std::vector<std::string> values;  // of `by`, in order
  bool is_reference = false;
  std::vector<const RunRecord*> runs;
  std::vector<PairedMetric> metrics;  // in the order of options.metrics
};

// Groups sorted by method, dataset and values (numbers by size). Only runs whose status counts
// (completed, time_budget, diverged) enter. Throws when `by` or `metrics` is empty, when
// `against` has a different number of values than `by`, when no group has the `against`
// values, or when two runs of a group share the seed and the `match` values.
std::vector<PairedGroup> compare_paired(const std::vector<RunRecord>& runs, const PairedComparisonOptions& options);
// The groups as a plain-text table with a line on how to read it.
std::string format_paired_comparison(const std::vector<PairedGroup>& groups, const PairedComparisonOptions& options);

}  // namespace sdebench
