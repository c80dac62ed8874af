#pragma once

// Doubles as text the way Java's Double.toString writes them, which is how Spark prints
// and writes them (JSON, CSV, show()): the shortest digits that read back as the value,
// in plain notation for 1e-3 <= |v| < 1e7 ("0.001", "123.0") and as d.dddE<x> otherwise
// ("1.0E7", "1.5E-4"); "NaN", "Infinity", "-Infinity", "0.0" and "-0.0". Appends without
// allocating beyond `out`'s own growth: sinks call it for every cell.

#include <string>

namespace rivulet {

void AppendJavaDouble(double v, std::string* out);
// Java's Float.toString: the same layout, with the shortest digits of a float.
void AppendJavaFloat(float v, std::string* out);

}  // namespace rivulet
