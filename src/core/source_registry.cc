#include "common/registry.h"
#include "rivulet/source.h"

namespace rivulet {

struct SourceRegistry::Impl : NamedRegistry<SourceFactory> {
  Impl() : NamedRegistry("source") {}
};

SourceRegistry::SourceRegistry() : impl_(std::make_shared<Impl>()) {}

Status SourceRegistry::Register(const std::string& name, SourceFactory factory) {
  return impl_->Register(name, std::move(factory));
}

Result<std::unique_ptr<DataSource>> SourceRegistry::Create(const std::string& name,
                                                           const Options& options) const {
  RIVULET_ASSIGN_OR_RETURN(auto factory, impl_->Find(name));
  return factory(options);
}

std::vector<std::string> SourceRegistry::Names() const { return impl_->Names(); }

Result<std::unique_ptr<StreamReader>> DataSource::streamReader(const Schema&) {
  return Status::NotFound("streamReader is not implemented");
}

Result<std::unique_ptr<SimpleStreamReader>> DataSource::simpleStreamReader(
    const Schema&) {
  return Status::NotFound("simpleStreamReader is not implemented");
}

}  // namespace rivulet
