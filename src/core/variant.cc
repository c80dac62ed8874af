#include "core/variant.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/base64.h"
#include "core/decimal_text.h"
#include "core/double_text.h"
#include "core/json_string.h"
#include "core/temporal_text.h"

namespace rivulet {
namespace {

// A value's header byte: the basic type in the low two bits, its own header above.
enum BasicType : uint8_t { kPrimitive = 0, kShortString = 1, kObject = 2, kArray = 3 };

// Primitive type ids (the header of a primitive value).
enum Primitive : uint8_t {
  kNull = 0,
  kTrue = 1,
  kFalse = 2,
  kInt8 = 3,
  kInt16 = 4,
  kInt32 = 5,
  kInt64 = 6,
  kDouble = 7,
  kDecimal4 = 8,
  kDecimal8 = 9,
  kDecimal16 = 10,
  kDate = 11,
  kTimestamp = 12,
  kTimestampNtz = 13,
  kFloat = 14,
  kBinary = 15,
  kString = 16,
  kUuid = 20,
};

constexpr uint8_t kMetadataVersion = 1;
// Deeper values are refused: printing recurses once per level.
constexpr int kMaxDepth = 1000;

Status Malformed(std::string_view what) {
  return Status::InvalidArgument(std::string(kMalformedVariant) + " (" +
                                 std::string(what) + ")");
}

// Bounds-checked little-endian reads over one binary.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t size() const { return data_.size(); }
  bool Has(size_t pos, size_t n) const { return pos <= size() && n <= size() - pos; }

  // An unsigned integer of `width` (1 to 8) bytes at `pos`.
  Result<uint64_t> Unsigned(size_t pos, size_t width, std::string_view what) const {
    if (!Has(pos, width)) return Malformed(std::string(what) + " is cut short");
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos + i])) << (8 * i);
    }
    return v;
  }

  template <typename T>
  Result<T> Fixed(size_t pos, std::string_view what) const {
    if (!Has(pos, sizeof(T))) return Malformed(std::string(what) + " is cut short");
    T v;
    std::memcpy(&v, data_.data() + pos, sizeof(T));
    return v;
  }

  Result<std::string_view> Slice(size_t pos, size_t n, std::string_view what) const {
    if (!Has(pos, n)) return Malformed(std::string(what) + " is cut short");
    return data_.substr(pos, n);
  }

 private:
  std::string_view data_;
};

// The metadata's dictionary of object keys.
class Dictionary {
 public:
  static Result<Dictionary> Parse(std::string_view metadata) {
    Reader bytes(metadata);
    RIVULET_ASSIGN_OR_RETURN(uint64_t header, bytes.Unsigned(0, 1, "the metadata"));
    if ((header & 0x0F) != kMetadataVersion) {
      return Malformed("metadata version " + std::to_string(header & 0x0F));
    }
    Dictionary dict(metadata);
    dict.offset_size_ = static_cast<size_t>((header >> 6) + 1);
    RIVULET_ASSIGN_OR_RETURN(dict.size_,
                             bytes.Unsigned(1, dict.offset_size_, "the dictionary size"));
    if (dict.size_ > metadata.size()) return Malformed("the dictionary size");
    dict.strings_ = 1 + dict.offset_size_ * (dict.size_ + 2);
    if (dict.strings_ > metadata.size()) return Malformed("the dictionary offsets");
    return dict;
  }

  Result<std::string_view> Key(uint64_t id) const {
    if (id >= size_) return Malformed("key id " + std::to_string(id));
    Reader bytes(metadata_);
    size_t at = 1 + offset_size_ * (1 + id);
    RIVULET_ASSIGN_OR_RETURN(uint64_t begin, bytes.Unsigned(at, offset_size_, "a key"));
    RIVULET_ASSIGN_OR_RETURN(uint64_t end,
                             bytes.Unsigned(at + offset_size_, offset_size_, "a key"));
    if (begin > end) return Malformed("key offsets");
    return bytes.Slice(strings_ + begin, end - begin, "a key");
  }

 private:
  explicit Dictionary(std::string_view metadata) : metadata_(metadata) {}

  std::string_view metadata_;
  size_t offset_size_ = 1;
  uint64_t size_ = 0;
  size_t strings_ = 0;
};

// A JSON string as Spark (Jackson) writes one.
void AppendQuoted(std::string_view text, std::string* out) {
  AppendJsonString(text, HexCase::kUpper, out);
}

// A decimal as Java's BigDecimal.stripTrailingZeros().toPlainString().
std::string PlainDecimal(__int128 unscaled, int scale) {
  while (scale > 0 && unscaled % 10 == 0) {
    unscaled /= 10;
    --scale;
  }
  return FormatDecimal(unscaled, scale);
}

class Printer {
 public:
  Printer(Reader value, Dictionary dict) : value_(value), dict_(dict) {}

  Status Print(size_t pos, int depth) {
    if (depth > kMaxDepth) {
      return Malformed("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    RIVULET_ASSIGN_OR_RETURN(uint64_t header, value_.Unsigned(pos, 1, "a value"));
    const auto basic = static_cast<uint8_t>(header & 3);
    const auto type = static_cast<uint8_t>(header >> 2);
    switch (basic) {
      case kShortString: {
        RIVULET_ASSIGN_OR_RETURN(std::string_view text,
                                 value_.Slice(pos + 1, type, "a string"));
        AppendQuoted(text, &out_);
        return Status::OK();
      }
      case kObject:
        return PrintObject(pos, type, depth);
      case kArray:
        return PrintArray(pos, type, depth);
      default:
        return PrintPrimitive(pos + 1, type);
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  // An object: its field count, key ids, value offsets (one more than the fields) and
  // then the values; header bits: is_large << 4 | (id size - 1) << 2 | (offset size - 1).
  Status PrintObject(size_t pos, uint8_t header, int depth) {
    const size_t count_size = (header >> 4) & 1 ? 4 : 1;
    const size_t id_size = ((header >> 2) & 3) + 1;
    const size_t offset_size = (header & 3) + 1;
    RIVULET_ASSIGN_OR_RETURN(uint64_t count,
                             value_.Unsigned(pos + 1, count_size, "an object"));
    if (count > value_.size()) return Malformed("an object's field count");
    const size_t ids = pos + 1 + count_size;
    const size_t offsets = ids + count * id_size;
    const size_t values = offsets + (count + 1) * offset_size;
    out_ += '{';
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) out_ += ',';
      RIVULET_ASSIGN_OR_RETURN(uint64_t id,
                               value_.Unsigned(ids + i * id_size, id_size, "a key id"));
      RIVULET_ASSIGN_OR_RETURN(std::string_view key, dict_.Key(id));
      AppendQuoted(key, &out_);
      out_ += ':';
      RIVULET_ASSIGN_OR_RETURN(
          uint64_t offset,
          value_.Unsigned(offsets + i * offset_size, offset_size, "a field offset"));
      RIVULET_RETURN_NOT_OK(Print(values + offset, depth + 1));
    }
    out_ += '}';
    return Status::OK();
  }

  // An array: its element count, offsets (one more than the elements) and the values;
  // header bits: is_large << 2 | (offset size - 1).
  Status PrintArray(size_t pos, uint8_t header, int depth) {
    const size_t count_size = (header >> 2) & 1 ? 4 : 1;
    const size_t offset_size = (header & 3) + 1;
    RIVULET_ASSIGN_OR_RETURN(uint64_t count,
                             value_.Unsigned(pos + 1, count_size, "an array"));
    if (count > value_.size()) return Malformed("an array's element count");
    const size_t offsets = pos + 1 + count_size;
    const size_t values = offsets + (count + 1) * offset_size;
    out_ += '[';
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) out_ += ',';
      RIVULET_ASSIGN_OR_RETURN(
          uint64_t offset,
          value_.Unsigned(offsets + i * offset_size, offset_size, "an element offset"));
      RIVULET_RETURN_NOT_OK(Print(values + offset, depth + 1));
    }
    out_ += ']';
    return Status::OK();
  }

  template <typename T>
  Status PrintInteger(size_t pos) {
    RIVULET_ASSIGN_OR_RETURN(T v, value_.Fixed<T>(pos, "an integer"));
    out_ += std::to_string(v);
    return Status::OK();
  }

  // A decimal: a scale byte, then the unscaled value of `width` bytes.
  template <typename T>
  Status PrintDecimal(size_t pos, int max_scale) {
    RIVULET_ASSIGN_OR_RETURN(uint64_t scale, value_.Unsigned(pos, 1, "a decimal"));
    if (scale > static_cast<uint64_t>(max_scale)) {
      return Malformed("decimal scale " + std::to_string(scale));
    }
    RIVULET_ASSIGN_OR_RETURN(T unscaled, value_.Fixed<T>(pos + 1, "a decimal"));
    out_ += PlainDecimal(static_cast<__int128>(unscaled), static_cast<int>(scale));
    return Status::OK();
  }

  template <typename T>
  Status PrintFloating(size_t pos) {
    RIVULET_ASSIGN_OR_RETURN(T v, value_.Fixed<T>(pos, "a floating-point value"));
    std::string text;
    if constexpr (sizeof(T) == 4) {
      AppendJavaFloat(v, &text);
    } else {
      AppendJavaDouble(v, &text);
    }
    if (std::isfinite(v)) {
      out_ += text;
    } else {
      AppendQuoted(text, &out_);
    }
    return Status::OK();
  }

  // Binary and long strings: a 4-byte length, then the bytes.
  Result<std::string_view> Sized(size_t pos, std::string_view what) {
    RIVULET_ASSIGN_OR_RETURN(uint64_t size, value_.Unsigned(pos, 4, what));
    return value_.Slice(pos + 4, size, what);
  }

  Status PrintUuid(size_t pos) {
    RIVULET_ASSIGN_OR_RETURN(std::string_view bytes, value_.Slice(pos, 16, "a UUID"));
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
      auto b = static_cast<unsigned char>(bytes[i]);
      text += kHex[b >> 4];
      text += kHex[b & 15];
    }
    AppendQuoted(text, &out_);
    return Status::OK();
  }

  Status PrintPrimitive(size_t pos, uint8_t type) {
    switch (type) {
      case kNull:
        out_ += "null";
        return Status::OK();
      case kTrue:
        out_ += "true";
        return Status::OK();
      case kFalse:
        out_ += "false";
        return Status::OK();
      case kInt8:
        return PrintInteger<int8_t>(pos);
      case kInt16:
        return PrintInteger<int16_t>(pos);
      case kInt32:
        return PrintInteger<int32_t>(pos);
      case kInt64:
        return PrintInteger<int64_t>(pos);
      case kDouble:
        return PrintFloating<double>(pos);
      case kFloat:
        return PrintFloating<float>(pos);
      case kDecimal4:
        return PrintDecimal<int32_t>(pos, 9);
      case kDecimal8:
        return PrintDecimal<int64_t>(pos, 18);
      case kDecimal16:
        return PrintDecimal<__int128>(pos, 38);
      case kDate: {
        RIVULET_ASSIGN_OR_RETURN(int32_t days, value_.Fixed<int32_t>(pos, "a date"));
        AppendQuoted(FormatDate(days), &out_);
        return Status::OK();
      }
      case kTimestamp:
      case kTimestampNtz: {
        RIVULET_ASSIGN_OR_RETURN(int64_t micros,
                                 value_.Fixed<int64_t>(pos, "a timestamp"));
        std::string text = FormatTimestamp(micros, Fraction::kSix);
        if (type == kTimestamp) text += "+00:00";
        AppendQuoted(text, &out_);
        return Status::OK();
      }
      case kBinary: {
        RIVULET_ASSIGN_OR_RETURN(std::string_view bytes, Sized(pos, "a binary"));
        AppendQuoted(Base64(bytes), &out_);
        return Status::OK();
      }
      case kString: {
        RIVULET_ASSIGN_OR_RETURN(std::string_view text, Sized(pos, "a string"));
        AppendQuoted(text, &out_);
        return Status::OK();
      }
      case kUuid:
        return PrintUuid(pos);
      default:
        return Malformed("primitive type " + std::to_string(type));
    }
  }

  Reader value_;
  Dictionary dict_;
  std::string out_;
};

}  // namespace

Result<std::string> VariantToJson(std::string_view value, std::string_view metadata) {
  RIVULET_ASSIGN_OR_RETURN(Dictionary dict, Dictionary::Parse(metadata));
  Printer printer(Reader(value), dict);
  RIVULET_RETURN_NOT_OK(printer.Print(0, 0));
  return printer.Take();
}

}  // namespace rivulet
