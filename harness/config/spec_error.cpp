// SpecError: one message format for every spec problem, "file:line:column: key: message".
#include "harness/config/spec.h"
#include "harness/config/spec_internal.h"

namespace sdebench {
namespace {
std::string format_spec_error(const std::string& file, int line, int column,
                              const std::string& key, const std::string& message) {
  std::string out = file.empty() ? std::string("<spec>") : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}
}  // namespace

SpecError::SpecError(std::string file, int line, int column, std::string key,
                     const std::string& message)
    : std::runtime_error(format_spec_error(file, line, column, key, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      message_(message) {}

namespace spec_detail {
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  auto guess = closest_match(word, candidates);
  return guess.empty() ? std::string() : " (did you mean '" + guess + "'?)";
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? separator : "") + words[i];
  return out;
}

void fail(const SpecLocation& at, const std::string& key, const std::string& message,
          const std::string& override_arg) {
  std::string full = message;
  if (!override_arg.empty()) full += " [in override '" + override_arg + "']";
  throw SpecError(at.file, at.line, at.column, key, full);
}
}  // namespace spec_detail
}  // namespace sdebench
