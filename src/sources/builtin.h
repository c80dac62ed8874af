#pragma once

#include "rivulet/source.h"

namespace rivulet {

// Registers rate, rate-micro-batch and files.
void RegisterBuiltinSources(SourceRegistry& registry);

}  // namespace rivulet
