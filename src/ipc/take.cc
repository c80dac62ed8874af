#include "ipc/take.h"

#include <cstring>
#include <limits>

#include "core/layout.h"

namespace rivulet::ipc {
namespace {

BufferPtr Owned(std::vector<uint8_t> bytes) {
  auto owner = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  return std::make_shared<Buffer>(owner->data(), static_cast<int64_t>(owner->size()),
                                  owner);
}

BufferPtr OwnedOffsets(std::vector<int32_t> offsets) {
  auto owner = std::make_shared<std::vector<int32_t>>(std::move(offsets));
  return std::make_shared<Buffer>(reinterpret_cast<const uint8_t*>(owner->data()),
                                  static_cast<int64_t>(owner->size() * 4), owner);
}

void SetBit(std::vector<uint8_t>* bits, int64_t i) {
  (*bits)[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
}

const int32_t* OffsetsOf(const ArrayData& a) {
  return a.buffers[1]->data_as<int32_t>() + a.offset;
}

Status TooLarge() {
  return Status::InvalidArgument(
      "gathered values do not fit the engine's 32-bit offsets");
}

}  // namespace

Result<ArrayDataPtr> Take(const std::vector<const ArrayData*>& sources,
                          const std::vector<TakeRef>& refs) {
  const DataTypePtr& type = sources[0]->type;
  const auto n = static_cast<int64_t>(refs.size());
  auto out = std::make_shared<ArrayData>();
  out->type = type;
  out->length = n;
  if (type->id() == TypeId::kNull) {
    out->null_count = n;
    return ArrayDataPtr(out);
  }

  auto is_null = [&](const TakeRef& r) {
    return r.index < 0 || sources[r.source]->IsNull(r.index);
  };
  std::vector<uint8_t> validity((n + 7) / 8, 0);
  int64_t nulls = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (is_null(refs[i])) {
      ++nulls;
    } else {
      SetBit(&validity, i);
    }
  }
  out->null_count = nulls;
  out->buffers.push_back(nulls ? Owned(std::move(validity)) : nullptr);

  switch (type->id()) {
    case TypeId::kBoolean: {
      std::vector<uint8_t> values((n + 7) / 8, 0);
      for (int64_t i = 0; i < n; ++i) {
        const TakeRef& r = refs[i];
        if (is_null(r)) continue;
        const ArrayData& s = *sources[r.source];
        if (GetBit(s.buffers[1]->data(), s.offset + r.index)) SetBit(&values, i);
      }
      out->buffers.push_back(Owned(std::move(values)));
      break;
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      std::vector<int32_t> offsets(n + 1, 0);
      std::vector<uint8_t> data;
      for (int64_t i = 0; i < n; ++i) {
        const TakeRef& r = refs[i];
        if (!is_null(r)) {
          const ArrayData& s = *sources[r.source];
          const int32_t* o = OffsetsOf(s);
          const uint8_t* bytes = s.buffers[2]->data();
          data.insert(data.end(), bytes + o[r.index], bytes + o[r.index + 1]);
          if (data.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
            return TooLarge();
          }
        }
        offsets[i + 1] = static_cast<int32_t>(data.size());
      }
      out->buffers.push_back(OwnedOffsets(std::move(offsets)));
      out->buffers.push_back(Owned(std::move(data)));
      break;
    }
    case TypeId::kArray:
    case TypeId::kMap: {
      std::vector<int32_t> offsets(n + 1, 0);
      std::vector<TakeRef> child_refs;
      std::vector<const ArrayData*> children;
      children.reserve(sources.size());
      for (const ArrayData* s : sources) children.push_back(s->children[0].get());
      for (int64_t i = 0; i < n; ++i) {
        const TakeRef& r = refs[i];
        if (!is_null(r)) {
          const int32_t* o = OffsetsOf(*sources[r.source]);
          for (int64_t j = o[r.index]; j < o[r.index + 1]; ++j) {
            child_refs.push_back({r.source, j});
          }
          if (child_refs.size() >
              static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
            return TooLarge();
          }
        }
        offsets[i + 1] = static_cast<int32_t>(child_refs.size());
      }
      out->buffers.push_back(OwnedOffsets(std::move(offsets)));
      RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr child, Take(children, child_refs));
      out->children.push_back(std::move(child));
      break;
    }
    case TypeId::kStruct:
    case TypeId::kVariant: {
      // A struct's children are indexed through the struct's own offset.
      std::vector<TakeRef> child_refs(n);
      for (int64_t i = 0; i < n; ++i) {
        const TakeRef& r = refs[i];
        child_refs[i] = is_null(r)
                            ? TakeRef{r.source < 0 ? 0 : r.source, -1}
                            : TakeRef{r.source, sources[r.source]->offset + r.index};
      }
      for (size_t k = 0; k < type->fields().size(); ++k) {
        std::vector<const ArrayData*> children;
        children.reserve(sources.size());
        for (const ArrayData* s : sources) children.push_back(s->children[k].get());
        RIVULET_ASSIGN_OR_RETURN(ArrayDataPtr child, Take(children, child_refs));
        out->children.push_back(std::move(child));
      }
      break;
    }
    default: {
      const int width = core::FixedWidth(type->id());
      std::vector<uint8_t> values(static_cast<size_t>(n) * width, 0);
      for (int64_t i = 0; i < n; ++i) {
        const TakeRef& r = refs[i];
        if (is_null(r)) continue;
        const ArrayData& s = *sources[r.source];
        std::memcpy(values.data() + i * width,
                    s.buffers[1]->data() + (s.offset + r.index) * width, width);
      }
      out->buffers.push_back(Owned(std::move(values)));
      break;
    }
  }
  return ArrayDataPtr(out);
}

}  // namespace rivulet::ipc
