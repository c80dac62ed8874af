#pragma once

#include <string>
#include <string_view>

namespace rivulet {

// How a \u escape writes its hex digits.
enum class HexCase {
  kLower,  // "\u001f", as nlohmann::json::dump writes it
  kUpper,  // "\u001F", as Jackson (Spark's JSON writer) writes it
};

// Appends `text` as a quoted JSON string: quote and backslash escaped, \n \r \t \b \f by
// name, other control characters as \u00XX, everything else (non-ASCII included) as it
// is. Runs that need no escape are appended whole.
void AppendJsonString(std::string_view text, HexCase hex_case, std::string* out);

}  // namespace rivulet
