#include "sources/builtin.h"

#include "sources/file_source.h"
#include "sources/rate_source.h"

namespace rivulet {

void RegisterBuiltinSources(SourceRegistry& registry) {
  (void)registry.Register("rate", MakeRateSource);
  (void)registry.Register("rate-micro-batch", MakeRateMicroBatchSource);
  (void)registry.Register("files", MakeFileSource);
}

}  // namespace rivulet
