#include "harness/bench/run_program.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace sdebench {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void run_bench_program(const BenchProgramOptions& options, const std::string& json_path) {
  struct stat st {};
  if (stat(options.program.c_str(), &st) != 0)
    throw std::runtime_error("benchmark program '" + options.program +
                             "' not found (build it: cmake --build build --target bench_scaling)");
  if (options.repetitions < 1) throw std::runtime_error("--repetitions must be >= 1");
  setenv("OPENBLAS_NUM_THREADS", "1", 0);
  std::string cmd = shell_quote(options.program) + " --benchmark_out=" + shell_quote(json_path) +
                    " --benchmark_out_format=json --benchmark_format=console" +
                    " --benchmark_repetitions=" + std::to_string(options.repetitions) +
                    " --benchmark_enable_random_interleaving=true";
  if (!options.filter.empty()) cmd += " --benchmark_filter=" + shell_quote(options.filter);
  std::fprintf(stderr, "running: %s\n", cmd.c_str());
  std::fflush(stderr);
  const int rc = std::system(cmd.c_str());
  if (rc != 0)
    throw std::runtime_error("benchmark program failed (status " + std::to_string(rc) + "): " + cmd);
}

}  // namespace sdebench
