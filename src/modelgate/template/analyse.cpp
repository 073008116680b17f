#include "template/analyse.h"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "template/fold.h"
#include "template/iterations.h"
#include "template/origins.h"
#include "template/render_growth.h"
#include "template/size_bound.h"
#include "template/vocabulary.h"

namespace modelgate::jinja {

namespace {

constexpr RuleId kDunder = "MG-TEMPLATE-DUNDER";
constexpr RuleId kAssembled = "MG-TEMPLATE-DUNDER-ASSEMBLED";
constexpr RuleId kDunderString = "MG-TEMPLATE-DUNDER-STRING";
constexpr RuleId kPrivate = "MG-TEMPLATE-PRIVATE-ATTRIBUTE";
constexpr RuleId kGadget = "MG-TEMPLATE-GADGET";
constexpr RuleId kGadgetRef = "MG-TEMPLATE-GADGET-REFERENCE";
constexpr RuleId kFormat = "MG-TEMPLATE-FORMAT-STRING";
constexpr RuleId kDynamic = "MG-TEMPLATE-DYNAMIC-ATTRIBUTE";
constexpr RuleId kAttrFilter = "MG-TEMPLATE-ATTR-FILTER";
constexpr RuleId kCallable = "MG-TEMPLATE-UNKNOWN-CALLABLE";
constexpr RuleId kFilter = "MG-TEMPLATE-UNKNOWN-FILTER";
constexpr RuleId kTest = "MG-TEMPLATE-UNKNOWN-TEST";
constexpr RuleId kExternal = "MG-TEMPLATE-EXTERNAL";
constexpr RuleId kResource = "MG-TEMPLATE-RESOURCE";
constexpr RuleId kOpaque = "MG-TEMPLATE-OPAQUE-STRING";

// Larger values than this, built in one expression, are a resource finding (what the literal
// checks use: a repetition or a width of a million).
constexpr double kBuiltBound = 1e6;
// What all passes of a loop may print together (a hundred megabytes).
constexpr double kPrintedBound = 1e8;
// The sandbox's MAX_RANGE: a longer range() raises, a computed one of that size may not.
constexpr double kRangeBound = 100000;
// Loops over the context's data nest at most three deep in real chat templates (messages, their
// content parts, their tool calls); each further level multiplies the work by the data's size.
constexpr int kDataLoopDepth = 3;
// Through macro calls real templates reach four: Command R7B looks a tool call's id up in all
// messages for each tool result, Gemma 4 and Kimi K3 walk a message's arguments in macros.
constexpr int kDataLoopDepthThroughCalls = 4;
// A data size times this stays linear in the data (size_bound.cpp's kDataFactor); data loops over
// data scaled by constants multiply them.
constexpr double kDataLoopFactor = 1000;
// A computed exponent past this makes a number too large to build or print.
constexpr double kExponentBound = 256;
// Work quadratic in a length: 10^8 steps (a 10000-character |striptags, about half a second).
constexpr double kQuadraticWork = 1e8;

std::string count_text(double v) { return std::to_string(static_cast<std::uint64_t>(std::min(v, 1e18))); }

// Python internals reachable without underscores (frames, code objects, py2 function attributes).
bool is_internal_attribute(std::string_view a) {
  static const std::unordered_set<std::string_view> k = {
      "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "gi_frame", "gi_code", "cr_frame",
      "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code", "co_consts", "co_names",
      "func_globals", "func_code", "func_closure", "im_func", "im_self", "im_class", "mro"};
  return k.count(a) != 0;
}

std::string in_quotes(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (s.size() > 80) out += "...";
  return out + "'";
}

// Filters whose `attribute=` argument (or a positional one) names attributes to read.
bool takes_attribute_kwarg(std::string_view f) {
  return f == "map" || f == "sort" || f == "groupby" || f == "unique" || f == "min" || f == "max" ||
         f == "sum" || f == "join" || f == "dictsort" || f == "selectattr" || f == "rejectattr";
}

class Analyser {
 public:
  Analyser(const Ast& ast, const Limits& limits)
      : ast_(ast), folder_(ast, limits), origins_(ast, limits), bounds_(ast, folder_) {}

  std::vector<Issue> run() {
    collect_bound_names();
    stmt(ast_.root);
    for (auto& growth : find_render_growth(ast_)) report(growth.rule, growth.offset, std::move(growth.message));
    return std::move(issues_);
  }

 private:
  void report(RuleId rule, std::uint32_t offset, std::string message) {
    if (!seen_.insert({rule.view(), offset}).second) return;
    issues_.push_back({rule, offset, std::move(message)});
  }

  const Node& at(NodeId id) const { return ast_.at(id); }

  // Names the template binds anywhere (a template variable called `g` is not Flask's g).
  void collect_bound_names() {
    for (const Node& n : ast_.nodes) {
      if (n.kind == NodeKind::set_stmt || n.kind == NodeKind::set_block || n.kind == NodeKind::for_stmt) {
        NodeId t = n.kids.empty() ? kNoNode : n.kids[0];
        if (t == kNoNode) continue;
        if (at(t).kind == NodeKind::name) bound_.insert(at(t).text);
        if (at(t).kind == NodeKind::tuple)
          for (NodeId k : at(t).kids) bound_.insert(at(k).text);
      }
      if (n.kind == NodeKind::macro) bound_.insert(n.text), macro_names_.insert(n.text);
    }
  }

  // ---- scoping ---------------------------------------------------------------------------------

  using Saved = std::vector<std::pair<std::string, std::optional<Binding>>>;

  void scoped_bind(Saved& saved, const std::string& name, Binding b) {
    const Binding* old = folder_.binding(name);
    saved.emplace_back(name, old ? std::optional<Binding>(*old) : std::nullopt);
    folder_.bind(name, b);
  }
  void restore(Saved& saved) {
    for (auto it = saved.rbegin(); it != saved.rend(); ++it)
      folder_.bind(it->first, it->second.value_or(Binding{}));
  }

  void bind_target(NodeId target, Binding b, Saved* saved) {
    const Node& t = at(target);
    auto bind = [&](const std::string& name, Binding v) {
      if (saved) scoped_bind(*saved, name, v);
      else folder_.bind(name, v);
    };
    if (t.kind == NodeKind::name) {
      bind(t.text, b);
    } else if (t.kind == NodeKind::tuple) {
      // Each name gets an item of the value (of an item, for a loop target): no larger than it.
      const Binding part = b.kind == Binding::Kind::unknown || b.kind == Binding::Kind::body
                               ? Binding{}
                               : Binding{Binding::Kind::item, b.node};
      for (NodeId k : t.kids) bind_target(k, part, saved);
    } else if (t.kind == NodeKind::getattr && at(t.kids[0]).kind == NodeKind::name) {
      bind(at(t.kids[0]).text + "." + t.text, b);
    }
  }

  // {% set ns = namespace(a=..., b=...) %}: the attributes start with those values.
  void bind_namespace_fields(NodeId target, NodeId value) {
    if (at(target).kind != NodeKind::name || at(value).kind != NodeKind::call) return;
    NodeId callee = at(value).kids[0];
    if (at(callee).kind != NodeKind::name || at(callee).text != "namespace") return;
    for (std::size_t i = 1; i < at(value).kids.size(); ++i) {
      const Node& a = at(at(value).kids[i]);
      if (a.kind == NodeKind::keyword)
        folder_.bind(at(target).text + "." + a.text, Binding{Binding::Kind::expr, a.kids[0]});
    }
  }

  // ---- statements ------------------------------------------------------------------------------

  void stmt(NodeId id) {
    if (id == kNoNode) return;
    const Node& n = at(id);
    switch (n.kind) {
      case NodeKind::body:
        for (NodeId k : n.kids) stmt(k);
        break;
      case NodeKind::text:
      case NodeKind::break_stmt:
      case NodeKind::continue_stmt:
        break;
      case NodeKind::print:
      case NodeKind::do_stmt:
        expr(n.kids[0]);
        if (n.kind == NodeKind::print) check_printed(n.kids[0]);
        break;
      case NodeKind::if_stmt:
        expr(n.kids[0]);
        stmt(n.kids[1]);
        stmt(n.kids[2]);
        break;
      case NodeKind::for_stmt: {
        expr(n.kids[1]);
        // Loops inside loops multiply: three nested range(100000) render 10^15 times.
        const double outer = iterations_;
        const int outer_data = data_loops_;
        const double outer_factor = data_factor_;
        auto count = range_length(n.kids[1]);
        if (!count) count = literal_iterations(ast_, n.kids[1]);
        const SizeBound iterable = bounds_.of(n.kids[1]);
        // A known bound on anything iterated bounds the passes, whatever the value is.
        if (!count && iterable.kind == SizeBound::Kind::known) count = iterable.value;
        if (!count) {
          if (++data_loops_ > kDataLoopDepth && outer_data == kDataLoopDepth)
            report(kResource, n.offset, "loops over the context's data nested " + std::to_string(data_loops_) +
                                            " deep: the work grows with the data's size to that power");
          deepest_data_loops_ = std::max(deepest_data_loops_, data_loops_);
          // Loops over data scaled by constants ((m.content * 1000)|list) multiply the constants.
          if (iterable.kind == SizeBound::Kind::data) data_factor_ = outer_factor * std::max(iterable.value, 1.0);
          if (data_factor_ > kDataLoopFactor && outer_factor <= kDataLoopFactor)
            report(kResource, n.offset, "loops over the context's data scaled by constants that multiply to " +
                                            count_text(data_factor_) + " per unit of data");
        }
        if (count) {
          iterations_ = outer * *count;
          if (iterations_ > 1e6 && outer <= 1e6)
            report(kResource, n.offset, "nested loops that run " + std::to_string(static_cast<std::uint64_t>(
                                            std::min(iterations_, 1e18))) + " times");
        }
        Saved saved;
        bind_target(n.kids[0], Binding{Binding::Kind::item, n.kids[1]}, &saved);
        scoped_bind(saved, "loop", Binding{});
        check_target(n.kids[0]);
        if (n.kids[4] != kNoNode) expr(n.kids[4]);
        stmt(n.kids[2]);
        iterations_ = outer;
        data_loops_ = outer_data;
        data_factor_ = outer_factor;
        restore(saved);
        stmt(n.kids[3]);
        break;
      }
      case NodeKind::set_stmt:
        expr(n.kids[1]);
        check_target(n.kids[0]);
        folder_.fold(n.kids[1]);
        bounds_.of(n.kids[1]);  // in document order, before the name is rebound
        bind_target(n.kids[0], Binding{Binding::Kind::expr, n.kids[1]}, nullptr);
        bind_namespace_fields(n.kids[0], n.kids[1]);
        break;
      case NodeKind::set_block:
        stmt(n.kids[1]);
        if (n.kids[2] != kNoNode) expr(n.kids[2]);
        check_target(n.kids[0]);
        folder_.fold(n.kids[1]);
        bind_target(n.kids[0],
                    n.kids[2] == kNoNode ? Binding{Binding::Kind::body, n.kids[1]} : Binding{}, nullptr);
        break;
      case NodeKind::macro: {
        check_identifier(n.text, n.offset);
        folder_.define_macro(n.text, id);
        Saved saved;
        signature(n.kids[0], saved);
        for (const char* implicit : {"varargs", "kwargs", "caller"}) scoped_bind(saved, implicit, Binding{});
        // The body's data loops count from zero: a call adds them to the caller's depth.
        const int outer_data = data_loops_, outer_deepest = deepest_data_loops_;
        const double outer_factor = data_factor_;
        data_loops_ = deepest_data_loops_ = 0;
        data_factor_ = 1;
        ++in_macro_;
        stmt(n.kids[1]);
        --in_macro_;
        macro_data_loops_[n.text] = std::max(macro_data_loops_[n.text], deepest_data_loops_);
        data_loops_ = outer_data;
        deepest_data_loops_ = outer_deepest;
        data_factor_ = outer_factor;
        restore(saved);
        break;
      }
      case NodeKind::call_block: {
        expr(n.kids[0]);
        Saved saved;
        signature(n.kids[1], saved);
        ++in_macro_;
        stmt(n.kids[2]);
        --in_macro_;
        restore(saved);
        break;
      }
      case NodeKind::filter_block:
        expr(n.kids[0]);
        stmt(n.kids[1]);
        break;
      case NodeKind::with_stmt: {
        Saved saved;
        for (NodeId s : at(n.kids[0]).kids) {
          expr(at(s).kids[1]);
          check_target(at(s).kids[0]);
          bind_target(at(s).kids[0], Binding{Binding::Kind::expr, at(s).kids[1]}, &saved);
        }
        stmt(n.kids[1]);
        restore(saved);
        break;
      }
      case NodeKind::include:
      case NodeKind::import_stmt:
      case NodeKind::from_import:
      case NodeKind::extends: {
        const char* what = n.kind == NodeKind::include ? "include" : n.kind == NodeKind::extends ? "extends"
                                                                                                   : "import";
        const Value* v = folder_.fold(n.kids[0]);
        std::string target = v && v->kind == Value::Kind::string ? in_quotes(v->str) : "a computed name";
        report(kExternal, n.offset, std::string("{% ") + what + " %} loads another template (" + target + ")");
        expr(n.kids[0]);
        if (n.kind == NodeKind::import_stmt) {
          check_identifier(n.text, n.offset);
          folder_.bind(n.text, Binding{});
        }
        for (std::size_t i = 1; n.kind == NodeKind::from_import && i < n.kids.size(); ++i) {
          const Node& item = at(n.kids[i]);
          check_identifier(item.text, item.offset);
          if (item.kind == NodeKind::keyword) check_identifier(at(item.kids[0]).text, item.offset);
          folder_.bind(item.text, Binding{});
        }
        break;
      }
      case NodeKind::block:
        check_identifier(n.text, n.offset);
        stmt(n.kids[0]);
        break;
      case NodeKind::generation:
        stmt(n.kids[0]);
        break;
      case NodeKind::autoescape:
        expr(n.kids[0]);
        stmt(n.kids[1]);
        break;
      default:
        expr(id);
    }
  }

  void signature(NodeId params, Saved& saved) {
    for (NodeId p : at(params).kids) {
      const Node& pn = at(p);
      check_identifier(pn.text, pn.offset);
      if (pn.kind == NodeKind::keyword) expr(pn.kids[0]);
      scoped_bind(saved, pn.text, Binding{});
    }
  }

  void check_target(NodeId t) {
    const Node& n = at(t);
    if (n.kind == NodeKind::name) check_identifier(n.text, n.offset);
    else if (n.kind == NodeKind::tuple)
      for (NodeId k : n.kids) check_target(k);
    else if (n.kind == NodeKind::getattr) {
      check_attribute_name(n.text, n.offset, "attribute assignment");
      check_target(n.kids[0]);
    }
  }

  // ---- checks ----------------------------------------------------------------------------------

  void check_identifier(const std::string& name, std::uint32_t offset) {
    if (name.find("__") != std::string::npos)
      report(kDunder, offset, "identifier " + in_quotes(name) + " has a double underscore (Python internals)");
  }

  void check_attribute_name(const std::string& name, std::uint32_t offset, std::string_view how) {
    if (is_dunder(name) || name.find("__") != std::string::npos) {
      report(kDunder, offset, std::string(how) + " reaches " + in_quotes(name));
    } else if (!name.empty() && name[0] == '_') {
      report(kPrivate, offset, std::string(how) + " reaches private attribute " + in_quotes(name));
    } else if (is_internal_attribute(name)) {
      report(kPrivate, offset, std::string(how) + " reaches Python internal " + in_quotes(name));
    }
  }

  enum class KeyUse { subscript, attr_filter, attribute_path };

  void check_key_text(const std::string& key, std::uint32_t offset, KeyUse use, std::string_view how) {
    if (use == KeyUse::attribute_path) {
      std::size_t start = 0;
      for (;;) {
        std::size_t dot = key.find('.', start);
        check_attribute_name(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start), offset,
                             how);
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
    } else {
      check_attribute_name(key, offset, how);
    }
    if (use == KeyUse::attr_filter && !key.empty() && key[0] != '_' && key.find("__") == std::string::npos)
      report(kAttrFilter, offset, "|attr(" + in_quotes(key) + ") is not part of the chat-template vocabulary");
  }

  // A key that selects an attribute or item. Under a plain jinja2.Environment a string subscript
  // falls back to getattr, so every string the key may be at render time is checked: the
  // constants it may be, and whether the template computes it (then it is unknown, and could
  // spell anything).
  void check_key(NodeId key, std::uint32_t offset, KeyUse use, std::string_view how) {
    // Document order: what the key holds at this point (also finds values assembled in steps).
    std::vector<const Value*> candidates;
    if (const Value* v = folder_.fold(key)) candidates.push_back(v);
    const Node& k = at(key);
    std::string binding_key = k.kind == NodeKind::name ? k.text
                              : (k.kind == NodeKind::getattr && at(k.kids[0]).kind == NodeKind::name)
                                  ? at(k.kids[0]).text + "." + k.text
                                  : std::string();
    if (!binding_key.empty())
      for (const Binding& b : folder_.history(binding_key))
        if (b.kind == Binding::Kind::expr || b.kind == Binding::Kind::body)
          if (const Value* v = folder_.fold(b.node)) candidates.push_back(v);
    for (const Value* v : candidates)
      if (v->kind == Value::Kind::string) check_key_text(v->str, offset, use, how);
    // Flow-insensitive: everything the key may be anywhere in the template.
    Origin o = origins_.of(key);
    for (const std::string& c : o.consts) check_key_text(c, offset, use, how);
    if (o.computed)
      report(kDynamic, offset, std::string(how) + " uses a name computed at render time");
    else if (use == KeyUse::attr_filter && (o.data || o.loop || o.nonstr))
      report(kDynamic, offset, std::string(how) + " uses a name taken from the render context");
  }

  void check_gadget_object(NodeId obj, std::uint32_t offset, std::string_view how) {
    const Node& o = at(obj);
    if (o.kind != NodeKind::name) return;
    if ((is_gadget_object(o.text) && !(o.text == "g" && bound_.count("g"))) || o.text == "namespace")
      report(kGadget, offset, std::string(how) + " on " + in_quotes(o.text) +
                                  ", an object used in template-injection payloads");
  }

  void check_assembled(NodeId id) {
    const Value* v = folder_.fold(id);
    if (v == nullptr || v->kind != Value::Kind::string || !contains_dunder(v->str)) return;
    if (!assembled_.insert(v->str).second) return;
    report(kAssembled, at(id).offset, "string assembled from pieces spells " + in_quotes(v->str));
  }

  void check_range_call(const Node& call) {
    for (std::size_t i = 1; i < call.kids.size(); ++i) {
      const Value* v = folder_.fold(call.kids[i]);
      if (v && v->kind == Value::Kind::integer && (v->num > 100000 || v->num < -100000))
        report(kResource, call.offset, "range() over " + std::to_string(v->num) + " elements");
      const SizeBound b = bounds_.of(call.kids[i]);
      if (b.kind == SizeBound::Kind::known && b.value > kRangeBound)
        report(kResource, call.offset, "range() over up to " + count_text(b.value) + " elements, computed at render time");
      else if (b.kind == SizeBound::Kind::unbounded)
        report(kResource, call.offset, "range() over a count computed at render time with no bound");
    }
  }

  // Data loops nested through macros: a call inside data loops runs the macro's own data loops
  // inside them.
  void check_macro_loops(const std::string& macro, std::uint32_t offset) {
    auto it = macro_data_loops_.find(macro);
    if (it == macro_data_loops_.end() || it->second == 0) return;
    const int depth = data_loops_ + it->second;
    deepest_data_loops_ = std::max(deepest_data_loops_, depth);
    if (depth > kDataLoopDepthThroughCalls)
      report(kResource, offset, "loops over the context's data nested " + std::to_string(depth) + " deep through a call of " +
                                    in_quotes(macro) + ": the work grows with the data's size to that power");
  }

  // A value a repetition, padding, replacement or join builds: too large when its bound is over
  // the output bound, or when it has no bound at all. A repetition of a value that may be a
  // string or a list (a name from the context) counts, unless both sides are numbers.
  void check_built(NodeId id, std::string_view what, bool repetition = false) {
    const SizeBound b = bounds_.of(id);
    if (repetition ? b.number : !b.sequence) return;
    if (b.kind == SizeBound::Kind::known && b.value > kBuiltBound)
      report(kResource, at(id).offset, std::string(what) + " builds a value of up to " + count_text(b.value) + " characters or items");
    else if (b.kind == SizeBound::Kind::known && b.item_kind == SizeBound::Kind::data &&
             b.value * std::max(b.item, 1.0) > kDataLoopFactor)
      report(kResource, at(id).offset, std::string(what) + " builds " + count_text(b.value) +
                                           " items of data scaled by constants: a product of over a thousand");
    else if (b.kind == SizeBound::Kind::data && iterations_ * b.value > kDataLoopFactor)
      report(kResource, at(id).offset, std::string(what) + " builds data scaled by " + count_text(b.value) + " in " +
                                           count_text(iterations_) + " passes of known loops: a product of over a thousand");
    else if (b.kind == SizeBound::Kind::unbounded)
      report(kResource, at(id).offset, std::string(what) + " builds a value whose size is computed at render time with no bound");
  }

  // A power whose exponent is computed: 2 ** (n * 1000000000) is a number of billions of digits.
  void check_exponent(const Node& power) {
    const SizeBound e = bounds_.of(power.kids[1]);
    if (e.kind == SizeBound::Kind::unbounded)
      report(kResource, power.offset, "'**' with an exponent computed at render time with no bound");
    else if (e.kind == SizeBound::Kind::known && e.value > kExponentBound)
      report(kResource, power.offset, "'**' with an exponent of up to " + count_text(e.value) + ", computed at render time");
  }

  // Jinja's striptags runs a regular expression that rescans the rest of the text from every '<'
  // without a closing '>': the work is the square of the length.
  void check_striptags(NodeId operand, std::uint32_t offset) {
    const SizeBound b = bounds_.of(operand);
    if (b.kind != SizeBound::Kind::known)
      report(kResource, offset, "|striptags (quadratic in its input) on a value whose size grows with the data");
    else if (iterations_ * b.value * b.value > kQuadraticWork)
      report(kResource, offset, "|striptags (quadratic in its input) on up to " + count_text(b.value) + " characters" +
                                    (iterations_ > 1 ? ", " + count_text(iterations_) + " times" : std::string()));
  }

  // What a print in known loops writes in all: range(99999) passes of a 99999-character value.
  void check_printed(NodeId value) {
    if (iterations_ <= 1) return;
    const SizeBound b = bounds_.of(value);
    if (b.kind == SizeBound::Kind::known && iterations_ * b.value > kPrintedBound)
      report(kResource, at(value).offset, "a value of up to " + count_text(b.value) + " characters printed " +
                                              count_text(iterations_) + " times");
  }

  // A width or count the renderer pads or repeats to: computed, it must still have a bound.
  void check_width(NodeId arg, std::uint32_t offset, std::string_view what) {
    if (arg == kNoNode) return;
    const SizeBound b = bounds_.of(arg);
    if (b.sequence) return;
    if (b.kind == SizeBound::Kind::known && b.value > kBuiltBound)
      report(kResource, offset, std::string(what) + " of up to " + count_text(b.value) + ", computed at render time");
    else if (b.kind == SizeBound::Kind::unbounded)
      report(kResource, offset, std::string(what) + " computed at render time with no bound");
  }

  // Whether a format text may take widths from its arguments ('%*s', '{:{}}'), or is not known.
  bool takes_width_arguments(NodeId format) {
    const Value* v = folder_.fold(format);
    return v == nullptr || v->kind != Value::Kind::string || format_takes_widths(v->str);
  }

  void check_format_widths(NodeId format, const Node& n, std::size_t first, std::uint32_t offset) {
    if (!takes_width_arguments(format)) return;
    for (std::size_t i = first; i < n.kids.size(); ++i) {
      NodeId a = n.kids[i];
      if (at(a).kind == NodeKind::keyword) a = at(a).kids[0];
      if (at(a).kind == NodeKind::tuple || at(a).kind == NodeKind::list) {
        for (NodeId k : at(a).kids) check_width(k, offset, "a format width");
      } else {
        check_width(a, offset, "a format width");
      }
    }
  }

  // The lengthening filters: the argument that sets a size, and the value they build.
  void check_filter_growth(NodeId id) {
    const Node& n = at(id);
    const std::string& f = n.text;
    if (f == "center") check_width(positional_or(n, 0, "width"), n.offset, "|center() width");
    else if (f == "indent") check_width(positional_or(n, 0, "width"), n.offset, "|indent() width");
    else if (f == "wordwrap") check_width(positional_or(n, 0, "width"), n.offset, "|wordwrap() width");
    else if (f == "truncate") check_width(positional_or(n, 0, "length"), n.offset, "|truncate() length");
    else if (f == "batch") check_width(positional_or(n, 0, "linecount"), n.offset, "|batch() count");
    else if (f == "slice") check_width(positional_or(n, 0, "slices"), n.offset, "|slice() count");
    else if (f == "format" && !n.kids.empty()) check_format_widths(n.kids[0], n, 1, n.offset);
    if (f == "replace" || f == "join" || f == "center" || f == "indent" || f == "wordwrap" || f == "format" ||
        f == "batch" || f == "slice")
      check_built(id, "|" + f + "()");
    if (f == "striptags" && !n.kids.empty()) check_striptags(n.kids[0], n.offset);
  }

  void check_method_growth(NodeId id, const std::string& m, NodeId self) {
    const Node& n = at(id);
    if (m == "center" || m == "ljust" || m == "rjust" || m == "zfill") check_width(n.kids.size() > 1 ? n.kids[1] : kNoNode, n.offset, "." + m + "() width");
    if (m == "format") check_format_widths(self, n, 1, n.offset);
    if (m == "replace" || m == "join" || m == "center" || m == "ljust" || m == "rjust" || m == "zfill" || m == "format" ||
        m == "expandtabs")
      check_built(id, "." + m + "()");
  }

  // str.format fields can walk attributes and items: "{0.__class__}", "{0[x]}".
  void check_format_method(NodeId receiver, std::uint32_t offset) {
    const Value* v = folder_.fold(receiver);
    if (v == nullptr || v->kind != Value::Kind::string) {
      report(kCallable, offset, "str.format on a string that is not a constant");
      return;
    }
    const std::string& f = v->str;
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '{') continue;
      if (i + 1 < f.size() && f[i + 1] == '{') {
        ++i;
        continue;
      }
      std::size_t close = f.find('}', i);
      std::string field = f.substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
      std::size_t cut = field.find_first_of("!:");
      std::string name = field.substr(0, cut);
      if (name.find_first_of(".[") != std::string::npos || contains_dunder(field)) {
        report(kFormat, offset, "format field " + in_quotes("{" + field + "}") + " walks attributes or items");
        return;
      }
      if (close == std::string::npos) break;
      i = close;
    }
  }

  void call(NodeId id) {
    const Node& n = at(id);
    NodeId callee = n.kids[0];
    const Node& c = at(callee);
    if (c.kind == NodeKind::name) {
      const std::string& f = c.text;
      // A macro body looks a name up when it runs: it may call a macro defined after it.
      bool known = is_known_global_function(f) || folder_.macro(f) != kNoNode || f == "loop" || f == "super" ||
                   (f == "caller" && in_macro_ > 0) || (in_macro_ > 0 && macro_names_.count(f)) ||
                   is_gadget_object(f);
      // Trust goes to the binding, not the name: a name the template binds itself (set, for,
      // macro parameter, import) may hold anything when it is called.
      if (known && origins_.rebound(f))
        report(kCallable, c.offset, "call of " + in_quotes(f) + ", a name the template rebinds");
      else if (!known)
        report(kCallable, c.offset, "call of unknown function " + in_quotes(f));
      if (f == "range") check_range_call(n);
      if (folder_.macro(f) != kNoNode) check_macro_loops(f, c.offset);
      if (f != "namespace") expr(callee);
      else check_identifier(f, c.offset);
    } else if (c.kind == NodeKind::getattr) {
      const std::string& m = c.text;
      NodeId obj = c.kids[0];
      bool loop_method = at(obj).kind == NodeKind::name && at(obj).text == "loop" && !origins_.rebound("loop") &&
                         is_loop_method(m);
      if (m == "format" || m == "format_map") check_format_method(obj, c.offset);
      else if (!loop_method && !is_safe_method(m)) report(kCallable, c.offset, "call of method " + in_quotes(m));
      else if (!loop_method && origins_.template_key(m))
        report(kCallable, c.offset,
               "call of " + in_quotes(m) + ", a name the template also stores values under (dict or namespace)");
      expr(callee);
    } else {
      report(kCallable, c.offset, "call of a computed value");
      expr(callee);
    }
    args(n, 1);
  }

  void args(const Node& n, std::size_t first) {
    for (std::size_t i = first; i < n.kids.size(); ++i) {
      NodeId a = n.kids[i];
      if (a == kNoNode) continue;
      const Node& an = at(a);
      if (an.kind == NodeKind::keyword) {
        check_identifier(an.text, an.offset);
        expr(an.kids[0]);
        check_size_argument(an.kids[0], n);
      } else if (an.kind == NodeKind::star_arg || an.kind == NodeKind::dstar_arg) {
        expr(an.kids[0]);
      } else {
        expr(a);
        check_size_argument(a, n);
      }
    }
  }

  // A width, a count or an indent of millions (center, ljust, zfill, indent, tojson's indent,
  // truncate, wordwrap, ...) makes the renderer build a string of that size.
  void check_size_argument(NodeId arg, const Node& call) {
    const Value* v = folder_.fold(arg);
    if (v && v->kind == Value::Kind::integer && (v->num > 1000000 || v->num < -1000000))
      report(kResource, call.offset, "argument " + std::to_string(v->num) + " to " + in_quotes(call.text));
  }

  // A %-format or str.format spec whose width or precision is seven digits or more: '%2000000000s',
  // '{:>2000000000}', '{:x^2000000000}'.
  static bool has_huge_format_width(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%' && text[i] != ':') continue;
      std::size_t j = i + 1;
      if (text[i] == ':' && j + 1 < text.size() && std::string_view("<>^=").find(text[j + 1]) != std::string_view::npos)
        j += 2;  // a fill character and its alignment
      while (j < text.size() && std::string_view("-+ #0<>^=.").find(text[j]) != std::string_view::npos) ++j;
      std::size_t digits = 0;
      while (j + digits < text.size() && text[j + digits] >= '0' && text[j + digits] <= '9') ++digits;
      if (digits >= 7) return true;
    }
    return false;
  }

  // How many items range(...) yields, when `iterable` is such a call with arguments that fold.
  std::optional<double> range_length(NodeId iterable) {
    if (iterable == kNoNode || at(iterable).kind != NodeKind::call) return std::nullopt;
    const Node& call = at(iterable);
    if (call.kids.empty() || call.kids[0] == kNoNode || at(call.kids[0]).kind != NodeKind::name ||
        at(call.kids[0]).text != "range" || call.kids.size() < 2 || call.kids.size() > 4)
      return std::nullopt;
    double bound[3] = {0, 0, 1};
    for (std::size_t i = 1; i < call.kids.size(); ++i) {
      const Value* v = call.kids[i] == kNoNode ? nullptr : folder_.fold(call.kids[i]);
      if (v == nullptr || v->kind != Value::Kind::integer) {
        // Not a constant, but perhaps bounded all the same (range(messages|length * 0 + 99999)).
        const SizeBound b = bounds_.of(iterable);
        if (b.kind == SizeBound::Kind::known) return b.value;
        return std::nullopt;
      }
      bound[call.kids.size() == 2 ? 1 : i - 1] = static_cast<double>(v->num);
    }
    if (bound[2] == 0) return std::nullopt;
    const double n = (bound[1] - bound[0]) / bound[2];
    return n > 0 ? n : 0;
  }

  // How big an operand of '*' is: an integer's magnitude, a string's or a list's length; nothing
  // when it does not fold.
  std::optional<double> magnitude(NodeId id) {
    const Value* v = folder_.fold(id);
    if (v == nullptr) return std::nullopt;
    if (v->kind == Value::Kind::integer) return v->num < 0 ? -static_cast<double>(v->num) : static_cast<double>(v->num);
    if (v->kind == Value::Kind::string) return static_cast<double>(v->str.size());
    if (v->kind == Value::Kind::list) return static_cast<double>(v->items.size());
    return std::nullopt;
  }

  // The i-th positional / the named argument of a filter or test node.
  NodeId positional(const Node& n, std::size_t index) const {
    std::size_t seen = 0;
    for (std::size_t i = 1; i < n.kids.size(); ++i) {
      NodeKind k = at(n.kids[i]).kind;
      if (k == NodeKind::keyword || k == NodeKind::star_arg || k == NodeKind::dstar_arg) continue;
      if (seen++ == index) return n.kids[i];
    }
    return kNoNode;
  }
  NodeId positional_or(const Node& n, std::size_t index, std::string_view name) const {
    NodeId k = keyword(n, name);
    return k != kNoNode ? k : positional(n, index);
  }
  NodeId keyword(const Node& n, std::string_view name) const {
    for (std::size_t i = 1; i < n.kids.size(); ++i)
      if (at(n.kids[i]).kind == NodeKind::keyword && at(n.kids[i]).text == name) return at(n.kids[i]).kids[0];
    return kNoNode;
  }

  std::optional<std::string> literal_name(NodeId id) {
    if (id == kNoNode) return std::nullopt;
    const Value* v = folder_.fold(id);
    if (v == nullptr || v->kind != Value::Kind::string) return std::nullopt;
    return v->str;
  }

  void filter(NodeId id) {
    const Node& n = at(id);
    const std::string& f = n.text;
    check_identifier(f, n.offset);
    if (!is_known_filter(f)) report(kFilter, n.offset, "filter " + in_quotes(f) + " is not a standard filter");
    if (f == "attr") {
      NodeId key = positional(n, 0);
      if (key != kNoNode) check_key(key, n.offset, KeyUse::attr_filter, "|attr()");
    }
    if (takes_attribute_kwarg(f)) {
      NodeId a = keyword(n, "attribute");
      if (a != kNoNode) check_key(a, n.offset, KeyUse::attribute_path, "|" + f + "(attribute=...)");
    }
    if (f == "selectattr" || f == "rejectattr" || f == "groupby") {
      NodeId a = positional(n, 0);
      if (a != kNoNode) check_key(a, n.offset, KeyUse::attribute_path, "|" + f + "()");
    }
    // map/select/reject name another filter or test in their first argument.
    if (f == "map" || f == "select" || f == "reject" || f == "selectattr" || f == "rejectattr") {
      std::size_t which = (f == "selectattr" || f == "rejectattr") ? 1 : 0;
      NodeId a = positional(n, which);
      if (a != kNoNode) {
        auto name = literal_name(a);
        if (!name) {
          report(kDynamic, n.offset, "|" + f + "() names a filter or test computed at render time");
        } else if (f == "map") {
          if (!is_known_filter(*name)) report(kFilter, n.offset, "|map() applies unknown filter " + in_quotes(*name));
          if (*name == "attr") {
            NodeId key = positional(n, 1);
            if (key != kNoNode) check_key(key, n.offset, KeyUse::attr_filter, "|map('attr', ...)");
          }
        } else if (!is_known_test(*name)) {
          report(kTest, n.offset, "|" + f + "() applies unknown test " + in_quotes(*name));
        }
      }
    }
    if (!n.kids.empty() && n.kids[0] != kNoNode) {
      check_gadget_use(n.kids[0], n.offset, f);
      expr(n.kids[0]);
    }
    args(n, 1);
  }

  void check_gadget_use(NodeId operand, std::uint32_t offset, const std::string& filter_name) {
    if (filter_name == "attr") check_gadget_object(operand, offset, "|attr()");
  }

  // ---- expressions -----------------------------------------------------------------------------

  void expr(NodeId id) {
    if (id == kNoNode) return;
    const Node& n = at(id);
    switch (n.kind) {
      case NodeKind::name:
        check_identifier(n.text, n.offset);
        if ((is_gadget_object(n.text) && !(n.text == "g" && bound_.count("g"))) || n.text == "namespace")
          report(kGadgetRef, n.offset, in_quotes(n.text) + " is not part of the chat-template vocabulary");
        break;
      case NodeKind::string:
        if (n.flag) report(kOpaque, n.offset, "string literal uses a \\N{...} escape modelgate does not decode");
        if (has_huge_format_width(n.text))
          report(kResource, n.offset, "a format width of millions in " + in_quotes(n.text.substr(0, 40)));
        if (contains_dunder(n.text)) report(kDunderString, n.offset, "string literal mentions " + in_quotes(n.text));
        break;
      case NodeKind::integer:
      case NodeKind::floating:
      case NodeKind::boolean:
      case NodeKind::none:
      case NodeKind::placeholder:
        break;
      case NodeKind::list:
      case NodeKind::tuple:
      case NodeKind::dict:
      case NodeKind::unary:
        for (NodeId k : n.kids) expr(k);
        break;
      case NodeKind::concat:
        for (NodeId k : n.kids) expr(k);
        check_built(id, "'~'");
        check_assembled(id);
        break;
      case NodeKind::cond_expr:
        for (NodeId k : n.kids) expr(k);
        break;
      case NodeKind::binary: {
        for (NodeId k : n.kids) expr(k);
        if (n.text == "*" || n.text == "**") {
          const Value* l = folder_.fold(n.kids[0]);
          const Value* r = folder_.fold(n.kids[1]);
          for (const Value* v : {l, r})
            if (v && v->kind == Value::Kind::integer &&
                (n.text == "*" ? (v->num > 1000000 || v->num < -1000000) : (v == r && v->num > 256)))
              report(kResource, n.offset, "'" + n.text + "' with operand " + std::to_string(v->num));
          // A repetition of a repetition: ('x' * 100000) * 100000, each factor small, the product not.
          if (n.text == "*") {
            auto nested = [&](NodeId k) { return at(k).kind == NodeKind::binary && at(k).text == "*"; };
            auto ml = magnitude(n.kids[0]), mr = magnitude(n.kids[1]);
            if ((ml && mr && *ml * *mr > 1e6) || (nested(n.kids[0]) && mr && *mr > 1000) ||
                (nested(n.kids[1]) && ml && *ml > 1000))
              report(kResource, n.offset, "'*' whose product is over a million");
            check_built(id, "'*'", true);
          }
          if (n.text == "**") check_exponent(n);
        }
        if (n.text == "%" && bounds_.of(n.kids[0]).sequence) {
          check_format_widths(n.kids[0], n, 1, n.offset);
          check_built(id, "'%'");
        }
        if (n.text == "+") check_built(id, "'+'");
        check_assembled(id);
        break;
      }
      case NodeKind::getattr:
        check_attribute_name(n.text, n.offset, "attribute access");
        check_gadget_object(n.kids[0], n.offset, "attribute access ." + n.text);
        expr(n.kids[0]);
        break;
      case NodeKind::getitem:
        expr(n.kids[0]);
        if (at(n.kids[1]).kind == NodeKind::slice) {
          for (NodeId k : at(n.kids[1]).kids) expr(k);
          check_assembled(id);
        } else {
          expr(n.kids[1]);
          check_key(n.kids[1], n.offset, KeyUse::subscript, "subscript");
          check_gadget_object(n.kids[0], n.offset, "subscript");
        }
        break;
      case NodeKind::slice:
        for (NodeId k : n.kids) expr(k);
        break;
      case NodeKind::call:
        call(id);
        if (at(at(id).kids[0]).kind == NodeKind::name && folder_.macro(at(at(id).kids[0]).text) != kNoNode)
          check_built(id, "a call of " + in_quotes(at(at(id).kids[0]).text));
        if (at(at(id).kids[0]).kind == NodeKind::getattr)
          check_method_growth(id, at(at(id).kids[0]).text, at(at(id).kids[0]).kids[0]);
        check_assembled(id);
        break;
      case NodeKind::keyword:
        check_identifier(n.text, n.offset);
        expr(n.kids[0]);
        break;
      case NodeKind::star_arg:
      case NodeKind::dstar_arg:
        expr(n.kids[0]);
        break;
      case NodeKind::filter:
        filter(id);
        check_filter_growth(id);
        check_assembled(id);
        break;
      case NodeKind::test:
        check_identifier(n.text, n.offset);
        if (!is_known_test(n.text)) report(kTest, n.offset, "test " + in_quotes(n.text) + " is not a standard test");
        expr(n.kids[0]);
        args(n, 1);
        break;
      default:
        break;  // statements never appear inside expressions
    }
  }

  const Ast& ast_;
  Folder folder_;
  OriginAnalysis origins_;
  std::vector<Issue> issues_;
  std::set<std::pair<std::string_view, std::uint32_t>> seen_;
  std::unordered_set<std::string> bound_;
  std::unordered_set<std::string> macro_names_;  // every macro the template defines, anywhere
  std::unordered_set<std::string> assembled_;
  int in_macro_ = 0;
  SizeBounds bounds_;
  double iterations_ = 1;  // how many times the statement being analysed renders, as far as known
  int data_loops_ = 0;     // loops over data (or a count the text does not fix) around the statement
  int deepest_data_loops_ = 0;  // the most data loops seen nested in the macro being analysed
  double data_factor_ = 1;      // the constants the data loops around the statement scale the data by
  std::unordered_map<std::string, int> macro_data_loops_;  // a macro's data loops nested, with its calls
};

}  // namespace

std::vector<Issue> analyse_template(const Ast& ast, const Limits& limits) {
  if (ast.root == kNoNode) return {};
  return Analyser(ast, limits).run();
}

}  // namespace modelgate::jinja
