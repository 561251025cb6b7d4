#pragma once
// CSV tables for metrics.csv, eval.csv, samples.csv and report tables. Fields containing a
// comma, quote or newline are quoted. Numbers use 17 significant digits so that a value read
// back is bit-identical to the one written ("nan", "inf", "-inf" for non-finite values).
#include <string>
#include <vector>

namespace sdebench {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Index of a column, or -1.
  int column(const std::string& name) const;
  // Numeric value of row `row`, column `name` (NaN when absent or empty).
  double number(size_t row, const std::string& name) const;
  std::vector<double> numbers(const std::string& name) const;  // whole column
};

std::string format_number(double value);
double parse_number(const std::string& text);  // NaN when not a number
std::string format_csv(const CsvTable& table);
CsvTable parse_csv(const std::string& text);
CsvTable read_csv(const std::string& path);  // throws naming the path

}  // namespace sdebench
