#pragma once

// Decimals as text, the way Spark prints them: the unscaled digits with the point `scale`
// places from the right ("-12.30" for -1230 at scale 2; a negative scale appends zeros).

#include <string>

namespace rivulet {

std::string FormatDecimal(__int128 unscaled, int scale);

}  // namespace rivulet
