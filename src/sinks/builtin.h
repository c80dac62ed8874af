#pragma once

#include "rivulet/sink.h"

namespace rivulet {

// Registers console, json, csv, arrow, sqlite, postgres and noop.
void RegisterBuiltinSinks(SinkRegistry& registry);

}  // namespace rivulet
