#pragma once
// Crash-safe file writes: content goes to a unique temporary file in the same directory,
// which is then renamed over the target. A reader (or a killed run) sees the old file or the
// new one, never half of one; concurrent writers never share a temporary file.
#include <string>

namespace sdebench {

// A temporary path next to `path`, unique within and across processes.
std::string temporary_path_for(const std::string& path);
// Writes `content` to `path` atomically. Throws std::runtime_error naming the path on failure.
void write_file_atomic(const std::string& path, const std::string& content);
// Renames `from` onto `to` (same filesystem), replacing `to`. Throws on failure.
void replace_file(const std::string& from, const std::string& to);
// Whole file as a string. Throws std::runtime_error naming the path when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace sdebench
