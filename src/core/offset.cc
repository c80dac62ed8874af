#include "rivulet/offset.h"

#include "core/json_parse.h"

namespace rivulet {

Result<Offset> Offset::FromText(std::string_view text) {
  auto parsed = core::ParseJson(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument("offset is not valid JSON: " +
                                   parsed.status().message());
  }
  return Offset(std::string(text));
}

Result<Offset> Offset::Canonical(std::string_view text) {
  auto parsed = core::ParseJson(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument("offset is not valid JSON: " +
                                   parsed.status().message());
  }
  return Offset(parsed->dump());
}

}  // namespace rivulet
