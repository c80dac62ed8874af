#include "core/json_string.h"

namespace rivulet {

void AppendJsonString(std::string_view text, HexCase hex_case, std::string* out) {
  const char* hex = hex_case == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  *out += '"';
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
    out->append(text.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      default:
        *out += "\\u00";
        *out += hex[(c >> 4) & 15];
        *out += hex[c & 15];
    }
  }
  out->append(text.data() + start, text.size() - start);
  *out += '"';
}

}  // namespace rivulet
