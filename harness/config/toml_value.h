#pragma once
// TOML nodes -> option values with their source position. Internal to harness/config.
#include <toml++/toml.h>

#include "harness/config/spec_internal.h"

namespace sdebench::spec_detail {

SpecLocation location_of(const toml::source_region& region, const std::string& file);

// Numbers, booleans and strings map to the option of that type; an array of numbers maps to a
// float list. Anything else keeps value = nullopt and names its TOML type for messages.
RawValue raw_value_from_toml(const toml::node& node);

}  // namespace sdebench::spec_detail
