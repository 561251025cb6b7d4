#include <stdexcept>

#include "core/options.h"
#include "harness/commands/commands.h"

namespace sdebench {

bool ParsedArgs::has(const std::string& name) const {
  for (const auto& f : flags)
    if (f.first == name) return true;
  return false;
}

std::string ParsedArgs::value(const std::string& name, const std::string& fallback) const {
  for (const auto& f : flags)
    if (f.first == name) return f.second;
  return fallback;
}

ParsedArgs parse_args(const Args& args, const std::vector<std::string>& with_value,
                      const std::vector<std::string>& switches, const std::string& command) {
  ParsedArgs out;
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
      if (x == s) return true;
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (contains(with_value, name)) {
      if (eq == std::string::npos) {
        if (i + 1 >= args.size())
          throw std::invalid_argument("sdebench " + command + ": --" + name + " needs a value");
        value = args[++i];
      }
    } else if (!contains(switches, name)) {
      std::vector<std::string> known = with_value;
      known.insert(known.end(), switches.begin(), switches.end());
      std::string msg = "sdebench " + command + ": unknown option --" + name;
      auto guess = closest_match(name, known);
      if (!guess.empty()) msg += " (did you mean --" + guess + "?)";
      throw std::invalid_argument(msg);
    }
    out.flags.emplace_back(name, value);
  }
  return out;
}

}  // namespace sdebench
