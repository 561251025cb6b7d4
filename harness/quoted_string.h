#pragma once
// A double-quoted string with the escapes that both TOML basic strings and JSON accept
// (\" \\ \n \t \r, other control characters and DEL as \u00XX). No torch here.
#include <string>

namespace sdebench {

std::string quoted_string(const std::string& s);

}  // namespace sdebench
