#include "harness/results/csv.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "harness/results/atomic_write.h"

namespace sdebench {

int CsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

double CsvTable::number(size_t row, const std::string& name) const {
  int c = column(name);
  if (c < 0 || row >= rows.size() || static_cast<size_t>(c) >= rows[row].size())
    return std::nan("");
  return parse_number(rows[row][static_cast<size_t>(c)]);
}

std::vector<double> CsvTable::numbers(const std::string& name) const {
  std::vector<double> out;
  out.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(number(r, name));
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

double parse_number(const std::string& text) {
  if (text.empty()) return std::nan("");
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);  // accepts nan / inf
  if (end == text.c_str()) return std::nan("");
  return d;
}

namespace {
void append_field(std::string& out, const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_row(std::string& out, const std::vector<std::string>& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    append_field(out, row[i]);
  }
  out += '\n';
}
}  // namespace

std::string format_csv(const CsvTable& table) {
  std::string out;
  if (table.header.empty() && table.rows.empty()) return out;  // an empty table is an empty file
  append_row(out, table.header);
  for (const auto& row : table.rows) append_row(out, row);
  return out;
}

CsvTable parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(field);
      lines.push_back(row);
      row.clear();
      field.clear();
      any = false;
    } else if (c != '\r') {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(field);
    lines.push_back(row);
  }
  CsvTable table;
  // A file holding only a blank line has no columns.
  if (!lines.empty() && lines.front().size() == 1 && lines.front().front().empty()) lines.erase(lines.begin());
  if (!lines.empty()) {
    table.header = lines.front();
    table.rows.assign(lines.begin() + 1, lines.end());
  }
  return table;
}

CsvTable read_csv(const std::string& path) { return parse_csv(read_text_file(path)); }

}  // namespace sdebench
