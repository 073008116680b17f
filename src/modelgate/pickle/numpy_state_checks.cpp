#include "pickle/numpy_state_checks.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "core/rule_id.h"

namespace modelgate::pickle {

namespace {

// A type code as numpy's dtype.__reduce__ writes it: an optional byte order, the kind, and the
// item size in bytes (in characters for 'U'). Anything else is not what numpy writes.
struct TypeCode {
  char kind = 0;
  std::uint64_t size = 0;  // bytes an item takes
};

std::optional<TypeCode> parse_type_code(std::string_view code) {
  if (!code.empty() && std::string_view("<>|=").find(code.front()) != std::string_view::npos) code.remove_prefix(1);
  if (code.size() < 2 || code.size() > 11 || std::string_view("biufcOSUVMm").find(code.front()) == std::string_view::npos)
    return std::nullopt;
  TypeCode t{code.front(), 0};
  for (char c : code.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    t.size = t.size * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (t.kind == 'U') t.size *= 4;
  if (t.kind == 'O' && t.size != 8) return std::nullopt;
  return t;
}

// numpy.dtypes.<X>DType() makes the same dtype as the code beside it.
std::optional<TypeCode> dtype_class_code(std::string_view cls) {
  static constexpr std::pair<std::string_view, std::string_view> kCodes[] = {
      {"BoolDType", "b1"},       {"Int8DType", "i1"},        {"UInt8DType", "u1"},      {"Int16DType", "i2"},
      {"UInt16DType", "u2"},     {"Int32DType", "i4"},       {"UInt32DType", "u4"},     {"Int64DType", "i8"},
      {"UInt64DType", "u8"},     {"ByteDType", "i1"},        {"UByteDType", "u1"},      {"ShortDType", "i2"},
      {"UShortDType", "u2"},     {"IntDType", "i4"},         {"UIntDType", "u4"},       {"LongDType", "i8"},
      {"ULongDType", "u8"},      {"LongLongDType", "i8"},    {"ULongLongDType", "u8"},  {"Float16DType", "f2"},
      {"Float32DType", "f4"},    {"Float64DType", "f8"},     {"LongDoubleDType", "f16"}, {"Complex64DType", "c8"},
      {"Complex128DType", "c16"}, {"CLongDoubleDType", "c32"}, {"ObjectDType", "O8"},   {"BytesDType", "S0"},
      {"StrDType", "U0"},        {"VoidDType", "V0"},        {"DateTime64DType", "M8"}, {"TimeDelta64DType", "m8"}};
  for (auto [name, code] : kCodes)
    if (name == cls) return parse_type_code(code);
  return std::nullopt;
}

const Node* node_of(const ValueGraph& g, const Value& v) {
  return v.has_node() ? &g.node(static_cast<std::uint32_t>(v.u)) : nullptr;
}

std::optional<TypeCode> type_code_of(const ValueGraph& g, const Node& call) {
  if (call.kind != Kind::call || call.numpy != NumpyObject::dtype || call.items.size() < 2) return std::nullopt;
  const std::string callable = g.qualified_name(call.items[0]);
  constexpr std::string_view kClasses = "numpy.dtypes.";
  if (callable.starts_with(kClasses)) return dtype_class_code(std::string_view(callable).substr(kClasses.size()));
  const Node* args = node_of(g, call.items[1]);
  if (!args || args->kind != Kind::tuple || args->items.empty() || args->items[0].kind != Kind::string)
    return std::nullopt;
  return parse_type_code(g.text_of(args->items[0]));
}

// The parts of a dtype state, by the tuple lengths numpy's __setstate__ accepts.
struct DtypeState {
  const Value* subarray = nullptr;
  const Value* fields = nullptr;
  const Value* elsize = nullptr;
  const Value* flags = nullptr;
};

std::optional<DtypeState> dtype_state_parts(const Node& st) {
  const auto& it = st.items;
  switch (it.size()) {
    case 9:
    case 8: return DtypeState{&it[2], &it[4], &it[5], &it[7]};
    case 7: return DtypeState{&it[2], &it[4], &it[5], nullptr};
    case 6: return DtypeState{&it[2], &it[3], &it[4], nullptr};
    case 5: return DtypeState{&it[1], &it[2], &it[3], nullptr};
    default: return std::nullopt;  // numpy raises
  }
}

constexpr std::int64_t kRefcountFlag = 0x01;  // NPY_ITEM_REFCOUNT: the items hold object references
constexpr std::int64_t kPointerFlag = 0x04;   // NPY_ITEM_IS_POINTER
// NPY_ITEM_REFCOUNT | NPY_LIST_PICKLE | NPY_NEEDS_INIT | NPY_NEEDS_PYAPI: what a structured dtype
// takes from an object field; an object dtype has also NPY_ITEM_IS_POINTER and NPY_USE_GETITEM.
constexpr std::int64_t kStructuredObjectFlags = 0x1B;
constexpr std::int64_t kObjectFlags = 0x3F;

// A value numpy's "i" conversion takes as it is (or rejects); a value computed at load time (a
// call's result with __index__) can be any number.
bool is_literal_number(const Value& v) {
  return v.kind == Kind::integer || v.kind == Kind::boolean || v.kind == Kind::big_integer ||
         v.kind == Kind::floating || v.kind == Kind::none || v.is_text_or_bytes();
}

class DtypeChecker {
 public:
  DtypeChecker(const ValueGraph& g, NumpyStateCheck& out, std::uint64_t& fields_left)
      : g_(g), out_(out), fields_left_(fields_left) {}

  void check(const Node& target, const Value& state, bool data_retained) {
    const Node* st = node_of(g_, state);
    if (!st) return;  // numbers only: numpy raises on a byte order that is not a character
    if (st->kind != Kind::tuple) {
      problem("a numpy.dtype's state is " + g_.describe(state, 60) +
              ", not a tuple the pickle spells out, so it cannot be checked");
      return;
    }
    auto parts = dtype_state_parts(*st);
    if (!parts) return;
    const auto code = type_code_of(g_, target);
    if (!code) {
      problem("numpy.dtype is built from something other than a type code numpy writes, so the state it is "
              "given cannot be checked");
      return;
    }
    const bool structured = parts->subarray->kind != Kind::none || parts->fields->kind != Kind::none;
    if (structured && code->kind != 'V') {
      problem(std::string("the state gives a '") + code->kind + "' dtype fields or a subarray, which numpy gives "
              "only to void dtypes: its items would be read with a layout that is not theirs");
      return;
    }
    if (!structured && target.used_before_build && !target.built) {
      // numpy changes a dtype in place: an array made with it reads its items the new way.
      problem("a numpy.dtype gets its state after it was already used: whatever was built with it reads its "
              "items with the byte order and size this state gives");
      return;
    }
    if (structured && !data_retained) {
      out_.needs_retained_data = true;
      return;
    }
    if (structured && (target.built || target.used_before_build)) {
      problem(std::string("a structured numpy.dtype gets its layout ") +
              (target.built ? "a second time" : "after it was already used") +
              ": whatever was built with the earlier layout would read its items with the new one");
    }
    if (std::string_view("SUV").find(code->kind) != std::string_view::npos) {
      if (parts->elsize->kind != Kind::integer || parts->elsize->i < 0 ||
          static_cast<std::uint64_t>(parts->elsize->i) != code->size) {
        problem("the state gives a '" + std::string(1, code->kind) + std::to_string(code->size) +
                "' dtype an item size of " + describe(*parts->elsize) +
                " bytes: numpy takes it, and reads and writes each item past its end");
        return;
      }
    }
    bool objects = code->kind == 'O';
    if (parts->subarray->kind != Kind::none) objects |= check_subarray(*parts->subarray, code->size);
    if (parts->fields->kind != Kind::none) objects |= check_fields(*parts->fields, code->size);
    if (!parts->flags) return;  // numpy works the flags out itself for these older layouts
    if (!is_literal_number(*parts->flags)) {
      problem("a numpy.dtype's flags are " + describe(*parts->flags) + ", not a number the pickle spells out");
      return;
    }
    // With objects, every flag numpy sets for them: without NPY_LIST_PICKLE an array or scalar takes
    // raw bytes as its items, without NPY_NEEDS_INIT numpy releases references it never wrote.
    // Without objects, none of the flags that make numpy treat item bytes as references.
    const std::int64_t flags = parts->flags->kind == Kind::integer ? parts->flags->i
                               : parts->flags->kind == Kind::boolean ? (parts->flags->i != 0 ? 1 : 0)
                                                                     : 0;
    const std::int64_t required = structured ? kStructuredObjectFlags : kObjectFlags;
    const bool consistent = objects ? (flags & required) == required : (flags & (kRefcountFlag | kPointerFlag)) == 0;
    if (!consistent)
      problem("numpy.dtype('" + code_text(*code) + "') gets flags " + std::to_string(parts->flags->i) +
              " from the pickle: numpy would read " +
              (objects ? "object pointers as plain bytes" : "plain bytes as object pointers") +
              ", which forges objects or crashes the loader");
  }

 private:
  struct Field {
    std::uint64_t begin, end;
    std::uint32_t dtype_node;
    bool objects;
  };

  void problem(std::string message) { out_.problems.push_back({"MG-PICKLE-NUMPY-DTYPE-FLAGS", std::move(message)}); }
  std::string describe(const Value& v) const { return g_.describe(v, 40); }
  static std::string code_text(const TypeCode& c) {
    return std::string(1, c.kind) + std::to_string(c.kind == 'U' ? c.size / 4 : c.size);
  }

  // The size of a field's or subarray's dtype, and whether its items hold objects; nullopt (and a
  // problem) when it is not a numpy.dtype whose layout can be told.
  std::optional<std::pair<std::uint64_t, bool>> member(const Value& dtype, const char* role) {
    const Node* n = node_of(g_, dtype);
    auto code = n ? type_code_of(g_, *n) : std::nullopt;
    if (!code) {
      problem(std::string("a ") + role + " of a structured numpy.dtype is " + g_.describe(dtype, 60) +
              ", not a dtype numpy writes, so the layout cannot be checked");
      return std::nullopt;
    }
    return std::make_pair(code->size, holds_objects(*n, *code, 0));
  }

  // A member dtype's own BUILD was checked when it ran; its recorded state (kept in a run that
  // retains data) says whether it holds objects.
  bool holds_objects(const Node& dtype, const TypeCode& code, int depth) const {
    if (code.kind == 'O') return true;
    if (code.kind != 'V' || !dtype.built) return false;
    // Deep, or shared many times over (a dict of many fields naming one nested dtype, nested again):
    // assume objects rather than walk the same nodes exponentially often.
    if (depth > 8 || ++visits_ > kMaxVisits || dtype.items.size() < 4) return true;
    const Node* st = node_of(g_, dtype.items[3]);
    auto parts = st && st->kind == Kind::tuple ? dtype_state_parts(*st) : std::nullopt;
    if (!parts) return false;
    if (parts->flags && parts->flags->kind == Kind::integer) return (parts->flags->i & kRefcountFlag) != 0;
    auto inner = [&](const Value& v) {
      const Node* n = node_of(g_, v);
      auto c = n ? type_code_of(g_, *n) : std::nullopt;
      return !c || holds_objects(*n, *c, depth + 1);
    };
    if (const Node* sub = node_of(g_, *parts->subarray); sub && !sub->items.empty() && inner(sub->items[0])) return true;
    if (const Node* f = node_of(g_, *parts->fields)) {
      for (std::size_t k = 1; k < f->items.size(); k += 2)
        if (const Node* t = node_of(g_, f->items[k]); t && !t->items.empty() && inner(t->items[0])) return true;
    }
    return false;
  }

  bool check_subarray(const Value& subarray, std::uint64_t elsize) {
    const Node* sub = node_of(g_, subarray);
    if (!sub || sub->kind != Kind::tuple || sub->items.size() != 2) {
      problem("a numpy.dtype's subarray is " + g_.describe(subarray, 60) + ", not (dtype, shape)");
      return true;
    }
    auto base = member(sub->items[0], "subarray base");
    if (!base) return true;
    std::uint64_t count = 1;
    bool known = true;
    auto multiply = [&](const Value& d) {
      if (d.kind != Kind::integer || d.i < 0 || __builtin_mul_overflow(count, static_cast<std::uint64_t>(d.i), &count))
        known = false;
    };
    if (const Node* shape = node_of(g_, sub->items[1]); shape && shape->kind == Kind::tuple) {
      for (const Value& d : shape->items) multiply(d);
    } else if (sub->items[1].kind == Kind::tuple && sub->items[1].len == 0) {
      // () : one item
    } else {
      multiply(sub->items[1]);
    }
    std::uint64_t bytes = 0;
    if (!known || __builtin_mul_overflow(count, base->first, &bytes) || bytes != elsize)
      problem("a numpy.dtype's subarray " + g_.describe(subarray, 60) + " does not fill its " +
              std::to_string(elsize) + "-byte item: numpy would read its elements outside the item");
    return base->second;
  }

  bool check_fields(const Value& fields, std::uint64_t elsize) {
    const Node* dict = node_of(g_, fields);
    if (!dict || dict->kind != Kind::dict) {
      problem("a numpy.dtype's fields are " + g_.describe(fields, 60) +
              ", not a dict the pickle spells out, so their offsets cannot be checked");
      return true;
    }
    out_.kept_by_numpy.push_back(static_cast<std::uint32_t>(fields.u));
    // BUILDs may share one large fields dict: the whole stream checks a bounded number of fields.
    if (dict->items.size() / 2 > fields_left_) {
      fields_left_ = 0;
      out_.problems.push_back({"MG-LIMIT-EXCEEDED", "the stream gives numpy dtypes more fields than the scan checks"});
      return true;
    }
    fields_left_ -= dict->items.size() / 2;
    std::vector<Field> laid;
    bool objects = false;
    for (std::size_t k = 1; k < dict->items.size(); k += 2) {
      const Node* entry = node_of(g_, dict->items[k]);
      if (!entry || entry->kind != Kind::tuple || entry->items.size() < 2 || entry->items.size() > 3 ||
          entry->items[1].kind != Kind::integer) {
        problem("a numpy.dtype field is " + g_.describe(dict->items[k], 60) + ", not (dtype, offset[, title])");
        objects = true;
        continue;
      }
      auto m = member(entry->items[0], "field");
      if (!m) {
        objects = true;
        continue;
      }
      const std::int64_t offset = entry->items[1].i;
      std::uint64_t end = 0;
      if (offset < 0 || __builtin_add_overflow(static_cast<std::uint64_t>(offset), m->first, &end) || end > elsize) {
        problem("a numpy.dtype field of " + std::to_string(m->first) + " bytes sits at offset " +
                std::to_string(offset) + " of an item of " + std::to_string(elsize) +
                " bytes: numpy would read and write outside the array");
        continue;
      }
      objects |= m->second;
      if (m->first > 0)
        laid.push_back({static_cast<std::uint64_t>(offset), end, static_cast<std::uint32_t>(entry->items[0].u), m->second});
    }
    check_overlaps(laid);
    return objects;
  }

  // numpy refuses to make a dtype whose object fields overlap another field; a pickled state
  // that has them lets one field write the bytes another reads as an object pointer. A titled
  // field is listed twice (under its name and its title), at the same place with the same dtype.
  void check_overlaps(std::vector<Field>& laid) {
    std::sort(laid.begin(), laid.end(), [](const Field& a, const Field& b) {
      return std::tie(a.begin, a.end, a.dtype_node) < std::tie(b.begin, b.end, b.dtype_node);
    });
    laid.erase(std::unique(laid.begin(), laid.end(),
                           [](const Field& a, const Field& b) {
                             return a.begin == b.begin && a.end == b.end && a.dtype_node == b.dtype_node;
                           }),
               laid.end());
    std::uint64_t reach = 0;
    bool reach_objects = false;
    for (const Field& f : laid) {
      if (f.begin < reach && (f.objects || reach_objects)) {
        problem("fields of a numpy.dtype overlap at offset " + std::to_string(f.begin) +
                " and one of them holds objects: writing one field forges the object pointer another reads");
        return;
      }
      if (f.begin >= reach) reach_objects = false;
      reach = std::max(reach, f.end);
      reach_objects |= f.objects;
    }
  }

  static constexpr std::size_t kMaxVisits = 4096;
  const ValueGraph& g_;
  NumpyStateCheck& out_;
  mutable std::size_t visits_ = 0;
  std::uint64_t& fields_left_;
};

// The numpy.random generators copy their read position in unchecked: MT19937 reads key[pos] and
// Philox buffer[buffer_pos], so a position outside the array reads memory outside it.
class RandomStateChecker {
 public:
  RandomStateChecker(const ValueGraph& g, NumpyStateCheck& out) : g_(g), out_(out) {}

  void check(const Value& state, bool data_retained, int depth = 0) {
    const Node* sn = node_of(g_, state);
    if (!sn) {
      if (state.kind == Kind::dict && !data_retained) out_.needs_retained_data = true;
      return;
    }
    if (sn->kind == Kind::tuple) {
      // RandomState's legacy tuple ('MT19937', key, pos, has_gauss, gauss), or (state, seed_seq).
      if (sn->items.size() >= 3 && sn->items[0].is_text_or_bytes()) {
        position(sn->items[2], "pos", 624);
      } else if (!sn->items.empty() && depth == 0) {
        check(sn->items[0], data_retained, depth + 1);
      }
      return;
    }
    if (sn->kind != Kind::dict) {
      unreadable(state);
      return;
    }
    for (std::size_t k = 0; k + 1 < sn->items.size(); k += 2) {
      if (!literal_key(sn->items[k])) return;
      const std::string_view key = g_.text_of(sn->items[k]);
      const Value& value = sn->items[k + 1];
      if (key == "buffer_pos") {
        position(value, "buffer_pos", 4);
      } else if (key == "state") {
        const Node* inner = node_of(g_, value);
        if (!inner && value.kind == Kind::dict && !data_retained) {
          out_.needs_retained_data = true;
        } else if (inner && inner->kind == Kind::dict) {
          for (std::size_t j = 0; j + 1 < inner->items.size(); j += 2) {
            if (!literal_key(inner->items[j])) return;
            if (g_.text_of(inner->items[j]) == "pos") position(inner->items[j + 1], "pos", 624);
          }
        } else if (inner || value.kind == Kind::dict) {
          unreadable(value);
        }
      }
    }
  }

 private:
  // Python's dict keeps the last of equal keys: a key made at load time can replace a checked one.
  bool literal_key(const Value& key) {
    if (key.kind == Kind::string) return true;
    problem("a numpy.random generator's state has the key " + g_.describe(key, 60) +
            ", made at load time, which can replace the position checked here");
    return false;
  }
  void position(const Value& v, const char* what, std::int64_t limit) {
    if (v.kind == Kind::boolean || v.kind == Kind::big_integer || v.kind == Kind::floating || v.kind == Kind::none ||
        v.is_text_or_bytes())
      return;  // numpy raises, or the value is 0 or 1
    if (v.kind == Kind::integer && v.i >= 0 && v.i <= limit) return;
    problem(std::string("a numpy.random generator's state sets ") + what + " to " + g_.describe(v, 60) +
            ", outside 0.." + std::to_string(limit) + ": numpy indexes its state array with it unchecked, so the "
            "generator reads memory outside the array");
  }
  void unreadable(const Value& v) {
    problem("a numpy.random generator's state is " + g_.describe(v, 60) +
            ", not the dict numpy writes, so its read positions cannot be checked");
  }
  void problem(std::string message) { out_.problems.push_back({"MG-PICKLE-NUMPY-RANDOM-STATE", std::move(message)}); }

  const ValueGraph& g_;
  NumpyStateCheck& out_;
};

}  // namespace

std::optional<NumpyItemType> numpy_item_type(const ValueGraph& graph, const Value& dtype) {
  const Node* n = node_of(graph, dtype);
  auto code = n ? type_code_of(graph, *n) : std::nullopt;
  if (!code) return std::nullopt;
  NumpyItemType t{code->kind, code->size, false};
  std::string_view order;
  if (const Node* args = node_of(graph, n->items[1]); args && !args->items.empty() && args->items[0].kind == Kind::string)
    order = graph.text_of(args->items[0]).substr(0, 1);
  if (n->built && n->items.size() >= 4)
    if (const Node* st = node_of(graph, n->items[3]); st && st->kind == Kind::tuple && st->items.size() >= 8 && st->items[1].kind == Kind::string)
      order = graph.text_of(st->items[1]);
  t.big_endian = order == ">" || order == "!";
  return t;
}

NumpyObject numpy_object_of(std::string_view name) {
  if (name == "numpy.dtype" || name.starts_with("numpy.dtypes.")) return NumpyObject::dtype;
  if (name.starts_with("numpy.random.")) return NumpyObject::random_state;
  return NumpyObject::none;
}

NumpyStateCheck check_numpy_build_state(const ValueGraph& graph, const Node& target, const Value& state,
                                        bool data_retained, std::uint64_t& fields_left) {
  NumpyStateCheck out;
  if (target.numpy == NumpyObject::dtype)
    DtypeChecker(graph, out, fields_left).check(target, state, data_retained);
  else if (target.numpy == NumpyObject::random_state)
    RandomStateChecker(graph, out).check(state, data_retained);
  return out;
}

}  // namespace modelgate::pickle
