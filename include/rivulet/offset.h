#pragma once

// A source's position: a JSON value stored and compared by its text.
//
// Native sources build offsets from JSON and get the compact canonical serialization
// (nlohmann's dump: sorted object keys, no spaces). Python sources hand over their own
// json.dumps text, which is kept verbatim, because Spark stores and compares exactly that
// text (key order and spacing included) and a checkpoint must read the same in both.

#include <string>
#include <string_view>

#include "rivulet/status.h"

namespace rivulet {

class Offset {
 public:
  Offset() = default;  // "no offset" (Spark's "-" in an offsets file)

  // Validates that `text` is one JSON value and keeps it verbatim.
  static Result<Offset> FromText(std::string_view text);
  // Parses `text` and stores its canonical serialization.
  static Result<Offset> Canonical(std::string_view text);

  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

  bool operator==(const Offset& other) const { return text_ == other.text_; }
  bool operator!=(const Offset& other) const { return text_ != other.text_; }

 private:
  explicit Offset(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace rivulet
