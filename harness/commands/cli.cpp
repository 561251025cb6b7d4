#include <cstdio>
#include <exception>
#include <string>

#include "harness/commands/commands.h"
#include "harness/config/spec.h"

namespace sdebench {

namespace {

const char* kUsage =
    "sdebench: train and compare latent SDE methods\n"
    "\n"
    "  sdebench run SPEC.toml [section.key=value ...] [--no-progress]\n"
    "  sdebench run --resume RUN_DIR             continue a killed run from its checkpoint\n"
    "  sdebench sweep SPEC.toml [key=a,b,c] [seed=0:5] [--jobs N] [--dry-run] [--runs-file F]\n"
    "                                            [--no-table] [--output-root DIR]\n"
    "  sdebench sweep SPEC.toml [key=a,b,c] --launcher slurm [--partition P] [--time HH:MM:SS]\n"
    "                 [--cpus-per-task N] [--mem M] [--max-parallel K] [--sbatch-arg ARG ...]\n"
    "                 [--dry-run] [--output-root DIR] [--sweeps-dir DIR]\n"
    "                                            one Slurm job array + report job -> results/sweeps/\n"
    "  sdebench sweep --resume SWEEP_DIR         resubmit the runs that did not complete\n"
    "  sdebench status SWEEP_DIR                 one line per run of a Slurm sweep\n"
    "  sdebench reproduce SUITE [key=value ...] [--scale NAME] [--seeds N] [--jobs N]\n"
    "                                            train a paper suite (experiments/paper/SUITE.suite.toml)\n"
    "                                            over its seeds and write reports/<its report>/\n"
    "  sdebench reproduce SUITE [--scale NAME] --report-only\n"
    "                                            re-make that report from the runs, training nothing\n"
    "  sdebench list [methods|datasets|solvers|sections]\n"
    "  sdebench report RUNS... --name NAME       tables and plots into reports/NAME/\n"
    "  sdebench compare RUNS...                  print the comparison table\n"
    "  sdebench bench [--repetitions N] [--filter RE] [--name NAME] [--json FILE] [--program P]\n"
    "                                            scaling benchmarks -> reports/NAME/\n"
    "  sdebench bench-check [--baseline F] [--fresh F] [--repetitions N] [--filter RE]\n"
    "                                            gate a fresh run against the baseline\n"
    "\n"
    "RUNS are run directories or folders holding them (e.g. results/runs/quickstart).\n";

}  // namespace

int sdebench_main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const std::string command = argv[1];
  Args args(argv + 2, argv + argc);
  try {
    if (command == "run") return command_run(args);
    if (command == "sweep") return command_sweep(args);
    if (command == "status") return command_status(args);
    if (command == "reproduce") return command_reproduce(args);
    if (command == "list") return command_list(args);
    if (command == "report") return command_report(args);
    if (command == "compare") return command_compare(args);
    if (command == "bench") return command_bench(args);
    if (command == "bench-check") return command_bench_check(args);
    if (command == "help" || command == "--help" || command == "-h") {
      std::printf("%s", kUsage);
      return 0;
    }
    std::fprintf(stderr, "sdebench: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const SpecError& e) {
    std::fprintf(stderr, "sdebench: spec error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sdebench: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace sdebench
