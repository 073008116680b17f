#include "readers/openvino_ir.h"

#include <algorithm>
#include <map>
#include <optional>

#include "core/utf8.h"

namespace modelgate::openvino {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == ':';
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The predefined entities and character references; anything else is refused.
Expected<std::string> decode_entities(std::string_view raw, std::size_t at) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    std::size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) return parse_error(at + i, "unterminated entity reference");
    std::string_view name = raw.substr(i + 1, semi - i - 1);
    if (name == "lt") out += '<';
    else if (name == "gt") out += '>';
    else if (name == "amp") out += '&';
    else if (name == "quot") out += '"';
    else if (name == "apos") out += '\'';
    else if (name.size() >= 2 && name[0] == '#') {
      bool hex = name[1] == 'x';
      std::string_view digits = name.substr(hex ? 2 : 1);
      std::uint32_t cp = 0;
      if (digits.empty()) return parse_error(at + i, "empty character reference");
      for (char c : digits) {
        int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return parse_error(at + i, "bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        if (cp > 0x10FFFF) return parse_error(at + i, "character reference out of range");
      }
      if (cp == 0 || (cp >= 0xD800 && cp < 0xE000)) return parse_error(at + i, "character reference to an invalid character");
      append_utf8(out, cp);
    } else {
      return parse_error(at + i, "entity '&" + std::string(name) + ";' is not predefined");
    }
    i = semi;
  }
  return out;
}

bool opset_version(std::string_view v) {
  return v.size() > 5 && v.starts_with("opset") &&
         std::all_of(v.begin() + 5, v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class IrReader {
 public:
  IrReader(std::string_view s, std::uint32_t max_depth) : s_(s), max_depth_(max_depth) {}

  Expected<Model> run() {
    if (s_.starts_with("\xEF\xBB\xBF")) p_ = 3;
    if (s_.substr(p_).starts_with("<?xml")) {
      std::size_t end = s_.find("?>", p_);
      if (end == std::string_view::npos) return parse_error(p_, "unterminated XML declaration");
      p_ = end + 2;
    }
    bool root_seen = false;
    while (true) {
      std::size_t lt = s_.find('<', p_);
      if (lt == std::string_view::npos) break;
      if (stack_.empty() && !all_space(s_.substr(p_, lt - p_))) return parse_error(p_, "text outside the root element");
      p_ = lt;
      if (s_.substr(p_).starts_with("<!--")) {
        std::size_t end = s_.find("-->", p_ + 4);
        if (end == std::string_view::npos) return parse_error(p_, "unterminated comment");
        p_ = end + 3;
      } else if (s_.substr(p_).starts_with("<!") || s_.substr(p_).starts_with("<?")) {
        return parse_error(p_, "DOCTYPE, CDATA and processing instructions are not part of OpenVINO IR");
      } else if (s_.substr(p_).starts_with("</")) {
        if (auto e = end_tag()) return *e;
      } else {
        if (stack_.empty() && root_seen) return parse_error(p_, "a second root element");
        root_seen = true;
        if (auto e = start_tag()) return *e;
      }
    }
    if (!all_space(s_.substr(p_))) return parse_error(p_, "text after the root element");
    if (!stack_.empty()) return parse_error(s_.size(), "element <" + stack_.back() + "> is not closed");
    if (!root_seen) return parse_error(0, "no root element");
    if (model_.ir_version != 10 && model_.ir_version != 11)
      return parse_error(0, "IR version " + std::to_string(model_.ir_version) +
                                ": OpenVINO reads versions 10 and 11 only");
    return model_;
  }

 private:
  static bool all_space(std::string_view t) { return std::all_of(t.begin(), t.end(), space); }

  std::optional<Error> end_tag() {
    std::size_t at = p_;
    p_ += 2;
    std::size_t b = p_;
    while (p_ < s_.size() && name_char(s_[p_])) ++p_;
    std::string_view name = s_.substr(b, p_ - b);
    while (p_ < s_.size() && space(s_[p_])) ++p_;
    if (p_ >= s_.size() || s_[p_] != '>') return parse_error(at, "malformed end tag");
    ++p_;
    if (stack_.empty() || stack_.back() != name)
      return parse_error(at, "end tag </" + std::string(name) + "> does not match the open element");
    stack_.pop_back();
    return std::nullopt;
  }

  std::optional<Error> start_tag() {
    std::size_t at = p_;
    ++p_;
    std::size_t b = p_;
    while (p_ < s_.size() && name_char(s_[p_])) ++p_;
    std::string name(s_.substr(b, p_ - b));
    if (name.empty()) return parse_error(at, "malformed start tag");
    std::map<std::string, std::string> attributes;
    while (true) {
      std::size_t before = p_;
      while (p_ < s_.size() && space(s_[p_])) ++p_;
      if (p_ >= s_.size()) return parse_error(at, "unterminated start tag <" + name + ">");
      if (s_[p_] == '>' || s_.substr(p_).starts_with("/>")) break;
      if (p_ == before) return parse_error(p_, "attributes must be separated by white space");
      std::size_t nb = p_;
      while (p_ < s_.size() && name_char(s_[p_])) ++p_;
      std::string attr(s_.substr(nb, p_ - nb));
      while (p_ < s_.size() && space(s_[p_])) ++p_;
      if (attr.empty() || p_ >= s_.size() || s_[p_] != '=') return parse_error(p_, "malformed attribute in <" + name + ">");
      ++p_;
      while (p_ < s_.size() && space(s_[p_])) ++p_;
      if (p_ >= s_.size() || (s_[p_] != '"' && s_[p_] != '\'')) return parse_error(p_, "attribute value without quotes");
      char q = s_[p_++];
      std::size_t close = s_.find(q, p_);
      if (close == std::string_view::npos) return parse_error(p_, "unterminated attribute value");
      std::string_view raw = s_.substr(p_, close - p_);
      if (raw.find('<') != std::string_view::npos) return parse_error(p_, "'<' in an attribute value");
      auto value = decode_entities(raw, p_);
      if (!value) return value.error();
      if (!attributes.emplace(attr, std::move(*value)).second)
        return parse_error(nb, "duplicate attribute '" + attr + "' in <" + name + ">");
      p_ = close + 1;
    }
    bool empty = s_[p_] == '/';
    p_ += empty ? 2 : 1;
    if (stack_.empty()) {
      if (name != "net") return parse_error(at, "the root element is <" + name + ">, not <net>");
      auto v = attributes.find("version");
      std::string_view version = v == attributes.end() ? std::string_view() : std::string_view(v->second);
      if (version.empty() || version.size() > 3 || !std::all_of(version.begin(), version.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return parse_error(at, "<net> without a numeric version");
      model_.ir_version = std::stoull(std::string(version));
    }
    if (name == "layer") {
      ++model_.layers;
      auto version = attributes.find("version");
      auto type = attributes.find("type");
      Layer layer{type == attributes.end() ? std::string() : type->second,
                  version == attributes.end() ? std::string() : version->second, at};
      if (!opset_version(layer.version) && model_.extension_layers.size() < 1000)
        model_.extension_layers.push_back(std::move(layer));
    }
    if (!empty) {
      if (stack_.size() >= max_depth_) return parse_error(at, "elements nested deeper than " + std::to_string(max_depth_));
      stack_.push_back(std::move(name));
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::uint32_t max_depth_;
  std::size_t p_ = 0;
  std::vector<std::string> stack_;
  Model model_;
};

}  // namespace

Expected<Model> parse(std::string_view xml, std::uint32_t max_depth) { return IrReader(xml, max_depth).run(); }

// OpenVINO's reader takes any XML whose root element is <net>: skip a byte-order mark, the XML
// declaration, comments and white space, and look at the first element.
bool looks_like_ir(std::string_view text) {
  std::size_t p = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (int prolog = 0; prolog < 64; ++prolog) {
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t' || text[p] == '\n' || text[p] == '\r')) ++p;
    std::string_view rest = text.substr(std::min(p, text.size()));
    // A DOCTYPE (pugixml skips it) may hold an internal subset in brackets.
    bool doctype = rest.starts_with("<!DOCTYPE");
    std::size_t bracket = rest.find('['), gt = rest.find('>');
    std::string_view close = rest.starts_with("<?")     ? "?>"
                             : rest.starts_with("<!--") ? "-->"
                             : doctype                  ? (bracket < gt ? "]>" : ">")
                                                        : "";
    if (close.empty()) {
      return rest.size() > 4 && rest.starts_with("<net") &&
             (rest[4] == ' ' || rest[4] == '\t' || rest[4] == '\n' || rest[4] == '\r' || rest[4] == '>' || rest[4] == '/');
    }
    std::size_t end = rest.find(close);
    if (end == std::string_view::npos) return false;
    p += end + close.size();
  }
  return false;
}

}  // namespace modelgate::openvino
