#pragma once
// A name -> factory registry with the component's option schema. Methods and datasets
// register themselves from a static initialiser (see SDEBENCH_REGISTER in their headers).
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/options.h"

namespace sdebench {

template <class Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    Schema schema;
    Factory factory;
  };

  static Registry& instance() {
    static Registry registry;
    return registry;
  }

  bool add(Entry entry) {
    if (entries_.count(entry.name))
      throw std::logic_error("registry: '" + entry.name + "' registered twice");
    auto name = entry.name;
    entries_.emplace(std::move(name), std::move(entry));
    return true;
  }

  bool contains(const std::string& name) const { return entries_.count(name) != 0; }

  // Throws std::invalid_argument listing the known names and the closest one.
  const Entry& get(const std::string& name, const std::string& what = "component") const {
    auto it = entries_.find(name);
    if (it != entries_.end()) return it->second;
    std::string msg = "unknown " + what + " '" + name + "'";
    auto guess = closest_match(name, names());
    if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
    msg += "; known: ";
    for (const auto& n : names()) msg += n + " ";
    throw std::invalid_argument(msg);
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace sdebench
