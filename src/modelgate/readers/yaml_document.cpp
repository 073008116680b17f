#include "readers/yaml_document.h"

#include <yaml.h>

#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace modelgate::yaml {

namespace {

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";
constexpr std::string_view kMergeTag = "tag:yaml.org,2002:merge";

// PyYAML's implicit resolvers (YAML 1.1) for the types the configuration readers tell apart.
nlohmann::json resolve_plain(std::string_view s) {
  for (std::string_view t : {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
    if (s == t) return true;
  for (std::string_view f : {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
    if (s == f) return false;
  for (std::string_view n : {"", "~", "null", "Null", "NULL"})
    if (s == n) return nullptr;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  if (!digits.empty() && (digits == "0" || digits[0] != '0') &&
      digits.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
  }
  return std::string(s);
}

struct Frame {
  nlohmann::json value;
  bool mapping = false;
  std::optional<std::string> anchor;
  std::uint64_t nodes = 1;
  // A mapping between its key and its value: the key, or a merge key (`<<`).
  std::optional<std::string> key;
  bool merge_key = false;
  std::vector<nlohmann::json> merges;  // in the order flatten_mapping applies them (later wins)
  bool is_key = false;                 // a collection used as a key: SafeLoader refuses it; its content is dropped
};

class Builder {
 public:
  Builder(std::uint64_t budget, std::uint32_t max_depth) : budget_(budget), max_depth_(max_depth) {}

  std::optional<Error> scalar(const yaml_event_t& e) {
    std::string_view text(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
    const char* tag = reinterpret_cast<const char*>(e.data.scalar.tag);
    const bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    nlohmann::json v;
    if (tag == nullptr) v = plain ? resolve_plain(text) : nlohmann::json(std::string(text));
    else if (std::string_view(tag) == kStrTag || std::string_view(tag) == "!") v = std::string(text);
    else v = resolve_plain(text);
    const bool merge = (tag == nullptr && plain && text == "<<") || (tag != nullptr && std::string_view(tag) == kMergeTag);
    if (auto err = count(1, e)) return err;
    if (e.data.scalar.anchor != nullptr) anchors_[anchor_name(e.data.scalar.anchor)] = {v, 1};
    return deliver(std::move(v), 1, std::string(text), merge);
  }

  std::optional<Error> alias(const yaml_event_t& e) {
    const std::string name = anchor_name(e.data.alias.anchor);
    if (open_anchors_.count(name)) return deliver(nullptr, 1, std::nullopt, false);  // a node holding itself
    auto it = anchors_.find(name);
    if (it == anchors_.end()) return parse_error(e.start_mark.index, "alias *" + name.substr(0, 100) + " names no anchor");
    if (auto err = count(it->second.second, e)) return err;
    std::optional<std::string> text;
    if (it->second.first.is_string()) text = it->second.first.get<std::string>();
    return deliver(it->second.first, it->second.second, text, false);
  }

  std::optional<Error> start(const yaml_event_t& e, bool mapping) {
    if (stack_.size() >= max_depth_)
      return parse_error(RuleId("MG-LIMIT-EXCEEDED"), e.start_mark.index,
                         "YAML nesting deeper than " + std::to_string(max_depth_) + " levels");
    if (auto err = count(1, e)) return err;
    Frame f;
    f.mapping = mapping;
    f.value = mapping ? nlohmann::json::object() : nlohmann::json::array();
    const yaml_char_t* anchor = mapping ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
    if (anchor != nullptr) {
      f.anchor = anchor_name(anchor);
      open_anchors_.insert(*f.anchor);
    }
    f.is_key = !stack_.empty() && stack_.back().mapping && !stack_.back().key && !stack_.back().merge_key;
    stack_.push_back(std::move(f));
    return std::nullopt;
  }

  std::optional<Error> end(const yaml_event_t& e) {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.mapping && !f.merges.empty()) {
      nlohmann::json merged = nlohmann::json::object();
      for (auto& m : f.merges)
        for (auto& [k, v] : m.items()) merged[k] = std::move(v);
      for (auto& [k, v] : f.value.items()) merged[k] = std::move(v);
      f.value = std::move(merged);
    }
    if (f.anchor) {
      open_anchors_.erase(*f.anchor);
      anchors_[*f.anchor] = {f.value, f.nodes};
    }
    (void)e;
    if (f.is_key) return deliver(nullptr, f.nodes, std::string("?"), false);
    return deliver(std::move(f.value), f.nodes, std::nullopt, false);
  }

  std::vector<nlohmann::json> take_documents() { return std::move(documents_); }

 private:
  static std::string anchor_name(const yaml_char_t* a) { return reinterpret_cast<const char*>(a); }

  std::optional<Error> count(std::uint64_t n, const yaml_event_t& e) {
    used_ += n;
    if (used_ > budget_)
      return parse_error(RuleId("MG-LIMIT-EXCEEDED"), e.start_mark.index,
                         "the document's aliases and merges expand past " + std::to_string(budget_) + " nodes");
    return std::nullopt;
  }

  std::optional<Error> deliver(nlohmann::json v, std::uint64_t nodes, std::optional<std::string> text, bool merge) {
    if (stack_.empty()) {
      documents_.push_back(std::move(v));
      return std::nullopt;
    }
    Frame& parent = stack_.back();
    parent.nodes += nodes;
    if (!parent.mapping) {
      if (!parent.is_key) parent.value.push_back(std::move(v));
      return std::nullopt;
    }
    if (!parent.key && !parent.merge_key) {
      if (merge) parent.merge_key = true;
      else parent.key = text.value_or("?");
      return std::nullopt;
    }
    if (parent.merge_key) {
      // flatten_mapping: a mapping merges its keys; a sequence of mappings merges them with the
      // first one winning; explicit keys win over every merged one.
      if (v.is_object()) parent.merges.push_back(std::move(v));
      else if (v.is_array())
        for (auto it = v.rbegin(); it != v.rend(); ++it)
          if (it->is_object()) parent.merges.push_back(std::move(*it));
      parent.merge_key = false;
      return std::nullopt;
    }
    if (!parent.is_key) parent.value[*parent.key] = std::move(v);
    parent.key.reset();
    return std::nullopt;
  }

  std::uint64_t budget_;
  std::uint32_t max_depth_;
  std::uint64_t used_ = 0;
  std::vector<Frame> stack_;
  std::map<std::string, std::pair<nlohmann::json, std::uint64_t>> anchors_;
  std::set<std::string> open_anchors_;
  std::vector<nlohmann::json> documents_;
};

struct Parser {
  yaml_parser_t p;
  Parser() { yaml_parser_initialize(&p); }
  ~Parser() { yaml_parser_delete(&p); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};

struct Event {
  yaml_event_t e{};
  bool held = false;
  ~Event() {
    if (held) yaml_event_delete(&e);
  }
};

// The next event of the stream, or where and why libyaml stopped. libyaml's scanner walks every
// open flow collection for each token it reads (yaml_parser_stale_simple_keys), so n nested `[`
// cost n^2 before any event reaches a depth check; its lookahead for one event stops 1024
// characters on, so the scanner's own count of open `[`/`{`, checked after every event, bounds
// that work to linear in the text.
std::optional<Error> next_event(yaml_parser_t& p, Event& event, std::uint32_t max_depth) {
  if (!yaml_parser_parse(&p, &event.e))
    return parse_error(p.problem_mark.index, std::string("YAML: ") + (p.problem != nullptr ? p.problem : "parse error"));
  event.held = true;
  if (p.flow_level > 0 && static_cast<std::uint32_t>(p.flow_level) > max_depth)
    return parse_error(RuleId("MG-LIMIT-EXCEEDED"), p.mark.index,
                       "YAML flow collections ([ or {) nested deeper than " + std::to_string(max_depth) +
                           " levels (libyaml's scanner is quadratic in that depth)");
  return std::nullopt;
}

}  // namespace

Expected<std::vector<nlohmann::json>> read_documents(std::string_view text, std::uint32_t max_depth) {
  Parser parser;
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  Builder builder(16 * static_cast<std::uint64_t>(text.size()) + 4096, max_depth);
  for (;;) {
    Event event;
    if (auto err = next_event(parser.p, event, max_depth)) return *err;
    std::optional<Error> err;
    switch (event.e.type) {
      case YAML_STREAM_END_EVENT: return builder.take_documents();
      case YAML_SCALAR_EVENT: err = builder.scalar(event.e); break;
      case YAML_ALIAS_EVENT: err = builder.alias(event.e); break;
      case YAML_SEQUENCE_START_EVENT: err = builder.start(event.e, false); break;
      case YAML_MAPPING_START_EVENT: err = builder.start(event.e, true); break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: err = builder.end(event.e); break;
      default: break;
    }
    if (err) return *err;
  }
}

Expected<std::vector<NodeTag>> read_node_tags(std::string_view text, std::optional<char> first_of_plain,
                                              std::size_t max_nodes, std::uint32_t max_depth) {
  Parser parser;
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::vector<NodeTag> tags;
  for (;;) {
    Event event;
    if (auto err = next_event(parser.p, event, max_depth)) return *err;
    const yaml_event_t& e = event.e;
    const yaml_char_t* tag = nullptr;
    switch (e.type) {
      case YAML_STREAM_END_EVENT: return tags;
      case YAML_SCALAR_EVENT: tag = e.data.scalar.tag; break;
      case YAML_SEQUENCE_START_EVENT: tag = e.data.sequence_start.tag; break;
      case YAML_MAPPING_START_EVENT: tag = e.data.mapping_start.tag; break;
      default: continue;
    }
    NodeTag node;
    node.offset = e.start_mark.index;
    if (e.type == YAML_SCALAR_EVENT) {
      node.scalar = std::string(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
      node.plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    }
    const bool implicit_candidate = tag == nullptr && node.plain && first_of_plain && !node.scalar->empty() &&
                                    node.scalar->front() == *first_of_plain;
    if (tag == nullptr && !implicit_candidate) continue;
    if (tag != nullptr) node.tag = reinterpret_cast<const char*>(tag);
    if (tags.size() >= max_nodes)
      return parse_error(RuleId("MG-LIMIT-EXCEEDED"), node.offset,
                         "more than " + std::to_string(max_nodes) + " tagged YAML nodes");
    tags.push_back(std::move(node));
  }
}

}  // namespace modelgate::yaml
