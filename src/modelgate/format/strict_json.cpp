#include "format/strict_json.h"

#include <istream>
#include <set>
#include <streambuf>

namespace modelgate {

namespace {

using json = nlohmann::json;

// A read-only stream buffer over the text whose position tells how far the lexer has read.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // never written: the buffer is input-only
    setg(begin, begin, begin + text.size());
  }
  std::size_t consumed() const { return static_cast<std::size_t>(gptr() - eback()); }
};

// Builds the DOM itself so that it can see every key of every object as it is parsed.
class StrictSax final : public nlohmann::json_sax<json> {
 public:
  StrictSax(std::string_view text, const ViewBuffer& buffer, std::uint32_t max_depth,
            std::uint64_t max_values, StrictJson& out)
      : text_(text), buffer_(buffer), max_depth_(max_depth), max_values_(max_values), out_(out) {}

  json root;

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return fail(JsonErrorKind::syntax, "binary value"); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Level& level = stack_.back();
    std::uint64_t at = key_start(buffer_.consumed());
    if (!level.keys.insert(k).second)
      return fail(JsonErrorKind::duplicate_key, "duplicate key \"" + printable(k) + "\" in an object",
                  at);
    if (stack_.size() == 1) out_.top_level_keys.push_back({k, at});
    pending_key_ = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 5: "
    if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    return fail(JsonErrorKind::syntax, "invalid JSON: " + what, position > 0 ? position - 1 : 0);
  }

 private:
  struct Level {
    json* node;
    std::set<std::string> keys;
  };

  static std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s.substr(0, 80)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    if (s.size() > 80) out += "...";
    return out;
  }

  // The lexer stops right after the closing quote of a key; walk back to its opening quote.
  std::uint64_t key_start(std::size_t after) const {
    if (after == 0 || after > text_.size()) return after;
    std::size_t i = after - 1;  // closing quote
    while (i > 0) {
      --i;
      if (text_[i] != '"') continue;
      std::size_t slashes = 0;
      while (slashes < i && text_[i - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 0) return i;
    }
    return 0;
  }

  json* place(json&& v) {
    ++values_;
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    json& parent = *stack_.back().node;
    if (parent.is_object()) return &(parent[pending_key_] = std::move(v));
    parent.push_back(std::move(v));
    return &parent.back();
  }
  bool put(json&& v) {
    if (values_ >= max_values_) return too_many();
    place(std::move(v));
    return true;
  }
  bool too_many() {
    return fail(JsonErrorKind::too_large, "more than " + std::to_string(max_values_) + " JSON values",
                buffer_.consumed() > 0 ? buffer_.consumed() - 1 : 0);
  }
  bool open(json&& v) {
    if (stack_.size() >= max_depth_)
      return fail(JsonErrorKind::too_deep,
                  "JSON nesting deeper than " + std::to_string(max_depth_) + " levels",
                  buffer_.consumed() > 0 ? buffer_.consumed() - 1 : 0);
    if (values_ >= max_values_) return too_many();
    json* node = place(std::move(v));
    stack_.push_back({node, {}});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  bool fail(JsonErrorKind kind, std::string reason, std::uint64_t offset = 0) {
    if (!failed_) {
      failed_ = true;
      out_.kind = kind;
      out_.error = parse_error_at(offset, std::move(reason));
    }
    return false;
  }
  static ParseError parse_error_at(std::uint64_t offset, std::string reason) {
    return modelgate::parse_error(offset, std::move(reason));
  }

  std::string_view text_;
  const ViewBuffer& buffer_;
  std::uint32_t max_depth_;
  std::uint64_t max_values_;
  std::uint64_t values_ = 0;
  StrictJson& out_;
  std::vector<Level> stack_;
  std::string pending_key_;
  bool failed_ = false;
};

}  // namespace

StrictJson parse_strict_json(std::string_view text, std::uint32_t max_depth, std::uint64_t max_values) {
  StrictJson out;
  ViewBuffer buffer(text);
  std::istream in(&buffer);
  StrictSax sax(text, buffer, max_depth, max_values, out);
  bool ok = false;
  try {
    ok = json::sax_parse(in, &sax, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const std::exception& e) {  // defensive: the SAX path reports errors by return value
    out.kind = JsonErrorKind::syntax;
    out.error = parse_error(0, std::string("invalid JSON: ") + e.what());
    return out;
  }
  if (ok) out.value = std::move(sax.root);
  return out;
}

}  // namespace modelgate
