// The pickle machine. It follows CPython's C unpickler (_pickle.c) opcode by opcode: the same
// operand rules, the same stack/mark/fence discipline, the same memo. Values are symbolic; nothing
// is imported or called. Where pickle.py or pickletools would read the stream differently, that
// is reported as a loader divergence and the reading continues with whichever reader accepts more,
// so that the findings are the union over loaders.
#include "pickle/machine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <bit>
#include "core/rule_catalog.h"
#include "pickle/call_through_targets.h"
#include "pickle/datetime_states.h"
#include "pickle/index_array_states.h"
#include "pickle/class_identity.h"
#include "pickle/costly_calls.h"
#include "pickle/numpy_state_checks.h"
#include "pickle/opcodes.h"
#include "pickle/payload_decoding.h"
#include "pickle/python2_names.h"
#include "pickle/load_time_sizes.h"
#include "pickle/sized_constructors.h"
#include "pickle/slot_array.h"
#include "pickle/stored_callables.h"
#include "pickle/tensor_object_state.h"
#include "pickle/text_operands.h"
#include "core/utf8.h"

namespace modelgate::pickle {

namespace {


// The opcodes Machine::run_plain() handles; loop() enters it only when one of them is next.
constexpr std::array<bool, 256> kPlainOpcodes = [] {
  std::array<bool, 256> t{};
  for (std::uint8_t op : {MARK, BININT1, BININT2, BININT, BINFLOAT, NONE, NEWTRUE, NEWFALSE, EMPTY_LIST, EMPTY_DICT,
                          EMPTY_TUPLE, EMPTY_SET, SHORT_BINUNICODE, SHORT_BINBYTES, BINUNICODE, BINBYTES, BINGET,
                          LONG_BINGET, MEMOIZE, BINPUT, LONG_BINPUT, APPEND, SETITEM, APPENDS, SETITEMS, ADDITEMS,
                          TUPLE, TUPLE1, TUPLE2, TUPLE3})
    t[op] = true;
  return t;
}();

bool is_scalar(Kind k) {
  return k == Kind::none || k == Kind::boolean || k == Kind::integer || k == Kind::big_integer ||
         k == Kind::floating;
}

// Callables that deserialise their argument: the argument is a nested payload.
const char* deserializer_kind(std::string_view name) {
  static constexpr std::string_view pickles[] = {
      "pickle.loads", "pickle.load", "pickle._loads", "pickle._load", "_pickle.loads", "_pickle.load",
      "pickle.Unpickler", "_pickle.Unpickler", "dill.loads", "dill.load", "dill._dill.loads",
      "cloudpickle.loads", "cloudpickle.load", "joblib.load", "torch.load", "torch.serialization.load",
      "torch.storage._load_from_bytes", "numpy.loads", "numpy.core.numeric.loads", "pandas.read_pickle",
      "copyreg._reconstructor.loads"};
  static constexpr std::string_view marshals[] = {"marshal.loads", "marshal.load"};
  for (auto n : pickles)
    if (n == name) return "pickle";
  for (auto n : marshals)
    if (n == name) return "marshal";
  return nullptr;
}

// The callables whose effect on later opcodes the machine follows, or whose argument it analyses.
enum class KnownCall : std::uint8_t {
  none, getattr, import_top_level, import_module, getitem, attrgetter, methodcaller, partial, add_extension
};

// What a call reaches, worked out once per imported callable rather than once per call.
struct CallTarget {
  std::string name;                  // dotted, "" when it cannot be derived
  KnownCall known = KnownCall::none;
  std::uint64_t calls = 0;           // of a target kept with its import: calls counted here
  const char* deserializer = nullptr;  // "pickle" or "marshal" when the argument is a payload
  NumpyObject numpy = NumpyObject::none;  // its result's BUILD state is checked
  bool makes_instance_of_first_argument = false;  // copyreg.__newobj__(cls, ...)
  // A name a profile admits by wildcard: referenced and instantiated, never run (Allowlist::Admission).
  bool reference_only = false;
  SizedArgument sized = SizedArgument::none;  // allocates by a number in its argument
  bool checks_arguments = false;  // check_call_arguments has something to check in its calls
  bool ufunc = false;             // a numpy ufunc: arguments past its input are outputs
  // Allowlisted subclasses of the builtin containers (writers fill them with APPENDS, SETITEMS,
  // ADDITEMS after building them): the container kind, else Kind::none.
  Kind container = Kind::none;
};

// Allowlisted subclasses of the builtin containers, which writers fill with APPENDS, SETITEMS and
// ADDITEMS (pickle's listitems/dictitems) after building them.
Kind container_kind(std::string_view cls) {
  static constexpr std::string_view kDicts[] = {"builtins.dict", "collections.OrderedDict", "collections.Counter",
                                                "collections.defaultdict", "sklearn.utils._bunch.Bunch",
                                                "sklearn.utils.Bunch"};
  static constexpr std::string_view kLists[] = {"builtins.list", "collections.deque"};
  auto in = [&](const auto& names) { return std::find(std::begin(names), std::end(names), cls) != std::end(names); };
  return in(kDicts) ? Kind::dict : in(kLists) ? Kind::list : cls == "builtins.set" ? Kind::set : Kind::none;
}

CallTarget make_call_target(std::string name) {
  CallTarget t;
  const std::string& n = name;
  if (n == "builtins.getattr" || n == "__builtin__.getattr") t.known = KnownCall::getattr;
  else if (n == "builtins.__import__" || n == "importlib.__import__") t.known = KnownCall::import_top_level;
  else if (n == "importlib.import_module") t.known = KnownCall::import_module;
  else if (n == "operator.getitem" || n == "_operator.getitem") t.known = KnownCall::getitem;
  else if (n == "operator.attrgetter" || n == "_operator.attrgetter") t.known = KnownCall::attrgetter;
  else if (n == "operator.methodcaller" || n == "_operator.methodcaller") t.known = KnownCall::methodcaller;
  else if (n == "functools.partial" || n == "_functools.partial") t.known = KnownCall::partial;
  else if (n == "copyreg.add_extension" || n == "copy_reg.add_extension") t.known = KnownCall::add_extension;
  t.deserializer = deserializer_kind(n);
  t.numpy = numpy_object_of(n);
  // numpy.ma.core._mareconstruct(subtype, ...) returns subtype.__new__(subtype, ...), and
  // scikit-learn's Cython modules' newObj(cls) cls.__new__(cls).
  t.makes_instance_of_first_argument = n == "copyreg.__newobj__" || n == "copyreg.__newobj_ex__" ||
                                       n == "copy_reg.__newobj__" || n == "copyreg._reconstructor" ||
                                       n == "copy_reg._reconstructor" || n == "numpy.ma.core._mareconstruct" ||
                                       n == "numpy.ma._mareconstruct" ||
                                       (n.starts_with("sklearn.") && n.ends_with(".newObj"));
  t.sized = sized_constructor(n);
  t.checks_arguments = t.makes_instance_of_first_argument || is_torch_data_class(n) || calls_its_first_argument(n) ||
                       n.starts_with("numpy.random._pickle.__") || n.find("_rebuild_sparse") != std::string::npos ||
                       datetime_state_size(n) != 0;
  t.ufunc = n.find("._multiarray_umath.") != std::string::npos;
  t.container = container_kind(n);
  t.name = std::move(name);
  return t;
}

// The memo. Picklers memoize every container, string and call result, so a large pickle has
// millions of entries. Dense keys get a 64-bit slot that holds most entries whole: a container
// whose contents scanning does not keep needs only its kind, a value kept in the graph its kind,
// length and node, and a string or bytes value read from the input its kind, length and offset.
// Other entries are indexes into `values_`; far-away keys live in a hash map. Keys below `used_` are the dense ones; slots past them are allocated ahead but
// not initialised (nor resident).
class Memo {
 public:
  // `packed` off keeps every entry but a bare container in values_: the reference run's layout,
  // against which the packed slots are cross-checked.
  explicit Memo(bool packed) : packed_(packed) {}
  bool get(std::uint64_t key, Value& out) const {
    if (key < used_ && slot_.data()[key] != 0) {
      out = unpack(slot_.data()[key], values_.data());
      return true;
    }
    auto it = sparse_.find(key);
    if (it == sparse_.end()) return false;
    out = it->second;
    return true;
  }
  // Returns true when the key was not set before.
  bool put(std::uint64_t key, const Value& v) {
    bool fresh;
    if (key < used_ + kDenseSlack && key < kDenseMax) {
      if (key >= used_) {
        auto need = static_cast<std::size_t>(key) + 1;
        if (need > slot_.capacity()) slot_.grow(need, used_);
        std::fill(slot_.data() + used_, slot_.data() + need, 0u);
        used_ = need;
      }
      std::uint64_t& s = slot_.data()[key];
      fresh = s == 0 && (sparse_.empty() || sparse_.erase(key) == 0);
      if (std::uint64_t packed = pack(v, packed_)) {
        s = packed;
      } else if ((s & kTag) == kIndexed) {
        values_[s >> kTagBits] = v;
      } else {
        s = static_cast<std::uint64_t>(values_.size()) << kTagBits | kIndexed;
        values_.push_back(v);
      }
    } else {
      fresh = sparse_.insert_or_assign(key, v).second;
    }
    count_ += fresh;
    return fresh;
  }
  // The memo as the plain path uses it, with its bookkeeping in a local object that finish()
  // writes back: reads of dense slots, and fresh entries that fit a slot in the next dense slot
  // (no holes, no sparse keys, within `max_entries` and the allocated slots). Anything else is
  // left to get()/put(): these return false and change nothing.
  class Plain {
   public:
    Plain(Memo& m, std::uint64_t max_entries)
        : m_(m), packed_(m.packed_), slot_(m.slot_.data()), values_(m.values_.data()), used_(m.used_), append_end_(m.used_),
          next_is_count_(m.count_ == m.used_) {
      if (m.sparse_.empty() && m.count_ < max_entries)
        append_end_ = static_cast<std::size_t>(std::min<std::uint64_t>(
            {m.slot_.capacity(), kDenseMax, m.used_ + (max_entries - m.count_)}));
    }
    [[gnu::always_inline]] bool get(std::uint64_t key, Value& out) const {
      if (key >= used_ || slot_[key] == 0) return false;
      out = unpack(slot_[key], values_);
      return true;
    }
    // MEMOIZE: the key is the number of entries.
    [[gnu::always_inline]] bool memoize(const Value& v) { return next_is_count_ && put(used_, v); }
    [[gnu::always_inline]] bool put(std::uint64_t key, const Value& v) {
      if (key != used_ || used_ >= append_end_) return false;
      std::uint64_t packed = pack(v, packed_);
      if (packed == 0) return false;
      slot_[used_++] = packed;
      return true;
    }
    void finish() {
      m_.count_ += used_ - m_.used_;
      m_.used_ = used_;
    }

   private:
    Memo& m_;
    const bool packed_;
    std::uint64_t* slot_;
    const Value* values_;
    std::size_t used_;
    std::size_t append_end_;
    bool next_is_count_;
  };
  std::uint64_t size() const { return count_; }

 private:
  // Slot layout: the low two bits say what the rest is; 0 is an absent entry.
  //   kKindOnly  kind in bits 2..6; with bit 7, a node: length in bits 8..31, node in bits 32..63
  //   kIndexed   index into values_ in bits 2..63
  //   kInputView kind in bits 2..6, length in bits 7..22, input offset in bits 23..63
  static constexpr unsigned kTagBits = 2;
  static constexpr std::uint64_t kTag = 3, kKindOnly = 1, kIndexed = 2, kInputView = 3;
  static constexpr std::uint64_t kHasNode = 1u << 7;
  static constexpr unsigned kNodeLengthAt = 8, kNodeAt = 32;
  static constexpr std::uint64_t kNodeMaxLength = 1u << (kNodeAt - kNodeLengthAt);
  static constexpr unsigned kViewLengthAt = 7, kViewOffsetAt = 23;
  static constexpr std::uint64_t kViewMaxLength = 1u << (kViewOffsetAt - kViewLengthAt);
  static constexpr std::uint64_t kViewMaxOffset = std::uint64_t{1} << (64 - kViewOffsetAt);
  static constexpr std::uint64_t kDenseSlack = 4096, kDenseMax = 1u << 30;

  // The slot that holds `v` whole, or 0 when it needs a place in values_.
  [[gnu::always_inline]] static std::uint64_t pack(const Value& v, bool packed) {
    constexpr std::uint32_t kinds = 1u << static_cast<unsigned>(Kind::none) | 1u << static_cast<unsigned>(Kind::list) |
                                    1u << static_cast<unsigned>(Kind::dict) | 1u << static_cast<unsigned>(Kind::set) |
                                    1u << static_cast<unsigned>(Kind::frozenset) | 1u << static_cast<unsigned>(Kind::tuple);
    constexpr std::uint32_t views = 1u << static_cast<unsigned>(Kind::string) | 1u << static_cast<unsigned>(Kind::bytes) |
                                    1u << static_cast<unsigned>(Kind::bytearray);
    auto k = static_cast<std::uint64_t>(v.kind);
    if (k >= 32) return 0;
    // A bare tuple keeps its length (bytes(n) and numpy's shapes are told from an empty one by it).
    if (v.flags == 0 && ((kinds >> k) & 1u) != 0 && (v.kind != Kind::tuple || v.len == 0)) return k << kTagBits | kKindOnly;
    if (!packed) return 0;
    if (v.flags == Value::kNode && v.len < kNodeMaxLength && v.u <= UINT32_MAX)
      return v.u << kNodeAt | static_cast<std::uint64_t>(v.len) << kNodeLengthAt | kHasNode | k << kTagBits | kKindOnly;
    if (v.flags == Value::kView && ((views >> k) & 1u) != 0 && v.len < kViewMaxLength && v.u < kViewMaxOffset)
      return v.u << kViewOffsetAt | static_cast<std::uint64_t>(v.len) << kViewLengthAt | k << kTagBits | kInputView;
    return 0;
  }
  [[gnu::always_inline]] static Value unpack(std::uint64_t s, const Value* values) {
    Value v;
    switch (s & kTag) {
      case kKindOnly:
        v.kind = static_cast<Kind>((s >> kTagBits) & 31);
        if (s & kHasNode) {
          v.flags = Value::kNode;
          v.len = static_cast<std::uint32_t>((s >> kNodeLengthAt) & (kNodeMaxLength - 1));
          v.u = s >> kNodeAt;
        }
        break;
      case kIndexed: std::memcpy(static_cast<void*>(&v), &values[s >> kTagBits], sizeof(Value)); break;
      default:
        v.kind = static_cast<Kind>((s >> kTagBits) & 31);
        v.flags = Value::kView;
        v.len = static_cast<std::uint32_t>((s >> kViewLengthAt) & (kViewMaxLength - 1));
        v.u = s >> kViewOffsetAt;
    }
    return v;
  }
  const bool packed_;
  SlotArray slot_;
  std::size_t used_ = 0;
  std::vector<Value> values_;
  std::unordered_map<std::uint64_t, Value> sparse_;
  std::uint64_t count_ = 0;
};

// MARK positions on the value stack; like the value stack, the plain path works on it directly.
class MarkStack {
 public:
  bool empty() const { return n_ == 0; }
  std::size_t size() const { return n_; }
  std::size_t back() const { return buf_[n_ - 1]; }
  void pop_back() { --n_; }
  void push_back(std::size_t pos) {
    if (n_ == buf_.size()) buf_.resize(std::max<std::size_t>(64, buf_.size() * 2));
    buf_[n_++] = pos;
  }
  std::size_t* data() { return buf_.data(); }
  std::size_t capacity() const { return buf_.size(); }
  void resize(std::size_t n) { n_ = n; }  // within capacity

 private:
  std::vector<std::size_t> buf_;
  std::size_t n_ = 0;
};

// The object stack. Capacity never exceeds the limit, so the limit is checked only on growth.
class ValueStack {
 public:
  explicit ValueStack(std::size_t max) : max_(max) {}
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Value& back() { return buf_[n_ - 1]; }
  Value& operator[](std::size_t i) { return buf_[i]; }
  const Value* begin() const { return buf_.data(); }
  const Value* end() const { return buf_.data() + n_; }
  void pop_back() { --n_; }
  void resize(std::size_t n) { n_ = n; }  // within capacity: shrinking, or after the plain path wrote
  [[gnu::always_inline]] bool push(const Value& v) {
    if (n_ == buf_.size()) [[unlikely]] return push_after_growing(v);
    buf_[n_++] = v;
    return true;
  }
  // The main loop works on raw pointers between calls into the rest of the machine.
  Value* data() { return buf_.data(); }
  Value* capacity_end() { return buf_.data() + buf_.size(); }

  // Grows ahead of need (within the limit) so that the plain path has room for long runs: up to
  // 4096 free slots, never more than `pushes` (what the rest of the input can push, one value per
  // opcode byte at most), so that a small pickle does not zero-fill a stack it cannot use. The
  // limit is the same whichever way capacity grows: push() fails at max_ values.
  void reserve_ahead(std::size_t pushes) {
    const std::size_t want = std::min<std::size_t>(4096, pushes);
    if (buf_.size() - n_ < want) grow(n_ + want);
  }
 private:
  // To at least `need` slots and at least twice the capacity, within the limit: a pickle of a few
  // hundred bytes gets a stack of that order, not 16 KiB zero-filled for every file.
  [[gnu::noinline]] bool grow(std::size_t need = 0) {
    if (buf_.size() >= max_) return false;
    buf_.resize(std::min<std::size_t>(max_, std::max({std::size_t{64}, buf_.size() * 2, need})));
    return true;
  }
  // `v` by value: it may be an element of the buffer that growing moves (DUP pushes the top).
  [[gnu::noinline]] bool push_after_growing(Value v) {
    if (!grow()) return false;
    buf_[n_++] = v;
    return true;
  }
  std::vector<Value> buf_;
  std::size_t n_ = 0;
  std::size_t max_;
};

class Machine {
 public:
  Machine(ByteView data, std::size_t start, std::string_view origin, const MachineOptions& o)
      : data_(data.data()), size_(data.size()), pos_(start), origin_(origin), o_(o), lim_(*o.limits),
        plain_path_(o.plain_path && !o.retain_data), stack_(o.limits->max_pickle_stack),
        budget_(o.budget ? o.budget : std::make_shared<UnpackBudget>(*o.limits)), memo_(o.plain_path) {
    res_.start = start;
    res_.graph = std::make_shared<ValueGraph>(data);
    res_.retained_data = o.retain_data;
    g_ = res_.graph.get();
    if (o.input_owner != nullptr) {
      released_ = start;
      release_at_ = start + kReleaseStep;
    }
  }

  StreamResult run() {
    bool ok = loop();
    res_.end = ok ? pos_ : op_offset_;
    res_.complete = ok;
    for (auto& [key, entry] : dedupe_)
      if (entry.second > 1)
        res_.findings[entry.first].message += " (" + std::to_string(entry.second) + " occurrences)";
    for (const auto& [node, target] : import_targets_)
      if (target.calls > 0) call_counts_[target.name] += target.calls;
    if (auto unnamed = call_counts_.find(""); unnamed != call_counts_.end()) {
      res_.indirect_calls = unnamed->second;
      call_counts_.erase(unnamed);
    }
    res_.calls.assign(call_counts_.begin(), call_counts_.end());
    return std::move(res_);
  }

 private:
  // ---------------------------------------------------------------- findings
  void add(RuleId rule_id, std::string message, std::string evidence,
           std::optional<Severity> severity = std::nullopt) {
    if (!o_.analyse) return;
    std::string key = std::string(rule_id.view()) + '\0' + evidence;
    if (evidence.empty()) key += message;
    if (auto it = dedupe_.find(key); it != dedupe_.end()) {
      ++it->second.second;
      return;
    }
    Finding f = make_finding(rule(rule_id), origin_, op_offset_, std::move(message), std::move(evidence));
    if (severity) f.severity = *severity;
    dedupe_.emplace(std::move(key), std::make_pair(res_.findings.size(), std::size_t{1}));
    res_.findings.push_back(std::move(f));
  }
  bool fail(std::string reason) {
    const char* name = op_name(op_);
    std::string where = name ? std::string(name) : "opcode";
    res_.error = parse_error(op_offset_, where + ": " + reason);
    add("MG-PICKLE-MALFORMED", where + " at offset " + std::to_string(op_offset_) + ": " + reason, {});
    return false;
  }
  bool truncated(std::size_t need) {
    return fail("pickle data was truncated (needs " + std::to_string(need) + " bytes, " +
                std::to_string(remaining()) + " remain)");
  }
  bool limit(const std::string& what, std::uint64_t value) {
    res_.limit_reached = true;
    res_.error = parse_error(op_offset_, what + " limit reached");
    add("MG-LIMIT-EXCEEDED", what + " exceeds the limit of " + std::to_string(value) +
                                 "; the rest of the stream was not analysed", {});
    return false;
  }
  void divergence(std::string what) { add("MG-PICKLE-LOADER-DIVERGENCE", std::move(what), {}); }
  // Every imported module and name, and every attribute path a call builds, is charged here before
  // it is copied: the memo lets a small stream name one long string in every opcode. Python's
  // longest real module paths are under a hundred bytes.
  bool charge_name(std::size_t module, std::size_t name) {
    if (module > lim_.max_pickle_name || name > lim_.max_pickle_name) {
      name_limit_hit_ = true;
      return limit("imported or looked-up name of " + std::to_string(std::max(module, name)) + " bytes",
                   lim_.max_pickle_name);
    }
    name_bytes_ += module + name;
    if (name_bytes_ <= lim_.max_pickle_name_bytes) return true;
    name_limit_hit_ = true;
    return limit("bytes of imported and looked-up names", lim_.max_pickle_name_bytes);
  }

  // ---------------------------------------------------------------- reading
  std::size_t remaining() const { return size_ - pos_; }
  // Every read goes through here so that pickle.py's framing rules can be checked alongside.
  bool take(std::size_t n, ByteView& out) {
    if (n > size_ - pos_) return false;
    if (pos_ + n > frame_end_) frame_account(pos_, n);
    out = ByteView(data_ + pos_, n);
    pos_ += n;
    return true;
  }
  bool take_line(ByteView& out) {
    const void* nl = pos_ < size_ ? std::memchr(data_ + pos_, '\n', size_ - pos_) : nullptr;
    if (nl == nullptr) return false;
    std::size_t n = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - (data_ + pos_));
    if (pos_ + n + 1 > frame_end_) frame_account(pos_, n + 1);
    out = ByteView(data_ + pos_, n);
    pos_ += n + 1;
    return true;
  }
  template <class T>
  [[gnu::always_inline]] bool take_le(T& v) {
    static_assert(std::endian::native == std::endian::little || sizeof(T) == 1);
    if (sizeof(T) > size_ - pos_) return false;
    if (pos_ + sizeof(T) > frame_end_) frame_account(pos_, sizeof(T));
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  // pickle.py's _Unframer: a read that starts inside a frame must end inside it; once a frame is
  // used up, reads continue from the stream. _pickle.c ignores frame boundaries entirely.
  // Called only for reads that go past frame_end_ (SIZE_MAX when no frame is active).
  [[gnu::noinline]] void frame_account(std::size_t at, std::size_t n) {
    if (at < frame_end_ && n > 0)
      divergence("a read of " + std::to_string(n) + " bytes crosses the end of the current FRAME (" +
                 std::to_string(frame_end_ - at) + " bytes left): _pickle.c accepts it, pickle.py "
                 "raises 'pickle exhausted before end of frame'");
    frame_end_ = SIZE_MAX;
  }
  bool frame_active() const { return frame_end_ != SIZE_MAX; }

  // ---------------------------------------------------------------- stack
  std::size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  std::size_t above_fence() const { return stack_.size() - fence(); }
  bool underflow() {
    return fail(marks_.empty() ? "unpickling stack underflow" : "could not find MARK (stack underflow)");
  }
  [[gnu::always_inline]] bool push(const Value& v) {
    if (stack_.push(v)) return true;
    return limit("stack depth", lim_.max_pickle_stack);
  }
  Value pop() {
    Value v = stack_.back();
    stack_.pop_back();
    return v;
  }
  // marker(): pops the innermost mark and returns its stack position.
  bool pop_mark(std::size_t& pos) {
    pos = 0;
    if (marks_.empty()) return fail("could not find MARK");
    pos = marks_.back();
    marks_.pop_back();
    return true;
  }
  std::uint32_t add_node(Node&& n) {
    if (g_->node_count() >= lim_.max_pickle_nodes) {
      node_limit_hit_ = true;
      return 0;
    }
    n.offset = op_offset_;
    return g_->add_node(std::move(n));
  }
  Value node_value(Kind k, Node&& n, std::uint32_t len = 0) {
    Value v;
    v.kind = k;
    v.len = len;
    n.kind = k;
    std::uint32_t idx = add_node(std::move(n));
    if (node_limit_hit_) return v;
    v.flags = Value::kNode;
    v.u = idx;
    return v;
  }
  // Builds a sequence from the stack items above `pos` and removes them. Tuples of plain numbers
  // and, unless data is retained, all lists, dicts and sets carry nothing the analysis needs and
  // stay inline; anything else becomes a node that keeps its items.
  Value collect(Kind k, std::size_t pos) {
    std::size_t n = stack_.size() - pos;
    bool keep = o_.retain_data;
    if (!keep && k == Kind::tuple)
      keep = std::any_of(stack_.begin() + pos, stack_.end(),
                         [](const Value& v) { return !is_scalar(v.kind); });
    auto len = static_cast<std::uint32_t>(std::min<std::size_t>(k == Kind::dict ? n / 2 : n, UINT32_MAX));
    if (!keep) {
      Value v;
      v.kind = k;
      v.len = len;
      if (k == Kind::tuple && std::any_of(stack_.begin() + pos, stack_.end(), Value::is_zero)) v.flags = Value::kHasZero;
      stack_.resize(pos);
      return v;
    }
    Node node;
    node.items = pop_to(pos);
    return node_value(k, std::move(node), len);
  }
  Value empty(Kind k) {
    if (o_.retain_data) return collect(k, stack_.size());
    Value v;
    v.kind = k;
    return v;
  }
  ValueList pop_to(std::size_t pos) {
    ValueList items(stack_.begin() + pos, stack_.end());
    stack_.resize(pos);
    return items;
  }
  const Node* node_of(const Value& v) const { return v.has_node() ? &g_->node(static_cast<std::uint32_t>(v.u)) : nullptr; }
  std::string text(const Value& v) const { return std::string(g_->text_of(v)); }

  [[gnu::always_inline]] bool memoize(std::uint64_t key) {
    if (above_fence() < 1) return underflow();
    if (memo_.size() >= lim_.max_pickle_memo) return limit("memo size", lim_.max_pickle_memo);
    if (!memo_.put(key, stack_.back()) && op_ != MEMOIZE)
      divergence("memo index " + std::to_string(key) + " is written twice: the unpicklers overwrite it, "
                 "pickletools.dis rejects the stream");
    return true;
  }

  // ---------------------------------------------------------------- names
  enum class Trust { allowed, unlisted, dangerous };
  // The denylist runs first and wins: an allowlist entry never hides a known-dangerous name.
  Trust classify(const std::string& module, const std::string& name, std::optional<DenyMatch>& deny) const {
    if (!o_.analyse) return Trust::unlisted;
    deny = Denylist::builtin().match(module, name);
    if (deny) return Trust::dangerous;
    return o_.allowlist->allows(module, name) ? Trust::allowed : Trust::unlisted;
  }
  static std::string qualname(const std::string& module, const std::string& name) {
    return name.empty() ? module : module + "." + name;
  }

  Value import_global(std::string module, std::string name, const char* via) {
    res_.imports.push_back({module, name, op_offset_, via});
    std::string raw_module = module, raw_name = name;
    std::string raw = qualname(module, name);
    if (proto_ < 3) std::tie(module, name) = map_python2_name(module, name);
    std::string full = qualname(module, name);
    std::optional<DenyMatch> deny;
    Trust t = classify(module, name, deny);
    if (t != Trust::allowed && !deny) deny = Denylist::builtin().match(raw_module, raw_name);  // the unmapped name too
    std::string evidence = full + (raw != full ? " (written as " + raw + ")" : "") +
                           (std::string_view(via) != "GLOBAL" ? std::string(" via ") + via : "");
    if (t != Trust::allowed) {
      if (deny)
        add("MG-PICKLE-GLOBAL-DANGEROUS", "imports " + full + " (" + deny->category + ")", evidence,
            deny->severity);
      else
        add("MG-PICKLE-GLOBAL-UNLISTED", "imports " + full + ", which is not on the allowlist", evidence);
    }
    Node n;
    n.set_names(std::move(module), std::move(name));
    n.trusted = t == Trust::allowed;
    return node_value(Kind::global, std::move(n));
  }

  // What calling `v` reaches, as a dotted name, or "" when it cannot be derived.
  std::string call_target(const Value& v, std::uint32_t depth = 0) const {
    const Node* n = node_of(v);
    if (n == nullptr || depth > lim_.max_pickle_resolve_depth) return {};
    if (n->kind == Kind::global) return qualname(n->module(), n->name());
    if (n->kind == Kind::call) {
      if (n->text() == "partial" && n->items.size() > 1) {
        const Node* args = node_of(n->items[1]);
        if (args && !args->items.empty()) return call_target(args->items[0], depth + 1);
      }
      if (n->text().rfind("methodcaller:", 0) == 0) return "<object>." + n->text().substr(13);
    }
    return {};
  }

  // The import that calling `v` reaches (directly or through functools.partial), or nullptr.
  const Node* target_global(const Value& v, std::uint32_t depth = 0) const {
    const Node* n = node_of(v);
    if (n == nullptr || depth > lim_.max_pickle_resolve_depth) return nullptr;
    if (n->kind == Kind::global) return n;
    if (n->kind == Kind::call && n->text() == "partial" && n->items.size() > 1) {
      const Node* args = node_of(n->items[1]);
      if (args && !args->items.empty()) return target_global(args->items[0], depth + 1);
    }
    return nullptr;
  }

  // getattr(base, path) as far as it can be followed statically.
  Value get_attribute(const Value& base, const std::string& path) {
    const Node* b = node_of(base);
    if (b && b->kind == Kind::global) {
      if (!charge_name(0, b->name().size() + 1 + path.size())) return base;
      Node n;
      n.set_names(b->module(), b->name().empty() ? path : b->name() + "." + path);
      std::optional<DenyMatch> deny;
      n.trusted = classify(n.module(), n.name(), deny) == Trust::allowed;
      return node_value(Kind::global, std::move(n));
    }
    Node n;
    n.set_names(path);
    n.items.push_back(base);
    return node_value(Kind::attribute, std::move(n));
  }

  Value module_value(const std::string& module) {
    Node n;
    n.set_names(module);
    std::optional<DenyMatch> deny;
    n.trusted = classify(module, "", deny) == Trust::allowed;
    return node_value(Kind::global, std::move(n));
  }

  // ---------------------------------------------------------------- payload recovery
  // The work one recovery may do: every byte each step produces is counted, so that a wrapper
  // passed again (a fresh io.BytesIO or zlib.decompress around one memoised blob) costs what it
  // costs each time, and a step past `left` ends the recovery.
  struct RecoveryWork {
    std::uint64_t left;
    std::uint64_t used = 0;
    bool exhausted = false;
    bool spend(std::uint64_t n) {
      used += n;
      if (used > left) exhausted = true;
      return !exhausted;
    }
  };

  std::optional<std::string> recover_bytes(const Value& v, RecoveryWork& work, std::uint32_t depth = 0) const {
    if (depth > lim_.max_pickle_resolve_depth || work.exhausted) return std::nullopt;
    if (v.is_text_or_bytes()) {
      std::string_view t = g_->text_of(v);
      return work.spend(t.size()) ? std::optional<std::string>(t) : std::nullopt;
    }
    const Node* n = node_of(v);
    if (n == nullptr || n->kind != Kind::call || n->items.size() < 2) return std::nullopt;
    std::string target = call_target(n->items[0]);
    const Node* args = node_of(n->items[1]);
    if (args == nullptr || args->items.empty()) return std::nullopt;
    auto inner = [&]() { return recover_bytes(args->items[0], work, depth + 1); };
    auto spent = [&](std::optional<std::string> out) {
      return out && work.spend(out->size()) ? std::move(out) : std::nullopt;
    };
    auto inflate = [&](const std::string& in, int window_bits) -> std::optional<std::string> {
      std::size_t produced = 0;
      auto out = inflate_bounded(in, window_bits, std::min<std::uint64_t>(lim_.max_nested_payload, work.left - std::min(work.left, work.used)), &produced);
      return work.spend(produced) ? std::move(out) : std::nullopt;
    };
    if (target == "io.BytesIO" || target == "_io.BytesIO" || target == "builtins.bytes" ||
        target == "builtins.bytearray")
      return inner();
    if (target == "base64.b64decode" || target == "base64.standard_b64decode" ||
        target == "base64.decodebytes" || target == "base64.decodestring" || target == "binascii.a2b_base64") {
      auto in = inner();
      return in ? spent(decode_base64(*in, false)) : std::nullopt;
    }
    if (target == "base64.urlsafe_b64decode") {
      auto in = inner();
      return in ? spent(decode_base64(*in, true)) : std::nullopt;
    }
    if (target == "binascii.unhexlify" || target == "binascii.a2b_hex" || target == "bytes.fromhex" ||
        target == "builtins.bytes.fromhex") {
      auto in = inner();
      return in ? spent(decode_hex(*in)) : std::nullopt;
    }
    if (target == "zlib.decompress" || target == "gzip.decompress") {
      auto in = inner();
      return in ? inflate(*in, target[0] == 'g' ? 31 : 47) : std::nullopt;
    }
    if (target == "_codecs.encode" || target == "codecs.encode" || target == "codecs.decode" ||
        target == "_codecs.decode") {
      auto in = inner();
      if (!in) return std::nullopt;
      std::string enc = "utf-8";
      if (args->items.size() > 1 && args->items[1].is_text_or_bytes()) {
        // The name is read each pass, and the memo can pass a long one again and again: it is work.
        // No codec has a long name (Python raises LookupError): one is the identity below, uncopied.
        std::string_view name = g_->text_of(args->items[1]);
        if (!work.spend(name.size())) return std::nullopt;
        enc = name.size() <= 32 ? std::string(name) : std::string();
      }
      std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (enc == "base64" || enc == "base_64" || enc == "base-64") return spent(decode_base64(*in, false));
      if (enc == "hex" || enc == "hex_codec") return spent(decode_hex(*in));
      if (enc == "zlib" || enc == "zlib_codec") return inflate(*in, 47);
      if (enc == "latin1" || enc == "latin-1" || enc == "iso-8859-1") return spent(utf8_to_latin1(*in));
      return in;
    }
    return std::nullopt;
  }
  static std::optional<std::string> utf8_to_latin1(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
        unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3Fu);
        if (cp > 0xFF) return std::nullopt;
        out += static_cast<char>(cp);
      } else {
        return std::nullopt;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- calls
  // Everything that invokes a callable while loading goes through here.
  bool invoke(const Value& callable, const Value& args, const Value* kwargs, CallHow how, Value& result) {
    const Node* cn = node_of(callable);
    Kind k = callable.kind;
    if (k != Kind::global && k != Kind::call && k != Kind::attribute && k != Kind::persistent) {
      // Values created by the stream itself (numbers, strings, containers) are not callable.
      return fail("calls a value that is not callable");
    }
    Node call;
    call.how = how;
    call.items.reserve(kwargs ? 3 : 2);
    call.items.push_back(callable);
    call.items.push_back(args);
    if (kwargs) call.items.push_back(*kwargs);
    CallTarget& called = target_of(callable);
    if (&called == &scratch_target_)
      ++call_counts_[called.name];
    else
      ++called.calls;
    const std::string& target = called.name;
    if (o_.analyse && called.ufunc) check_ufunc_arguments(target, args, kwargs);
    const Node* target_import = target_global(callable);
    bool trusted = false;
    if (cn && cn->kind == Kind::global) {
      trusted = cn->trusted;
    } else if (target_import != nullptr) {
      std::optional<DenyMatch> deny;
      trusted = classify(target_import->module(), target_import->name(), deny) == Trust::allowed;
    }
    call.trusted = trusted;
    call.numpy = called.numpy;
    // OBJ and INST with no arguments call cls.__new__(cls) (_pickle.c instantiate()), like NEWOBJ.
    bool without_constructor = how == CallHow::newobj || how == CallHow::newobj_ex ||
                               ((how == CallHow::obj || how == CallHow::inst) && args.kind == Kind::tuple && args.len == 0);
    const bool new_only = without_constructor;  // the callable is a class whose __new__ alone runs
    if (called.makes_instance_of_first_argument) {
      const Node* a = node_of(args);
      if (a && !a->items.empty()) call.numpy = numpy_object_of(g_->qualified_name(a->items[0]));
      without_constructor = true;
    }
    if (call.numpy == NumpyObject::random_state && without_constructor && o_.analyse)
      add("MG-PICKLE-NUMPY-RANDOM-STATE",
          "makes a numpy.random object without running its constructor: its state pointer stays unset and "
          "the first use dereferences it",
          g_->describe(args, 160));
    if (o_.analyse && trusted)
      if (auto why = costly_call(called.name, node_of(args), *g_)) add("MG-PICKLE-CALL-COSTLY", *why, g_->describe(args, 160));
    if (o_.analyse && (called.checks_arguments || kwargs != nullptr)) check_call_arguments(called, args, kwargs, 0);
    if (o_.analyse && trusted) check_load_time_call(called, args, kwargs, new_only);
    if (o_.analyse && trusted && called.sized != SizedArgument::none) check_sized_call(called, args);
    Value result_value = node_value(Kind::call, std::move(call));
    if (!trusted && o_.analyse) {
      std::string evidence = g_->describe(result_value, 240);  // before apply_known_semantics sets a role
      std::optional<DenyMatch> deny;
      if (target_import != nullptr) deny = Denylist::builtin().match(target_import->module(), target_import->name());
      if (deny) {
        add("MG-PICKLE-CALL-DANGEROUS", "calls " + target + " (" + deny->category + ")", evidence, deny->severity);
      } else if (cn && cn->kind == Kind::global) {
        // The import itself was already reported as unlisted.
      } else if (!target.empty()) {
        add("MG-PICKLE-CALL-UNLISTED", "calls " + target + ", reached through a value built at load time", evidence);
      } else {
        add("MG-PICKLE-CALL-INDIRECT", "calls a value produced while loading", evidence);
      }
    }
    if (trusted && o_.analyse) note_stateful_object(called, callable, args, result_value);
    apply_known_semantics(called, args, result_value);
    if (name_limit_hit_) return false;
    result = result_value;
    return true;
  }
  bool reference_only(const Node* global) const {
    return global != nullptr && global->kind == Kind::global && global->trusted &&
           o_.allowlist->admission(global->module(), global->name()) == Allowlist::Admission::reference;
  }
  // Names a profile admits by wildcard may be referenced and instantiated without a constructor;
  // a call that runs their code at load (a function, a constructor, a __new__ or Cython __cinit__
  // given arguments) is not one of the reconstructions the profile lists by exact name.
  void check_load_time_call(const CallTarget& called, const Value& args, const Value* kwargs, bool new_only) {
    const Node* a = node_of(args);
    const std::size_t count = a ? a->items.size() : args.len;
    auto report = [&](const std::string& name, const char* how) {
      add("MG-PICKLE-CALL-REFERENCE-ONLY",
          how + name + " while loading: the profile admits it by a wildcard, to be referenced or instantiated "
                       "without its constructor; only the reconstructions it lists by exact name may run at load",
          g_->describe(args, 160));
    };
    if (called.reference_only) {
      if (!new_only) report(called.name, "calls ");
      else if (count > 0 || kwargs != nullptr) report(called.name, "runs the __new__ of ");
      return;
    }
    // copyreg.__newobj__(cls, *args) and newObj hand the extra arguments to cls.__new__;
    // copyreg._reconstructor(cls, base, state) runs base.__new__ and base.__init__ with state.
    if (!called.makes_instance_of_first_argument || a == nullptr) return;
    const bool reconstructor = called.name.ends_with("._reconstructor");
    const std::size_t runs_at = reconstructor ? 1 : 0;
    if ((reconstructor || count > 1 || kwargs != nullptr) && runs_at < count &&
        reference_only(target_global(a->items[runs_at])))
      report(g_->qualified_name(a->items[runs_at]), reconstructor ? "runs the constructor of " : "runs the __new__ of ");
  }
  // bytearray(n), bytes(n), list/tuple/set(range(n)), numpy's arrays by shape and dtype allocate by
  // a number, not by the file: past max_compression_ratio bytes per byte of the stream, the file
  // asks the loader for more memory than any archive modelgate opens may expand to. A size the scan
  // cannot compute (a value made at load that may have __index__) is not proven bounded.
  void check_sized_call(const CallTarget& called, const Value& args) {
    const Node* a = node_of(args);
    if (a == nullptr) {
      // A tuple of plain numbers is not kept on the fast path: bytes(n) needs the second run.
      const bool counted = called.sized == SizedArgument::bytes_or_elements || called.sized == SizedArgument::numpy_void;
      if (args.kind == Kind::tuple && args.len > 0 && counted && !o_.retain_data) res_.needs_retained_data = true;
      return;
    }
    check_sized(called.sized, called.name, std::span<const Value>(a->items.begin(), a->items.end()), args, 0);
  }
  void check_sized(SizedArgument sized, const std::string& name, std::span<const Value> items, const Value& args,
                   int depth) {
    using Is = LoadTimeNumber::Is;
    auto item = [&](std::size_t i) -> const Value* { return i < items.size() ? &items[i] : nullptr; };
    std::optional<std::uint64_t> asked;  // bytes the call allocates, as far as known
    std::string what;
    bool unknown = false;  // a size the scan cannot compute
    const Value* first = item(0);
    auto bytes_of_number = [&](const Value& v, const char* unit, std::uint64_t bytes_each = 1) {
      auto n = load_time_number(*g_, v);
      if (n.is == Is::unknown) unknown = true;
      if (n.is != Is::known || n.negative) return;  // raises, or data
      asked = n.value > UINT64_MAX / bytes_each ? UINT64_MAX : n.value * bytes_each;
      what = n.value == UINT64_MAX ? std::string("a size beyond 2**63 in ") + unit
                                   : std::to_string(n.value) + " " + unit;
    };
    // scipy's sparse constructors given a shape (M, N) rather than data make an empty matrix with
    // an index pointer per row (csr, bsr), a list per row (lil) or a pointer per column (csc).
    auto sparse_shape = [&](std::size_t dimension, std::uint64_t bytes_each) {
      if (first == nullptr || first->kind != Kind::tuple) return;
      const Node* shape = node_of(*first);
      if (shape == nullptr) {
        if (!o_.retain_data && first->len == 2) res_.needs_retained_data = true;  // the shape's numbers were not kept
        return;
      }
      if (shape->items.size() != 2) return;  // data, not a shape
      auto other = load_time_number(*g_, shape->items[1 - dimension]);
      if (other.is == Is::not_integer) return;  // (data, indices): not a shape
      bytes_of_number(shape->items[dimension], dimension == 0 ? "rows" : "columns", bytes_each);
      if (other.is == Is::unknown) unknown = true;
    };
    auto array = [&](const Value* shape, const Value* dtype, std::uint64_t extra_per_item) {
      if (shape == nullptr) return;
      auto elements = numpy_shape_elements(*g_, *shape);
      if (elements.needs_items) {
        if (!o_.retain_data) res_.needs_retained_data = true;  // the shape's numbers were not kept
        else unknown = true;
        return;
      }
      if (elements.is == Is::not_integer || elements.elements == 0) return;  // raises, or no items
      std::optional<std::uint64_t> item_bytes = dtype ? numpy_item_bytes(*g_, *dtype) : std::optional<std::uint64_t>(1);
      if (!item_bytes) unknown = true;
      if (elements.is == Is::unknown) unknown = true;
      const std::uint64_t per = std::max<std::uint64_t>(item_bytes.value_or(1), 1) + extra_per_item;
      asked = elements.elements > UINT64_MAX / per ? UINT64_MAX : elements.elements * per;
      what = "an array of " + std::to_string(elements.elements) + " items of " +
             (item_bytes ? std::to_string(*item_bytes) : std::string("an unknown number of")) + " bytes";
    };
    const Node* range = first ? node_of(*first) : nullptr;
    if (range && !(range->kind == Kind::call && range->items.size() > 1 &&
                   g_->qualified_name(range->items[0]) == "builtins.range"))
      range = nullptr;
    switch (sized) {
      case SizedArgument::none: return;
      case SizedArgument::bytes_or_elements:
      case SizedArgument::elements:
        if (range) {
          check_range(*range, asked, what, unknown);
        } else if (sized == SizedArgument::bytes_or_elements && first) {
          bytes_of_number(*first, "zero bytes");
        }
        break;
      case SizedArgument::numpy_reconstruct: array(item(1), item(2), 0); break;
      case SizedArgument::numpy_ndarray:
        if (const Value* buffer = item(2); buffer && buffer->kind != Kind::none) return;  // its items are the buffer's
        if (item(1) == nullptr) {
          const Value float64;  // None: numpy's default dtype
          array(item(0), &float64, 0);
        } else {
          array(item(0), item(1), 0);
        }
        break;
      case SizedArgument::numpy_masked: array(item(2), item(3), 1); break;  // the data, and a mask of bools
      case SizedArgument::numpy_scalar:
        if (items.size() == 1) {
          auto b = numpy_item_bytes(*g_, items[0]);
          if (!b) unknown = true;
          else asked = *b, what = "a zeroed item of " + std::to_string(*b) + " bytes";
        }
        break;
      case SizedArgument::numpy_void:
        if (range) check_range(*range, asked, what, unknown);
        else if (first) bytes_of_number(*first, "zero bytes");
        break;
      case SizedArgument::torch_quantized: array(item(2), nullptr, 0); break;  // at least a byte per item
      case SizedArgument::sklearn_tree:
        if (const Value* outputs = item(2)) bytes_of_number(*outputs, "outputs", 8);
        break;
      case SizedArgument::scipy_sparse_rows: sparse_shape(0, 16); break;  // lil: an empty list in rows and data
      case SizedArgument::scipy_sparse_columns: sparse_shape(1, 8); break;
      case SizedArgument::first_argument: {
        // __newobj__(cls, *args) runs cls.__new__(cls, *args); _reconstructor(cls, base, state)
        // base.__new__(cls, state) and base.__init__(obj, state): counted as cls(*args), base(state).
        // torch's _rebuild_from_type_v2(func, type, args, state) calls func(*args).
        if (depth > 4 || items.empty()) return;
        const bool reconstructor = name.ends_with("._reconstructor");
        const bool ex = name.ends_with("__newobj_ex__") || name.ends_with("._rebuild_from_type_v2");
        const Value& cls = reconstructor && items.size() > 1 ? items[1] : items[0];
        std::string inner = g_->qualified_name(cls);
        SizedArgument s = sized_constructor(inner);
        if (s == SizedArgument::none || s == SizedArgument::first_argument) return;
        if (reconstructor) {
          if (items.size() > 2 && items[2].kind != Kind::none) check_sized(s, inner, items.subspan(2, 1), args, depth + 1);
        } else if (ex) {
          const std::size_t at = name.ends_with("__newobj_ex__") ? 1 : 2;  // (cls, args, kwargs), (func, type, args, state)
          const Node* inner_args = items.size() > at ? node_of(items[at]) : nullptr;
          if (inner_args) check_sized(s, inner, std::span<const Value>(inner_args->items.begin(), inner_args->items.end()), args, depth + 1);
          else if (items.size() > at && items[at].kind == Kind::tuple && items[at].len > 0 && !o_.retain_data) res_.needs_retained_data = true;
        } else {
          check_sized(s, inner, items.subspan(1), args, depth + 1);
        }
        return;
      }
    }
    const std::uint64_t allowed =
        std::max<std::uint64_t>(size_, 1) * std::max<std::uint64_t>(lim_.max_compression_ratio, 1);
    if (asked && *asked > allowed) {
      add("MG-PICKLE-CALL-AMPLIFIES",
          "calls " + name + " with " + what + " from a " + std::to_string(size_) +
              "-byte stream: more than " + std::to_string(lim_.max_compression_ratio) +
              " bytes per byte of input (max_compression_ratio) allocated at load",
          g_->describe(args, 160));
    } else if (unknown) {
      add("MG-PICKLE-CALL-SIZE-UNKNOWN",
          "calls " + name + " with a size made at load time that the scan does not compute: the loader may "
          "allocate any amount",
          g_->describe(args, 160));
    }
  }
  void check_range(const Node& r, std::optional<std::uint64_t>& asked, std::string& what, bool& unknown) {
    using Is = LoadTimeNumber::Is;
    const Node* ra = node_of(r.items[1]);
    if (ra == nullptr) {
      if (!o_.retain_data) res_.needs_retained_data = true;  // range's numbers were not kept
      return;
    }
    std::int64_t bounds[3] = {0, 0, 1};
    const std::size_t n = ra->items.size();
    if (n == 0 || n > 3) return;  // raises
    bool huge = false;
    for (std::size_t i = 0; i < n; ++i) {
      auto b = load_time_number(*g_, ra->items[i]);
      if (b.is == Is::not_integer) return;  // raises
      if (b.is == Is::unknown) {
        unknown = true;
        return;
      }
      if (b.value > static_cast<std::uint64_t>(INT64_MAX)) {
        if (b.negative) return;  // below -2**63: not a size the scan follows
        huge = true;
        continue;
      }
      bounds[n == 1 ? 1 : i] = b.negative ? -static_cast<std::int64_t>(b.value) : static_cast<std::int64_t>(b.value);
    }
    const std::int64_t count = huge ? INT64_MAX : range_length(bounds[0], bounds[1], bounds[2]);
    if (count <= 0) return;
    // A list holds a pointer per element, at the least; each int is an object of its own.
    asked = static_cast<std::uint64_t>(count) > UINT64_MAX / 8 ? UINT64_MAX : static_cast<std::uint64_t>(count) * 8;
    what = huge ? std::string("a range beyond 2**63 items") : "a range of " + std::to_string(count) + " items";
  }
  // An object of a class needs_state() names: the class called, or the class a __newobj__-like
  // helper (copyreg, sklearn's newObj) makes an instance of.
  void note_stateful_object(const CallTarget& called, const Value& callable, const Value& args, const Value& result) {
    if (!result.has_node()) return;
    const Node* a = node_of(args);
    const bool of_first = called.makes_instance_of_first_argument || called.name.ends_with(".newObj");
    std::string cls;
    if (!of_first) {
      if (called.name.empty()) return;
      auto [it, fresh] = stateful_class_.try_emplace(called.name);
      if (fresh) {
        std::string c = defining_class(*g_, callable);
        if (needs_state(c)) it->second = std::move(c);
      }
      cls = it->second;
    } else if (a && !a->items.empty() && a->items[0].kind == Kind::global) {
      cls = defining_class(*g_, a->items[0]);
      if (!needs_state(cls)) cls.clear();
    }
    if (!cls.empty()) stateful_objects_.push_back({result, std::move(cls)});
  }
  void check_final_states();
  // The allowlisted ufuncs take one input; a second positional argument or a keyword (out=) is
  // where numpy writes the result, into an object the pickle built earlier.
  void check_ufunc_arguments(const std::string& ufunc, const Value& args, const Value* kwargs) {
    const Node* a = node_of(args);
    const std::size_t count = a ? a->items.size() : args.len;  // a tuple of scalars may have no node
    const bool extra = count > 1 || args.kind != Kind::tuple || kwargs != nullptr;
    if (extra)
      add("MG-PICKLE-INPLACE-WRITE",
          "calls the ufunc " + ufunc + " with " + g_->describe(args, 80) +
              (kwargs ? " and keywords" : "") + ": arguments past its input are where it writes its result",
          g_->describe(args, 160));
  }
  // The checks of what one call is given: the torch classes it must not construct, keyword
  // arguments of constructors, the callable a call-through function calls (checked as that call
  // itself), sparse layouts torch validates only inside torch.load, datetime byte states.
  void check_call_arguments(const CallTarget& called, const Value& args, const Value* kwargs, int depth) {
    const Node* a = node_of(args);
    auto arg = [&](std::size_t i) -> const Value* { return a && i < a->items.size() ? &a->items[i] : nullptr; };
    std::string made = called.name;  // the class the call makes an instance of, when it makes one
    if (called.makes_instance_of_first_argument) made = arg(0) ? g_->qualified_name(*arg(0)) : std::string();
    if (is_torch_data_class(made))
      add("MG-PICKLE-TORCH-CONSTRUCTED",
          "constructs " + made + " directly: its constructor takes integers torch uses as C++ pointers "
          "(allocator=, cdata=), and torch's own pickles never call it",
          g_->describe(args, 160));
    const bool keyword_arguments = kwargs != nullptr || called.name == "copyreg.__newobj_ex__";
    if (keyword_arguments && depth == 0)
      add("MG-PICKLE-CONSTRUCT-KEYWORDS",
          "constructs " + (made.empty() ? std::string("an object") : made) +
              " with keyword arguments (NEWOBJ_EX or copyreg.__newobj_ex__), which the scan does not model",
          kwargs ? g_->describe(*kwargs, 160) : g_->describe(args, 160));
    const bool sets_tensor_state = called.name == "torch._tensor._rebuild_from_type_v2" ||
                                   called.name == "torch._utils._rebuild_parameter_with_state";
    if (sets_tensor_state && arg(3) && arg(3)->kind != Kind::none) {
      if (!o_.retain_data) {
        res_.needs_retained_data = true;  // the state's items were not kept
      } else if (auto write = tensor_state_write(*g_, *arg(3))) {
        add("MG-PICKLE-INPLACE-WRITE",
            "gives the rebuilt tensor a state with " + *write +
                ": torch sets every key with setattr, which changes the tensor after it was rebuilt",
            g_->describe(*arg(3), 160));
      }
    }
    if (calls_its_first_argument(called.name)) {
      const Value* func = arg(0);
      std::string inner = func ? g_->qualified_name(*func) : std::string();
      const Value* inner_args = arg(2);
      if (calls_its_first_argument(inner) && inner_args && depth < 8) {
        check_call_arguments(make_call_target(inner), *inner_args, nullptr, depth + 1);
      } else if (!is_torch_rebuild_function(inner) || inner_args == nullptr) {
        add("MG-PICKLE-CALL-THROUGH",
            called.name + " calls " + (inner.empty() ? std::string("a value built at load time") : inner) +
                " with arguments from the file; torch writes only its torch._utils._rebuild_* functions there",
            g_->describe(args, 160));
      } else {
        check_call_arguments(make_call_target(inner), *inner_args, nullptr, depth + 1);
      }
    }
    if (const char* ctor = numpy_random_ctor(called.name)) {
      // __randomstate_ctor(name, bit_generator_ctor) returns RandomState(bit_generator_ctor(name));
      // __bit_generator_ctor(cls) returns cls() when given a class (numpy 2).
      std::string second = arg(1) ? g_->qualified_name(*arg(1)) : "numpy.random._pickle.__bit_generator_ctor";
      std::string first = arg(0) ? g_->qualified_name(*arg(0)) : std::string();
      if (second != "numpy.random._pickle.__bit_generator_ctor" || (!first.empty() && !first.starts_with("numpy.random.")))
        add("MG-PICKLE-CALL-THROUGH",
            called.name + " calls " + (second != "numpy.random._pickle.__bit_generator_ctor" ? second : first) +
                "; numpy writes only a bit generator's name or class and its own __bit_generator_ctor there (" + ctor + ")",
            g_->describe(args, 160));
    }
    if (!o_.loader_has_persistent_load && arg(0) && is_unvalidated_sparse_rebuild(called.name, layout_name(*arg(0))))
      add("MG-PICKLE-TORCH-SPARSE-UNCHECKED",
          "rebuilds a sparse torch tensor outside torch.load: only torch.load checks its indices, "
          "pickle.load and joblib.load hand it over unchecked",
          g_->describe(args, 160));
    // The datetime class whose __new__ gets the arguments, and where its first argument is:
    // cls(state), copyreg.__newobj__(cls, state), copyreg._reconstructor(cls, base, state).
    std::string date_class = called.name;
    std::size_t state_at = 0;
    if (called.name == "copyreg._reconstructor" || called.name == "copy_reg._reconstructor") {
      date_class = arg(1) ? g_->qualified_name(*arg(1)) : std::string();
      state_at = 2;
    } else if (called.makes_instance_of_first_argument) {
      date_class = made;
      state_at = 1;
    }
    if (std::size_t size = datetime_state_size(date_class); size != 0 && arg(state_at))
      check_datetime_state(date_class, *arg(state_at), size);
  }
  static const char* numpy_random_ctor(const std::string& name) {
    if (name == "numpy.random._pickle.__generator_ctor") return "Generator";
    if (name == "numpy.random._pickle.__randomstate_ctor") return "RandomState";
    if (name == "numpy.random._pickle.__bit_generator_ctor") return "BitGenerator";
    return nullptr;
  }
  // A torch layout argument: the global torch.sparse_coo, or torch.serialization._get_layout("torch.sparse_coo").
  std::string layout_name(const Value& v) {
    std::string name = g_->qualified_name(v);
    if (!name.empty()) return name;
    const Node* n = node_of(v);
    if (n && n->kind == Kind::call && n->items.size() >= 2 &&
        g_->qualified_name(n->items[0]) == "torch.serialization._get_layout") {
      const Node* a = node_of(n->items[1]);
      if (a && !a->items.empty() && a->items[0].kind == Kind::string) return std::string(g_->text_of(a->items[0]));
    }
    return {};
  }
  // datetime.date/datetime/time called with one string or bytes argument of a byte state's size
  // take it as their state (CPython checks only the month or the hour).
  void check_datetime_state(const std::string& cls, const Value& state, std::size_t size) {
    if (state.kind != Kind::bytes && state.kind != Kind::string && state.kind != Kind::bytearray) {
      if (state.kind != Kind::call && state.kind != Kind::attribute && state.kind != Kind::persistent) return;
      // Protocols 0 to 2 write the bytes as _codecs.encode(str, 'latin1'): recovered and checked.
      RecoveryWork work{1024};
      std::optional<std::string> recovered = recover_bytes(state, work);
      if (!recovered) {
        add("MG-PICKLE-DATETIME-STATE", "gives " + cls + " an argument made at load time, which may be a byte state",
            g_->describe(state, 160));
      } else if (recovered->size() == size) {
        if (auto problem = datetime_state_problem(cls, *recovered))
          add("MG-PICKLE-DATETIME-STATE",
              "gives " + cls + " a byte state CPython takes unchecked: " + *problem +
                  "; its methods (ctime(), weekday()) index their tables with it",
              g_->describe(state, 160));
      }
      return;
    }
    if (state.kind == Kind::bytearray) return;  // CPython takes only bytes and str as a state
    std::optional<std::string> bytes = std::string(g_->text_of(state));
    if (state.kind == Kind::string) {
      if ((state.flags & Value::kFrom8bit) != 0) {
        // Decoded by the loader's encoding: checked as latin-1 (what any non-ASCII byte becomes with
        // encoding="latin1"); with "bytes" it is a bytes state with the same bytes.
      } else {
        bytes = utf8_to_latin1(*bytes);
        if (!bytes) return;  // not latin-1: CPython raises
      }
    }
    if (bytes->size() != size) return;  // the ordinary constructor: it checks its arguments
    if (auto problem = datetime_state_problem(cls, *bytes))
      add("MG-PICKLE-DATETIME-STATE",
          "gives " + cls + " a byte state CPython takes unchecked: " + *problem +
              "; its methods (ctime(), weekday()) index their tables with it",
          g_->describe(state, 160));
  }
  // An imported callable's target is kept with its node, which every call of it shares.
  CallTarget& target_of(const Value& callable) {
    const Node* n = node_of(callable);
    if (n == nullptr || n->kind != Kind::global || !o_.plain_path) {  // the reference run works it out every time
      scratch_target_ = make_call_target(call_target(callable));
      scratch_target_.reference_only = reference_only(target_global(callable));
      return scratch_target_;
    }
    auto [it, fresh] = import_targets_.try_emplace(static_cast<std::uint32_t>(callable.u));
    if (fresh) {
      it->second = make_call_target(qualname(n->module(), n->name()));
      it->second.reference_only = reference_only(n);
    }
    return it->second;
  }

  // Follows the few callables whose effect on later opcodes matters for naming targets.
  void apply_known_semantics(const CallTarget& target, const Value& args, Value& result) {
    const Node* a = node_of(args);
    auto arg = [&](std::size_t i) -> const Value* { return a && i < a->items.size() ? &a->items[i] : nullptr; };
    auto arg_text = [&](std::size_t i) -> std::optional<std::string> {
      const Value* v = arg(i);
      if (v && v->kind == Kind::string && !name_limit_hit_ && charge_name(0, g_->text_of(*v).size())) return text(*v);
      return std::nullopt;
    };
    switch (target.known) {
      case KnownCall::none: break;
      case KnownCall::getattr:
        if (arg(0) && arg_text(1)) result = get_attribute(*arg(0), *arg_text(1));
        break;
      case KnownCall::import_top_level:
      case KnownCall::import_module:
        if (auto m = arg_text(0)) {
          std::string module = *m;
          if (target.known == KnownCall::import_top_level) module = module.substr(0, module.find('.'));
          result = module_value(module);
        }
        break;
      case KnownCall::getitem: {
        const Value* base = arg(0);
        const Node* bn = base ? node_of(*base) : nullptr;
        if (bn && bn->kind == Kind::global && qualname(bn->module(), bn->name()) == "sys.modules" && arg_text(1))
          result = module_value(*arg_text(1));
        break;
      }
      case KnownCall::attrgetter:
        if (auto p = arg_text(0)) set_role(result, "attrgetter:" + *p);
        break;
      case KnownCall::methodcaller:
        if (auto p = arg_text(0)) set_role(result, "methodcaller:" + *p);
        break;
      case KnownCall::partial: set_role(result, "partial"); break;
      case KnownCall::add_extension: {
        const Value* code = arg(2);
        if (arg_text(0) && arg_text(1) && code && code->kind == Kind::integer)
          extensions_[code->i] = {*arg_text(0), *arg_text(1)};
        break;
      }
    }
    // Calling an attrgetter result looks the attribute up on the argument.
    const Node* call = node_of(result);
    const Node* callee = call && call->kind == Kind::call && !call->items.empty() ? node_of(call->items[0]) : nullptr;
    if (callee && callee->kind == Kind::call && callee->text().rfind("attrgetter:", 0) == 0 && arg(0))
      result = get_attribute(*arg(0), callee->text().substr(11));
    if (target.deserializer && o_.analyse) nested_payload(target.name, target.deserializer, arg(0));
  }
  void set_role(const Value& v, std::string role) {
    if (v.has_node()) g_->node(static_cast<std::uint32_t>(v.u)).set_text(std::move(role));
  }

  // A payload is analysed once per stream however often it is passed: the memo lets a few bytes of
  // opcodes pass one large payload again and again. The same bytes of the input are known at once
  // (they cannot change); bytes reached another way are recovered and compared. Recovery that adds
  // no new payload (one passed again, one that cannot be recovered) is wasted work, and the stream
  // may waste at most max_nested_payload bytes of it: past that it is refused and nothing more is
  // recovered.
  void nested_payload(const std::string& target, const char* kind, const Value* data) {
    if (data && (data->flags & Value::kView) &&
        !payload_values_.insert({target, data->kind, data->flags, data->len, data->u}).second)
      return;
    if (recovery_stopped_) return;
    RecoveryWork work{payload_waste_left_ + lim_.max_nested_payload};
    std::optional<std::string> bytes = data ? recover_bytes(*data, work) : std::nullopt;
    auto wasted = [&](std::uint64_t n) {
      if (!work.exhausted && n <= payload_waste_left_) {
        payload_waste_left_ -= n;
        return;
      }
      recovery_stopped_ = true;
      add("MG-LIMIT-EXCEEDED",
          "recovering payloads passed to " + target + " that add nothing new (passed again, or not recoverable) "
          "took more than max_nested_payload (" + std::to_string(lim_.max_nested_payload) +
              " bytes) of work; no further payload of this stream is recovered",
          target);
    };
    const std::size_t hash = bytes ? std::hash<std::string_view>{}(*bytes) : 0;
    if (bytes) {
      for (std::size_t i : payload_hashes_[hash]) {
        const auto& seen = res_.nested[i];
        if (seen.via == target && seen.bytes->bytes().size() == bytes->size() &&
            std::memcmp(bytes->data(), seen.bytes->bytes().data(), bytes->size()) == 0)
          return wasted(work.used);
      }
    }
    if (!bytes) {
      add("MG-PICKLE-NESTED-OPAQUE", "passes data to " + target + " that cannot be recovered statically",
          data ? g_->describe(*data) : std::string("<no argument>"));
      return wasted(work.used);
    }
    add("MG-PICKLE-NESTED-PAYLOAD",
        "passes a " + std::to_string(bytes->size()) + "-byte " + kind + " payload to " + target +
            "; it is analysed as a nested artifact",
        target);
    auto buffer = std::make_shared<UnpackedBuffer>(budget_, "max_nested_payload", lim_.max_nested_payload);
    if (!buffer->append(bytes->data(), bytes->size())) {
      add("MG-LIMIT-EXCEEDED",
          "the " + std::to_string(bytes->size()) + "-byte payload passed to " + target + " is " +
              buffer->exceeded_reason() + "; it is not analysed",
          target);
      return wasted(work.used);
    }
    wasted(work.used - bytes->size());  // the steps before the payload itself
    NestedPayload p;
    p.offset = op_offset_;
    p.via = target;
    p.bytes = std::move(buffer);
    payload_hashes_[hash].push_back(res_.nested.size());
    res_.nested.push_back(std::move(p));
  }

  // The class a call's result is an instance of: the callable, or the class copyreg.__newobj__
  // and copyreg._reconstructor are handed first.
  std::string constructed_class(const Node& call, const CallTarget& made_by) const {
    const Node* args = call.items.size() > 1 ? node_of(call.items[1]) : nullptr;
    if (made_by.makes_instance_of_first_argument && args && !args->items.empty())
      return g_->qualified_name(args->items[0]);
    return g_->qualified_name(call.items[0]);
  }
  // APPEND(S)/SETITEM(S)/ADDITEMS on something that is not the matching builtin container call
  // methods of that object.
  void check_container(const Value& target, Kind expected, const char* method) {
    if (target.kind == expected || !o_.analyse) return;
    const Node* n = node_of(target);
    if (n && n->kind == Kind::call && n->trusted) {
      const CallTarget& made_by = target_of(n->items[0]);
      if (made_by.container == expected) return;  // OrderedDict, Counter, deque
      const std::string cls = constructed_class(*n, made_by);
      if (made_by.makes_instance_of_first_argument && container_kind(cls) == expected) return;  // Bunch
      add("MG-PICKLE-INPLACE-WRITE",
          std::string("calls ") + method + " on " + g_->describe(target, 80) + ", an instance of " + cls +
              " that is not a container writers fill this way: it changes the object after it was built",
          g_->describe(target, 120));
      return;
    }
    add("MG-PICKLE-MUTATE-NONCONTAINER",
        std::string("calls ") + method + " on " + g_->describe(target, 80) + ", which is not a builtin container",
        g_->describe(target, 120));
  }
  // Moves the items above `pos` into the container just below them (kept only when retaining).
  // A call's contents go after its fixed slots [callable, args, kwargs, state] (padded with None),
  // so that an OrderedDict's first key/value pair cannot be taken for kwargs and BUILD state.
  void add_items(std::size_t pos) {
    const Value& target = stack_[pos - 1];
    if (!numpy_kept_.empty() && target.has_node() && numpy_kept_.contains(static_cast<std::uint32_t>(target.u)))
      add("MG-PICKLE-NUMPY-DTYPE-FLAGS",
          "changes the fields of a numpy.dtype after the dtype took them: numpy keeps the dict, so the "
          "dtype's layout changes without any check",
          g_->describe(target, 160));
    if (o_.retain_data && target.has_node()) {
      Node& t = g_->node(static_cast<std::uint32_t>(target.u));
      if (t.kind == Kind::call)
        while (t.items.size() < 4) t.items.push_back(Value{});
      t.items.append(stack_.begin() + pos, stack_.end());
    }
    stack_.resize(pos);
  }

  // ---------------------------------------------------------------- the loop
  [[gnu::noinline]] void run_plain();
  bool loop();
  bool step();
  bool op_text_int(bool is_long);
  bool op_float();
  bool op_string();
  bool op_counted_bytes(Kind kind, int width, bool is_unicode);
  bool op_global_line(bool inst);
  bool op_build();
  void check_numpy_state(const Value& object, const Value& state);
  void check_index_state(const Node& object, const Value& state);
  void note_estimator_state(const Node& object, const Value& state);
  void check_stored_callables();
  void check_slot_state(const Value& state);
  // A memo GET or DUP references a value again: a numpy object not yet built is then used first.
  Value note_reference(Value v) {
    if (v.has_node() && v.kind == Kind::call) {
      Node& n = g_->node(static_cast<std::uint32_t>(v.u));
      if (n.numpy != NumpyObject::none && !n.built) n.used_before_build = true;
    }
    return v;
  }
  bool op_ext(int width);

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_;
  std::string origin_;
  const MachineOptions& o_;
  const Limits& lim_;
  const bool plain_path_;  // off when retaining data (the plain path keeps nothing) and for reference runs
  StreamResult res_;
  ValueGraph* g_ = nullptr;
  ValueStack stack_;
  std::shared_ptr<UnpackBudget> budget_;  // charged with nested payloads
  MarkStack marks_;
  Memo memo_;
  int proto_ = 0;
  std::uint16_t op_ = 0;  // not a character type: see Kind
  std::size_t op_offset_ = 0;
  std::size_t frame_end_ = SIZE_MAX;
  // The input before released_ has been handed back (MachineOptions::input_owner); the next
  // release is due when pos_ reaches release_at_.
  static constexpr std::size_t kReleaseStep = 8u << 20;
  std::size_t released_ = 0;
  std::size_t release_at_ = SIZE_MAX;
  void release_read_input() {
    o_.input_owner->release(ByteView(data_ + released_, pos_ - released_));
    released_ = pos_;
    release_at_ = pos_ + kReleaseStep;
  }
  bool node_limit_hit_ = false;
  bool name_limit_hit_ = false;   // charge_name() refused a name: the run stops
  std::uint64_t name_bytes_ = 0;  // charged by charge_name()
  std::unordered_map<std::int64_t, std::pair<std::string, std::string>> extensions_;
  std::unordered_map<std::uint32_t, CallTarget> import_targets_;  // by the import's node
  CallTarget scratch_target_;
  std::map<std::string, std::uint64_t> call_counts_;  // calls not counted with their import's target
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> dedupe_;
  std::unordered_set<std::uint32_t> numpy_kept_;  // containers a numpy object keeps a reference to
  // Objects of classes whose compiled code reads arrays only a state gives them (made at a call),
  // and the states BUILD checked: at STOP, the unbuilt ones and the final values are checked.
  struct StatefulObject {
    Value object;
    std::string cls;
  };
  struct CheckedState {
    std::uint32_t node;
    Value state;
    std::string cls;
  };
  std::vector<StatefulObject> stateful_objects_;
  std::vector<CheckedState> checked_states_;
  std::vector<CheckedState> estimator_states_;  // sklearn objects' states: their stored callables
  std::unordered_map<std::string, std::string> stateful_class_;  // call target -> class, "" when none
  std::uint64_t numpy_fields_left_ = 1'000'000;    // dtype fields all BUILDs of the stream may check
  // Nested payloads already analysed: by the input bytes passed, and by a hash of the recovered
  // bytes (indices into res_.nested).
  std::set<std::tuple<std::string, Kind, std::uint16_t, std::uint32_t, std::uint64_t>> payload_values_;
  std::unordered_map<std::size_t, std::vector<std::size_t>> payload_hashes_;
  std::uint64_t payload_waste_left_ = lim_.max_nested_payload;  // see nested_payload()
  bool recovery_stopped_ = false;
};

// The plain path: the opcodes that make up data-heavy pickles, with the machine's state in locals
// and no calls, for as long as nothing unusual happens. It stops before the first opcode it does
// not handle completely — any other opcode, a read that reaches the end of the data or of the
// current frame, a limit, a stack or memo that would have to grow, a memo miss, a container
// mismatch, non-ASCII text, retained data — writes its state back and leaves that opcode to
// loop(), which handles everything exactly as _pickle.c would. It never reports anything itself.
void Machine::run_plain() {
  if (!plain_path_ || res_.opcodes >= lim_.max_pickle_opcodes || pos_ >= std::min(size_, frame_end_)) return;
  stack_.reserve_ahead(std::min(size_, frame_end_) - pos_);
  const std::uint8_t* const in = data_;
  const std::size_t start = pos_;
  Value* const base = stack_.data();
  Value* top = base + stack_.size();
  // Every opcode takes at least one byte and pushes at most one value, so a run that stays within
  // `end` can neither exceed the opcode limit nor fill the stack: the only check per opcode is
  // that its bytes are below `end`. Reads that end there need no frame check either.
  const std::size_t end = start + static_cast<std::size_t>(std::min<std::uint64_t>(
                                      {std::min(size_, frame_end_) - start, lim_.max_pickle_opcodes - res_.opcodes,
                                       static_cast<std::uint64_t>(stack_.capacity_end() - top)}));
  std::size_t pos = start;
  std::uint64_t opcodes = 0;
  Memo::Plain memo(memo_, lim_.max_pickle_memo);
  std::size_t* const marks = marks_.data();
  std::size_t n_marks = marks_.size();
  const std::size_t mark_room = std::min<std::size_t>(marks_.capacity(), lim_.max_pickle_marks);
  std::size_t fence = n_marks ? marks[n_marks - 1] : 0;
  auto depth = [&]() __attribute__((always_inline)) { return static_cast<std::size_t>(top - base); };
  auto le32 = [&](std::size_t at) __attribute__((always_inline)) {
    std::uint32_t x;
    std::memcpy(&x, in + at, 4);
    return x;
  };

  for (; pos < end; ++opcodes) {
    Value v;
    const std::size_t room = end - pos;  // >= 1: the opcode itself
    switch (in[pos]) {
      case MARK:
        if (n_marks == mark_room) goto stop;
        fence = depth();
        marks[n_marks++] = fence;
        pos += 1;
        continue;
      case BININT1:
        if (room < 2) goto stop;
        v.kind = Kind::integer;
        v.i = in[pos + 1];
        pos += 2;
        break;
      case BININT2: {
        if (room < 3) goto stop;
        std::uint16_t x;
        std::memcpy(&x, in + pos + 1, 2);
        v.kind = Kind::integer;
        v.i = x;
        pos += 3;
        break;
      }
      case BININT:
        if (room < 5) goto stop;
        v.kind = Kind::integer;
        v.i = static_cast<std::int32_t>(le32(pos + 1));
        pos += 5;
        break;
      case BINFLOAT: {
        if (room < 9) goto stop;
        std::uint64_t bits;
        std::memcpy(&bits, in + pos + 1, 8);
        bits = __builtin_bswap64(bits);  // BINFLOAT is big-endian
        v.kind = Kind::floating;
        std::memcpy(&v.f, &bits, 8);
        pos += 9;
        break;
      }
      case NONE: pos += 1; break;
      case NEWTRUE:
      case NEWFALSE:
        v.kind = Kind::boolean;
        v.i = in[pos] == NEWTRUE;
        pos += 1;
        break;
      case EMPTY_LIST: v.kind = Kind::list; pos += 1; break;
      case EMPTY_DICT: v.kind = Kind::dict; pos += 1; break;
      case EMPTY_TUPLE: v.kind = Kind::tuple; pos += 1; break;
      case EMPTY_SET: v.kind = Kind::set; pos += 1; break;
      case SHORT_BINUNICODE:
      case SHORT_BINBYTES:
      case BINUNICODE:
      case BINBYTES: {
        const bool is_short = in[pos] == SHORT_BINUNICODE || in[pos] == SHORT_BINBYTES;
        const std::size_t header = is_short ? 2 : 5;
        if (room < header) goto stop;
        const std::size_t n = is_short ? in[pos + 1] : le32(pos + 1);
        if (n > room - header) goto stop;
        const std::uint8_t* text = in + pos + header;
        if (in[pos] == SHORT_BINUNICODE || in[pos] == BINUNICODE) {
          // ASCII is valid UTF-8; anything else goes to the full check.
          std::uint64_t high = 0;
          std::size_t i = 0;
          for (; i + 8 <= n; i += 8) {
            std::uint64_t w;
            std::memcpy(&w, text + i, 8);
            high |= w;
          }
          for (; i < n; ++i) high |= text[i];
          if (high & 0x8080808080808080ull) goto stop;
          v.kind = Kind::string;
        } else {
          v.kind = Kind::bytes;
        }
        v.flags = Value::kView;
        v.len = static_cast<std::uint32_t>(n);
        v.u = pos + header;
        pos += header + n;
        break;
      }
      case BINGET:
        if (room < 2 || !memo.get(in[pos + 1], v)) goto stop;
        pos += 2;
        break;
      case LONG_BINGET:
        if (room < 5 || !memo.get(le32(pos + 1), v)) goto stop;
        pos += 5;
        break;
      case MEMOIZE:
        if (depth() <= fence || !memo.memoize(top[-1])) goto stop;
        pos += 1;
        continue;
      case BINPUT:
        if (room < 2 || depth() <= fence || !memo.put(in[pos + 1], top[-1])) goto stop;
        pos += 2;
        continue;
      case LONG_BINPUT:
        if (room < 5 || depth() <= fence || !memo.put(le32(pos + 1), top[-1])) goto stop;
        pos += 5;
        continue;
      case APPEND:
      case SETITEM: {
        const std::size_t items = in[pos] == APPEND ? 1 : 2;
        if (depth() - fence < items + 1) goto stop;
        Value* target = top - items - 1;
        if (target->kind != (items == 1 ? Kind::list : Kind::dict)) goto stop;
        top = target + 1;
        pos += 1;
        continue;
      }
      case APPENDS:
      case SETITEMS:
      case ADDITEMS: {
        if (n_marks == 0) goto stop;
        const std::size_t items_at = marks[n_marks - 1];
        const std::size_t outer_fence = n_marks > 1 ? marks[n_marks - 2] : 0;
        if (items_at <= outer_fence || items_at > depth()) goto stop;
        if (items_at < depth()) {
          const Kind expected = in[pos] == APPENDS ? Kind::list : in[pos] == SETITEMS ? Kind::dict : Kind::set;
          if (in[pos] == SETITEMS && (depth() - items_at) % 2) goto stop;
          if (base[items_at - 1].kind != expected) goto stop;
          top = base + items_at;
        }
        --n_marks;
        fence = outer_fence;
        pos += 1;
        continue;
      }
      case TUPLE: {
        if (n_marks == 0) goto stop;
        const std::size_t items_at = marks[n_marks - 1];
        if (items_at > depth()) goto stop;
        for (const Value* item = base + items_at; item != top; ++item)
          if (!is_scalar(item->kind)) goto stop;  // such a tuple becomes a node
        v.kind = Kind::tuple;
        v.len = static_cast<std::uint32_t>(std::min<std::size_t>(depth() - items_at, UINT32_MAX));
        if (std::any_of(base + items_at, top, Value::is_zero)) v.flags = Value::kHasZero;
        top = base + items_at;
        --n_marks;
        fence = n_marks ? marks[n_marks - 1] : 0;
        pos += 1;
        break;
      }
      case TUPLE1:
      case TUPLE2:
      case TUPLE3: {
        const std::size_t n = static_cast<std::size_t>(in[pos] - TUPLE1 + 1);
        if (depth() - fence < n) goto stop;
        for (const Value* item = top - n; item != top; ++item)
          if (!is_scalar(item->kind)) goto stop;  // such a tuple becomes a node
        v.kind = Kind::tuple;
        v.len = static_cast<std::uint32_t>(n);
        if (std::any_of(top - n, top, Value::is_zero)) v.flags = Value::kHasZero;
        top -= n;
        pos += 1;
        break;
      }
      default: goto stop;
    }
    std::memcpy(static_cast<void*>(top), &v, sizeof(Value));
    ++top;
  }
stop:
  memo.finish();
  pos_ = pos;
  res_.opcodes += opcodes;
  stack_.resize(depth());
  marks_.resize(n_marks);
}

// One opcode at a time, whenever the plain path stops. The opcodes of data-heavy pickles are
// handled inline here; the rest in step().
bool Machine::loop() {
  for (;;) {
    if (pos_ < size_ && kPlainOpcodes[data_[pos_]]) run_plain();
    if (pos_ >= release_at_) release_read_input();
    op_offset_ = pos_;
    if (++res_.opcodes > lim_.max_pickle_opcodes) return limit("opcode count", lim_.max_pickle_opcodes);
    std::uint8_t opcode;
    if (!take_le(opcode)) {
      op_ = 0;
      return fail(op_offset_ == res_.start ? "empty stream" : "ran out of input before STOP");
    }
    op_ = opcode;
    Value v;
    switch (op_) {
      case STOP:
        if (above_fence() < 1) return underflow();
        // A container created past the retained-value limit has no node: the data is incomplete.
        if (node_limit_hit_) return limit("retained value count", lim_.max_pickle_nodes);
        res_.root = pop();
        check_final_states();
        if (!stack_.empty() || !marks_.empty())
          divergence("values or MARKs are left on the stack at STOP: the unpicklers ignore them, "
                     "pickletools.dis rejects the stream");
        // Pickler always ends a frame with STOP. Where a loader that reads on (legacy torch.load's
        // five pickles, joblib, a second pickle.load) starts its next read is then the loader's
        // choice: pickle.py has read the whole frame and goes on after it; _pickle.c goes on right
        // after STOP when the frame came from its look-ahead buffer, after the frame when it was
        // too long for that buffer and was read whole.
        if (frame_active() && pos_ < frame_end_)
          divergence("STOP comes " + std::to_string(frame_end_ - pos_) +
                     " bytes before the end of its FRAME: a loader that reads on goes on either right "
                     "after STOP (_pickle.c, a frame within its look-ahead) or after the frame (pickle.py, "
                     "_pickle.c with a longer frame)");
        return true;
      case MARK:
        if (marks_.size() >= lim_.max_pickle_marks) return limit("MARK nesting", lim_.max_pickle_marks);
        marks_.push_back(stack_.size());
        continue;
      case BININT1: {
        std::uint8_t x;
        if (!take_le(x)) return truncated(1);
        v.kind = Kind::integer;
        v.i = x;
        break;
      }
      case BININT2: {
        std::uint16_t x;
        if (!take_le(x)) return truncated(2);
        v.kind = Kind::integer;
        v.i = x;
        break;
      }
      case BININT: {
        std::int32_t x;
        if (!take_le(x)) return truncated(4);
        v.kind = Kind::integer;
        v.i = x;
        break;
      }
      case BINFLOAT: {
        std::uint64_t bits;
        if (!take_le(bits)) return truncated(8);
        bits = __builtin_bswap64(bits);  // BINFLOAT is big-endian
        v.kind = Kind::floating;
        std::memcpy(&v.f, &bits, 8);
        break;
      }
      case NONE: break;
      case NEWTRUE:
      case NEWFALSE:
        v.kind = Kind::boolean;
        v.i = op_ == NEWTRUE;
        break;
      case EMPTY_LIST: v = empty(Kind::list); break;
      case EMPTY_DICT: v = empty(Kind::dict); break;
      case EMPTY_TUPLE: v = empty(Kind::tuple); break;
      case BINGET:
      case LONG_BINGET: {
        std::uint32_t key = 0;
        if (op_ == BINGET) {
          std::uint8_t x;
          if (!take_le(x)) return truncated(1);
          key = x;
        } else if (!take_le(key)) {
          return truncated(4);
        }
        if (!memo_.get(key, v)) return fail("memo value not found at index " + std::to_string(key));
        v = note_reference(v);
        break;
      }
      case MEMOIZE:
      case BINPUT:
      case LONG_BINPUT: {
        std::uint32_t key = 0;
        if (op_ == BINPUT) {
          std::uint8_t x;
          if (!take_le(x)) return truncated(1);
          key = x;
        } else if (op_ == LONG_BINPUT) {
          if (!take_le(key)) return truncated(4);
        }
        if (!memoize(op_ == MEMOIZE ? memo_.size() : key)) return false;
        continue;
      }
      case APPEND:
      case SETITEM: {
        std::size_t items = op_ == APPEND ? 1 : 2;
        if (above_fence() < items + 1) return underflow();
        std::size_t pos = stack_.size() - items;
        if (op_ == APPEND)
          check_container(stack_[pos - 1], Kind::list, "append");
        else
          check_container(stack_[pos - 1], Kind::dict, "__setitem__");
        add_items(pos);
        continue;
      }
      case APPENDS:
      case SETITEMS:
      case ADDITEMS: {
        std::size_t pos;
        if (!pop_mark(pos)) return false;
        if (pos <= fence() || pos > stack_.size()) return underflow();
        if (pos == stack_.size()) continue;  // nothing to add: the target is not touched
        if (op_ == SETITEMS && (stack_.size() - pos) % 2) return fail("odd number of items for SETITEMS");
        Kind expected = op_ == APPENDS ? Kind::list : op_ == SETITEMS ? Kind::dict : Kind::set;
        check_container(stack_[pos - 1], expected, op_ == APPENDS ? "extend" : op_ == SETITEMS ? "__setitem__" : "add");
        add_items(pos);
        continue;
      }
      default:
        if (!step()) return false;
        if (node_limit_hit_) return limit("retained value count", lim_.max_pickle_nodes);
        continue;
    }
    if (!push(v)) return false;
  }
}

bool Machine::step() {
  ByteView b;
  switch (op_) {
    case POP:
      if (!marks_.empty() && marks_.back() == stack_.size()) {
        marks_.pop_back();  // _pickle.c pops the mark when it is on top
        return true;
      }
      if (above_fence() < 1) return underflow();
      stack_.pop_back();
      return true;
    case POP_MARK: {
      std::size_t pos;
      if (!pop_mark(pos)) return false;
      stack_.resize(pos);
      return true;
    }
    case DUP:
      if (above_fence() < 1) return underflow();
      return push(note_reference(stack_.back()));
    case INT: return op_text_int(false);
    case LONG: return op_text_int(true);
    case LONG1:
    case LONG4: {
      std::int64_t n;
      if (op_ == LONG1) {
        std::uint8_t x;
        if (!take_le(x)) return truncated(1);
        n = x;
      } else {
        std::int32_t x;
        if (!take_le(x)) return truncated(4);
        if (x < 0) return fail("LONG pickle has negative byte count");
        n = x;
      }
      if (!take(static_cast<std::size_t>(n), b)) return truncated(static_cast<std::size_t>(n));
      Value v;
      if (n > 8) {
        v.kind = Kind::big_integer;
      } else {
        v.kind = Kind::integer;
        std::uint64_t acc = 0;
        for (std::int64_t i = n - 1; i >= 0; --i) acc = (acc << 8) | b[static_cast<std::size_t>(i)];
        if (n > 0 && n < 8 && (b[static_cast<std::size_t>(n - 1)] & 0x80)) acc |= ~0ull << (8 * n);
        v.i = static_cast<std::int64_t>(acc);
      }
      return push(v);
    }
    case FLOAT: return op_float();
    case STRING: return op_string();
    case BINSTRING: return op_counted_bytes(Kind::string, 4, false);
    case SHORT_BINSTRING: return op_counted_bytes(Kind::string, 1, false);
    case BINBYTES: return op_counted_bytes(Kind::bytes, 4, false);
    case SHORT_BINBYTES: return op_counted_bytes(Kind::bytes, 1, false);
    case BINBYTES8: return op_counted_bytes(Kind::bytes, 8, false);
    case BYTEARRAY8: return op_counted_bytes(Kind::bytearray, 8, false);
    case BINUNICODE: return op_counted_bytes(Kind::string, 4, true);
    case SHORT_BINUNICODE: return op_counted_bytes(Kind::string, 1, true);
    case BINUNICODE8: return op_counted_bytes(Kind::string, 8, true);
    case UNICODE: {
      if (!take_line(b)) return fail("no newline before end of data");
      auto decoded = raw_unicode_escape_to_utf8(as_chars(b));
      if (!decoded) return fail("invalid raw-unicode-escape operand");
      return push(g_->make_owned_text(Kind::string, std::move(*decoded)));
    }
    case NEXT_BUFFER: {
      add("MG-PICKLE-OUT-OF-BAND", "reads an out-of-band buffer supplied by the caller", {});
      Value v;
      v.kind = Kind::buffer;
      return push(v);
    }
    case READONLY_BUFFER: {
      if (above_fence() < 1) return underflow();
      Kind k = stack_.back().kind;
      if (k != Kind::buffer && k != Kind::bytes && k != Kind::bytearray)
        return fail("READONLY_BUFFER on an object that is not a buffer");
      return true;
    }
    case TUPLE1:
    case TUPLE2:
    case TUPLE3: {
      std::size_t n = static_cast<std::size_t>(op_ - TUPLE1 + 1);
      if (above_fence() < n) return underflow();
      return push(collect(Kind::tuple, stack_.size() - n));
    }
    case TUPLE:
    case LIST:
    case FROZENSET: {
      std::size_t pos;
      if (!pop_mark(pos)) return false;
      Kind k = op_ == TUPLE ? Kind::tuple : op_ == LIST ? Kind::list : Kind::frozenset;
      return push(collect(k, pos));
    }
    case DICT: {
      std::size_t pos;
      if (!pop_mark(pos)) return false;
      if ((stack_.size() - pos) % 2) return fail("odd number of items for DICT");
      return push(collect(Kind::dict, pos));
    }
    case EMPTY_SET: return push(empty(Kind::set));
    case GET: {
      if (!take_line(b)) return fail("no newline before end of data");
      IntOperand k = python_int(as_chars(b), 10);
      if (!k.ok || k.big || k.value < 0) return fail("bad memo key '" + std::string(as_chars(b)) + "'");
      Value v;
      if (!memo_.get(static_cast<std::uint64_t>(k.value), v))
        return fail("memo value not found at index " + std::to_string(k.value));
      return push(note_reference(v));
    }
    case PUT: {
      if (!take_line(b)) return fail("no newline before end of data");
      IntOperand k = python_int(as_chars(b), 10);
      if (!k.ok || k.big) return fail("bad memo key '" + std::string(as_chars(b)) + "'");
      if (k.value < 0) return fail("negative PUT argument");
      return memoize(static_cast<std::uint64_t>(k.value));
    }
    case GLOBAL: return op_global_line(false);
    case INST: return op_global_line(true);
    case STACK_GLOBAL: {
      if (above_fence() < 2) return underflow();
      Value name = pop(), module = pop();
      if (name.kind != Kind::string || module.kind != Kind::string) return fail("STACK_GLOBAL requires str");
      for (const Value* part : {&module, &name}) {
        std::string_view t = g_->text_of(*part);
        if ((part->flags & Value::kFrom8bit) &&
            std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
          divergence("STACK_GLOBAL uses a non-ASCII 8-bit string: its name depends on the loader's "
                     "encoding (ASCII fails, UTF-8 and Latin-1 decode it differently)");
      }
      if (!charge_name(g_->text_of(module).size(), g_->text_of(name).size())) return false;
      return push(import_global(text(module), text(name), "STACK_GLOBAL"));
    }
    case EXT1: return op_ext(1);
    case EXT2: return op_ext(2);
    case EXT4: return op_ext(4);
    case REDUCE: {
      if (above_fence() < 2) return underflow();
      Value args = pop();
      Value callable = pop();
      if (args.kind != Kind::tuple && args.kind != Kind::call && args.kind != Kind::attribute &&
          args.kind != Kind::global && args.kind != Kind::persistent)
        return fail("REDUCE arguments are not a tuple");
      Value result;
      if (!invoke(callable, args, nullptr, CallHow::reduce, result)) return false;
      return push(result);
    }
    case NEWOBJ:
    case NEWOBJ_EX: {
      std::size_t need = op_ == NEWOBJ ? 2 : 3;
      if (above_fence() < need) return underflow();
      Value kwargs;
      if (op_ == NEWOBJ_EX) kwargs = pop();
      Value args = pop();
      Value cls = pop();
      if (args.kind != Kind::tuple) return fail(std::string(op_name(op_)) + " expected an arg tuple");
      if (op_ == NEWOBJ_EX && kwargs.kind != Kind::dict) return fail("NEWOBJ_EX expected a dict of keyword arguments");
      Value result;
      if (!invoke(cls, args, op_ == NEWOBJ_EX ? &kwargs : nullptr,
                  op_ == NEWOBJ ? CallHow::newobj : CallHow::newobj_ex, result))
        return false;
      return push(result);
    }
    case OBJ: {
      std::size_t pos;
      if (!pop_mark(pos)) return false;
      if (stack_.size() - pos < 1) return underflow();
      Value cls = stack_[pos];
      Value args = collect(Kind::tuple, pos + 1);
      stack_.pop_back();
      Value result;
      if (!invoke(cls, args, nullptr, CallHow::obj, result)) return false;
      return push(result);
    }
    case BUILD: return op_build();
    case PERSID:
    case BINPERSID: {
      Value pid;
      if (op_ == PERSID) {
        if (!take_line(b)) return fail("no newline before end of data");
        std::string_view s = as_chars(b);
        if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
          return fail("persistent IDs in protocol 0 must be ASCII strings");
        pid = g_->make_owned_text(Kind::string, std::string(s));
      } else {
        if (above_fence() < 1) return underflow();
        pid = pop();
      }
      if (!o_.loader_has_persistent_load)
        add("MG-PICKLE-PERSISTENT-ID",
            "references a persistent id; pickle.load without persistent_load rejects the stream here",
            g_->describe(pid, 120));
      res_.persistent_ids.push_back(pid);
      Node n;
      n.items.push_back(pid);
      return push(node_value(Kind::persistent, std::move(n)));
    }
    case PROTO: {
      std::uint8_t p;
      if (!take_le(p)) return truncated(1);
      if (p > kHighestProtocol) return fail("unsupported pickle protocol: " + std::to_string(p));
      proto_ = p;
      res_.protocol = std::max<int>(res_.protocol, p);
      return true;
    }
    case FRAME: {
      std::uint64_t len;
      if (!take_le(len)) return truncated(8);
      if (frame_active() && pos_ < frame_end_)
        divergence("FRAME starts before the previous frame ends: pickle.py raises 'beginning of a new "
                   "frame before end of current frame', _pickle.c continues");
      if (len > remaining())
        divergence("FRAME announces " + std::to_string(len) + " bytes but only " + std::to_string(remaining()) +
                   " remain: _pickle.c fails here, pickle.py reads on until the data runs out");
      frame_end_ = len > remaining() ? size_ : pos_ + static_cast<std::size_t>(len);
      return true;
    }
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", op_);
      return fail(std::string("invalid load key ") + buf + " (not an opcode)");
    }
  }
}

bool Machine::op_text_int(bool is_long) {
  ByteView b;
  if (!take_line(b)) return fail("no newline before end of data");
  std::string_view s = as_chars(b);
  if (s.empty()) return fail("empty operand");
  IntOperand c = is_long ? long_operand_loader(s) : int_operand_c(s);
  IntOperand py = is_long ? long_operand_loader(s) : int_operand_py(s);
  IntOperand tools = is_long ? long_operand_pickletools(s) : int_operand_pickletools(s);
  auto same = [](const IntOperand& a, const IntOperand& b) {
    return a.ok == b.ok && (!a.ok || (a.big == b.big && a.is_bool == b.is_bool && (a.big || a.value == b.value)));
  };
  if (!same(c, py) || !same(c, tools))
    divergence(std::string(is_long ? "LONG" : "INT") + " operand '" + std::string(s) + "' is read as " +
               (c.ok ? (c.big ? "a big int" : std::to_string(c.value)) : "an error") + " by _pickle.c, " +
               (py.ok ? (py.big ? "a big int" : std::to_string(py.value)) : "an error") + " by pickle.py and " +
               (tools.ok ? (tools.big ? "a big int" : std::to_string(tools.value)) : "an error") + " by pickletools");
  const IntOperand& v = c.ok ? c : py;
  if (!v.ok) return fail("could not convert '" + std::string(s) + "' to int");
  Value out;
  out.kind = v.big ? Kind::big_integer : v.is_bool ? Kind::boolean : Kind::integer;
  out.i = v.value;
  return push(out);
}

bool Machine::op_float() {
  ByteView b;
  if (!take_line(b)) return fail("no newline before end of data");
  std::string_view s = as_chars(b);
  auto c = float_operand_c(s);
  auto py = float_operand_py(s);
  if (c.has_value() != py.has_value())
    divergence("FLOAT operand '" + std::string(s) + "' is accepted by " + (c ? "_pickle.c" : "pickle.py and pickletools") +
               " only");
  if (!c && !py) return fail("could not convert string to float: '" + std::string(s) + "'");
  Value v;
  v.kind = Kind::floating;
  v.f = c ? *c : *py;
  return push(v);
}

bool Machine::op_string() {
  ByteView b;
  if (!take_line(b)) return fail("no newline before end of data");
  std::string_view s = as_chars(b);
  auto c = string_operand_c(s);
  auto tools = string_operand_pickletools(s);
  if (c.has_value() != tools.has_value())
    divergence("STRING operand is accepted by " + std::string(c ? "_pickle.c" : "pickletools") + " only");
  if (!c) return fail("the STRING opcode argument must be quoted and validly escaped");
  return push(g_->make_owned_text(Kind::string, std::move(*c), Value::kFrom8bit));
}

bool Machine::op_counted_bytes(Kind kind, int width, bool is_unicode) {
  std::uint64_t n;
  if (width == 1) {
    std::uint8_t x;
    if (!take_le(x)) return truncated(1);
    n = x;
  } else if (width == 4) {
    std::uint32_t x;
    if (!take_le(x)) return truncated(4);
    n = x;
    if (op_ == BINSTRING && x > 0x7fffffffu)
      divergence("BINSTRING length " + std::to_string(x) + " is negative for pickle.py and pickletools");
  } else {
    if (!take_le(n)) return truncated(8);
  }
  if (n > remaining()) return truncated(static_cast<std::size_t>(std::min<std::uint64_t>(n, SIZE_MAX)));
  if (n > UINT32_MAX) return limit("single string length", UINT32_MAX);
  std::size_t offset = pos_;
  ByteView data;
  take(static_cast<std::size_t>(n), data);
  if (is_unicode && !is_utf8(as_chars(data), true))
    return fail("invalid UTF-8 in " + std::string(op_name(op_)) + " operand");
  Value v = ValueGraph::make_view(kind, offset, static_cast<std::size_t>(n));
  if (!is_unicode && kind == Kind::string) v.flags = static_cast<std::uint16_t>(v.flags | Value::kFrom8bit);
  return push(v);
}

bool Machine::op_global_line(bool inst) {
  std::size_t mark_pos = 0;
  // _pickle.c looks for the MARK before reading the names; pickle.py imports first.
  bool have_mark = !inst || !marks_.empty();
  if (inst && have_mark) {
    mark_pos = marks_.back();
    marks_.pop_back();
  }
  ByteView mod, name;
  if (!take_line(mod) || !take_line(name)) return fail("no newline before end of data");
  if (!charge_name(mod.size(), name.size())) return false;
  std::string m(as_chars(mod)), n(as_chars(name));
  if (!is_utf8(m) || !is_utf8(n)) return fail("global name is not valid UTF-8");
  Value cls = import_global(m, n, inst ? "INST" : "GLOBAL");
  if (!inst) return push(cls);
  if (!have_mark) return fail("could not find MARK");
  Value args = collect(Kind::tuple, mark_pos);
  Value result;
  if (!invoke(cls, args, nullptr, CallHow::inst, result)) return false;
  return push(result);
}

bool Machine::op_build() {
  if (above_fence() < 2) return underflow();
  Value state = pop();
  const Value& inst = stack_.back();
  const Node* n = node_of(inst);
  if (n && n->kind == Kind::global) {
    add("MG-PICKLE-BUILD-GLOBAL",
        "BUILD assigns state to " + qualname(n->module(), n->name()) + " itself, not to an instance",
        g_->describe(inst) + " <- " + g_->describe(state, 160));
  }
  if (n && n->kind == Kind::call && n->built && o_.analyse)
    add("MG-PICKLE-INPLACE-WRITE",
        "BUILD gives " + g_->describe(inst, 80) + " state a second time: the loader replaces the state the object "
        "was built and checked with",
        g_->describe(state, 160));
  if (n && n->kind == Kind::call && n->numpy != NumpyObject::none) check_numpy_state(inst, state);
  if (n && n->kind == Kind::call && n->trusted) check_index_state(*n, state);
  if (n && n->kind == Kind::call && n->trusted && o_.analyse) note_estimator_state(*n, state);
  check_slot_state(state);
  if (n && n->kind == Kind::call) g_->node(static_cast<std::uint32_t>(inst.u)).built = true;
  if (o_.retain_data && inst.has_node()) {
    Node& target = g_->node(static_cast<std::uint32_t>(inst.u));
    if (target.kind == Kind::call) {
      while (target.items.size() < 4) target.items.push_back(Value{});
      if (target.items[3].kind == Kind::none) target.items[3] = state;  // the first BUILD's state
    }
  }
  if (o_.after_build) {
    if (auto next = o_.after_build(*g_, stack_.back(), state, pos_)) {
      if (*next < pos_ || *next > size_)
        return fail("data the loader reads after BUILD runs past the end of the input");
      // joblib's unpickler is pickle.py's, which has read the whole current frame: it reads the
      // raw data from after the frame and then goes on with the frame's remaining opcodes. Its
      // writer ends the frame at BUILD, so data right after BUILD inside a frame is not its file.
      if (*next > pos_ && frame_active() && pos_ < frame_end_)
        return fail("BUILD is followed by " + std::to_string(frame_end_ - pos_) +
                    " more bytes of its FRAME: the loader reads the data it takes after BUILD from the "
                    "end of the frame, not from right after BUILD");
      pos_ = *next;
    }
  }
  return true;
}

void Machine::check_numpy_state(const Value& object, const Value& state) {
  Node& target = g_->node(static_cast<std::uint32_t>(object.u));
  NumpyStateCheck c = check_numpy_build_state(*g_, target, state, o_.retain_data, numpy_fields_left_);
  target.built = true;
  if (c.needs_retained_data) res_.needs_retained_data = true;
  if (c.problems.empty() && c.kept_by_numpy.empty()) return;
  const std::string evidence = g_->describe(state, 160);
  for (auto& p : c.problems) add(p.rule, std::move(p.message), evidence);
  numpy_kept_.insert(c.kept_by_numpy.begin(), c.kept_by_numpy.end());
}

void Machine::check_index_state(const Node& object, const Value& state) {
  // The class is the callable (Tree(...)) or, for newObj(KDTree) and copyreg.__newobj__(csr_matrix),
  // the first argument.
  std::string cls = defining_class(*g_, object.items[0]);
  if (!has_unchecked_index_state(cls)) {
    const Node* args = object.items.size() > 1 ? node_of(object.items[1]) : nullptr;
    if (!args || args->items.empty() || args->items[0].kind != Kind::global) return;
    cls = defining_class(*g_, args->items[0]);
    if (!has_unchecked_index_state(cls)) return;
  }
  if (!o_.retain_data) {
    res_.needs_retained_data = true;  // the state's containers and arrays were not kept
    return;
  }
  IndexStateCheck c = pickle::check_index_state(*g_, cls, object, state, o_.array_bytes);
  if (c.outcome == IndexStateCheck::Outcome::valid && &object == node_of(stack_.back()))
    checked_states_.push_back({static_cast<std::uint32_t>(stack_.back().u), state, cls});
  if (c.outcome == IndexStateCheck::Outcome::out_of_range)
    add("MG-PICKLE-INDEX-OUT-OF-RANGE",
        "gives " + cls + " an index its compiled code follows without bounds checks: " + c.reason,
        g_->describe(state, 160));
  else if (c.outcome == IndexStateCheck::Outcome::unchecked)
    add("MG-PICKLE-STATE-UNCHECKED",
        "gives " + cls + " a state whose index arrays its compiled code follows without bounds checks, "
        "and " + c.reason,
        g_->describe(state, 160));
}

// A check at BUILD reads the values it is given then; the loaded object keeps some of them by
// reference (the list of a boosting model's predictors, the dtype under a matrix's indices), and
// later opcodes may still change those. So every state BUILD passed is checked again over the
// final values, and an object no BUILD gave a state is checked as its constructor left it.
// sklearn objects are BUILT with their parameters; the callables among them are checked at STOP,
// over the final values (kw_args may be filled after BUILD).
void Machine::note_estimator_state(const Node& object, const Value& state) {
  std::string cls = defining_class(*g_, object.items[0]);
  if (!cls.starts_with("sklearn.")) {  // copyreg._reconstructor(cls, ...), __newobj__(cls)
    const Node* args = object.items.size() > 1 ? node_of(object.items[1]) : nullptr;
    if (!args || args->items.empty() || args->items[0].kind != Kind::global) return;
    cls = defining_class(*g_, args->items[0]);
    if (!cls.starts_with("sklearn.")) return;
  }
  if (!o_.retain_data) {
    res_.needs_retained_data = true;  // the state's containers were not kept
    return;
  }
  if (&object == node_of(stack_.back()))
    estimator_states_.push_back({static_cast<std::uint32_t>(stack_.back().u), state, std::move(cls)});
}

// Containers and objects searched for stored callables, in all of one stream's sklearn states.
constexpr std::size_t kStoredCallableSearch = 4'000'000;

void Machine::check_stored_callables() {
  // Shared by every object searched: an object graph the states share is walked once per object.
  std::size_t budget = kStoredCallableSearch;
  for (const CheckedState& s : estimator_states_) {
    auto found = find_stored_callable(*g_, s.cls, s.state, [&](const Node& global) { return reference_only(&global); },
                                      budget);
    if (!found) continue;
    if (found->global == nullptr) {
      add("MG-LIMIT-EXCEEDED",
          "the sklearn objects' states hold more than " + std::to_string(kStoredCallableSearch) +
              " containers and objects; the callables beyond " + s.cls + " " + found->where + " were not checked",
          g_->describe(s.state, 160));
      return;
    }
    const std::string name = qualname(found->global->module(), found->global->name());
    add("MG-PICKLE-CALL-REFERENCE-ONLY",
        "gives " + s.cls + " the callable " + name + " in " + found->where + ", which the estimator calls after "
        "load with arguments partly from the file: the profile admits it by a wildcard, to be referenced only; only "
        "the callables it lists by exact name may run",
        g_->describe(s.state, 160));
  }
}

void Machine::check_final_states() {
  if (!o_.analyse) return;
  if (o_.retain_data) check_stored_callables();
  const bool unbuilt = std::any_of(stateful_objects_.begin(), stateful_objects_.end(),
                                   [&](const StatefulObject& o) { return !node_of(o.object)->built; });
  if (!o_.retain_data) {
    if (unbuilt) res_.needs_retained_data = true;
    return;
  }
  for (const StatefulObject& o : stateful_objects_) {
    const Node& n = *node_of(o.object);
    if (n.built) continue;
    IndexStateCheck c = check_unbuilt_object(*g_, o.cls, n, o_.array_bytes);
    const std::string evidence = g_->describe(o.object, 160);
    if (c.outcome == IndexStateCheck::Outcome::out_of_range)
      add("MG-PICKLE-INDEX-OUT-OF-RANGE",
          "makes " + o.cls + " with an index its compiled code follows without bounds checks: " + c.reason, evidence);
    else if (c.outcome == IndexStateCheck::Outcome::unchecked)
      add("MG-PICKLE-STATE-UNCHECKED",
          "makes " + o.cls + ", whose compiled code follows index arrays without bounds checks, and " + c.reason,
          evidence);
  }
  for (const CheckedState& s : checked_states_) {
    IndexStateCheck c = pickle::check_index_state(*g_, s.cls, g_->node(s.node), s.state, o_.array_bytes);
    if (c.outcome == IndexStateCheck::Outcome::valid) continue;
    std::string message = "gives " + s.cls + " a state that its check passed at BUILD, and later opcodes change "
                          "what it holds (a container it keeps, a dtype under its arrays): " + c.reason;
    if (c.outcome == IndexStateCheck::Outcome::out_of_range)
      add("MG-PICKLE-INDEX-OUT-OF-RANGE", std::move(message), g_->describe(s.state, 160));
    else
      add("MG-PICKLE-STATE-UNCHECKED", std::move(message), g_->describe(s.state, 160));
  }
}

// pickle's BUILD setattr()s the second item of a (state, slotstate) tuple key by key: `__class__`
// there turns the object into an instance of any class (a loader that tests isinstance() after
// BUILD, as joblib does for its array wrapper, then reads the file differently).
void Machine::check_slot_state(const Value& state) {
  const Node* st = node_of(state);
  if (!st || st->kind != Kind::tuple || st->items.size() != 2) return;
  const Value& slots = st->items[1];
  const Node* sn = node_of(slots);
  if (!sn) {
    if (slots.kind == Kind::dict && !o_.retain_data) res_.needs_retained_data = true;  // its items were not kept
    return;
  }
  if (sn->kind != Kind::dict) {
    add("MG-PICKLE-BUILD-SETATTR", "BUILD sets attributes from " + g_->describe(slots, 80) +
        ", whose names the pickle does not spell out", g_->describe(state, 160));
    return;
  }
  for (std::size_t k = 0; k + 1 < sn->items.size(); k += 2) {
    const Value& key = sn->items[k];
    const std::string_view name = key.kind == Kind::string ? g_->text_of(key) : std::string_view{};
    if (key.kind != Kind::string || (name.size() > 4 && name.starts_with("__") && name.ends_with("__")))
      add("MG-PICKLE-BUILD-SETATTR",
          "BUILD sets the attribute " + g_->describe(key, 60) + " with setattr, which can change what the "
          "object is (its class) or run a property's code",
          g_->describe(state, 160));
  }
}

bool Machine::op_ext(int width) {
  std::int64_t code;
  if (width == 1) {
    std::uint8_t x;
    if (!take_le(x)) return truncated(1);
    code = x;
  } else if (width == 2) {
    std::uint16_t x;
    if (!take_le(x)) return truncated(2);
    code = x;
  } else {
    std::int32_t x;
    if (!take_le(x)) return truncated(4);
    code = x;
  }
  if (code <= 0) return fail("EXT specifies code <= 0");
  auto it = extensions_.find(code);
  if (it == extensions_.end()) {
    add("MG-PICKLE-EXT-UNRESOLVED",
        "EXT code " + std::to_string(code) + " is not registered by the stream; it imports whatever the "
        "loading process registered under that code", "EXT code " + std::to_string(code));
    Node n;
    n.set_names("<copyreg extension " + std::to_string(code) + ">");
    return push(node_value(Kind::global, std::move(n)));
  }
  if (!charge_name(it->second.first.size(), it->second.second.size())) return false;
  return push(import_global(it->second.first, it->second.second, op_name(op_)));
}

}  // namespace

namespace {
std::atomic<std::uint64_t> started_runs{0};
}  // namespace

StreamResult run_machine(ByteView data, std::size_t start, std::string_view origin,
                         const MachineOptions& options) {
  started_runs.fetch_add(1, std::memory_order_relaxed);
  StreamResult r = Machine(data, start, origin, options).run();
  // A state whose containers this run did not keep: read the stream again keeping them. A probe
  // (nothing graded) has no use for them.
  if (!r.needs_retained_data || options.retain_data || !options.analyse) return r;
  MachineOptions retaining = options;
  retaining.retain_data = true;
  started_runs.fetch_add(1, std::memory_order_relaxed);
  return Machine(data, start, origin, retaining).run();
}

std::uint64_t machine_runs() { return started_runs.load(std::memory_order_relaxed); }

}  // namespace modelgate::pickle
