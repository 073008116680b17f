#pragma once
// The symbolic values of the pickle machine. A Value is 16 bytes and held by value on the stack
// and in the memo; composite values (tuples with non-numeric items, globals, calls, and every
// container when data is retained for conversion) live as Nodes in a ValueGraph.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <bit>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "pickle/huge_page_allocator.h"

namespace modelgate::pickle {

// Not a character type, so that stores of Values do not alias every other object for the optimizer.
enum class Kind : std::uint8_t {
  none, boolean, integer, big_integer, floating, string, bytes, bytearray, buffer,
  tuple, list, dict, set, frozenset,
  global,      // an imported object: module + dotted name; name empty for a module itself
  call,        // the result of calling something (REDUCE, NEWOBJ, INST, OBJ, ...)
  attribute,   // getattr(<non-global>, name)
  persistent,  // persistent_load(pid)
};

struct Value {
  static constexpr std::uint16_t kView = 1;       // string/bytes: `u` is an offset into the input
  static constexpr std::uint16_t kNode = 2;       // `u` is a node index
  static constexpr std::uint16_t kFrom8bit = 4;   // str produced by STRING/BINSTRING (encoding-dependent)
  // A tuple of plain numbers kept without its items, one of them 0 or False: as a numpy shape, an
  // array of no elements (numpy's own pickles start every array as _reconstruct(ndarray, (0,), b'b')).
  static constexpr std::uint16_t kHasZero = 8;

  Kind kind = Kind::none;
  std::uint16_t flags = 0;
  std::uint32_t len = 0;  // string/bytes length, container item count
  union {
    std::int64_t i;
    double f;
    std::uint64_t u;
  };
  Value() : u(0) {}

  bool has_node() const { return (flags & kNode) != 0; }
  static bool is_zero(const Value& v) { return (v.kind == Kind::integer || v.kind == Kind::boolean) && v.i == 0; }
  bool is_text_or_bytes() const {
    return kind == Kind::string || kind == Kind::bytes || kind == Kind::bytearray;
  }
};

enum class CallHow : std::uint8_t { reduce, newobj, newobj_ex, inst, obj };
enum class NumpyObject : std::uint8_t { none, dtype, random_state };

// A node's items: up to two inline (a call's callable and arguments, a tuple of one or two), more
// on the heap. A pickle of objects has millions of such nodes, and a vector would give each one a
// heap allocation of its own.
class ValueList {
 public:
  ValueList() = default;
  ValueList(const Value* first, const Value* last) { append(first, last); }
  ValueList(const ValueList& o) { append(o.begin(), o.end()); }
  ValueList(ValueList&& o) noexcept { take(o); }
  ValueList& operator=(const ValueList& o) {
    if (this != &o) {
      size_ = 0;
      append(o.begin(), o.end());
    }
    return *this;
  }
  ValueList& operator=(ValueList&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~ValueList() { release(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Value* begin() { return data(); }
  Value* end() { return data() + size_; }
  const Value* begin() const { return data(); }
  const Value* end() const { return data() + size_; }
  Value& operator[](std::size_t i) { return data()[i]; }
  const Value& operator[](std::size_t i) const { return data()[i]; }
  const Value& at(std::size_t i) const {
    if (i >= size_) throw std::out_of_range("ValueList::at");
    return data()[i];
  }
  Value& front() { return data()[0]; }
  Value& back() { return data()[size_ - 1]; }
  const Value& front() const { return data()[0]; }
  const Value& back() const { return data()[size_ - 1]; }

  void reserve(std::size_t n) {
    if (n > capacity_) reallocate(n);
  }
  // `v` and [first, last) may be items of this list: they are copied before the old items are freed.
  void push_back(const Value& v) {
    if (size_ == capacity_) return append(&v, &v + 1);
    std::memcpy(static_cast<void*>(data() + size_), &v, sizeof(Value));
    ++size_;
  }
  void append(const Value* first, const Value* last) {
    auto n = static_cast<std::size_t>(last - first);
    if (n == 0) return;
    if (size_ + n > capacity_) {
      const std::size_t grown = std::max<std::size_t>(size_ + n, std::size_t{capacity_} * 2);
      Value* bigger = allocate(grown);
      std::memcpy(static_cast<void*>(bigger + size_), first, n * sizeof(Value));
      adopt(bigger, grown);
    } else {
      std::memmove(static_cast<void*>(data() + size_), first, n * sizeof(Value));
    }
    size_ += static_cast<std::uint32_t>(n);
  }

 private:
  static constexpr std::uint32_t kInline = 2;
  bool on_heap() const { return capacity_ > kInline; }
  Value* data() { return on_heap() ? heap_ : reinterpret_cast<Value*>(inline_); }
  const Value* data() const { return on_heap() ? heap_ : reinterpret_cast<const Value*>(inline_); }
  static Value* allocate(std::size_t n) {
    if (n > UINT32_MAX) throw std::bad_alloc();
    return static_cast<Value*>(::operator new(n * sizeof(Value)));
  }
  // Takes `bigger` (room for `n` items) as the storage: the items move into it, the old is freed.
  void adopt(Value* bigger, std::size_t n) {
    if (size_ > 0) std::memcpy(static_cast<void*>(bigger), data(), size_ * sizeof(Value));
    release();
    heap_ = bigger;
    capacity_ = static_cast<std::uint32_t>(n);
  }
  void reallocate(std::size_t n) { adopt(allocate(n), n); }
  void release() {
    if (on_heap()) ::operator delete(heap_);
    capacity_ = kInline;
  }
  void take(ValueList& o) {
    std::memcpy(static_cast<void*>(this), &o, sizeof(ValueList));  // the bytes, inline or the pointer
    o.size_ = 0;
    o.capacity_ = kInline;
  }
  union {
    alignas(Value) unsigned char inline_[kInline * sizeof(Value)];
    Value* heap_;
  };
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;
};

// A pickle of objects has millions of nodes and few of them name anything or hold text, so names
// and text live out of line: a node is 56 bytes, its first two items included.
struct Node {
  // One word: a pickle of objects has millions of nodes. Offsets fit in 48 bits (256 TiB).
  Kind kind : 8 = Kind::none;
  CallHow how : 3 = CallHow::reduce;
  bool trusted : 1 = false;      // global on the allowlist, or a call of such a global
  // A call whose BUILD state numpy copies in unchecked (pickle/numpy_state_checks.h), whether a
  // BUILD has given it state, and whether it was referenced again (memo GET, DUP) before that.
  NumpyObject numpy : 2 = NumpyObject::none;
  bool built : 1 = false;
  bool used_before_build : 1 = false;
  std::uint64_t offset : 48 = 0;  // opcode offset that created it
  ValueList items;           // tuple/list/set items; dict k,v pairs; call: callable, args[, kwargs]

  const std::string& module() const { return words_ ? words_->module : kNone; }  // global: module;
                                                                                 // attribute: its name
  const std::string& name() const { return words_ ? words_->name : kNone; }      // global: dotted name
  // Decoded string contents; for calls, the role of the result when it is called in turn
  // ("partial", "attrgetter:a.b", ...).
  const std::string& text() const { return words_ ? words_->text : kNone; }
  void set_names(std::string module, std::string name = {}) {
    words().module = std::move(module);
    words().name = std::move(name);
  }
  void set_text(std::string text) { words().text = std::move(text); }

 private:
  struct Words {
    std::string module;
    std::string name;
    std::string text;
  };
  Words& words() {
    if (!words_) words_ = std::make_unique<Words>();
    return *words_;
  }
  static inline const std::string kNone;
  std::unique_ptr<Words> words_;
};
static_assert(sizeof(Node) == 56);

// Owns nodes and decoded strings of one pickle stream.
class ValueGraph {
 public:
  explicit ValueGraph(ByteView input) : input_(input) {}
  ByteView input() const { return input_; }

  std::uint32_t add_node(Node&& n) {
    auto [chunk, at] = place(count_);
    if (chunk == chunks_.size()) {
      chunks_.emplace_back();
      chunks_.back().reserve(kFirstChunk << chunk);
    }
    chunks_[chunk].push_back(std::move(n));
    return static_cast<std::uint32_t>(count_++);
  }
  Node& node(std::uint32_t i) {
    auto [chunk, at] = place(i);
    return chunks_[chunk][at];
  }
  const Node& node(std::uint32_t i) const {
    auto [chunk, at] = place(i);
    return chunks_[chunk][at];
  }
  std::size_t node_count() const { return count_; }

  Value make_owned_text(Kind kind, std::string text, std::uint16_t extra_flags = 0);
  static Value make_view(Kind kind, std::size_t offset, std::size_t length);

  // The bytes of a string/bytes value (decoded text for pooled strings, raw input for views).
  std::string_view text_of(const Value& v) const;

  // Human-readable rendering for evidence, bounded in length.
  std::string describe(const Value& v, std::size_t budget = 160) const;
  // "module.name" for globals; "<describe>.attr" for attributes; "" otherwise.
  std::string qualified_name(const Value& v) const;

 private:
  void describe_into(const Value& v, std::string& out, std::size_t budget, int depth) const;
  // Nodes live in chunks of doubling size that never reallocate, so references to nodes stay
  // valid while nodes are added; a small pickle allocates little, a large one a few dozen times.
  static constexpr std::size_t kFirstChunk = 16;  // 1 KiB: from the allocator's per-thread cache
  static std::pair<std::size_t, std::size_t> place(std::size_t i) {
    auto chunk = static_cast<std::size_t>(std::bit_width(i / kFirstChunk + 1) - 1);
    return {chunk, i - kFirstChunk * ((std::size_t{1} << chunk) - 1)};
  }
  ByteView input_;
  std::vector<std::vector<Node, HugePageAllocator<Node>>> chunks_;
  std::size_t count_ = 0;
};

}  // namespace modelgate::pickle
