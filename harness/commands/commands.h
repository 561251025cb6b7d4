#pragma once
// The sdebench subcommands. Each one adds itself to the command line (CLI11, which gives
// --help, typed options and usage errors): its options are bound to its own settings, and its
// callback runs it and stores the process exit code in `exit_code`.
#include <string>

namespace CLI {
class App;
}

namespace sdebench {

void add_run_command(CLI::App& app, int& exit_code);
void add_sweep_command(CLI::App& app, int& exit_code);
void add_status_command(CLI::App& app, int& exit_code);
// `invocation` is the command line as typed, recorded in the report.
void add_reproduce_command(CLI::App& app, int& exit_code, const std::string& invocation);
void add_list_command(CLI::App& app, int& exit_code);
void add_report_commands(CLI::App& app, int& exit_code);  // report, compare
void add_bench_commands(CLI::App& app, int& exit_code);   // bench, bench-check

// Entry point of apps/sdebench: parses the command line, runs the subcommand, turns errors into
// messages (exit 2 for usage and spec errors, 1 for failures).
int sdebench_main(int argc, char** argv);

}  // namespace sdebench
