#include "common/registry.h"
#include "rivulet/sink.h"

namespace rivulet {

struct SinkRegistry::Impl : NamedRegistry<SinkFactory> {
  Impl() : NamedRegistry("sink") {}
};

SinkRegistry::SinkRegistry() : impl_(std::make_shared<Impl>()) {}

Status SinkRegistry::Register(const std::string& name, SinkFactory factory) {
  return impl_->Register(name, std::move(factory));
}

Result<std::unique_ptr<Sink>> SinkRegistry::Create(const std::string& name,
                                                   const Options& options) const {
  RIVULET_ASSIGN_OR_RETURN(auto factory, impl_->Find(name));
  return factory(options);
}

std::vector<std::string> SinkRegistry::Names() const { return impl_->Names(); }

}  // namespace rivulet
