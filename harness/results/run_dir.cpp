#include "harness/results/run_dir.h"

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace sdebench {

namespace fs = std::filesystem;

std::string make_run_id() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06llx",
                static_cast<unsigned long long>(rng() & 0xffffffULL));
  return std::string(stamp) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

std::string create_run_dir(const std::string& root, const std::string& experiment) {
  const fs::path parent = fs::path(root) / (experiment.empty() ? "unnamed" : experiment);
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw std::runtime_error("cannot create '" + parent.string() + "': " + ec.message());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path dir = parent / make_run_id();
    // create_directory is mkdir(2): false when the name already exists.
    if (fs::create_directory(dir, ec)) return dir.string();
    if (ec) throw std::runtime_error("cannot create '" + dir.string() + "': " + ec.message());
  }
  throw std::runtime_error("could not find a free run directory name in '" + parent.string() + "'");
}

std::string claim_planned_run_dir(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw std::runtime_error("planned run directory '" + dir +
                             "' does not exist (a sweep creates it when it is submitted)");
  if (fs::exists(fs::path(dir) / run_files::checkpoint))
    throw std::runtime_error("run directory '" + dir + "' already holds a checkpoint: continue it with "
                             "`sdebench run --resume " + dir + "`");
  return dir;
}

std::string join_path(const std::string& dir, const std::string& file) {
  return (fs::path(dir) / file).string();
}

}  // namespace sdebench
