#include "harness/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace sdebench {

namespace {
double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::int64_t first, std::int64_t total, std::int64_t log_every, bool enabled)
    : first_(first),
      total_(total),
      log_every_(log_every > 0 ? log_every : 10),
      enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(now_seconds()) {}

double Progress::elapsed() const { return now_seconds() - start_; }

void Progress::update(std::int64_t iteration, double loss,
                      const std::vector<std::pair<std::string, double>>& terms) {
  if (!enabled_) return;
  const double t = elapsed();
  const bool last = iteration >= total_;
  if (tty_) {
    // Redraw at most ~10 times a second.
    if (!last && last_draw_ >= 0 && t - last_draw_ < 0.1) return;
  } else if (!last && iteration % log_every_ != 0) {
    return;
  }
  last_draw_ = t;
  const double done = static_cast<double>(iteration - first_);
  const double rate = t > 0 ? done / t : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - iteration) / rate : -1.0;
  std::string text;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%lld/%lld loss %.5g", static_cast<long long>(iteration),
                static_cast<long long>(total_), loss);
  text += buf;
  for (const auto& kv : terms) {
    std::snprintf(buf, sizeof buf, " %s %.4g", kv.first.c_str(), kv.second);
    text += buf;
  }
  std::snprintf(buf, sizeof buf, " | %.1f it/s ETA %s", rate, format_duration(eta).c_str());
  text += buf;
  if (tty_) {
    const int width = 24;
    const int filled = total_ > 0 ? static_cast<int>(width * iteration / total_) : width;
    std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(width - filled), '.') + "] ";
    std::fprintf(stderr, "\r\033[K%s%s", bar.c_str(), text.c_str());
    bar_shown_ = true;
  } else {
    std::fprintf(stderr, "[train] %s\n", text.c_str());
  }
  std::fflush(stderr);
}

void Progress::clear_bar() {
  if (tty_ && bar_shown_) {
    std::fprintf(stderr, "\r\033[K");
    bar_shown_ = false;
  }
}

void Progress::message(const std::string& line) {
  if (!enabled_) return;
  clear_bar();
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_) return;
  if (tty_ && bar_shown_) {
    std::fprintf(stderr, "\n");
    bar_shown_ = false;
  }
  std::fflush(stderr);
}

}  // namespace sdebench
