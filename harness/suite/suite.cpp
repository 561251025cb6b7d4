#include "harness/suite/suite.h"

#include <toml++/toml.h>

#include <filesystem>
#include <set>
#include <stdexcept>

namespace sdebench {

namespace fs = std::filesystem;

namespace {

std::string where(const std::string& file, const toml::source_region& source) {
  return file + ":" + std::to_string(source.begin.line) + ":" + std::to_string(source.begin.column);
}

[[noreturn]] void fail(const std::string& file, const toml::node& node, const std::string& key,
                       const std::string& what) {
  throw std::invalid_argument(where(file, node.source()) + ": " + key + ": " + what);
}

void check_keys(const std::string& file, const toml::table& table, const std::string& section,
                const std::set<std::string>& known) {
  for (const auto& [key, node] : table) {
    if (!known.count(std::string(key.str()))) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(file, node, section + "." + std::string(key.str()), "unknown key (known: " + list + ")");
    }
  }
}

std::string get_string(const std::string& file, const toml::table& t, const std::string& section,
                       const std::string& key, bool required) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required)
      throw std::invalid_argument(file + ": [" + section + "] needs the key '" + key + "'");
    return "";
  }
  if (!n->is_string()) fail(file, *n, section + "." + key, "expected a string");
  return std::string(*n->value<std::string>());
}

double get_number(const std::string& file, const toml::table& t, const std::string& section,
                  const std::string& key) {
  const toml::node* n = t.get(key);
  if (!n) throw std::invalid_argument(file + ": [" + section + "] needs the key '" + key + "'");
  if (!n->is_number()) fail(file, *n, section + "." + key, "expected a number");
  return *n->value<double>();
}

}  // namespace

std::string suite_path(const std::string& experiments_root, const std::string& name) {
  return (fs::path(experiments_root) / "paper" / (name + ".suite.toml")).string();
}

Suite load_suite(const std::string& path) {
  if (!fs::exists(path)) throw std::invalid_argument("no suite file '" + path + "'");
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(where(path, e.source()) + ": " + std::string(e.description()));
  }
  Suite s;
  s.file = path;
  check_keys(path, doc, "", {"suite", "published"});
  const toml::table* t = doc["suite"].as_table();
  if (!t) throw std::invalid_argument(path + ": needs a [suite] table");
  check_keys(path, *t, "suite",
             {"report", "title", "specs", "seeds", "metric", "metric_interval", "mean_metric",
              "plot_dims"});
  s.report = get_string(path, *t, "suite", "report", true);
  s.title = get_string(path, *t, "suite", "title", false);
  s.metric = get_string(path, *t, "suite", "metric", true);
  s.metric_interval = get_string(path, *t, "suite", "metric_interval", false);
  s.mean_metric = get_string(path, *t, "suite", "mean_metric", false);
  const double seeds = get_number(path, *t, "suite", "seeds");
  if (seeds < 1 || seeds != static_cast<double>(static_cast<std::int64_t>(seeds)))
    fail(path, *t->get("seeds"), "suite.seeds", "expected a whole number >= 1");
  s.seeds = static_cast<std::int64_t>(seeds);
  const toml::array* specs = t->get_as<toml::array>("specs");
  if (!specs || specs->empty())
    throw std::invalid_argument(path + ": suite.specs must be a non-empty list of spec files");
  for (const auto& node : *specs) {
    if (!node.is_string()) fail(path, node, "suite.specs", "expected file names");
    auto spec = fs::path(path).parent_path() / std::string(*node.value<std::string>());
    if (!fs::exists(spec)) fail(path, node, "suite.specs", "no such spec '" + spec.string() + "'");
    s.specs.push_back(spec.lexically_normal().string());
  }
  if (const toml::array* dims = t->get_as<toml::array>("plot_dims"))
    for (const auto& node : *dims) {
      if (!node.is_integer()) fail(path, node, "suite.plot_dims", "expected integers");
      s.plot_dims.push_back(*node.value<std::int64_t>());
    }
  if (const toml::node* pub = doc.get("published")) {
    const toml::array* rows = pub->as_array();
    if (!rows) fail(path, *pub, "published", "expected [[published]] tables");
    for (const auto& node : *rows) {
      const toml::table* row = node.as_table();
      if (!row) fail(path, node, "published", "expected a table");
      check_keys(path, *row, "published", {"method", "label", "value", "interval"});
      PublishedRow r;
      r.method = get_string(path, *row, "published", "method", false);
      r.label = get_string(path, *row, "published", "label", true);
      r.value = get_number(path, *row, "published", "value");
      r.interval = get_number(path, *row, "published", "interval");
      s.published.push_back(r);
    }
  }
  return s;
}

}  // namespace sdebench
