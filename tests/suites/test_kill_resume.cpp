// A real run killed without warning (SIGKILL to the sdebench program) after a checkpoint, then
// resumed with `sdebench run --resume`, ends with exactly the numbers and parameters of an
// uninterrupted run: SDE Matching and the adjoint latent SDE at the default thread count.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "harness/report/aggregate.h"
#include "harness/results/atomic_write.h"
#include "harness/results/csv.h"
#include "harness/results/json.h"
#include "harness/results/run_dir.h"
#include "harness/runner/checkpoint.h"
#include "harness/runner/runner.h"
#include "methods/method.h"
#include "../harness/temp_dir.h"

using namespace sdebench;
namespace fs = std::filesystem;

namespace {

// Starts the sdebench program with `args`, its output going to `log`.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv = {const_cast<char*>(SDEBENCH_PROGRAM)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(SDEBENCH_PROGRAM, argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string the_run_dir(const std::string& root) {
  const auto dirs = find_run_dirs({root});
  REQUIRE(dirs.size() == 1);
  return dirs.front();
}

bool is_timing_column(const std::string& name) {
  return name == "time_s" || name == "step_s" || name == "eval_s";
}

void require_same_numbers(const std::string& file, const std::string& a_dir, const std::string& b_dir) {
  const CsvTable a = read_csv(join_path(a_dir, file)), b = read_csv(join_path(b_dir, file));
  REQUIRE(a.header == b.header);
  REQUIRE(a.rows.size() == b.rows.size());
  for (std::size_t r = 0; r < a.rows.size(); ++r)
    for (std::size_t c = 0; c < a.header.size(); ++c)
      if (!is_timing_column(a.header[c])) {
        INFO(file << " row " << r << " column " << a.header[c]);
        REQUIRE(a.rows[r][c] == b.rows[r][c]);  // 17 significant digits: bit-exact
      }
}

std::vector<torch::Tensor> final_parameters(const std::string& run_dir) {
  const ResolvedSpec spec = load_run_spec(run_dir);
  DataShape shape{3, torch::linspace(0, 1, 41, torch::kFloat64), torch::kFloat32};
  auto method = MethodRegistry::instance().get(spec.method).factory(spec.method_options, shape);
  torch::optim::Adam adam(method->parameters(), torch::optim::AdamOptions(1e-3));
  load_checkpoint(join_path(run_dir, run_files::checkpoint), *method, adam);
  return method->parameters();
}

}  // namespace

TEST_CASE("SIGKILL after a checkpoint, then --resume: the real methods end with the "
          "uninterrupted run's metrics and parameters", "[resume][kill][slow]") {
  struct Case {
    std::string method, iterations, every;
  };
  // Enough iterations that the kill lands mid-training (SDE Matching steps are ~10x faster).
  for (const Case& c : {Case{"sde_matching", "300", "100"}, Case{"latent_sde", "30", "10"}}) {
    INFO(c.method);
    testing::TempDir tmp;
    auto args = [&](const std::string& root) {
      return std::vector<std::string>{
          "run", std::string(SDEBENCH_SOURCE_DIR) + "/experiments/quickstart.toml",
          "method.name=" + c.method, "training.iterations=" + c.iterations,
          "training.checkpoint_every=" + c.every, "training.eval_every=" + c.every,
          "training.max_seconds=0", "training.threads=0", "evaluation.max_sequences=16",
          "evaluation.num_samples=2", "evaluation.path_samples=16", "output.dir=" + root,
          "--no-progress"};
    };
    REQUIRE(wait_exit(spawn(args(tmp.path + "/full"), tmp.path + "/full.log")) == 0);
    const std::string full = the_run_dir(tmp.path + "/full");

    const pid_t pid = spawn(args(tmp.path + "/killed"), tmp.path + "/killed.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    std::string dir;
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(tmp.path + "/killed")) {
        const auto dirs = find_run_dirs({tmp.path + "/killed"});
        if (!dirs.empty() && fs::exists(join_path(dirs.front(), run_files::checkpoint))) {
          dir = dirs.front();
          break;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE_FALSE(dir.empty());
    kill(pid, SIGKILL);
    REQUIRE(wait_exit(pid) == -SIGKILL);
    // Killed mid-training: the summary still says running, and the checkpoint is an early one.
    REQUIRE(string_or(read_json_file(join_path(dir, run_files::summary)), "status", "") ==
            "running");

    REQUIRE(wait_exit(spawn({"run", "--resume", dir, "--no-progress"}, tmp.path + "/resume.log")) == 0);
    const Json a = read_json_file(join_path(full, run_files::summary));
    const Json b = read_json_file(join_path(dir, run_files::summary));
    REQUIRE(string_or(b, "status", "") == "completed");
    REQUIRE(a.at("final_metrics").dump() == b.at("final_metrics").dump());
    require_same_numbers(run_files::metrics, full, dir);
    require_same_numbers(run_files::eval, full, dir);
    const auto pa = final_parameters(full), pb = final_parameters(dir);
    REQUIRE(pa.size() == pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) REQUIRE(torch::equal(pa[i], pb[i]));
  }
}
