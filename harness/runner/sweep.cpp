#include "harness/runner/sweep.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "harness/results/atomic_write.h"
#include "harness/results/json.h"
#include "harness/results/run_dir.h"

namespace sdebench {

namespace {

void count(SweepResult& out, const RunResult& r) {
  if (r.status == "diverged")
    ++out.diverged;
  else if (r.status == "failed")
    ++out.failed;
  else
    ++out.completed;
}

SweepResult run_in_process(const std::vector<ResolvedSpec>& specs, const SweepOptions& options) {
  SweepResult out;
  RunOptions run = options.run;
  run.resume_dir.clear();
  run.stop_after = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::fprintf(stderr, "[sweep] run %zu/%zu: %s\n", i + 1, specs.size(),
                 specs[i].sweep_label.empty() ? specs[i].name.c_str() : specs[i].sweep_label.c_str());
    RunResult r;
    try {
      r = run_experiment(specs[i], run);
    } catch (const std::exception& e) {
      r.status = "failed";
      r.error = e.what();
      std::fprintf(stderr, "[sweep] run %zu failed: %s\n", i + 1, e.what());
    }
    count(out, r);
    out.runs.push_back(std::move(r));
  }
  return out;
}

std::string self_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this program's path (/proc/self/exe)");
  return path.string();
}

struct Child {
  size_t index;
  std::string spec_file, dir_file;
};

// Starts `exe run SPEC --label L --run-dir-file F [--no-progress]` in a child process.
pid_t start_child(const std::string& exe, const Child& child, const std::string& label,
                  const RunOptions& run) {
  std::vector<std::string> args{exe, "run", child.spec_file, "--label", label, "--run-dir-file",
                                child.dir_file, "--no-progress"};
  if (!run.output_root.empty()) {
    args.push_back("--output-root");
    args.push_back(run.output_root);
  }
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // The child's own result lines would interleave with its siblings': the parent prints one
    // line per run instead. Errors still reach stderr.
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(exe.c_str(), argv.data());
    std::perror("execv");
    ::_exit(127);
  }
  return pid;
}

RunResult collect_child(const Child& child, int wait_status) {
  RunResult r;
  if (std::filesystem::exists(child.dir_file)) {
    r.run_dir = read_text_file(child.dir_file);
    std::remove(child.dir_file.c_str());
  }
  const std::string summary = r.run_dir.empty() ? "" : join_path(r.run_dir, run_files::summary);
  if (!summary.empty() && std::filesystem::exists(summary)) {
    const Json j = read_json_file(summary);
    r.status = string_or(j, "status", "failed");
    r.iterations = static_cast<std::int64_t>(number_or(j, "iterations", 0));
    r.error = string_or(j, "error", "");
    if (const auto m = j.find("final_metrics"); m != j.end())
      for (const auto& [name, value] : m->items()) r.final_metrics[name] = as_number(value);
  } else {
    r.status = "failed";
  }
  if (r.status == "running") r.status = "failed";
  if (!(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) && r.status != "diverged") {
    r.status = "failed";
    if (r.error.empty()) r.error = "child process exited with status " + std::to_string(wait_status);
  }
  return r;
}

SweepResult run_in_children(const std::vector<ResolvedSpec>& specs, const SweepOptions& options) {
  const std::string exe = options.executable.empty() ? self_executable() : options.executable;
  // Resolved specs go to a private temporary directory, removed at the end.
  char tmpl[] = "/tmp/sdebench-sweep-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot create a temporary directory in /tmp");
  const std::string tmpdir = tmpl;

  SweepResult out;
  out.runs.resize(specs.size());
  std::map<pid_t, Child> running;
  size_t next = 0;
  auto wait_one = [&]() {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid <= 0) return;
    auto it = running.find(pid);
    if (it == running.end()) return;
    RunResult r = collect_child(it->second, status);
    std::fprintf(stderr, "[sweep] run %zu/%zu %s: %s\n", it->second.index + 1, specs.size(),
                 r.status.c_str(), r.run_dir.c_str());
    count(out, r);
    out.runs[it->second.index] = std::move(r);
    running.erase(it);
  };
  while (next < specs.size() || !running.empty()) {
    while (next < specs.size() && static_cast<int>(running.size()) < options.jobs) {
      Child child;
      child.index = next;
      child.spec_file = tmpdir + "/run-" + std::to_string(next) + ".toml";
      child.dir_file = tmpdir + "/run-" + std::to_string(next) + ".dir";
      write_file_atomic(child.spec_file, specs[next].to_toml());
      std::fprintf(stderr, "[sweep] starting run %zu/%zu: %s\n", next + 1, specs.size(),
                   specs[next].sweep_label.c_str());
      pid_t pid = start_child(exe, child, specs[next].sweep_label, options.run);
      running[pid] = child;
      ++next;
    }
    wait_one();
  }
  std::error_code ec;
  std::filesystem::remove_all(tmpdir, ec);
  return out;
}

}  // namespace

SweepResult run_sweep(const std::vector<ResolvedSpec>& specs, const SweepOptions& options) {
  if (options.jobs <= 1) return run_in_process(specs, options);
  return run_in_children(specs, options);
}

}  // namespace sdebench
