#include "harness/launch/slurm.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include "harness/launch/process.h"
#include "harness/results/atomic_write.h"
#include "harness/results/json.h"
#include "harness/results/provenance.h"
#include "harness/results/run_dir.h"

namespace sdebench {

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// `sbatch --parsable ...` -> the job id ("123", or "123;cluster" on federations).
std::string sbatch(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessOutput out = run_process(argv);
  if (out.exit_code == 127)
    throw std::runtime_error("`sbatch` not found: run on a Slurm login node, or install slurm-client "
                             "(bash scripts/install-deps.sh) and start a local cluster "
                             "(bash scripts/slurm-local.sh up)");
  std::string id = trim(out.out.substr(0, out.out.find(';')));
  if (out.exit_code != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("`" + command_line(argv) + "` failed (exit " + std::to_string(out.exit_code) +
                             "): " + trim(out.err + " " + out.out));
  return id;
}

// Submits the array for `tasks` and its report job; records the submission in the manifest.
Submission submit(SweepManifest& sweep, const std::vector<int>& tasks) {
  Submission s;
  s.tasks = tasks;
  s.submitted_at = iso_time_utc_now();
  std::string array = array_ranges(tasks);
  if (sweep.max_parallel > 0) array += "%" + std::to_string(sweep.max_parallel);
  s.array_job = sbatch({"--array=" + array, sweep.file(kArrayScript)});
  // Recorded before the report job is submitted: if that fails, status still finds the array.
  sweep.submissions.push_back(s);
  write_manifest(sweep);
  s.report_job = sbatch({"--dependency=afterany:" + s.array_job, sweep.file(kReportScript)});
  sweep.submissions.back() = s;
  write_manifest(sweep);
  return s;
}

// "123_4" -> state, for every task of array job `job` still in the queue (-r: one line per task,
// pending ones included). A job Slurm no longer knows is simply absent.
void queued_tasks(const std::string& job, std::map<std::string, std::string>& states, SweepState& out) {
  const ProcessOutput q = run_process({"squeue", "-h", "-r", "-j", job, "-o", "%i %T"});
  if (q.exit_code == 127) {
    out.warnings.push_back("squeue not found: states come from the run directories only");
    return;
  }
  std::istringstream lines(q.out);
  std::string id, state;
  while (lines >> id >> state) states[id] = state;
}

// Finished tasks Slurm still remembers (MinJobAge, 300 s by default): "123_4" -> JobState.
void finished_tasks(const std::string& job, std::map<std::string, std::string>& states) {
  const ProcessOutput q = run_process({"scontrol", "-o", "show", "job", job});
  if (q.exit_code != 0) return;
  std::istringstream lines(q.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::string array_job, task, state;
    std::istringstream words(line);
    std::string w;
    while (words >> w) {
      if (w.rfind("ArrayJobId=", 0) == 0) array_job = w.substr(11);
      if (w.rfind("ArrayTaskId=", 0) == 0) task = w.substr(12);
      if (w.rfind("JobState=", 0) == 0) state = w.substr(9);
      if (w.rfind("JobId=", 0) == 0 && array_job.empty()) array_job = w.substr(6);
    }
    // Tasks that never started share one record: ArrayTaskId=1-3%1 (pending or cancelled).
    for (int t : parse_array_ranges(task)) states.emplace(array_job + "_" + std::to_string(t), state);
  }
}

std::string job_state(const std::string& job) {
  if (job.empty()) return "";
  ProcessOutput q = run_process({"squeue", "-h", "-j", job, "-o", "%T"});
  if (q.exit_code == 0 && !trim(q.out).empty()) return trim(q.out);
  q = run_process({"scontrol", "-o", "show", "job", job});
  const auto at = q.out.find("JobState=");
  if (q.exit_code != 0 || at == std::string::npos) return "";
  return q.out.substr(at + 9, q.out.find(' ', at) - at - 9);
}

bool slurm_stopped_it(const std::string& state) {
  return state == "CANCELLED" || state == "TIMEOUT" || state == "PREEMPTED" || state == "DEADLINE";
}

// The run's state from its Slurm job (queued, or finished with `finished`) and its summary.json.
void decide(RunState& r, const std::string& queued, const std::string& finished) {
  if (queued == "PENDING" || queued == "REQUEUED" || queued == "REQUEUE_HOLD" || queued == "SUSPENDED") {
    r.state = "pending";
    r.detail = queued == "PENDING" ? "" : queued;
    return;
  }
  if (!queued.empty() && queued != "COMPLETED" && queued != "FAILED" && !slurm_stopped_it(queued)) {
    r.state = "running";  // RUNNING, CONFIGURING, COMPLETING, ...
    r.detail = queued == "RUNNING" ? "" : queued;
    return;
  }
  const std::string slurm = queued.empty() ? finished : queued;
  const std::string summary_path = join_path(r.run_dir, run_files::summary);
  std::string status, error;
  std::int64_t iteration = 0;
  if (fs::exists(summary_path)) {
    try {
      const Json j = read_json_file(summary_path);
      status = string_or(j, "status", "");
      error = string_or(j, "error", "");
      iteration = static_cast<std::int64_t>(number_or(j, "iterations", 0));
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  const bool checkpoint = fs::exists(join_path(r.run_dir, run_files::checkpoint));
  auto with_checkpoint = [&](std::string what) {
    if (checkpoint) what += (what.empty() ? "" : ", ") + std::string("checkpoint at iteration ") + std::to_string(iteration);
    return what;
  };
  if (status == "completed" || status == "time_budget" || status == "memory_budget") {
    r.state = "completed";
    r.detail = status == "time_budget"     ? "stopped by training.max_seconds"
               : status == "memory_budget" ? "stopped by training.max_step_memory_mb"
                                           : "";
  } else if (status == "diverged") {
    r.state = "diverged";
  } else if (status == "failed") {
    r.state = "failed";
    r.detail = error;
  } else if (status == "terminated" || slurm_stopped_it(slurm)) {
    // SIGTERM reached the run (it checkpointed), or Slurm reports that it stopped the job.
    r.state = "cancelled";
    r.detail = with_checkpoint(slurm);
  } else if (r.job.empty()) {
    r.state = "failed";
    r.detail = "never submitted";
  } else {
    r.state = "failed";
    r.detail = with_checkpoint(slurm.empty() ? "Slurm no longer knows the job" : slurm);
    if (status.empty()) r.detail += (r.detail.empty() ? "" : ", ") + std::string("no summary.json: see the log");
  }
}

}  // namespace

std::string array_ranges(std::vector<int> indices) {
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::string out;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(indices[i]);
    if (j > i) out += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  return out;
}

std::vector<int> parse_array_ranges(const std::string& text) {
  std::vector<int> out;
  std::istringstream parts(text.substr(0, text.find('%')));  // "%K" is the throttle
  std::string part;
  while (std::getline(parts, part, ',')) {
    int first = 0, last = 0, step = 1;
    char dash = 0, colon = 0;
    std::istringstream in(part);
    if (!(in >> first)) continue;
    last = first;
    if (in >> dash && dash == '-' && in >> last && in >> colon && colon == ':') in >> step;
    for (int t = first; t <= last && step > 0; t += step) out.push_back(t);
  }
  return out;
}

SweepManifest submit_slurm_sweep(const std::vector<ResolvedSpec>& specs, const SlurmSweepRequest& request) {
  for (const auto& s : specs)
    if (!s.output.get_bool("checkpoint"))
      std::fprintf(stderr, "[sweep] note: output.checkpoint = false: a cancelled or preempted run starts over\n");
  const std::string exe = request.executable.empty() ? self_executable_path() : request.executable;
  SweepManifest sweep = plan_sweep(specs, request.sweeps_root, request.runs_root, exe, !request.dry_run);
  sweep.launcher = "slurm";
  sweep.max_parallel = request.max_parallel;
  const std::string array = array_script(sweep, request.slurm);
  const std::string report = report_script(sweep, request.slurm);
  std::vector<int> all;
  for (const auto& r : sweep.runs) all.push_back(r.index);
  if (request.dry_run) {
    std::string list = array_ranges(all);
    if (sweep.max_parallel > 0) list += "%" + std::to_string(sweep.max_parallel);
    std::printf("# sweep directory (not created): %s\n", sweep.dir.c_str());
    std::printf("# sbatch --parsable --array=%s %s\n", list.c_str(), sweep.file(kArrayScript).c_str());
    std::printf("%s\n", array.c_str());
    std::printf("# sbatch --parsable --dependency=afterany:<array job> %s\n", sweep.file(kReportScript).c_str());
    std::printf("%s", report.c_str());
    return sweep;
  }
  write_file_atomic(sweep.file(kArrayScript), array);
  write_file_atomic(sweep.file(kReportScript), report);
  write_manifest(sweep);
  try {
    submit(sweep, all);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "\nThe sweep directory " + sweep.dir + " is written" +
                             (sweep.submissions.empty() ? ", nothing is queued" : ", the array is queued") +
                             "; when Slurm answers, submit what is missing with: sdebench sweep --resume " +
                             sweep.dir);
  }
  return sweep;
}

SweepState query_sweep(const SweepManifest& sweep) {
  SweepState out;
  std::map<std::string, std::string> queued, finished;
  std::vector<std::string> jobs;
  for (const auto& r : sweep.runs)
    if (const Submission* s = sweep.latest_submission(r.index))
      if (!s->array_job.empty() && std::find(jobs.begin(), jobs.end(), s->array_job) == jobs.end())
        jobs.push_back(s->array_job);
  for (const auto& job : jobs) {
    queued_tasks(job, queued, out);
    finished_tasks(job, finished);
  }
  for (const auto& planned : sweep.runs) {
    RunState r;
    r.index = planned.index;
    r.label = planned.label;
    r.run_dir = planned.run_dir;
    const Submission* s = sweep.latest_submission(planned.index);
    if (s && !s->array_job.empty()) {
      r.job = s->array_job + "_" + std::to_string(planned.index);
      r.log = task_log(sweep, s->array_job, planned.index);
    }
    auto q = queued.find(r.job), f = finished.find(r.job);
    decide(r, q == queued.end() ? "" : q->second, f == finished.end() ? "" : f->second);
    out.runs.push_back(std::move(r));
  }
  if (!sweep.submissions.empty()) {
    out.report_job = sweep.submissions.back().report_job;
    out.report_state = job_state(out.report_job);
  }
  return out;
}

std::vector<int> resume_slurm_sweep(SweepManifest& sweep) {
  if (sweep.launcher != "slurm")
    throw std::runtime_error("sweep '" + sweep.dir + "' was not run with --launcher slurm");
  const SweepState state = query_sweep(sweep);
  std::vector<int> again;
  for (const auto& r : state.runs) {
    if (r.state == "failed" || r.state == "cancelled") again.push_back(r.index);
    std::fprintf(stderr, "[sweep] run %d %s: %s\n", r.index, r.state.c_str(),
                 r.state == "failed" || r.state == "cancelled"
                     ? (fs::exists(join_path(r.run_dir, run_files::checkpoint)) ? "resubmitted, continues from its checkpoint"
                                                                               : "resubmitted, starts over")
                     : "left as it is");
  }
  if (!again.empty()) submit(sweep, again);
  return again;
}

}  // namespace sdebench
