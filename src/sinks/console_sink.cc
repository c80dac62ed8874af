#include "sinks/console_sink.h"

#include <iostream>
#include <sstream>

namespace rivulet {
namespace {

size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (unsigned char c : s) width += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return width;
}

std::string Truncate(std::string cell, int truncate) {
  if (truncate <= 0 || DisplayWidth(cell) <= static_cast<size_t>(truncate)) return cell;
  // Cut on a code point boundary.
  auto cut = [&](size_t points) {
    size_t seen = 0, i = 0;
    for (; i < cell.size(); ++i) {
      if ((static_cast<unsigned char>(cell[i]) & 0xC0) != 0x80 && seen++ == points) break;
    }
    return cell.substr(0, i);
  };
  return truncate < 4 ? cut(truncate) : cut(truncate - 3) + "...";
}

// A line break inside a cell would break the table; show it as \n.
std::string EscapeLineBreaks(std::string s) {
  for (size_t pos = 0; (pos = s.find('\n', pos)) != std::string::npos; pos += 2) {
    s.replace(pos, 1, "\\n");
  }
  return s;
}

std::string Pad(const std::string& s, size_t width, bool left) {
  std::string fill(width - std::min(width, DisplayWidth(s)), ' ');
  return left ? fill + s : s + fill;
}

class ConsoleSink : public Sink {
 public:
  ConsoleSink(int64_t num_rows, int truncate, std::ostream* out)
      : num_rows_(num_rows), truncate_(truncate), out_(out) {}

  std::string description() const override { return "ConsoleSink"; }

  Status Open(const SinkContext& context) override {
    schema_ = context.schema;
    return Status::OK();
  }

  Status AddBatch(int64_t batch_id, const std::vector<RecordBatchPtr>& batches) override {
    std::ostringstream text;
    text << "-------------------------------------------\n"
         << "Batch: " << batch_id << "\n"
         << "-------------------------------------------\n"
         << FormatTable(*schema_, batches, num_rows_, truncate_) << "\n";
    *out_ << text.str() << std::flush;
    return Status::OK();
  }

 private:
  std::shared_ptr<const Schema> schema_;
  const int64_t num_rows_;
  const int truncate_;
  std::ostream* out_;
};

}  // namespace

std::string FormatTable(const Schema& schema, const std::vector<RecordBatchPtr>& batches,
                        int64_t num_rows, int truncate) {
  std::vector<std::vector<std::string>> rows;
  int64_t total = 0;
  for (const auto& batch : batches) {
    total += batch->num_rows();
    for (int64_t r = 0;
         r < batch->num_rows() && static_cast<int64_t>(rows.size()) < num_rows; ++r) {
      std::vector<std::string> cells;
      cells.reserve(batch->num_columns());
      for (int c = 0; c < batch->num_columns(); ++c) {
        cells.push_back(Truncate(EscapeLineBreaks(batch->column(c)->GetValue(r).ToString(
                                     *schema.field(c).type)),
                                 truncate));
      }
      rows.push_back(std::move(cells));
    }
  }
  const int n = schema.num_fields();
  std::vector<size_t> widths(n, 3);
  std::vector<std::string> header;
  for (int c = 0; c < n; ++c) {
    header.push_back(schema.field(c).name);  // Spark truncates cells, not column names
    widths[c] = std::max(widths[c], DisplayWidth(header[c]));
    for (const auto& row : rows) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  std::string sep = "+";
  for (size_t w : widths) sep += std::string(w, '-') + "+";
  const bool right_align = truncate > 0;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (int c = 0; c < n; ++c) out += Pad(cells[c], widths[c], right_align) + "|";
    return out + "\n";
  };
  std::string out = sep + "\n" + line(header) + sep + "\n";
  for (const auto& row : rows) out += line(row);
  out += sep + "\n";
  if (total > num_rows) {
    out += "only showing top " + std::to_string(num_rows) + " row" +
           (num_rows == 1 ? "" : "s") + "\n";
  }
  return out;
}

Result<std::unique_ptr<Sink>> MakeConsoleSink(const Options& options, std::ostream* out) {
  RIVULET_ASSIGN_OR_RETURN(int64_t num_rows, options.GetInt("numRows", 20));
  if (num_rows < 0)
    return Status::InvalidArgument("option 'numRows' must not be negative");
  int truncate = 20;
  if (auto t = options.Get("truncate")) {
    if (*t == "true") {
      truncate = 20;
    } else if (*t == "false") {
      truncate = 0;
    } else {
      RIVULET_ASSIGN_OR_RETURN(int64_t n, options.GetInt("truncate", 20));
      truncate = static_cast<int>(n);
    }
  }
  return std::unique_ptr<Sink>(new ConsoleSink(num_rows, truncate, out));
}

Result<std::unique_ptr<Sink>> MakeConsoleSink(const Options& options) {
  return MakeConsoleSink(options, &std::cout);
}

}  // namespace rivulet
