// joblib: a pickle in which every NumPy array is a NumpyArrayWrapper followed, right after its
// BUILD, by the array's raw bytes (or, for object arrays, by a separate protocol-2 pickle) that
// joblib's unpickler reads from the file itself. The machine is told where opcodes resume by an
// after_build hook that computes the array size from the wrapper's state exactly as joblib does.
// Compressed joblib files are whole-file zlib/gzip/bz2/lzma/xz/lz4 streams; all but zlib (and the
// pre-0.9.3 "ZF" container) are read through libarchive.
#include <zlib.h>

#include "container/pickle_member.h"
#include "scan/format_table.h"

namespace modelgate {

namespace {

using pickle::Kind;
using pickle::Value;
using pickle::ValueGraph;

const pickle::Node* node(const ValueGraph& g, const Value& v) {
  return v.has_node() ? &g.node(static_cast<std::uint32_t>(v.u)) : nullptr;
}

bool is_global(const ValueGraph& g, const Value& v, std::string_view module, std::string_view name) {
  const auto* n = node(g, v);
  return n && n->kind == Kind::global && n->module == module && n->name == name;
}

const Value* dict_get(const ValueGraph& g, const pickle::Node& dict, std::string_view key) {
  for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2)
    if (dict.items[i].kind == Kind::string && g.text_of(dict.items[i]) == key) return &dict.items[i + 1];
  return nullptr;
}

// numpy.dtype(code, align, copy) with BUILD state (version, byteorder, subdescr, names, fields,
// elsize, alignment, flags). Returns the item size (0 if unknown); sets `object` for 'O' anywhere.
std::uint64_t dtype_itemsize(const ValueGraph& g, const Value& v, bool& object, int depth) {
  const auto* n = node(g, v);
  if (!n || n->kind != Kind::call || n->items.size() < 2 || depth > 8) return 0;
  if (!is_global(g, n->items[0], "numpy", "dtype")) return 0;
  const auto* args = node(g, n->items[1]);
  if (!args || args->items.empty() || args->items[0].kind != Kind::string) return 0;
  std::string_view code = g.text_of(args->items[0]);
  if (!code.empty() && code[0] == 'O') object = true;
  std::uint64_t size = 0;
  if (n->items.size() >= 4) {
    // Structured dtypes: look for object fields in the fields dict; elsize is state[5].
    if (const auto* st = node(g, n->items[3])) {
      if (st->items.size() >= 6 && st->items[5].kind == Kind::integer && st->items[5].i > 0)
        size = static_cast<std::uint64_t>(st->items[5].i);
      if (st->items.size() >= 5)
        if (const auto* fields = node(g, st->items[4]))
          for (std::size_t i = 1; i < fields->items.size(); i += 2)
            if (const auto* f = node(g, fields->items[i]); f && !f->items.empty())
              dtype_itemsize(g, f->items[0], object, depth + 1);
    }
  }
  if (size == 0 && code.size() >= 2) {
    std::uint64_t n2 = 0;
    for (char c : code.substr(1)) {
      if (c < '0' || c > '9' || n2 > (1u << 30)) return 0;
      n2 = n2 * 10 + unsigned(c - '0');
    }
    size = code[0] == 'U' ? n2 * 4 : n2;
  }
  return size;
}

struct WrapperReader {
  const Artifact& a;
  ScanContext& ctx;
  ArtifactReport& report;
  unsigned arrays = 0;

  std::optional<std::size_t> operator()(const ValueGraph& g, const Value& obj, const Value& state,
                                        std::size_t offset) {
    const auto* o = node(g, obj);
    if (!o || o->kind != Kind::call || o->items.empty() ||
        !is_global(g, o->items[0], "joblib.numpy_pickle", "NumpyArrayWrapper"))
      return std::nullopt;
    auto bad = [&](std::string why) -> std::optional<std::size_t> {
      report.add(make_finding(rule("MG-JOBLIB-WRAPPER"), a.origin, offset, why));
      return a.bytes.size() + 1;  // makes the machine stop: the rest cannot be located
    };
    const auto* st = node(g, state);
    if (!st || st->kind != Kind::dict) return bad("NumpyArrayWrapper state is not a dict");
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
    bool object = false;
    std::uint64_t itemsize = dtype_itemsize(g, *dtype, object, 0);
    ++arrays;
    if (object) {
      // joblib calls pickle.load on the file here: a complete, separate pickle stream.
      PickleMemberOptions po;
      ArtifactReport nested;
      nested.origin = a.origin + "@" + std::to_string(offset);
      nested.format = "pickle";
      auto r = analyse_pickle_stream(a, offset, ctx, nested, po);
      report.children.push_back(std::move(nested));
      return r.complete ? r.end : a.bytes.size() + 1;
    }
    if (itemsize == 0) return bad("cannot determine the item size of the array's dtype");
    std::size_t pos = offset;
    const Value* align = dict_get(g, *st, "numpy_array_alignment_bytes");
    if (align && align->kind == Kind::integer) {
      if (pos >= a.bytes.size()) return bad("array padding byte is missing");
      pos += 1 + a.bytes[pos];
    }
    if (count > UINT64_MAX / itemsize) return bad("array size overflows");
    std::uint64_t n = count * itemsize;
    if (pos > a.bytes.size() || n > a.bytes.size() - pos)
      return bad("array data (" + std::to_string(n) + " bytes) runs past the end of the file");
    return pos + n;
  }
};

// Inflates a zlib stream into a buffer that grows as the data arrives, charged to `budget`. On
// failure `rule_id` is the rule that refuses the file and `error` the reason.
std::shared_ptr<UnpackedBuffer> inflate_zlib(ByteView in, const Limits& limits, std::shared_ptr<UnpackBudget> budget,
                                             const char*& rule_id, std::string& error) {
  rule_id = "MG-JOBLIB-MALFORMED";
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return nullptr;
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
      rule_id = "MG-LIMIT-EXCEEDED";
      error = "decompressing goes " + out->exceeded_reason();
      inflateEnd(&zs);
      return nullptr;
    }
    if (out->size() > ratio_floor && out->size() / std::max<std::size_t>(in.size(), 1) >= limits.max_compression_ratio) {
      rule_id = "MG-LIMIT-EXCEEDED";
      error = "more than " + std::to_string(limits.max_compression_ratio) +
              " bytes unpacked per packed byte (max_compression_ratio)";
      inflateEnd(&zs);
      return nullptr;
    }
    if (rc == Z_BUF_ERROR && zs.avail_out != 0) break;
    if (rc == Z_BUF_ERROR) rc = Z_OK;
  }
  bool ok = rc == Z_STREAM_END;
  if (!ok) error = zs.msg ? zs.msg : "zlib stream is truncated";
  inflateEnd(&zs);
  if (!ok) return nullptr;
  return out;
}

}  // namespace

void scan_joblib(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  WrapperReader reader{a, ctx, report};
  PickleMemberOptions o;
  o.retain_data = true;
  o.after_build = std::ref(reader);
  // joblib's unpickler handles the wrapper itself: it reads the raw bytes that follow (checked by
  // WrapperReader) or unpickles the nested object-array stream (analysed separately).
  o.loader_globals = {"joblib.numpy_pickle.NumpyArrayWrapper"};
  scan_pickle_member(a, ctx, report, o);
  report.format = "joblib";
  report.facts["arrays"] = reader.arrays;
}

void scan_joblib_compressed(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  ByteView stream = a.bytes;
  if (as_chars(a.bytes).substr(0, 2) == "ZF") {
    // joblib < 0.9.3: "ZF" + hex length padded to 19 bytes, then a zlib stream.
    if (a.bytes.size() < 21) {
      report.add(make_finding(rule("MG-JOBLIB-MALFORMED"), a.origin, 0, "truncated ZF header"));
      return;
    }
    stream = a.bytes.subspan(21);
    report.format = "joblib-zf";
  } else {
    report.format = "zlib";
  }
  std::string error;
  const char* rule_id = "";
  auto data = inflate_zlib(stream, ctx.limits(), ctx.budget(a), rule_id, error);
  if (!data) {
    report.add(make_finding(rule(rule_id), a.origin, std::nullopt,
                            "zlib stream cannot be decompressed completely: " + error));
    return;
  }
  ByteView bytes = data->bytes();
  report.children.push_back(ctx.scan(a.child("decompressed", bytes, std::move(data))));
}

std::span<const Rule> joblib_rules() {
  static const Rule rules[] = {
      {"MG-JOBLIB-WRAPPER", Severity::high, Status::refused,
       "A joblib NumpyArrayWrapper cannot be resolved to an array size.",
       "joblib reads an array's raw bytes from the file right after the wrapper; when the shape or "
       "dtype is not literal the position of the next opcode is unknown, so the rest of the file "
       "cannot be analysed."},
      {"MG-JOBLIB-MALFORMED", Severity::high, Status::refused,
       "A compressed joblib file cannot be decompressed completely.",
       "Truncated or corrupt compressed data; what joblib would load is unknown."},
  };
  return rules;
}

}  // namespace modelgate
