#include "bom/spdx_expression.h"

#include <vector>

#include "bom/spdx_license.h"

namespace modelgate::bom {

namespace {

constexpr std::size_t kMaxTokens = 64;
constexpr int kMaxDepth = 16;

bool is_idstring(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  return true;
}

// `LicenseRef-x` or `DocumentRef-x:LicenseRef-y`: user-defined references, valid as written.
bool is_license_ref(std::string_view s) {
  if (s.starts_with("DocumentRef-")) {
    auto colon = s.find(':');
    if (colon == std::string_view::npos || !is_idstring(s.substr(12, colon - 12))) return false;
    s = s.substr(colon + 1);
  }
  return s.starts_with("LicenseRef-") && is_idstring(s.substr(11));
}

class ExpressionParser {
 public:
  explicit ExpressionParser(std::vector<std::string_view> tokens) : tokens_(std::move(tokens)) {}

  std::optional<std::string> parse() {
    std::string out;
    if (!or_expression(out, 0) || pos_ != tokens_.size()) return std::nullopt;
    return out;
  }
  bool compound() const { return compound_; }

 private:
  bool at(std::string_view t) const { return pos_ < tokens_.size() && tokens_[pos_] == t; }

  bool or_expression(std::string& out, int depth) {
    if (!and_expression(out, depth)) return false;
    while (at("OR")) {
      ++pos_;
      compound_ = true;
      out += " OR ";
      if (!and_expression(out, depth)) return false;
    }
    return true;
  }

  bool and_expression(std::string& out, int depth) {
    if (!with_expression(out, depth)) return false;
    while (at("AND")) {
      ++pos_;
      compound_ = true;
      out += " AND ";
      if (!with_expression(out, depth)) return false;
    }
    return true;
  }

  bool with_expression(std::string& out, int depth) {
    if (!primary(out, depth)) return false;
    if (!at("WITH")) return true;
    ++pos_;
    compound_ = true;
    if (pos_ >= tokens_.size()) return false;
    auto exception = spdx_license_id(tokens_[pos_++]);
    if (!exception) return false;
    out += " WITH ";
    out += *exception;
    return true;
  }

  bool primary(std::string& out, int depth) {
    if (pos_ >= tokens_.size()) return false;
    if (at("(")) {
      if (depth >= kMaxDepth) return false;
      ++pos_;
      out += "(";
      if (!or_expression(out, depth + 1) || !at(")")) return false;
      ++pos_;
      out += ")";
      return true;
    }
    std::string_view t = tokens_[pos_++];
    if (is_license_ref(t)) {
      compound_ = true;
      out += t;
      return true;
    }
    bool plus = t.size() > 1 && t.back() == '+';
    auto id = spdx_license_id(plus ? t.substr(0, t.size() - 1) : t);
    if (!id) return false;
    compound_ |= plus;
    out += *id;
    if (plus) out += "+";
    return true;
  }

  std::vector<std::string_view> tokens_;
  std::size_t pos_ = 0;
  bool compound_ = false;
};

}  // namespace

std::optional<std::string> spdx_expression(std::string_view text) {
  std::vector<std::string_view> tokens;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '(' || c == ')') {
      tokens.push_back(text.substr(i++, 1));
    } else {
      std::size_t end = text.find_first_of(" \t\n\r()", i);
      if (end == std::string_view::npos) end = text.size();
      tokens.push_back(text.substr(i, end - i));
      i = end;
    }
    if (tokens.size() > kMaxTokens) return std::nullopt;
  }
  ExpressionParser parser(std::move(tokens));
  auto out = parser.parse();
  if (!out || !parser.compound()) return std::nullopt;
  return out;
}

}  // namespace modelgate::bom
