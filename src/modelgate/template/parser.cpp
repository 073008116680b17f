#include "template/parser.h"

#include <array>
#include <initializer_list>

#include "template/lexer.h"

namespace modelgate::jinja {

namespace {

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::size_t max_depth)
      : t_(std::move(tokens)), max_depth_(max_depth) {
    ast_.nodes.reserve(t_.size() + 1);
  }

  Expected<Ast> run() {
    NodeId root = parse_body({});
    if (!failed_ && cur().kind != TokKind::eof) fail(cur().offset, "unexpected '" + describe(cur()) + "'");
    if (failed_) return std::move(error_);
    ast_.root = root;
    return std::move(ast_);
  }

 private:
  // Recursion bound shared by statements and expressions.
  struct Depth {
    explicit Depth(Parser& p) : p_(p) {
      if (++p_.depth_ > p_.max_depth_)
        p_.fail(p_.cur().offset, "template nests deeper than " + std::to_string(p_.max_depth_),
                "MG-LIMIT-EXCEEDED");
    }
    ~Depth() { --p_.depth_; }
    Parser& p_;
  };

  const Token& cur() const { return t_[i_]; }
  const Token& peek(std::size_t n = 1) const {
    return i_ + n < t_.size() ? t_[i_ + n] : t_.back();
  }
  void advance() {
    if (t_[i_].kind != TokKind::eof) ++i_;
  }
  bool is_op(std::string_view op) const { return cur().kind == TokKind::op && cur().value == op; }
  bool is_name(std::string_view n) const { return cur().kind == TokKind::name && cur().value == n; }
  bool skip_op(std::string_view op) {
    if (!is_op(op)) return false;
    advance();
    return true;
  }
  bool skip_name(std::string_view n) {
    if (!is_name(n)) return false;
    advance();
    return true;
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokKind::text: return "template data";
      case TokKind::var_begin: return "{{";
      case TokKind::var_end: return "}}";
      case TokKind::block_begin: return "{%";
      case TokKind::block_end: return "%}";
      case TokKind::string: return "string literal";
      case TokKind::eof: return "end of template";
      default: return t.value;
    }
  }

  void fail(std::uint32_t offset, std::string reason, RuleId rule = "MG-TEMPLATE-SYNTAX") {
    if (failed_) return;
    failed_ = true;
    error_ = parse_error(rule, offset, std::move(reason));
  }
  void expected(std::string_view what) {
    fail(cur().offset, "expected " + std::string(what) + ", got '" + describe(cur()) + "'");
  }
  void expect_op(std::string_view op) {
    if (failed_) return;
    if (!skip_op(op)) expected("'" + std::string(op) + "'");
  }
  void expect_block_end() {
    if (failed_) return;
    if (cur().kind == TokKind::block_end) advance();
    else expected("'%}'");
  }
  std::string expect_name() {
    if (failed_) return {};
    if (cur().kind != TokKind::name) {
      expected("a name");
      return {};
    }
    std::string v = cur().value;
    advance();
    return v;
  }

  NodeId add(NodeKind k, std::uint32_t offset, std::string text = {}) {
    Node n;
    n.kind = k;
    n.offset = offset;
    n.text = std::move(text);
    ast_.nodes.push_back(std::move(n));
    return static_cast<NodeId>(ast_.nodes.size() - 1);
  }
  Node& node(NodeId id) { return ast_.nodes[static_cast<std::size_t>(id)]; }
  void kid(NodeId parent, NodeId child) { node(parent).kids.push_back(child); }

  // ---- Statements ----------------------------------------------------------------------------

  // Parses template content until a block whose first name is one of `ends` (left as the current
  // token, the '{%' consumed) or the end of the template (only when `ends` is empty).
  NodeId parse_body(std::initializer_list<std::string_view> ends) {
    Depth depth(*this);
    NodeId body = add(NodeKind::body, cur().offset);
    while (!failed_) {
      const Token& t = cur();
      if (t.kind == TokKind::text) {
        NodeId n = add(NodeKind::text, t.offset, t.value);
        kid(body, n);
        advance();
      } else if (t.kind == TokKind::var_begin) {
        std::uint32_t at = t.offset;
        advance();
        NodeId e = parse_tuple(false, true, {}, false);
        if (failed_) break;
        if (cur().kind != TokKind::var_end) {
          expected("'}}'");
          break;
        }
        advance();
        NodeId p = add(NodeKind::print, at);
        kid(p, e);
        kid(body, p);
      } else if (t.kind == TokKind::block_begin) {
        advance();
        if (cur().kind == TokKind::name)
          for (auto e : ends)
            if (cur().value == e) return body;
        NodeId s = parse_statement();
        if (failed_) break;
        kid(body, s);
      } else if (t.kind == TokKind::eof) {
        if (ends.size() != 0) {
          std::string list;
          for (auto e : ends) list += (list.empty() ? "'" : " or '") + std::string(e) + "'";
          fail(t.offset, "unexpected end of template, expected " + list);
        }
        break;
      } else {
        fail(t.offset, "unexpected '" + describe(t) + "'");
      }
    }
    return body;
  }

  NodeId parse_statement() {
    if (cur().kind != TokKind::name) {
      expected("a tag name");
      return kNoNode;
    }
    const std::string tag = cur().value;
    std::uint32_t at = cur().offset;
    advance();
    if (tag == "for") return parse_for(at);
    if (tag == "if") return parse_if(at);
    if (tag == "set") return parse_set(at);
    if (tag == "macro") return parse_macro(at);
    if (tag == "call") return parse_call_block(at);
    if (tag == "filter") return parse_filter_block(at);
    if (tag == "with") return parse_with(at);
    if (tag == "include") return parse_include(at);
    if (tag == "import") return parse_import(at);
    if (tag == "from") return parse_from(at);
    if (tag == "extends") return parse_simple_expr(NodeKind::extends, at);
    if (tag == "print") return parse_print(at);
    if (tag == "do") return parse_print_like(NodeKind::do_stmt, at);
    if (tag == "block") return parse_block(at);
    if (tag == "autoescape") return parse_wrapping(NodeKind::autoescape, at, "endautoescape", true);
    if (tag == "generation") return parse_wrapping(NodeKind::generation, at, "endgeneration", false);
    if (tag == "break" || tag == "continue") {
      NodeId n = add(tag == "break" ? NodeKind::break_stmt : NodeKind::continue_stmt, at);
      expect_block_end();
      return n;
    }
    static constexpr std::array<std::string_view, 13> kEnds = {
        "endfor", "endif", "endset", "endmacro", "endcall", "endfilter", "endwith", "endblock",
        "endautoescape", "endgeneration", "else", "elif", "endraw"};
    for (auto e : kEnds)
      if (tag == e) {
        fail(at, "unexpected '" + tag + "' (no open block expects it)");
        return kNoNode;
      }
    fail(at, "unknown tag '" + tag + "'");
    return kNoNode;
  }

  // After parse_body stopped on an end name: consume it and the closing '%}'.
  void finish_end(std::string_view end) {
    if (failed_) return;
    if (!skip_name(end)) return expected("'" + std::string(end) + "'");
    expect_block_end();
  }

  NodeId parse_for(std::uint32_t at) {
    NodeId n = add(NodeKind::for_stmt, at);
    NodeId target = parse_assign_target(true, false, {"in"});
    if (failed_) return n;
    if (!skip_name("in")) {
      expected("'in'");
      return n;
    }
    NodeId iter = parse_tuple(false, false, {"recursive"}, false);
    NodeId test = kNoNode;
    if (skip_name("if")) test = parse_expression(true);
    node(n).flag = skip_name("recursive");
    expect_block_end();
    if (failed_) return n;
    NodeId body = parse_body({"endfor", "else"});
    NodeId else_body = kNoNode;
    if (!failed_ && skip_name("else")) {
      expect_block_end();
      if (!failed_) else_body = parse_body({"endfor"});
    }
    finish_end("endfor");
    node(n).kids = {target, iter, body, else_body, test};
    return n;
  }

  NodeId parse_if(std::uint32_t at) {
    NodeId n = add(NodeKind::if_stmt, at);
    NodeId test = parse_tuple(false, true, {}, false);
    expect_block_end();
    if (failed_) return n;
    NodeId body = parse_body({"elif", "else", "endif"});
    node(n).kids = {test, body, kNoNode};
    if (failed_) return n;
    if (is_name("elif")) {
      std::uint32_t elif_at = cur().offset;
      advance();
      Depth depth(*this);
      NodeId nested = parse_if(elif_at);  // consumes through endif
      node(n).kids[2] = nested;
      return n;
    }
    if (skip_name("else")) {
      expect_block_end();
      if (failed_) return n;
      NodeId else_body = parse_body({"endif"});
      node(n).kids[2] = else_body;
    }
    finish_end("endif");
    return n;
  }

  NodeId parse_set(std::uint32_t at) {
    NodeId target = parse_assign_target(true, false, {}, true);
    if (failed_) return kNoNode;
    if (skip_op("=")) {
      NodeId value = parse_tuple(false, true, {}, false);
      expect_block_end();
      NodeId n = add(NodeKind::set_stmt, at);
      node(n).kids = {target, value};
      return n;
    }
    NodeId filter = kNoNode;
    if (is_op("|")) filter = parse_filter(add(NodeKind::placeholder, cur().offset), false);
    expect_block_end();
    if (failed_) return kNoNode;
    NodeId body = parse_body({"endset"});
    finish_end("endset");
    NodeId n = add(NodeKind::set_block, at);
    node(n).kids = {target, body, filter};
    return n;
  }

  // (a, b=default, ...) for macros and call blocks.
  NodeId parse_signature() {
    NodeId params = add(NodeKind::body, cur().offset);
    expect_op("(");
    while (!failed_ && !is_op(")")) {
      if (node(params).kids.size() != 0) expect_op(",");
      if (failed_ || is_op(")")) break;
      std::uint32_t at = cur().offset;
      std::string name = expect_name();
      if (failed_) break;
      if (skip_op("=")) {
        NodeId kw = add(NodeKind::keyword, at, name);
        NodeId def = parse_expression(true);
        kid(kw, def);
        kid(params, kw);
      } else {
        kid(params, add(NodeKind::name, at, name));
      }
    }
    expect_op(")");
    return params;
  }

  NodeId parse_macro(std::uint32_t at) {
    std::string name = expect_name();
    NodeId params = parse_signature();
    expect_block_end();
    if (failed_) return kNoNode;
    NodeId body = parse_body({"endmacro"});
    finish_end("endmacro");
    NodeId n = add(NodeKind::macro, at, name);
    node(n).kids = {params, body};
    return n;
  }

  NodeId parse_call_block(std::uint32_t at) {
    NodeId params = is_op("(") ? parse_signature() : add(NodeKind::body, at);
    NodeId call = parse_expression(true);
    if (!failed_ && node(call).kind != NodeKind::call) {
      fail(node(call).offset, "expected a call after {% call %}");
      return kNoNode;
    }
    expect_block_end();
    if (failed_) return kNoNode;
    NodeId body = parse_body({"endcall"});
    finish_end("endcall");
    NodeId n = add(NodeKind::call_block, at);
    node(n).kids = {call, params, body};
    return n;
  }

  NodeId parse_filter_block(std::uint32_t at) {
    NodeId chain = parse_filter(add(NodeKind::placeholder, at), true);
    expect_block_end();
    if (failed_) return kNoNode;
    NodeId body = parse_body({"endfilter"});
    finish_end("endfilter");
    NodeId n = add(NodeKind::filter_block, at);
    node(n).kids = {chain, body};
    return n;
  }

  NodeId parse_with(std::uint32_t at) {
    NodeId assigns = add(NodeKind::body, at);
    while (!failed_ && cur().kind != TokKind::block_end) {
      if (node(assigns).kids.size() != 0) expect_op(",");
      std::uint32_t t_at = cur().offset;
      NodeId target = parse_assign_target(true, false, {});
      expect_op("=");
      NodeId value = parse_expression(true);
      if (failed_) break;
      NodeId s = add(NodeKind::set_stmt, t_at);
      node(s).kids = {target, value};
      kid(assigns, s);
    }
    expect_block_end();
    if (failed_) return kNoNode;
    NodeId body = parse_body({"endwith"});
    finish_end("endwith");
    NodeId n = add(NodeKind::with_stmt, at);
    node(n).kids = {assigns, body};
    return n;
  }

  void parse_context_modifier() {
    if ((is_name("with") || is_name("without")) && peek().kind == TokKind::name && peek().value == "context") {
      advance();
      advance();
    }
  }

  NodeId parse_include(std::uint32_t at) {
    NodeId n = add(NodeKind::include, at);
    NodeId e = parse_expression(true);
    if (is_name("ignore") && peek().kind == TokKind::name && peek().value == "missing") {
      advance();
      advance();
    }
    parse_context_modifier();
    expect_block_end();
    kid(n, e);
    return n;
  }

  NodeId parse_import(std::uint32_t at) {
    NodeId e = parse_expression(true);
    if (!failed_ && !skip_name("as")) expected("'as'");
    std::string alias = expect_name();
    parse_context_modifier();
    expect_block_end();
    NodeId n = add(NodeKind::import_stmt, at, alias);
    kid(n, e);
    return n;
  }

  NodeId parse_from(std::uint32_t at) {
    NodeId n = add(NodeKind::from_import, at);
    NodeId e = parse_expression(true);
    kid(n, e);
    if (!failed_ && !skip_name("import")) expected("'import'");
    while (!failed_ && cur().kind != TokKind::block_end) {
      if (node(n).kids.size() > 1) {
        expect_op(",");
        if (failed_) break;
      }
      if ((is_name("with") || is_name("without")) && peek().kind == TokKind::name && peek().value == "context") {
        parse_context_modifier();
        break;
      }
      std::uint32_t n_at = cur().offset;
      std::string name = expect_name();
      NodeId item = add(NodeKind::name, n_at, name);
      if (skip_name("as")) {
        NodeId kw = add(NodeKind::keyword, n_at, expect_name());
        kid(kw, item);
        item = kw;
      }
      kid(n, item);
    }
    expect_block_end();
    return n;
  }

  NodeId parse_simple_expr(NodeKind k, std::uint32_t at) {
    NodeId n = add(k, at);
    NodeId e = parse_expression(true);
    expect_block_end();
    kid(n, e);
    return n;
  }

  NodeId parse_print(std::uint32_t at) { return parse_print_like(NodeKind::print, at); }

  NodeId parse_print_like(NodeKind k, std::uint32_t at) {
    NodeId n = add(k, at);
    NodeId e = parse_tuple(false, true, {}, false);
    expect_block_end();
    kid(n, e);
    return n;
  }

  NodeId parse_block(std::uint32_t at) {
    std::string name = expect_name();
    skip_name("scoped");
    skip_name("required");
    expect_block_end();
    if (failed_) return kNoNode;
    NodeId body = parse_body({"endblock"});
    if (!failed_ && skip_name("endblock")) {
      if (cur().kind == TokKind::name && cur().value != name) {
        fail(cur().offset, "endblock names '" + cur().value + "', expected '" + name + "'");
        return kNoNode;
      }
      if (cur().kind == TokKind::name) advance();
      expect_block_end();
    } else if (!failed_) {
      expected("'endblock'");
    }
    NodeId n = add(NodeKind::block, at, name);
    kid(n, body);
    return n;
  }

  NodeId parse_wrapping(NodeKind k, std::uint32_t at, std::string_view end, bool with_expr) {
    NodeId n = add(k, at);
    if (with_expr) kid(n, parse_expression(true));
    expect_block_end();
    if (failed_) return n;
    NodeId body = parse_body({end});
    finish_end(end);
    kid(n, body);
    return n;
  }

  // ---- Expressions ---------------------------------------------------------------------------

  bool can_assign(NodeId id) const {
    const Node& n = ast_.at(id);
    if (n.kind == NodeKind::name) return true;
    if (n.kind == NodeKind::tuple) {
      for (NodeId k : n.kids)
        if (ast_.at(k).kind != NodeKind::name && ast_.at(k).kind != NodeKind::tuple) return false;
      return true;
    }
    return false;
  }

  NodeId parse_assign_target(bool with_tuple, bool name_only, std::initializer_list<std::string_view> extra_end,
                             bool with_namespace = false) {
    Depth depth(*this);
    if (failed_) return kNoNode;
    if (with_namespace && cur().kind == TokKind::name && peek().kind == TokKind::op && peek().value == ".") {
      std::uint32_t at = cur().offset;
      NodeId obj = add(NodeKind::name, at, cur().value);
      advance();
      advance();
      std::string attr = expect_name();
      NodeId n = add(NodeKind::getattr, at, attr);
      kid(n, obj);
      return n;
    }
    if (name_only) {
      std::uint32_t at = cur().offset;
      return add(NodeKind::name, at, expect_name());
    }
    NodeId target = with_tuple ? parse_tuple(true, true, extra_end, false) : parse_primary();
    if (!failed_ && !can_assign(target)) fail(ast_.at(target).offset, "cannot assign to this expression");
    return target;
  }

  bool is_tuple_end(std::initializer_list<std::string_view> extra_end) const {
    const Token& t = cur();
    if (t.kind == TokKind::var_end || t.kind == TokKind::block_end || t.kind == TokKind::eof) return true;
    if (t.kind == TokKind::op && t.value == ")") return true;
    if (t.kind == TokKind::name)
      for (auto e : extra_end)
        if (t.value == e) return true;
    return false;
  }

  NodeId parse_tuple(bool simplified, bool with_condexpr, std::initializer_list<std::string_view> extra_end,
                     bool explicit_parentheses) {
    std::uint32_t at = cur().offset;
    std::vector<NodeId> items;
    bool is_tuple = false;
    while (!failed_) {
      if (!items.empty()) expect_op(",");
      if (failed_ || is_tuple_end(extra_end)) break;
      items.push_back(simplified ? parse_primary() : parse_expression(with_condexpr));
      if (is_op(",")) is_tuple = true;
      else break;
    }
    if (failed_) return kNoNode;
    if (!is_tuple) {
      if (!items.empty()) return items[0];
      if (!explicit_parentheses) {
        fail(cur().offset, "expected an expression, got '" + describe(cur()) + "'");
        return kNoNode;
      }
    }
    NodeId n = add(NodeKind::tuple, at);
    node(n).kids = std::move(items);
    return n;
  }

  NodeId parse_expression(bool with_condexpr) {
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  NodeId parse_condexpr() {
    Depth depth(*this);
    std::uint32_t at = cur().offset;
    NodeId expr1 = parse_or();
    while (!failed_ && skip_name("if")) {
      NodeId test = parse_or();
      NodeId other = kNoNode;
      if (skip_name("else")) other = parse_condexpr();
      NodeId n = add(NodeKind::cond_expr, at);
      node(n).kids = {expr1, test, other};
      expr1 = n;
    }
    return expr1;
  }

  NodeId binary(std::uint32_t at, std::string op, NodeId l, NodeId r) {
    NodeId n = add(NodeKind::binary, at, std::move(op));
    node(n).kids = {l, r};
    return n;
  }

  NodeId parse_or() {
    std::uint32_t at = cur().offset;
    NodeId left = parse_and();
    while (!failed_ && skip_name("or")) left = binary(at, "or", left, parse_and());
    return left;
  }

  NodeId parse_and() {
    std::uint32_t at = cur().offset;
    NodeId left = parse_not();
    while (!failed_ && skip_name("and")) left = binary(at, "and", left, parse_not());
    return left;
  }

  NodeId parse_not() {
    Depth depth(*this);
    if (failed_) return kNoNode;
    if (is_name("not")) {
      std::uint32_t at = cur().offset;
      advance();
      NodeId n = add(NodeKind::unary, at, "not");
      NodeId operand = parse_not();
      kid(n, operand);
      return n;
    }
    return parse_compare();
  }

  NodeId parse_compare() {
    std::uint32_t at = cur().offset;
    NodeId expr = parse_math1();
    while (!failed_) {
      const Token& t = cur();
      std::string op;
      if (t.kind == TokKind::op &&
          (t.value == "==" || t.value == "!=" || t.value == "<" || t.value == "<=" || t.value == ">" || t.value == ">=")) {
        op = t.value;
        advance();
      } else if (is_name("in")) {
        op = "in";
        advance();
      } else if (is_name("not") && peek().kind == TokKind::name && peek().value == "in") {
        op = "not in";
        advance();
        advance();
      } else {
        break;
      }
      expr = binary(at, op, expr, parse_math1());
    }
    return expr;
  }

  NodeId parse_math1() {
    std::uint32_t at = cur().offset;
    NodeId left = parse_concat();
    while (!failed_ && (is_op("+") || is_op("-"))) {
      std::string op = cur().value;
      advance();
      left = binary(at, op, left, parse_concat());
    }
    return left;
  }

  NodeId parse_concat() {
    std::uint32_t at = cur().offset;
    NodeId first = parse_math2();
    if (failed_ || !is_op("~")) return first;
    NodeId n = add(NodeKind::concat, at);
    kid(n, first);
    while (!failed_ && skip_op("~")) kid(n, parse_math2());
    return n;
  }

  NodeId parse_math2() {
    std::uint32_t at = cur().offset;
    NodeId left = parse_pow();
    while (!failed_ && (is_op("*") || is_op("/") || is_op("//") || is_op("%"))) {
      std::string op = cur().value;
      advance();
      left = binary(at, op, left, parse_pow());
    }
    return left;
  }

  NodeId parse_pow() {
    std::uint32_t at = cur().offset;
    NodeId left = parse_unary(true);
    while (!failed_ && skip_op("**")) left = binary(at, "**", left, parse_unary(true));
    return left;
  }

  NodeId parse_unary(bool with_filter) {
    Depth depth(*this);
    if (failed_) return kNoNode;
    std::uint32_t at = cur().offset;
    NodeId n;
    if (is_op("-") || is_op("+")) {
      std::string op = cur().value;
      advance();
      n = add(NodeKind::unary, at, op);
      NodeId operand = parse_unary(false);
      kid(n, operand);
    } else {
      n = parse_primary();
    }
    if (failed_) return kNoNode;
    n = parse_postfix(n);
    if (with_filter) n = parse_filter_expr(n);
    return n;
  }

  NodeId parse_primary() {
    Depth depth(*this);
    if (failed_) return kNoNode;
    const Token& t = cur();
    std::uint32_t at = t.offset;
    switch (t.kind) {
      case TokKind::name: {
        NodeId n;
        if (t.value == "true" || t.value == "True" || t.value == "false" || t.value == "False") {
          n = add(NodeKind::boolean, at, t.value);
          node(n).ival = (t.value[0] == 't' || t.value[0] == 'T') ? 1 : 0;
        } else if (t.value == "none" || t.value == "None") {
          n = add(NodeKind::none, at, t.value);
        } else {
          n = add(NodeKind::name, at, t.value);
        }
        advance();
        return n;
      }
      case TokKind::string: {
        std::string value;
        bool opaque = false;
        while (cur().kind == TokKind::string) {  // adjacent literals concatenate
          value += cur().value;
          opaque = opaque || cur().opaque;
          advance();
        }
        NodeId n = add(NodeKind::string, at, std::move(value));
        node(n).flag = opaque;
        return n;
      }
      case TokKind::integer: {
        NodeId n = add(NodeKind::integer, at, t.value);
        node(n).ival = t.int_value;
        node(n).flag = t.int_fits;
        advance();
        return n;
      }
      case TokKind::floating: {
        NodeId n = add(NodeKind::floating, at, t.value);
        advance();
        return n;
      }
      case TokKind::op:
        if (t.value == "(") {
          advance();
          NodeId n = parse_tuple(false, true, {}, true);
          expect_op(")");
          return n;
        }
        if (t.value == "[") {
          advance();
          NodeId n = add(NodeKind::list, at);
          while (!failed_ && !is_op("]")) {
            if (node(n).kids.size() != 0) expect_op(",");
            if (failed_ || is_op("]")) break;
            NodeId item = parse_expression(true);
            kid(n, item);
          }
          expect_op("]");
          return n;
        }
        if (t.value == "{") {
          advance();
          NodeId n = add(NodeKind::dict, at);
          while (!failed_ && !is_op("}")) {
            if (node(n).kids.size() != 0) expect_op(",");
            if (failed_ || is_op("}")) break;
            NodeId key = parse_expression(true);
            expect_op(":");
            NodeId value = parse_expression(true);
            kid(n, key);
            kid(n, value);
          }
          expect_op("}");
          return n;
        }
        break;
      default:
        break;
    }
    fail(at, "unexpected '" + describe(t) + "' in an expression");
    return kNoNode;
  }

  NodeId parse_postfix(NodeId n) {
    while (!failed_) {
      if (is_op(".") || is_op("[")) n = parse_subscript(n);
      else if (is_op("(")) n = parse_call(n);
      else break;
    }
    return n;
  }

  NodeId parse_filter_expr(NodeId n) {
    while (!failed_) {
      if (is_op("|")) n = parse_filter(n, false);
      else if (is_name("is")) n = parse_test(n);
      else if (is_op("(")) n = parse_call(n);
      else break;
    }
    return n;
  }

  NodeId parse_subscript(NodeId obj) {
    std::uint32_t at = cur().offset;
    if (skip_op(".")) {
      if (cur().kind == TokKind::name) {
        NodeId n = add(NodeKind::getattr, at, cur().value);
        advance();
        kid(n, obj);
        return n;
      }
      if (cur().kind == TokKind::integer) {
        NodeId key = add(NodeKind::integer, cur().offset, cur().value);
        node(key).ival = cur().int_value;
        node(key).flag = cur().int_fits;
        advance();
        NodeId n = add(NodeKind::getitem, at);
        node(n).kids = {obj, key};
        return n;
      }
      expected("a name or number after '.'");
      return kNoNode;
    }
    advance();  // '['
    std::vector<NodeId> args;
    while (!failed_ && !is_op("]")) {
      if (!args.empty()) expect_op(",");
      if (failed_ || is_op("]")) break;
      args.push_back(parse_subscribed());
    }
    expect_op("]");
    if (failed_) return kNoNode;
    if (args.empty()) {
      fail(at, "empty subscript");
      return kNoNode;
    }
    NodeId key = args[0];
    if (args.size() > 1) {
      key = add(NodeKind::tuple, at);
      node(key).kids = std::move(args);
    }
    NodeId n = add(NodeKind::getitem, at);
    node(n).kids = {obj, key};
    return n;
  }

  NodeId parse_subscribed() {
    std::uint32_t at = cur().offset;
    std::array<NodeId, 3> parts = {kNoNode, kNoNode, kNoNode};
    if (!skip_op(":")) {
      NodeId first = parse_expression(true);
      if (failed_ || !is_op(":")) return first;
      advance();
      parts[0] = first;
    }
    if (!is_op(":") && !is_op("]") && !is_op(",")) parts[1] = parse_expression(true);
    if (skip_op(":")) {
      if (!is_op("]") && !is_op(",")) parts[2] = parse_expression(true);
    }
    NodeId n = add(NodeKind::slice, at);
    node(n).kids = {parts[0], parts[1], parts[2]};
    return n;
  }

  // Appends the arguments of a call in parentheses to `n`.
  void parse_call_args(NodeId n) {
    expect_op("(");
    bool first = true;
    while (!failed_ && !is_op(")")) {
      if (!first) {
        expect_op(",");
        if (failed_ || is_op(")")) break;
      }
      first = false;
      std::uint32_t at = cur().offset;
      if (skip_op("*")) {
        NodeId s = add(NodeKind::star_arg, at);
        kid(s, parse_expression(true));
        kid(n, s);
      } else if (skip_op("**")) {
        NodeId s = add(NodeKind::dstar_arg, at);
        kid(s, parse_expression(true));
        kid(n, s);
      } else if (cur().kind == TokKind::name && peek().kind == TokKind::op && peek().value == "=") {
        NodeId kw = add(NodeKind::keyword, at, cur().value);
        advance();
        advance();
        kid(kw, parse_expression(true));
        kid(n, kw);
      } else {
        kid(n, parse_expression(true));
      }
    }
    expect_op(")");
  }

  NodeId parse_call(NodeId callee) {
    NodeId n = add(NodeKind::call, cur().offset);
    kid(n, callee);
    parse_call_args(n);
    return n;
  }

  std::string parse_dotted_name() {
    std::string name = expect_name();
    while (!failed_ && skip_op(".")) name += "." + expect_name();
    return name;
  }

  NodeId parse_filter(NodeId operand, bool start_inline) {
    while (!failed_ && (is_op("|") || start_inline)) {
      if (!start_inline) advance();
      start_inline = false;
      std::uint32_t at = cur().offset;
      std::string name = parse_dotted_name();
      if (failed_) break;
      NodeId n = add(NodeKind::filter, at, name);
      kid(n, operand);
      if (is_op("(")) parse_call_args(n);
      operand = n;
    }
    return operand;
  }

  NodeId parse_test(NodeId operand) {
    advance();  // 'is'
    bool negated = skip_name("not");
    std::uint32_t at = cur().offset;
    std::string name = parse_dotted_name();
    if (failed_) return kNoNode;
    NodeId n = add(NodeKind::test, at, name);
    node(n).flag = negated;
    kid(n, operand);
    const Token& t = cur();
    if (is_op("(")) {
      parse_call_args(n);
    } else if ((t.kind == TokKind::name && t.value != "else" && t.value != "or" && t.value != "and") ||
               t.kind == TokKind::string || t.kind == TokKind::integer || t.kind == TokKind::floating ||
               is_op("[") || is_op("{")) {
      if (is_name("is")) {
        fail(t.offset, "tests cannot be chained with 'is'");
        return kNoNode;
      }
      NodeId arg = parse_postfix(parse_primary());
      kid(n, arg);
    }
    return n;
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
  std::size_t max_depth_;
  Ast ast_;
  bool failed_ = false;
  Error error_;  // the first error, when failed_
};

}  // namespace

ParseLimits parse_limits(const Limits& limits) {
  ParseLimits pl;
  pl.max_bytes = limits.max_template_bytes;
  pl.max_tokens = limits.max_template_tokens;
  pl.max_depth = limits.max_template_depth;
  pl.max_height = limits.max_template_height;
  return pl;
}

Expected<Ast> parse_template(std::string_view source, const ParseLimits& limits) {
  if (source.size() > limits.max_bytes)
    return parse_error("MG-LIMIT-EXCEEDED", 0,
                       "template is " + std::to_string(source.size()) + " bytes, over the limit of " +
                           std::to_string(limits.max_bytes));
  auto lexed = lex(source, limits.max_tokens);
  if (!lexed) return lexed.error();
  auto parsed = Parser(std::move(*lexed), limits.max_depth).run();
  if (!parsed) return parsed;
  // Chains (a.b.c..., x|f|g...) are parsed by loops, not recursion; bound the tree height so
  // that every later recursive walk is bounded too.
  const Ast& ast = *parsed;
  std::vector<std::pair<NodeId, std::size_t>> stack = {{ast.root, 1}};
  while (!stack.empty()) {
    auto [id, h] = stack.back();
    stack.pop_back();
    if (h > limits.max_height)
      return parse_error("MG-LIMIT-EXCEEDED", ast.at(id).offset,
                         "template tree is deeper than " + std::to_string(limits.max_height) + " levels");
    for (NodeId k : ast.at(id).kids)
      if (k != kNoNode) stack.emplace_back(k, h + 1);
  }
  return parsed;
}

}  // namespace modelgate::jinja
