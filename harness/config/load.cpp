// load_spec and expand_sweep: compose the files, apply the overrides in order, validate.
// A sweep is the cartesian product of its swept overrides, in the order they were given, the
// last one varying fastest (like nested loops, and like Hydra's multirun):
//   expand_sweep(f, {"method.name=a,b", "seed=0:3"}) ->
//   (a,0) (a,1) (a,2) (b,0) (b,1) (b,2)
// Overrides that choose a component (dataset.name, method.name) are applied before the others,
// whatever their position (as Hydra applies config-group choices first): "method.depth=5
// method.name=b" sets depth for b, and a key b lacks is reported as unknown for b.
// Every combination is validated before the list is returned, so a bad value anywhere in a
// sweep fails before the first run starts.
#include "harness/config/spec_internal.h"

namespace sdebench {

using spec_detail::Override;

namespace {
std::vector<Override> parse_overrides(const std::vector<std::string>& args) {
  std::vector<Override> out;
  for (std::size_t i = 0; i < args.size(); ++i)
    out.push_back(spec_detail::parse_override(args[i], static_cast<int>(i) + 1));
  return out;
}

constexpr std::size_t kMaxSweepRuns = 100000;

bool chooses_component(const Override& o) {
  return o.key == "name" && (o.section == "dataset" || o.section == "method");
}

// Applies overrides[i] with the value values[i], component choices first.
void apply_overrides(spec_detail::RawSpec& raw, const std::vector<Override>& overrides,
                     const std::vector<const std::string*>& values) {
  for (bool choices : {true, false})
    for (std::size_t i = 0; i < overrides.size(); ++i)
      if (chooses_component(overrides[i]) == choices)
        spec_detail::apply_override(raw, overrides[i], *values[i]);
}
}  // namespace

ResolvedSpec load_spec(const std::string& path, const std::vector<std::string>& overrides) {
  const auto parsed = parse_overrides(overrides);
  std::vector<const std::string*> values;
  for (const auto& o : parsed) {
    if (o.sweep)
      spec_detail::fail({spec_detail::kCommandLine, 1, o.position}, o.dotted_key(),
                        "is a sweep of " + std::to_string(o.values.size()) +
                            " values; run it with `sdebench sweep`",
                        o.arg);
    values.push_back(&o.values.front());
  }
  spec_detail::RawSpec raw = spec_detail::compose_file(path);
  apply_overrides(raw, parsed, values);
  return spec_detail::resolve(raw, path);
}

std::vector<ResolvedSpec> expand_sweep(const std::string& path,
                                       const std::vector<std::string>& overrides) {
  const auto parsed = parse_overrides(overrides);
  const spec_detail::RawSpec base = spec_detail::compose_file(path);

  std::size_t total = 1;
  for (const auto& o : parsed) {
    total *= o.values.size();
    if (total > kMaxSweepRuns)
      spec_detail::fail({spec_detail::kCommandLine, 1, o.position}, o.dotted_key(),
                        "the sweep has more than " + std::to_string(kMaxSweepRuns) + " runs",
                        o.arg);
  }

  std::vector<ResolvedSpec> out;
  std::vector<std::size_t> choice(parsed.size(), 0);  // an odometer, last digit fastest
  for (std::size_t run = 0; run < total; ++run) {
    spec_detail::RawSpec raw = base;
    std::string label;
    std::vector<const std::string*> values;
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      const std::string& value = parsed[i].values[choice[i]];
      values.push_back(&value);
      if (parsed[i].sweep) label += (label.empty() ? "" : " ") + parsed[i].dotted_key() + "=" + value;
    }
    ResolvedSpec spec;
    try {
      apply_overrides(raw, parsed, values);
      spec = spec_detail::resolve(raw, path);
    } catch (const SpecError& e) {
      if (label.empty()) throw;
      throw SpecError(e.file(), e.line(), e.column(), e.key(),
                      e.message() + " [in sweep run " + label + "]");
    }
    spec.sweep_label = label;
    out.push_back(std::move(spec));
    for (std::size_t i = parsed.size(); i-- > 0;) {
      if (++choice[i] < parsed[i].values.size()) break;
      choice[i] = 0;
    }
  }
  return out;
}

}  // namespace sdebench
