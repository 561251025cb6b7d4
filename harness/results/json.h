#pragma once
// A small JSON value for summary.json: written by runs, read back by reports. Objects keep
// insertion order so files are stable and readable. Numbers are written with 17 significant
// digits (exact round trip); non-finite numbers are written as null.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sdebench {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Json() = default;
  Json(bool b) : type_(Type::Bool), bool_(b) {}
  Json(double d) : type_(Type::Number), number_(d) {}
  Json(int i) : type_(Type::Number), number_(i) {}
  Json(std::int64_t i) : type_(Type::Number), number_(static_cast<double>(i)) {}
  Json(const char* s) : type_(Type::String), string_(s) {}
  Json(std::string s) : type_(Type::String), string_(std::move(s)) {}
  static Json array();
  static Json object();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_object() const { return type_ == Type::Object; }
  bool is_array() const { return type_ == Type::Array; }

  // Typed access; throw std::runtime_error on a type mismatch.
  double as_number() const;
  bool as_bool() const;
  const std::string& as_string() const;
  const std::vector<Json>& elements() const;
  const std::vector<std::pair<std::string, Json>>& items() const;

  // Object access: operator[] inserts (turning null into an object), find returns nullptr.
  Json& operator[](const std::string& key);
  const Json* find(const std::string& key) const;
  // Number at key, or `fallback` when absent or null.
  double number_or(const std::string& key, double fallback) const;
  std::string string_or(const std::string& key, const std::string& fallback) const;
  void push_back(Json value);

  std::string dump(int indent = 2) const;
  // Throws std::runtime_error with the byte offset of the problem.
  static Json parse(const std::string& text);

 private:
  void dump_to(std::string& out, int indent, int depth) const;
  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0.0;
  std::string string_;
  std::vector<Json> array_;
  std::vector<std::pair<std::string, Json>> object_;
};

}  // namespace sdebench
