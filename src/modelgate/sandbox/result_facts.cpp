#include "sandbox/result_facts.h"

#include <cmath>
#include <concepts>
#include <cstring>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/format_detail_fields.h"
#include "core/model_fact_fields.h"
#include "core/utf8.h"

namespace modelgate::sandbox {

namespace {

using nlohmann::json;

template <class T>
concept DetailStruct = requires(T& d) { each_detail_field(d, [](const char*, auto&, auto...) {}); };

enum Tag : std::uint8_t { kNull, kFalse, kTrue, kUnsigned, kSigned, kFloat, kString, kArray, kObject };

// The fewest bytes one item of a list takes, so that a count can be checked against what is left.
constexpr std::size_t encoded_min(const std::string*) { return 4; }
constexpr std::size_t encoded_min(const std::uint64_t*) { return 8; }
constexpr std::size_t encoded_min(const CodeRoute*) { return 8; }
constexpr std::size_t encoded_min(const ExternalDataRead*) { return 17; }
constexpr std::size_t encoded_min(const PickleGlobal*) { return 24; }
constexpr std::size_t encoded_min(const PickleCall*) { return 12; }
constexpr std::size_t encoded_min(const TensorFacts*) { return 32; }
constexpr std::size_t encoded_min(const std::int64_t*) { return 8; }
constexpr std::size_t encoded_min(const FileValue*) { return 1; }
template <class T>
constexpr std::size_t min_bytes = encoded_min(static_cast<const T*>(nullptr));

// The members of each struct the facts hold, in the order they travel: the one list that the
// writer and the reader both walk.
template <class T, class U>
concept Of = std::same_as<std::remove_const_t<T>, U>;
auto members(Of<CodeRoute> auto& c) { return std::tie(c.file, c.route); }
auto members(Of<RemoteCode> auto& r) { return std::tie(r.classes, r.files, r.repositories); }
auto members(Of<ShardedIndexCheck> auto& c) { return std::tie(c.shards, c.shards_compared, c.tensors); }
auto members(Of<ExternalDataRead> auto& r) { return std::tie(r.tensor, r.location, r.offset, r.length); }
auto members(Of<PickleReadingExtent> auto& e) { return std::tie(e.complete, e.end); }
auto members(Of<PickleGlobal> auto& g) { return std::tie(g.module, g.name, g.count, g.first_offset); }
auto members(Of<PickleImports> auto& i) { return std::tie(i.count, i.listed, i.globals); }
auto members(Of<PickleCall> auto& c) { return std::tie(c.callable, c.count); }
auto members(Of<PickleCalls> auto& c) { return std::tie(c.count, c.indirect, c.listed, c.callables); }
auto members(Of<TensorFacts> auto& t) { return std::tie(t.name, t.dtype, t.shape, t.storage, t.begin, t.end); }

class FactsWriter {
 public:
  explicit FactsWriter(ByteWriter& w) : w_(w) {}

  void text(const std::string& s) {
    if (is_utf8(s)) return w_.str(s);
    // Rare: what the JSON form of the facts made of it, each invalid sequence replaced by U+FFFD.
    w_.str(json::parse(json(s).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>());
  }
  void flag(bool b) { w_.u8(b ? 1 : 0); }
  void count(std::size_t n) { w_.u32(static_cast<std::uint32_t>(n)); }

  void value(const FileValue& v) {
    std::visit(
        [this](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            w_.u8(kNull);
          } else if constexpr (std::is_same_v<T, bool>) {
            w_.u8(x ? kTrue : kFalse);
          } else if constexpr (std::is_same_v<T, std::uint64_t>) {
            w_.u8(kUnsigned);
            w_.u64(x);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            w_.u8(kSigned);
            w_.u64(static_cast<std::uint64_t>(x));
          } else if constexpr (std::is_same_v<T, double>) {
            if (!std::isfinite(x)) return w_.u8(kNull);  // as JSON text shows it
            std::uint64_t bits;
            std::memcpy(&bits, &x, sizeof bits);
            w_.u8(kFloat);
            w_.u64(bits);
          } else if constexpr (std::is_same_v<T, std::string>) {
            w_.u8(kString);
            text(x);
          } else if constexpr (std::is_same_v<T, FileValue::Array>) {
            w_.u8(kArray);
            count(x.size());
            for (const auto& item : x) value(item);
          } else {
            w_.u8(kObject);
            count(x.size());
            for (const auto& m : x) {
              text(m.key);
              value(m.value);
            }
          }
        },
        v.value);
  }

  // The fields of the parsed and model facts.
  void field(const std::string& s) { text(s); }
  void field(std::uint64_t n) { w_.u64(n); }
  void field(std::int64_t n) { w_.u64(static_cast<std::uint64_t>(n)); }
  void field(bool b) { flag(b); }
  void field(const FileValue& v) { value(v); }
  template <class T>
  void field(const std::optional<T>& v) {
    flag(v.has_value());
    if (v) field(*v);
  }
  template <class T>
  void field(const std::vector<T>& items) {
    count(items.size());
    for (const auto& item : items) field(item);
  }
  template <class K, class V>
  void field(const std::map<K, V>& items) {
    count(items.size());
    for (const auto& [k, v] : items) {
      field(k);
      field(v);
    }
  }
  // A struct of the facts: its members, in the order members() lists them.
  template <class S>
    requires requires(const S& s) { members(s); }
  void field(const S& s) {
    std::apply([this](const auto&... m) { (this->field(m), ...); }, members(s));
  }
  void field(const DetailStruct auto& d) {
    each_detail_field(d, [this](const char*, const auto& f, auto...) { this->field(f); });
  }

 private:
  ByteWriter& w_;
};

// Each read says whether the bytes hold the field; the first failure names it.
class FactsReader {
 public:
  FactsReader(ByteReader& in, std::size_t max_depth) : in_(in), max_depth_(max_depth) {}

  const std::string& error() const { return error_; }
  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  bool text(std::string& out) {
    if (!in_.sized(out)) return fail("truncated string");
    return is_utf8(out) || fail("a string that is not UTF-8");
  }
  bool flag(bool& out) {
    std::uint8_t b = 0;
    if (!in_.u8(b) || b > 1) return fail("a flag that is not 0 or 1");
    out = b == 1;
    return true;
  }
  // A count of items of at least `min_bytes` each: no more than the bytes left can hold.
  bool count(std::uint32_t& n, std::size_t min_bytes) {
    return in_.count(n, min_bytes) || fail("a count that exceeds the result");
  }

  bool value(FileValue& out, std::size_t depth) {
    if (depth > max_depth_) return fail("facts nested deeper than " + std::to_string(max_depth_));
    std::uint8_t tag = 0;
    std::uint64_t n = 0;
    if (!in_.u8(tag)) return fail("truncated value");
    switch (tag) {
      case kNull: out.value = std::monostate{}; return true;
      case kFalse: out.value = false; return true;
      case kTrue: out.value = true; return true;
      case kUnsigned:
        if (!in_.le(n)) return fail("truncated number");
        out.value = n;
        return true;
      case kSigned:
        if (!in_.le(n)) return fail("truncated number");
        if (static_cast<std::int64_t>(n) >= 0)
          out.value = n;  // held unsigned, as FileValue holds every integer that is not negative
        else
          out.value = static_cast<std::int64_t>(n);
        return true;
      case kFloat: {
        double d;
        if (!in_.le(n)) return fail("truncated number");
        std::memcpy(&d, &n, sizeof d);
        if (!std::isfinite(d)) return fail("a number that is not finite");
        out.value = d;
        return true;
      }
      case kString: {
        std::string s;
        if (!text(s)) return false;
        out.value = std::move(s);
        return true;
      }
      case kArray: {
        std::uint32_t items = 0;
        if (!count(items, 1)) return false;
        auto& array = out.value.emplace<FileValue::Array>();
        for (std::uint32_t i = 0; i < items; ++i)
          if (!value(array.emplace_back(), depth + 1)) return false;
        return true;
      }
      case kObject: {
        std::uint32_t entries = 0;
        if (!count(entries, 5)) return false;
        auto& object = out.value.emplace<FileValue::Object>();
        for (std::uint32_t i = 0; i < entries; ++i) {
          FileValueMember& m = object.emplace_back();
          if (!text(m.key)) return false;
          // Keys in byte order, as a JSON object keeps them: a key given twice is out of order.
          if (i > 0 && !(object[i - 1].key < m.key)) return fail("object keys not in order or given twice");
          if (!value(m.value, depth + 1)) return false;
        }
        return true;
      }
      default: return fail("unknown value tag " + std::to_string(tag));
    }
  }

  bool field(std::string& s) { return text(s); }
  bool field(std::uint64_t& n) { return in_.le(n) || fail("truncated number"); }
  bool field(std::int64_t& n) {
    std::uint64_t u = 0;
    if (!in_.le(u)) return fail("truncated number");
    n = static_cast<std::int64_t>(u);
    return true;
  }
  bool field(bool& b) { return flag(b); }
  bool field(FileValue& v) { return value(v, 0); }
  template <class T>
  bool field(std::optional<T>& v) {
    bool present = false;
    if (!flag(present)) return false;
    if (!present) return true;
    return field(v.emplace());
  }
  // Items are added as they are read: a count alone allocates nothing.
  template <class T>
  bool field(std::vector<T>& items) {
    std::uint32_t n = 0;
    if (!count(n, min_bytes<T>)) return false;
    for (std::uint32_t i = 0; i < n; ++i)
      if (!field(items.emplace_back())) return false;
    return true;
  }
  template <class K, class V>
  bool field(std::map<K, V>& items) {
    std::uint32_t n = 0;
    if (!count(n, min_bytes<K> + min_bytes<V>)) return false;
    for (std::uint32_t i = 0; i < n; ++i) {
      K key;
      V value;
      if (!field(key) || !field(value)) return false;
      if (!items.empty() && !(items.rbegin()->first < key)) return fail("map keys not in order or given twice");
      items.emplace_hint(items.end(), std::move(key), std::move(value));
    }
    return true;
  }
  // A struct of the facts: its members, in the order members() lists them, then what must hold
  // between them.
  template <class S>
    requires requires(S& s) { members(s); }
  bool field(S& s) {
    return std::apply([this](auto&... m) { return (this->field(m) && ...); }, members(s)) && holds(s);
  }
  bool field(DetailStruct auto& d) {
    bool ok = true;
    each_detail_field(d, [&](const char*, auto& f, auto...) { ok = ok && this->field(f); });
    return ok;
  }

 private:
  template <class S>
  bool holds(const S&) {
    return true;
  }
  bool holds(const PickleGlobal& g) { return g.count > 0 || fail("a global imported no times"); }
  bool holds(const PickleImports& i) {
    if (!i.listed && !i.globals.empty()) return fail("globals listed by imports that are not");
    std::uint64_t sum = 0;
    for (const auto& g : i.globals)
      if ((sum += g.count) > i.count) return fail("imports of the globals listed exceed their count");
    return !i.listed || sum == i.count || fail("imports of the globals listed do not add up to their count");
  }
  bool holds(const PickleCall& c) { return c.count > 0 || fail("a callable called no times"); }
  bool holds(const PickleCalls& c) {
    if (c.indirect > c.count) return fail("more indirect calls than calls");
    if (!c.listed && !c.callables.empty()) return fail("callables listed by calls that are not");
    std::uint64_t sum = c.indirect;
    for (const auto& call : c.callables)
      if ((sum += call.count) > c.count) return fail("calls of the callables listed exceed their count");
    return !c.listed || sum == c.count || fail("calls of the callables listed do not add up to their count");
  }
  bool holds(const TensorFacts& t) { return t.begin <= t.end || fail("a tensor whose data ends before it begins"); }

  ByteReader& in_;
  std::size_t max_depth_;
  std::string error_;
};

template <class Parsed, class Visit>
void each_parsed_fact(Parsed& p, Visit&& visit) {
  visit(p.chat_templates);
  visit(p.python_imports);
  visit(p.code_files);
  visit(p.remote_code);
  visit(p.sharded_checkpoint);
  visit(p.external_data_files);
  visit(p.external_data_reads);
  visit(p.pickle_reading);
  visit(p.pickle_imports);
  visit(p.pickle_calls);
  visit(p.first_raw_array_at);
}

}  // namespace

void write_facts(ByteWriter& w, const ArtifactReport& report) {
  FactsWriter out(w);
  // The broker records the confinement itself: a worker's word on it is not read.
  each_format_detail(report.details, [&](const char*, const auto& f) { out.field(f); });
  each_parsed_fact(report.parsed, [&](const auto& f) { out.field(f); });
  each_model_fact(report.model, [&](const char*, const auto& f) { out.field(f); });
}

std::optional<Error> read_facts(ByteReader& in, ArtifactReport& report, std::size_t max_depth) {
  FactsReader facts(in, max_depth);
  bool ok = true;
  each_format_detail(report.details, [&](const char*, auto& f) { ok = ok && facts.field(f); });
  each_parsed_fact(report.parsed, [&](auto& f) { ok = ok && facts.field(f); });
  const char* failed_in = nullptr;
  each_model_fact(report.model, [&](const char* key, auto& f) {
    if (ok && !facts.field(f)) ok = false, failed_in = key;
  });
  if (ok && !report.model.tensors.empty() && report.model.tensor_count != report.model.tensors.size())
    ok = facts.fail("model facts list tensors but not as many as they count");
  if (ok) return std::nullopt;
  return parse_error(in.offset(), failed_in ? std::string("model fact \"") + failed_in + "\": " + facts.error() : facts.error());
}

}  // namespace modelgate::sandbox
