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
  write_file_atomic(m.file(kManifest), j.dump() + "\n");
}

SweepManifest read_manifest(const std::string& dir) {
  const std::string path = join_path(dir, kManifest);
  if (!fs::exists(path))
    throw std::runtime_error("'" + dir + "' is not a sweep directory (no " + kManifest +
                             "; sweeps submitted with --launcher slurm make one under results/sweeps/)");
  Json j;
  try {
    j = Json::parse(read_text_file(path));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read '" + path + "': " + e.what());
  }
  SweepManifest m;
  m.dir = absolute(dir);
  m.name = j.string_or("name", "");
  m.sweep_id = j.string_or("sweep_id", "");
  m.launcher = j.string_or("launcher", "");
  m.executable = j.string_or("executable", "");
  m.max_parallel = static_cast<int>(j.number_or("max_parallel", 0));
  if (const Json* runs = j.find("runs"))
    for (const auto& o : runs->elements()) {
      PlannedRun r;
      r.index = static_cast<int>(o.number_or("index", 0));
      r.label = o.string_or("label", "");
      r.spec_file = o.string_or("spec", "");
      r.run_dir = o.string_or("run_dir", "");
      m.runs.push_back(std::move(r));
    }
  if (const Json* subs = j.find("submissions"))
    for (const auto& o : subs->elements()) {
      Submission s;
      s.array_job = o.string_or("array_job", "");
      s.report_job = o.string_or("report_job", "");
      if (const Json* tasks = o.find("tasks"))
        for (const auto& t : tasks->elements()) s.tasks.push_back(static_cast<int>(t.as_number()));
      s.submitted_at = o.string_or("submitted_at", "");
      m.submissions.push_back(std::move(s));
    }
  return m;
}

}  // namespace sdebench
