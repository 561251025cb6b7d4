#include "harness/runner/end_files.h"

#include <exception>

#include "harness/results/atomic_write.h"
#include "harness/results/run_dir.h"
#include "harness/runner/evaluator.h"

namespace sdebench {

std::vector<std::string> write_end_files(RunSetup& setup, const Options& evaluation,
                                         const std::string& run_dir, std::uint64_t evaluation_seed) {
  std::vector<std::string> warnings;
  const std::string split = evaluation.get_string("split");
  setup.method->eval();
  try {
    ScopedGeneratorSeed seed(evaluation_seed + 1);
    write_file_atomic(join_path(run_dir, run_files::samples),
                      sample_paths_csv(*setup.method, setup.data, split, 8, setup.dtype, setup.device));
  } catch (const std::exception& e) {
    warnings.push_back(std::string("sample paths not written: ") + e.what());
  }
  const auto context = evaluation.get_int("forecast_context");
  const auto sequences = evaluation.get_int("forecast_plot_sequences");
  if (context > 0 && sequences > 0) {
    try {
      ScopedGeneratorSeed seed(evaluation_seed + 2);
      write_file_atomic(join_path(run_dir, run_files::forecasts),
                        forecast_csv(*setup.method, setup.data, split, sequences, context,
                                     evaluation.get_int("num_samples"), setup.dtype, setup.device));
    } catch (const std::exception& e) {
      warnings.push_back(std::string("forecasts not written: ") + e.what());
    }
  }
  if (evaluation.get_int("latent_sequences") > 0) try {
    ScopedGeneratorSeed seed(evaluation_seed + 3);
    const std::string latents = latent_csv(*setup.method, setup.data, split,
                                           evaluation.get_int("latent_sequences"), setup.dtype,
                                           setup.device);
    if (!latents.empty()) write_file_atomic(join_path(run_dir, run_files::latents), latents);
  } catch (const std::exception& e) {
    warnings.push_back(std::string("latent paths not written: ") + e.what());
  }
  setup.method->train();
  return warnings;
}

}  // namespace sdebench
