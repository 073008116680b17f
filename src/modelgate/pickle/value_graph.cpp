#include <cstdio>

#include "pickle/value.h"

namespace modelgate::pickle {

Value ValueGraph::make_owned_text(Kind kind, std::string text, std::uint16_t extra_flags) {
  Node n;
  n.kind = kind;
  n.set_text(std::move(text));
  Value v;
  v.kind = kind;
  v.flags = static_cast<std::uint16_t>(Value::kNode | extra_flags);
  v.len = static_cast<std::uint32_t>(n.text().size());
  v.u = add_node(std::move(n));
  return v;
}

Value ValueGraph::make_view(Kind kind, std::size_t offset, std::size_t length) {
  Value v;
  v.kind = kind;
  v.flags = Value::kView;
  v.len = static_cast<std::uint32_t>(length);
  v.u = offset;
  return v;
}

std::string_view ValueGraph::text_of(const Value& v) const {
  if (v.flags & Value::kView) return as_chars(input_.subspan(v.u, v.len));
  if (v.has_node()) return node(static_cast<std::uint32_t>(v.u)).text();
  return {};
}

std::string ValueGraph::qualified_name(const Value& v) const {
  if (!v.has_node()) return {};
  const Node& n = node(static_cast<std::uint32_t>(v.u));
  if (n.kind == Kind::global) return n.name().empty() ? n.module() : n.module() + "." + n.name();
  if (n.kind == Kind::attribute) {
    std::string base = n.items.empty() ? std::string("?") : describe(n.items[0], 80);
    return base + "." + n.module();
  }
  return {};
}

static void append_quoted(std::string& out, std::string_view s, std::size_t budget) {
  out += '\'';
  for (char c : s) {
    if (out.size() >= budget) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  out += '\'';
}

std::string ValueGraph::describe(const Value& v, std::size_t budget) const {
  std::string out;
  describe_into(v, out, budget, 0);
  return out;
}

void ValueGraph::describe_into(const Value& v, std::string& out, std::size_t budget,
                               int depth) const {
  if (out.size() >= budget || depth > 6) {
    out += "...";
    return;
  }
  switch (v.kind) {
    case Kind::none: out += "None"; return;
    case Kind::boolean: out += v.i ? "True" : "False"; return;
    case Kind::integer: out += std::to_string(v.i); return;
    case Kind::big_integer: out += "<big int>"; return;
    case Kind::floating: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", v.f);
      out += buf;
      return;
    }
    case Kind::string: append_quoted(out, text_of(v), budget); return;
    case Kind::bytes:
      out += 'b';
      append_quoted(out, text_of(v), budget);
      return;
    case Kind::bytearray:
      out += "bytearray(";
      append_quoted(out, text_of(v), budget);
      out += ')';
      return;
    case Kind::buffer: out += "<out-of-band buffer>"; return;
    default: break;
  }
  if (!v.has_node()) {
    switch (v.kind) {
      case Kind::tuple: out += "(<" + std::to_string(v.len) + " items>)"; return;
      case Kind::list: out += "[...]"; return;
      case Kind::dict: out += "{...}"; return;
      case Kind::set: out += "set(...)"; return;
      case Kind::frozenset: out += "frozenset(...)"; return;
      default: out += "<?>"; return;
    }
  }
  const Node& n = node(static_cast<std::uint32_t>(v.u));
  auto items = [&](const char* open, const char* close, std::size_t step) {
    out += open;
    for (std::size_t i = 0; i < n.items.size(); i += step) {
      if (i) out += ", ";
      if (out.size() >= budget) {
        out += "...";
        break;
      }
      describe_into(n.items[i], out, budget, depth + 1);
      if (step == 2 && i + 1 < n.items.size()) {
        out += ": ";
        describe_into(n.items[i + 1], out, budget, depth + 1);
      }
    }
    if (step == 1 && n.kind == Kind::tuple && n.items.size() == 1) out += ",";
    out += close;
  };
  switch (n.kind) {
    case Kind::tuple: items("(", ")", 1); return;
    case Kind::list: items("[", "]", 1); return;
    case Kind::set: items("{", "}", 1); return;
    case Kind::frozenset: items("frozenset({", "})", 1); return;
    case Kind::dict: items("{", "}", 2); return;
    case Kind::global: out += qualified_name(v); return;
    case Kind::attribute: out += qualified_name(v); return;
    case Kind::persistent:
      out += "persistent_load(";
      if (!n.items.empty()) describe_into(n.items[0], out, budget, depth + 1);
      out += ")";
      return;
    case Kind::call:
      if (!n.items.empty()) describe_into(n.items[0], out, budget, depth + 1);
      if (n.items.size() > 1) {
        const Value& args = n.items[1];
        if (args.kind == Kind::tuple && args.has_node()) {
          const Node& a = node(static_cast<std::uint32_t>(args.u));
          out += "(";
          for (std::size_t i = 0; i < a.items.size(); ++i) {
            if (i) out += ", ";
            if (out.size() >= budget) {
              out += "...";
              break;
            }
            describe_into(a.items[i], out, budget, depth + 1);
          }
          out += ")";
        } else {
          out += "(*";
          describe_into(args, out, budget, depth + 1);
          out += ")";
        }
      } else {
        out += "()";
      }
      return;
    default: out += "<?>"; return;
  }
}

}  // namespace modelgate::pickle
