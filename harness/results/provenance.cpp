#include "harness/results/provenance.h"

#include <torch/version.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

namespace sdebench {

namespace {

// Output of a shell command with trailing whitespace removed; `ok` is false when it fails.
std::string run_command(const std::string& command, bool& ok) {
  ok = false;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  int status = ::pclose(pipe);
  ok = status == 0;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\r'))
    out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto value = line.substr(colon + 1);
        auto start = value.find_first_not_of(' ');
        return start == std::string::npos ? value : value.substr(start);
      }
    }
  }
  return "unknown";
}

}  // namespace

std::string iso_time_utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

Provenance collect_provenance() {
  Provenance p;
  bool ok = false;
  std::string commit = run_command("git rev-parse HEAD", ok);
  if (ok && !commit.empty()) {
    p.git_commit = commit;
    std::string status = run_command("git status --porcelain", ok);
    if (ok) p.git_dirty = status.empty() ? "false" : "true";
  }
#ifdef __VERSION__
  p.compiler = __VERSION__;
#endif
#if defined(__clang__)
  p.compiler = "clang " + p.compiler;
#elif defined(__GNUC__)
  p.compiler = "gcc " + p.compiler;
#endif
  p.libtorch_version = std::to_string(TORCH_VERSION_MAJOR) + "." +
                       std::to_string(TORCH_VERSION_MINOR) + "." +
                       std::to_string(TORCH_VERSION_PATCH);
  p.cpu_model = cpu_model();
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) == 0) p.hostname = host;
  return p;
}

Json to_json(const Provenance& p) {
  Json j = Json::object();
  j["git_commit"] = p.git_commit;
  j["git_dirty"] = p.git_dirty;
  j["compiler"] = p.compiler;
  j["libtorch_version"] = p.libtorch_version;
  j["cpu_model"] = p.cpu_model;
  j["hostname"] = p.hostname;
  j["torch_threads"] = p.torch_threads;
  j["blas_threads"] = p.blas_threads;
  j["start_time"] = p.start_time;
  j["end_time"] = p.end_time;
  return j;
}

}  // namespace sdebench
