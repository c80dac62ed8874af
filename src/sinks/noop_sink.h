#pragma once

#include <memory>

#include "rivulet/sink.h"

namespace rivulet {

Result<std::unique_ptr<Sink>> MakeNoopSink(const Options& options);

}  // namespace rivulet
