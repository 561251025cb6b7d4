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

std::vector<std::string> get_strings(const std::string& file, const toml::table& t,
                                     const std::string& section, const std::string& key) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (!n) return out;
  const toml::array* list = n->as_array();
  if (!list) fail(file, *n, section + "." + key, "expected a list of strings");
  for (const auto& node : *list) {
    if (!node.is_string()) fail(file, node, section + "." + key, "expected a list of strings");
    out.push_back(std::string(*node.value<std::string>()));
  }
  return out;
}

// report, specs and seeds: of [suite] or of the chosen [scales.NAME].
void read_runs(const std::string& path, const toml::table& t, const std::string& section,
               Suite& s) {
  s.report = get_string(path, t, section, "report", true);
  if (t.get("description")) s.description = get_string(path, t, section, "description", true);
  const double seeds = get_number(path, t, section, "seeds");
  if (seeds < 1 || seeds != static_cast<double>(static_cast<std::int64_t>(seeds)))
    fail(path, *t.get("seeds"), section + ".seeds", "expected a whole number >= 1");
  s.seeds = static_cast<std::int64_t>(seeds);
  s.grid = get_strings(path, t, section, "grid");
  s.pictures_for = get_string(path, t, section, "pictures_for", false);
  for (const auto& g : s.grid)
    if (g.find('=') == std::string::npos)
      fail(path, *t.get("grid"), section + ".grid",
           "expected sweep overrides KEY=V1,V2,..., got '" + g + "'");
  const toml::array* specs = t.get_as<toml::array>("specs");
  if (!specs || specs->empty())
    throw std::invalid_argument(path + ": " + section + ".specs must be a non-empty list of spec files");
  for (const auto& node : *specs) {
    if (!node.is_string()) fail(path, node, section + ".specs", "expected file names");
    auto spec = fs::path(path).parent_path() / std::string(*node.value<std::string>());
    if (!fs::exists(spec)) fail(path, node, section + ".specs", "no such spec '" + spec.string() + "'");
    s.specs.push_back(spec.lexically_normal().string());
  }
}

Claims read_claims(const std::string& path, const toml::table& t) {
  check_keys(path, t, "claims",
             {"fast", "baselines", "accuracy", "distance", "target", "speedup_claim",
              "memory_claim"});
  Claims c;
  c.fast = get_string(path, t, "claims", "fast", true);
  c.baselines = get_strings(path, t, "claims", "baselines");
  if (c.baselines.empty())
    throw std::invalid_argument(path + ": claims.baselines must name at least one spec");
  if (t.get("accuracy")) c.accuracy = get_string(path, t, "claims", "accuracy", true);
  if (t.get("distance")) c.distance = get_string(path, t, "claims", "distance", true);
  if (t.get("target")) c.target = get_number(path, t, "claims", "target");
  if (t.get("speedup_claim")) c.speedup_claim = get_number(path, t, "claims", "speedup_claim");
  if (t.get("memory_claim")) c.memory_claim = get_number(path, t, "claims", "memory_claim");
  return c;
}

}  // namespace

std::string suite_path(const std::string& experiments_root, const std::string& name) {
  const auto paper = fs::path(experiments_root) / "paper" / (name + ".suite.toml");
  const auto own = fs::path(experiments_root) / name / (name + ".suite.toml");
  return (fs::exists(paper) || !fs::exists(own) ? paper : own).string();
}

Suite load_suite(const std::string& path, const std::string& scale) {
  if (!fs::exists(path)) throw std::invalid_argument("no suite file '" + path + "'");
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(where(path, e.source()) + ": " + std::string(e.description()));
  }
  Suite s;
  s.file = path;
  check_keys(path, doc, "", {"suite", "scales", "claims", "published"});
  const toml::table* t = doc["suite"].as_table();
  if (!t) throw std::invalid_argument(path + ": needs a [suite] table");
  check_keys(path, *t, "suite",
             {"report", "title", "specs", "seeds", "metric", "metric_interval", "also_metrics",
              "plot_dims", "score_below", "default_scale", "description", "grid",
              "pictures_for", "frame_strips", "centroid_angles"});
  s.title = get_string(path, *t, "suite", "title", false);
  s.metric = get_string(path, *t, "suite", "metric", true);
  s.metric_interval = get_string(path, *t, "suite", "metric_interval", false);
  s.also_metrics = get_strings(path, *t, "suite", "also_metrics");
  if (t->get("score_below")) s.score_below = get_number(path, *t, "suite", "score_below");
  if (const toml::node* n = t->get("frame_strips")) {
    if (!n->is_boolean()) fail(path, *n, "suite.frame_strips", "expected true or false");
    s.frame_strips = *n->value<bool>();
  }
  if (const toml::node* n = t->get("centroid_angles")) {
    if (!n->is_boolean()) fail(path, *n, "suite.centroid_angles", "expected true or false");
    if (!s.frame_strips) fail(path, *n, "suite.centroid_angles", "needs frame_strips = true");
    s.centroid_angles = *n->value<bool>();
  }
  if (const toml::node* scales = doc.get("scales")) {
    const toml::table* table = scales->as_table();
    if (!table) fail(path, *scales, "scales", "expected [scales.NAME] tables");
    for (const char* key : {"report", "seeds", "specs", "grid", "pictures_for"})
      if (const toml::node* n = t->get(key))
        fail(path, *n, std::string("suite.") + key,
             "the suite has [scales]: set it in each [scales.NAME] table instead");
    for (const auto& [name, node] : *table) s.scales.push_back(std::string(name.str()));
    s.scale = scale.empty() ? get_string(path, *t, "suite", "default_scale", true) : scale;
    const toml::table* chosen = table->get_as<toml::table>(s.scale);
    if (!chosen) {
      std::string list;
      for (const auto& n : s.scales) list += (list.empty() ? "" : ", ") + n;
      throw std::invalid_argument(path + ": no scale '" + s.scale + "' (scales: " + list + ")");
    }
    for (const auto& [name, node] : *table) {
      if (!node.is_table()) fail(path, node, "scales." + std::string(name.str()), "expected a table");
      check_keys(path, *node.as_table(), "scales." + std::string(name.str()),
                 {"report", "seeds", "specs", "description", "grid", "pictures_for"});
    }
    read_runs(path, *chosen, "scales." + s.scale, s);
  } else {
    if (!scale.empty())
      throw std::invalid_argument(path + ": the suite has no scales, so --scale " + scale +
                                  " cannot be chosen");
    read_runs(path, *t, "suite", s);
  }
  if (const toml::node* claims = doc.get("claims")) {
    if (!claims->is_table()) fail(path, *claims, "claims", "expected a [claims] table");
    s.has_claims = true;
    s.claims = read_claims(path, *claims->as_table());
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
