#include <cstdio>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/suite/reproduce.h"

namespace sdebench {

int command_reproduce(const Args& args) {
  ParsedArgs p = parse_args(args, {"seeds", "jobs", "scale", "output-root", "reports-root", "experiments"},
                            {"no-progress", "report-only"}, "reproduce");
  if (p.positional.empty())
    throw std::invalid_argument(
        "usage: sdebench reproduce SUITE [key=value ...] [--scale NAME] [--seeds N] [--jobs N] [--report-only] "
        "[--output-root DIR] [--reports-root DIR]   (SUITE: experiments/paper/SUITE.suite.toml)");
  const Suite suite = load_suite(suite_path(p.value("experiments", "experiments"), p.positional.front()),
                                 p.value("scale", ""));
  ReproduceOptions options;
  options.overrides.assign(p.positional.begin() + 1, p.positional.end());
  if (p.has("seeds")) options.seeds = std::stoll(p.value("seeds"));
  if (p.has("jobs")) options.jobs = std::stoi(p.value("jobs"));
  if (options.jobs < 1) throw std::invalid_argument("sdebench reproduce: --jobs must be at least 1");
  if (p.has("seeds") && options.seeds < 1)
    throw std::invalid_argument("sdebench reproduce: --seeds must be at least 1");
  options.output_root = p.value("output-root", options.output_root);
  options.reports_root = p.value("reports-root", options.reports_root);
  options.progress = !p.has("no-progress");
  options.report_only = p.has("report-only");
  options.command_line = "sdebench reproduce";
  for (const auto& a : args) options.command_line += " " + a;
  ReproduceResult r = reproduce(suite, options);
  if (options.report_only) {
    std::printf("report: %s/README.md\n", r.report.dir.c_str());
    for (const auto& w : r.report.warnings) std::fprintf(stderr, "[reproduce] warning: %s\n", w.c_str());
    return 0;
  }
  std::printf("reproduce: %d completed, %d diverged, %d failed in %.1f min\nreport: %s/README.md\n",
              r.sweep.completed, r.sweep.diverged, r.sweep.failed, r.wall_seconds / 60.0,
              r.report.dir.c_str());
  for (const auto& w : r.report.warnings) std::fprintf(stderr, "[reproduce] warning: %s\n", w.c_str());
  return r.sweep.failed > 0 ? 1 : 0;
}

}  // namespace sdebench
