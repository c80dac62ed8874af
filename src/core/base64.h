#pragma once

#include <string>
#include <string_view>

namespace rivulet {

// The bytes as base64 (RFC 4648, padded), as Spark writes binary values in JSON.
std::string Base64(std::string_view bytes);

}  // namespace rivulet
