#include "harness/launch/sweep_dir.h"

#include <filesystem>
#include <stdexcept>

#include "harness/results/atomic_write.h"
#include "harness/results/json.h"
#include "harness/results/provenance.h"
#include "harness/results/run_dir.h"

namespace sdebench {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "sweep.json";

std::string absolute(const std::string& path) { return fs::absolute(path).lexically_normal().string(); }

// A fresh sweep directory: root/name/<id>, created with mkdir like run directories.
std::string create_sweep_dir(const std::string& root, const std::string& name) {
  return create_run_dir(root, name);
}

std::string planned_dir(const std::string& root, const std::string& name) {
  return join_path(join_path(root, name.empty() ? "unnamed" : name), make_run_id());
}

}  // namespace

std::string SweepManifest::file(const std::string& relative) const { return join_path(dir, relative); }

const Submission* SweepManifest::latest_submission(int index) const {
  for (auto it = submissions.rbegin(); it != submissions.rend(); ++it)
    for (int t : it->tasks)
      if (t == index) return &*it;
  return nullptr;
}

std::string self_executable_path() {
  std::error_code ec;
  auto path = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this program's path (/proc/self/exe)");
  return path.string();
}

SweepManifest plan_sweep(const std::vector<ResolvedSpec>& specs, const std::string& sweeps_root,
                         const std::string& runs_root, const std::string& executable, bool create) {
  if (specs.empty()) throw std::invalid_argument("a sweep needs at least one run");
  SweepManifest m;
  m.name = specs.front().name;
  m.executable = absolute(executable);
  // Absolute paths throughout: jobs may start in another directory, on another node.
  const std::string root = absolute(sweeps_root);
  m.dir = create ? create_sweep_dir(root, m.name) : planned_dir(root, m.name);
  m.dir = absolute(m.dir);
  m.sweep_id = fs::path(m.dir).filename().string();
  if (create) {
    fs::create_directories(m.file("specs"));
    fs::create_directories(m.file("logs"));
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    const ResolvedSpec& spec = specs[i];
    PlannedRun run;
    run.index = static_cast<int>(i);
    run.label = spec.sweep_label;
    run.spec_file = m.file("specs/" + std::to_string(i) + ".toml");
    const std::string out = absolute(runs_root.empty() ? spec.output.get_string("dir") : runs_root);
    run.run_dir = create ? create_run_dir(out, spec.name) : planned_dir(out, spec.name);
    if (create) write_file_atomic(run.spec_file, spec.to_toml());
    m.runs.push_back(std::move(run));
  }
  if (create) {
    std::string tsv = "index\tlabel\trun_dir\n";
    for (const auto& r : m.runs) tsv += std::to_string(r.index) + "\t" + r.label + "\t" + r.run_dir + "\n";
    write_file_atomic(m.file("runs.tsv"), tsv);
    write_manifest(m);
  }
  return m;
}

void write_manifest(const SweepManifest& m) {
  Json j = Json::object();
  j["name"] = m.name;
  j["sweep_id"] = m.sweep_id;
  j["launcher"] = m.launcher;
  j["executable"] = m.executable;
  j["max_parallel"] = m.max_parallel;
  Json runs = Json::array();
  for (const auto& r : m.runs) {
    Json o = Json::object();
    o["index"] = r.index;
    o["label"] = r.label;
    o["spec"] = r.spec_file;
    o["run_dir"] = r.run_dir;
    runs.push_back(std::move(o));
  }
  j["runs"] = std::move(runs);
  Json subs = Json::array();
  for (const auto& s : m.submissions) {
    Json o = Json::object();
    o["array_job"] = s.array_job;
    o["report_job"] = s.report_job;
    Json tasks = Json::array();
    for (int t : s.tasks) tasks.push_back(t);
    o["tasks"] = std::move(tasks);
    o["submitted_at"] = s.submitted_at;
    subs.push_back(std::move(o));
  }
  j["submissions"] = std::move(subs);
  write_file_atomic(m.file(kManifest), to_file_text(j));
}

SweepManifest read_manifest(const std::string& dir) {
  const std::string path = join_path(dir, kManifest);
  if (!fs::exists(path))
    throw std::runtime_error("'" + dir + "' is not a sweep directory (no " + kManifest +
                             "; sweeps submitted with --launcher slurm make one under results/sweeps/)");
  const Json j = read_json_file(path);
  SweepManifest m;
  m.dir = absolute(dir);
  m.name = string_or(j, "name", "");
  m.sweep_id = string_or(j, "sweep_id", "");
  m.launcher = string_or(j, "launcher", "");
  m.executable = string_or(j, "executable", "");
  m.max_parallel = static_cast<int>(number_or(j, "max_parallel", 0));
  if (const auto runs = j.find("runs"); runs != j.end())
    for (const auto& o : *runs) {
      PlannedRun r;
      r.index = static_cast<int>(number_or(o, "index", 0));
      r.label = string_or(o, "label", "");
      r.spec_file = string_or(o, "spec", "");
      r.run_dir = string_or(o, "run_dir", "");
      m.runs.push_back(std::move(r));
    }
  if (const auto subs = j.find("submissions"); subs != j.end())
    for (const auto& o : *subs) {
      Submission s;
      s.array_job = string_or(o, "array_job", "");
      s.report_job = string_or(o, "report_job", "");
      if (const auto tasks = o.find("tasks"); tasks != o.end())
        for (const auto& t : *tasks) s.tasks.push_back(t.get<int>());
      s.submitted_at = string_or(o, "submitted_at", "");
      m.submissions.push_back(std::move(s));
    }
  return m;
}

}  // namespace sdebench
