#include "rowcodec/column_encoder.h"

#include <nanobind/stl/string.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace nb = nanobind;

namespace rivulet::rowcodec {

std::unique_ptr<ColumnEncoder> MakeColumnEncoder(nb::handle plan, const Support& support,
                                                 bool source_rules) {
  auto node = nb::cast<nb::tuple>(plan);
  if (node.size() != 3) {
    throw std::invalid_argument("a plan node is (kind, column, children)");
  }
  const auto kind = nb::cast<std::string>(node[0]);
  ColumnSpec spec;
  spec.column = node[1];
  spec.nullable = nb::cast<bool>(spec.column.attr("nullable"));
  spec.source_rules = source_rules;
  spec.support = &support;
  for (nb::handle child : nb::iter(node[2])) {
    spec.children.push_back(MakeColumnEncoder(child, support, source_rules));
  }
  using Factory = std::unique_ptr<ColumnEncoder> (*)(ColumnSpec &&);
  static const std::pair<const char*, Factory> kFactories[] = {
      {"null", MakeNullEncoder},           {"boolean", MakeBooleanEncoder},
      {"integer", MakeIntegerEncoder},     {"floating", MakeFloatingEncoder},
      {"decimal", MakeDecimalEncoder},     {"string", MakeStringEncoder},
      {"binary", MakeBinaryEncoder},       {"date", MakeDateEncoder},
      {"timestamp", MakeTimestampEncoder}, {"timestamp_ntz", MakeTimestampNtzEncoder},
      {"interval", MakeIntervalEncoder},   {"variant", MakeVariantEncoder},
      {"array", MakeArrayEncoder},         {"map", MakeMapEncoder},
      {"struct", MakeStructEncoder},
  };
  for (const auto& [name, make] : kFactories) {
    if (kind == name) return make(std::move(spec));
  }
  throw std::invalid_argument("no compiled encoder for kind '" + kind + "'");
}

}  // namespace rivulet::rowcodec
