#pragma once
// Where a number came from: code version, build, machine and time. Saved in summary.json.
#include <string>

#include "harness/results/json.h"

namespace sdebench {

struct Provenance {
  std::string git_commit = "unknown";
  std::string git_dirty = "unknown";  // "true", "false" or "unknown" (outside a repository)
  std::string compiler;
  std::string libtorch_version;
  std::string cpu_model = "unknown";
  std::string hostname;
  int torch_threads = 0;
  int blas_threads = 0;  // -1: the BLAS library does not expose a thread count
  std::string start_time;  // ISO 8601 UTC
  std::string end_time;
};

// Everything but the threads and times, which the runner fills in.
Provenance collect_provenance();
std::string iso_time_utc_now();
Json to_json(const Provenance& provenance);

}  // namespace sdebench
