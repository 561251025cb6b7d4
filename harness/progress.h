#pragma once
// Training progress on stderr: a one-line bar redrawn in place when stderr is a terminal
// (iteration, loss terms, it/s, ETA), plain log lines every `log_every` iterations otherwise
// (so log files stay readable).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sdebench {

class Progress {
 public:
  // `first` is the iteration this session starts from (after a resume), `total` the target.
  Progress(std::int64_t first, std::int64_t total, std::int64_t log_every, bool enabled = true);
  // Call after iteration `iteration` (1-based count of completed iterations).
  void update(std::int64_t iteration, double loss,
              const std::vector<std::pair<std::string, double>>& terms);
  // A line that must not be overwritten by the bar (evaluation results, warnings).
  void message(const std::string& line);
  void finish();

 private:
  void clear_bar();
  double elapsed() const;
  std::int64_t first_, total_, log_every_;
  bool enabled_, tty_, bar_shown_ = false;
  double start_, last_draw_ = -1.0;
};

}  // namespace sdebench
