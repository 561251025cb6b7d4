#include "harness/results/atomic_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sdebench {

namespace {
std::atomic<unsigned long> g_counter{0};
std::string errno_text() { return std::strerror(errno); }
}  // namespace

std::string temporary_path_for(const std::string& path) {
  // pid separates processes, the counter separates threads and calls within one process.
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter.fetch_add(1));
}

void replace_file(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    const std::string why = errno_text();
    std::remove(from.c_str());
    throw std::runtime_error("cannot rename '" + from + "' to '" + to + "': " + why);
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = temporary_path_for(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) throw std::runtime_error("cannot create '" + tmp + "': " + errno_text());
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = errno_text();
      ::close(fd);
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write '" + tmp + "': " + why);
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  // fsync so that a crash after the rename cannot leave an empty file behind the new name.
  ::fsync(fd);
  ::close(fd);
  replace_file(tmp, path);
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path + "'");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace sdebench
