#include "rivulet/builtins.h"

#include "sinks/builtin.h"
#include "sources/builtin.h"

namespace rivulet {

void RegisterBuiltins(Runtime& runtime) {
  RegisterBuiltinSources(runtime.sources());
  RegisterBuiltinSinks(runtime.sinks());
}

Runtime& DefaultRuntime() {
  // Never destroyed: queries may still run while static destructors do.
  static Runtime* runtime = [] {
    auto* shared = new std::shared_ptr<Runtime>(Runtime::Create());
    RegisterBuiltins(**shared);
    return shared->get();
  }();
  return *runtime;
}

}  // namespace rivulet
