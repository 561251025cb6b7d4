#pragma once
// Test helper: a fresh temporary folder of spec files, removed at the end of the test.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace sdebench_test {

class SpecDir {
 public:
  SpecDir() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("sdebench_spec_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter++));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~SpecDir() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  SpecDir(const SpecDir&) = delete;
  SpecDir& operator=(const SpecDir&) = delete;

  // Writes `content` to root/relative (creating folders) and returns the full path.
  std::string write(const std::string& relative, const std::string& content) const {
    auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << content;
    return path.string();
  }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }

  // Number of entries under the folder (to check that loading a spec writes nothing).
  std::size_t entry_count() const {
    std::size_t n = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(root_);
         it != std::filesystem::recursive_directory_iterator(); ++it)
      ++n;
    return n;
  }

 private:
  std::filesystem::path root_;
};

}  // namespace sdebench_test
