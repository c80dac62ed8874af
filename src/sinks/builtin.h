#pragma once

#include "rivulet/sink.h"

namespace rivulet {

// Registers console, json and noop.
void RegisterBuiltinSinks(SinkRegistry& registry);

}  // namespace rivulet
