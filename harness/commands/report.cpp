#include <cstdio>
#include <stdexcept>

#include "harness/commands/commands.h"
#include "harness/report/report.h"

namespace sdebench {

int command_report(const Args& args) {
  ParsedArgs p = parse_args(args, {"name", "reports-dir"}, {"no-plots"}, "report");
  if (p.positional.empty() || !p.has("name"))
    throw std::invalid_argument("usage: sdebench report RUN_DIR_OR_FOLDER... --name NAME [--reports-dir reports]");
  ReportOutput out = write_report(p.positional, p.value("name"), p.value("reports-dir", "reports"),
                                  !p.has("no-plots"));
  std::printf("%s\n", out.console_table.c_str());
  std::printf("report (%d runs): %s/README.md\n", out.runs, out.dir.c_str());
  for (const auto& f : out.files) std::printf("  %s/%s\n", out.dir.c_str(), f.c_str());
  for (const auto& w : out.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  return 0;
}

int command_compare(const Args& args) {
  ParsedArgs p = parse_args(args, {}, {}, "compare");
  if (p.positional.empty()) throw std::invalid_argument("usage: sdebench compare RUN_DIR_OR_FOLDER...");
  std::printf("%s", compare_runs(p.positional).c_str());
  return 0;
}

}  // namespace sdebench
