#pragma once

// rivulet's built-in sources and sinks, and the process-wide default runtime.

#include "rivulet/runtime.h"

namespace rivulet {

// Registers the sources rate, rate-micro-batch and files and the sinks console, json,
// arrow and noop.
void RegisterBuiltins(Runtime& runtime);

// A runtime with the built-ins registered, made on first use and never destroyed: for
// programs that run a query or two and need nothing more. Stop its queries before exit.
Runtime& DefaultRuntime();

}  // namespace rivulet
