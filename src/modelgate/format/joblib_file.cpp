// joblib: a pickle in which every NumPy array is a NumpyArrayWrapper followed, right after its
// BUILD, by the array's raw bytes (or, for object arrays, by a separate protocol-2 pickle) that
// joblib's unpickler reads from the file itself. The machine is told where opcodes resume by an
// after_build hook that computes the array size from the wrapper's state exactly as joblib does.
// Compressed joblib files are whole-file zlib/gzip/bz2/lzma/xz/lz4 streams; all but zlib (and the
// pre-0.9.3 "ZF" container) are read through libarchive.
#include <zlib.h>

#include <algorithm>
#include <map>
#include <set>

#include "container/pickle_member.h"
#include "core/rule_catalog.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

using pickle::Kind;
using pickle::Value;
using pickle::ValueGraph;

const pickle::Node* node(const ValueGraph& g, const Value& v) {
  return v.has_node() ? &g.node(static_cast<std::uint32_t>(v.u)) : nullptr;
}

// The value Python's dict ends up with for `key`: SETITEMS lets a later pair win.
const Value* dict_get(const ValueGraph& g, const pickle::Node& dict, std::string_view key) {
  const Value* found = nullptr;
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2)
    if (dict.items[i].kind == Kind::string && g.text_of(dict.items[i]) == key) found = &dict.items[i + 1];
  return found;
}

// A wrapper joblib would accept: its class name ends in one of joblib's wrapper classes
// (however the module path was spelt).
bool names_wrapper(const ValueGraph& g, const Value& v) {
  std::string q = g.qualified_name(v);
  auto ends = [&](std::string_view s) { return q.size() >= s.size() && q.compare(q.size() - s.size(), s.size(), s) == 0; };
  return ends("NumpyArrayWrapper") || ends("NDArrayWrapper");
}

// True when a wrapper *class* appears in how `v` was built: as the callee, or as an argument of a
// class-making helper (copyreg._reconstructor(cls, ...), object.__new__(cls)). A wrapper instance
// passed as an argument (sklearn's Tree(n, <array>, k)) does not make the object a wrapper.
bool built_from_wrapper(const ValueGraph& g, const Value& v, int depth) {
  if (names_wrapper(g, v)) return true;
  const auto* n = node(g, v);
  if (!n || depth > 6) return false;
  if (n->kind == Kind::call) {
    if (!n->items.empty() && built_from_wrapper(g, n->items[0], depth + 1)) return true;
    const auto* args = n->items.size() >= 2 ? node(g, n->items[1]) : nullptr;
    return args && std::any_of(args->items.begin(), args->items.end(), [&](const Value& i) {
             const auto* in = node(g, i);
             return !(in && in->kind == Kind::call) && built_from_wrapper(g, i, depth + 1);
           });
  }
  if (n->kind == Kind::attribute)
    return std::any_of(n->items.begin(), n->items.end(), [&](const Value& i) { return built_from_wrapper(g, i, depth + 1); });
  return false;
}

// What numpy.dtype(code, align, copy) followed by __setstate__(state) gives joblib: the item size
// and dtype.hasobject. Mirrors numpy's rules: the item size of a non-flexible type comes from the
// code alone (the state's elsize is ignored), a flexible type (S, U, V) takes the state's elsize,
// and hasobject is the state's flags bit 0, whatever the fields say. Anything but the plain shape
// numpy's own __reduce__ writes is refused (`why` says what).
struct DtypeFacts {
  std::uint64_t itemsize = 0;
  bool has_object = false;
};

// A node of one stream: its index and the offset of the opcode that made it (streams of one file
// reuse indices, never offsets).
using NodeKey = std::pair<std::uint32_t, std::uint64_t>;

NodeKey joblib_node_key(const ValueGraph& g, const Value& v) {
  auto i = static_cast<std::uint32_t>(v.u);
  return {i, g.node(i).offset};
}

struct DtypeReader {
  // The latest BUILD state applied to each dtype node so far (a dtype can be built twice).
  std::map<NodeKey, Value> states;

  Expected<DtypeFacts> read(const ValueGraph& g, const Value& v, int depth) const {
    const auto* n = node(g, v);
    if (depth > 8) return parse_error(0, "dtype nesting is too deep");
    if (!n || n->kind != Kind::call || n->items.size() < 2 || g.qualified_name(n->items[0]) != "numpy.dtype")
      return parse_error(0, "the dtype is not a numpy.dtype(...) call");
    const auto* args = node(g, n->items[1]);
    if (!args || args->items.empty() || args->items[0].kind != Kind::string)
      return parse_error(0, "the dtype's code is not a literal string");
    std::string_view code = g.text_of(args->items[0]);
    if (!code.empty() && std::string_view("<>|=").find(code[0]) != std::string_view::npos) code.remove_prefix(1);
    if (code.size() < 2 || code.size() > 8) return parse_error(0, "unexpected dtype code '" + std::string(code) + "'");
    std::uint64_t digits = 0;
    for (char c : code.substr(1)) {
      if (c < '0' || c > '9') return parse_error(0, "unexpected dtype code '" + std::string(code) + "'");
      digits = digits * 10 + unsigned(c - '0');
    }
    char kind = code[0];
    bool flexible = kind == 'S' || kind == 'U' || kind == 'V';
    static constexpr std::string_view kSized[] = {"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4",
                                                  "f8", "f16", "c8", "c16", "c32", "M8", "m8", "O8"};
    if (!flexible && std::find(std::begin(kSized), std::end(kSized), code) == std::end(kSized))
      return parse_error(0, "unexpected dtype code '" + std::string(code) + "'");
    DtypeFacts facts{flexible ? 0 : digits, kind == 'O'};
    const Value* state = nullptr;
    if (auto it = states.find(joblib_node_key(g, v)); it != states.end()) state = &it->second;
    if (!state) {
      if (flexible) return parse_error(0, "a flexible dtype without state");
      return facts;
    }
    const auto* st = node(g, *state);
    // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
    if (!st || st->kind != Kind::tuple || (st->items.size() != 8 && st->items.size() != 9) ||
        st->items[0].kind != Kind::integer || (st->items[0].i != 3 && st->items[0].i != 4) ||
        st->items[5].kind != Kind::integer || st->items[7].kind != Kind::integer)
      return parse_error(0, "the dtype's state is not numpy's (3 or 4, ...) tuple");
    bool nested_object = false;
    if (st->items[2].kind != Kind::none) {  // subarray: (base dtype, shape)
      const auto* sub = node(g, st->items[2]);
      if (!sub || sub->items.empty()) return parse_error(0, "unreadable subarray in the dtype's state");
      auto base = read(g, sub->items[0], depth + 1);
      if (!base) return base.error();
      nested_object |= base->has_object;
    }
    if (st->items[4].kind != Kind::none) {  // fields: {name: (dtype, offset[, title])}
      const auto* fields = node(g, st->items[4]);
      if (!fields || fields->kind != Kind::dict) return parse_error(0, "unreadable fields in the dtype's state");
      for (std::size_t i = 1; i < fields->items.size(); i += 2) {
        const auto* f = node(g, fields->items[i]);
        if (!f || f->items.empty()) return parse_error(0, "unreadable field in the dtype's state");
        auto sub = read(g, f->items[0], depth + 1);
        if (!sub) return sub.error();
        nested_object |= sub->has_object;
      }
    }
    if (flexible) {
      std::int64_t elsize = st->items[5].i;
      if (elsize <= 0 || (kind == 'U' && elsize % 4 != 0)) return parse_error(0, "the dtype's state has an unusable elsize");
      facts.itemsize = static_cast<std::uint64_t>(elsize);
    }
    facts.has_object = (st->items[7].i & 1) != 0;
    if (facts.has_object != (kind == 'O' || nested_object))
      return parse_error(0, "the dtype's flags and its fields disagree on whether it holds objects");
    return facts;
  }
};

struct WrapperReader {
  const Artifact& a;
  NestedScan& ctx;
  ArtifactReport& report;
  unsigned arrays = 0;
  std::optional<std::size_t> first_raw_array_at;  // where the first bytes pickle.load would misread begin
  DtypeReader dtypes;
  std::set<NodeKey> built_wrappers;
  std::map<NodeKey, pickle::ArrayBytes> vectors;  // the raw items of one-dimensional arrays, by wrapper

  std::optional<pickle::ArrayBytes> vector_of(const ValueGraph& g, const Value& wrapper) const {
    if (!wrapper.has_node()) return std::nullopt;
    auto it = vectors.find(joblib_node_key(g, wrapper));
    if (it == vectors.end()) return std::nullopt;
    return it->second;
  }

  std::optional<std::size_t> operator()(const ValueGraph& g, const Value& obj, const Value& state,
                                        std::size_t offset) {
    const auto* o = node(g, obj);
    if (o && o->kind == Kind::call && !o->items.empty() && g.qualified_name(o->items[0]) == "numpy.dtype") {
      dtypes.states[joblib_node_key(g, obj)] = state;
      return std::nullopt;
    }
    if (!built_from_wrapper(g, obj, 0)) return std::nullopt;
    auto bad = [&](std::string why) -> std::optional<std::size_t> {
      report.add(make_finding(rule("MG-JOBLIB-WRAPPER"), a.origin, offset, why));
      return a.bytes.size() + 1;  // makes the machine stop: the rest cannot be located
    };
    // joblib's load_build reads an array after BUILD for any object isinstance() accepts; only the
    // shape joblib writes (NEWOBJ of the class itself, no arguments, one BUILD) is read here.
    const auto* args = o && o->items.size() >= 2 ? node(g, o->items[1]) : nullptr;
    bool plain = o && o->kind == Kind::call && g.qualified_name(o->items[0]) == "joblib.numpy_pickle.NumpyArrayWrapper" &&
                 o->items.size() >= 2 && o->items[1].kind == Kind::tuple && (!args || args->items.empty());
    if (!plain) return bad("an array wrapper built in a way joblib accepts but modelgate cannot prove plain: " + g.describe(obj));
    if (!built_wrappers.insert(joblib_node_key(g, obj)).second)
      return bad("BUILD applied twice to the same array wrapper: joblib reads a second array with merged state");
    const auto* st = node(g, state);
    if (!st || st->kind != Kind::dict) return bad("NumpyArrayWrapper state is not a dict");
    // A key computed at load time may be any of the names below, and Python's dict keeps the last.
    for (std::size_t i = 0; i + 1 < st->items.size(); i += 2)
      if (st->items[i].kind != Kind::string)
        return bad("NumpyArrayWrapper state has the key " + g.describe(st->items[i], 60) +
                   ", computed at load time: it may replace the shape or dtype read here");
    const Value* shape = dict_get(g, *st, "shape");
    const Value* dtype = dict_get(g, *st, "dtype");
    if (!shape || !dtype) return bad("NumpyArrayWrapper state lacks shape or dtype");
    std::uint64_t count = 1;
    const auto* sh = node(g, *shape);
    if (shape->kind != Kind::tuple) return bad("NumpyArrayWrapper shape is not a tuple");
    if (sh)
      for (const auto& d : sh->items) {
        if (d.kind != Kind::integer || d.i < 0) return bad("NumpyArrayWrapper shape is not integers");
        auto u = static_cast<std::uint64_t>(d.i);
        if (u != 0 && count > UINT64_MAX / u) return bad("NumpyArrayWrapper shape overflows");
        count *= u;
      }
    else if (shape->len != 0)
      return bad("NumpyArrayWrapper shape is not retained");
    auto facts = dtypes.read(g, *dtype, 0);
    if (!facts) return bad("cannot prove the array's dtype: " + facts.error().reason);
    ++arrays;
    if (facts->has_object) {
      // joblib calls pickle.load on the file here: a complete, separate pickle stream.
      PickleMemberOptions po;
      ArtifactReport nested;
      nested.origin = a.origin + "@" + std::to_string(offset);
      nested.format = "pickle";
      auto r = analyse_pickle_stream(a, offset, ctx, nested, po);
      report.children.push_back(std::move(nested));
      return r.complete ? r.end : a.bytes.size() + 1;
    }
    if (facts->itemsize == 0) return bad("the array's dtype has no item size");
    if (!first_raw_array_at) first_raw_array_at = offset;
    std::size_t pos = offset;
    // joblib reads the padding whenever the attribute is not None (joblib >= 1.2 writes an int).
    if (const Value* align = dict_get(g, *st, "numpy_array_alignment_bytes"); align && align->kind != Kind::none) {
      auto k = align->has_node() ? node(g, *align)->kind : align->kind;
      if (k == Kind::call || k == Kind::global || k == Kind::attribute || k == Kind::persistent)
        return bad("numpy_array_alignment_bytes is computed: joblib reads padding only when it is not None");
      if (pos >= a.bytes.size()) return bad("array padding byte is missing");
      pos += 1 + a.bytes[pos];
    }
    if (count > UINT64_MAX / facts->itemsize) return bad("array size overflows");
    std::uint64_t n = count * facts->itemsize;
    if (pos > a.bytes.size() || n > a.bytes.size() - pos)
      return bad("array data (" + std::to_string(n) + " bytes) runs past the end of the file");
    if (sh && sh->items.size() <= 1)
      vectors[joblib_node_key(g, obj)] = {a.bytes.subspan(pos, n), {count}, *dtype, nullptr};
    return pos + n;
  }
};

// Inflates a zlib stream into a buffer that grows as the data arrives, charged to `budget`. An
// error's rule is the rule that refuses the file.
Expected<std::shared_ptr<UnpackedBuffer>> inflate_zlib(ByteView in, const Limits& limits,
                                                       std::shared_ptr<UnpackBudget> budget) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return parse_error("MG-JOBLIB-MALFORMED", 0, "");
  auto out = std::make_shared<UnpackedBuffer>(std::move(budget), "max_member_unpacked", limits.max_member_unpacked);
  std::uint8_t chunk[64 * 1024];
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT32_MAX));
  int rc = Z_OK;
  const std::uint64_t ratio_floor = 16ull << 20;
  while (rc == Z_OK) {
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (!out->append(chunk, sizeof chunk - zs.avail_out)) {
      inflateEnd(&zs);
      return parse_error("MG-LIMIT-EXCEEDED", zs.total_in, "decompressing goes " + out->exceeded_reason());
    }
    if (out->size() > ratio_floor && out->size() / std::max<std::size_t>(in.size(), 1) >= limits.max_compression_ratio) {
      inflateEnd(&zs);
      return parse_error("MG-LIMIT-EXCEEDED", zs.total_in,
                         "more than " + std::to_string(limits.max_compression_ratio) +
                             " bytes unpacked per packed byte (max_compression_ratio)");
    }
    if (rc == Z_BUF_ERROR && zs.avail_out != 0) break;
    if (rc == Z_BUF_ERROR) rc = Z_OK;
  }
  if (rc != Z_STREAM_END) {
    Error error = parse_error("MG-JOBLIB-MALFORMED", zs.total_in, zs.msg ? zs.msg : "zlib stream is truncated");
    inflateEnd(&zs);
    return error;
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace

void scan_joblib(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  WrapperReader reader{a, ctx, report, 0, std::nullopt, {}, {}, {}};
  PickleMemberOptions o;
  o.retain_data = true;
  o.after_build = std::ref(reader);
  o.array_bytes = [&reader](const ValueGraph& g, const Value& array) { return reader.vector_of(g, array); };
  // joblib's unpickler handles the wrapper itself: it reads the raw bytes that follow (checked by
  // WrapperReader) or unpickles the nested object-array stream (analysed separately).
  o.loader_globals = {"joblib.numpy_pickle.NumpyArrayWrapper"};
  scan_pickle_member(a, ctx, report, o);
  report.format = "joblib";
  report.details.arrays = ArrayStoreDetails{reader.arrays, std::nullopt};
  if (reader.first_raw_array_at) report.parsed.first_raw_array_at = *reader.first_raw_array_at;
}

void scan_joblib_compressed(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  ByteView stream = a.bytes;
  if (as_chars(a.bytes).substr(0, 2) == "ZF") {
    // joblib < 0.9.3: "ZF" + hex length padded to 19 bytes, then a zlib stream; joblib's
    // read_zfile skips one space after the header (written by joblib <= 0.8.4 under Python 2).
    if (a.bytes.size() < 21) {
      report.add(make_finding(rule("MG-JOBLIB-MALFORMED"), a.origin, 0, "truncated ZF header"));
      return;
    }
    stream = a.bytes.subspan(a.bytes.size() > 21 && a.bytes[21] == ' ' ? 22 : 21);
    report.format = "joblib-zf";
  } else {
    report.format = "zlib";
  }
  auto inflated = inflate_zlib(stream, ctx.limits(), ctx.budget(a));
  if (!inflated) {
    report.add(make_finding(rule(inflated.error().rule), a.origin, std::nullopt,
                            "zlib stream cannot be decompressed completely: " + inflated.error().reason));
    return;
  }
  std::shared_ptr<UnpackedBuffer> data = std::move(*inflated);
  ByteView bytes = data->bytes();
  report.children.push_back(ctx.scan(a.child("decompressed", bytes, std::move(data))));
}

}  // namespace modelgate
