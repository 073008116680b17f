// GGUF: one test per refusal rule on hand-built files, plus v1/v2/v3 files from the generator.
#include <gtest/gtest.h>

#include "core/parsed_facts_json.h"
#include "readers/gguf.h"
#include "modelgate/report.h"
#include "test_util.h"

namespace gguf_test {

using namespace modelgate;
using mgtest::has_rule;
using mgtest::scan;

namespace {

enum : std::uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 };

std::string le(std::uint64_t v, int n) {
  std::string s(n, '\0');
  for (int i = 0; i < n; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// Builds GGUF files field by field so that any field can be made wrong.
struct Gguf {
  std::uint32_t version = 3;
  std::uint64_t alignment = 32;
  std::string kvs, infos, data;
  std::uint64_t n_kv = 0, n_tensors = 0;
  std::optional<std::uint64_t> tensor_count_override, kv_count_override;

  explicit Gguf(std::uint32_t v = 3) : version(v) {}
  std::string size(std::uint64_t n) const { return le(n, version == 1 ? 4 : 8); }
  std::string str(std::string_view s) const { return size(s.size()) + std::string(s); }

  Gguf& kv_raw(std::string_view key, std::uint32_t type, const std::string& value) {
    kvs += str(key) + le(type, 4) + value;
    ++n_kv;
    return *this;
  }
  Gguf& kv_str(std::string_view key, std::string_view v) { return kv_raw(key, STRING, str(v)); }
  Gguf& kv_u32(std::string_view key, std::uint32_t v) { return kv_raw(key, U32, le(v, 4)); }
  std::string array(std::uint32_t element, std::uint64_t count, const std::string& elements) const {
    return le(element, 4) + size(count) + elements;
  }
  // A tensor at the next aligned data offset, filled with 0x11.
  Gguf& tensor(std::string_view name, std::vector<std::uint64_t> dims, std::uint32_t type, std::uint64_t bytes) {
    return tensor_at(name, dims, type, data.size(), bytes);
  }
  Gguf& tensor_at(std::string_view name, std::vector<std::uint64_t> dims, std::uint32_t type, std::uint64_t offset,
                  std::uint64_t bytes) {
    infos += str(name) + le(dims.size(), 4);
    for (auto d : dims) infos += size(d);
    infos += le(type, 4) + le(offset, 8);
    data += std::string(bytes, '\x11');
    data += std::string((alignment - data.size() % alignment) % alignment, '\0');
    ++n_tensors;
    return *this;
  }
  std::string header() const {
    return "GGUF" + le(version, 4) + size(tensor_count_override.value_or(n_tensors)) +
           size(kv_count_override.value_or(n_kv));
  }
  std::string build() const {
    std::string out = header() + kvs + infos;
    out += std::string((alignment - out.size() % alignment) % alignment, '\0');
    return out + data;
  }
};

std::string first_message(const ArtifactReport& r) {
  return r.findings.empty() ? std::string("(no findings)") : r.findings[0].rule + ": " + r.findings[0].message;
}

std::string all_messages(const ArtifactReport& r) {
  std::string out;
  for (const auto& f : r.findings) out += f.rule + ": " + f.message + "\n";
  return out;
}

void expect_refused(const std::string& bytes, const std::string& rule) {
  auto r = scan(bytes, "t.bin");
  EXPECT_EQ(r.format, "gguf");
  EXPECT_EQ(r.status, Status::refused) << rule << " " << first_message(r);
  EXPECT_TRUE(has_rule(r, rule)) << rule << " got " << first_message(r);
}

modelgate::Expected<gguf::File> parse(const std::string& bytes, const Limits& limits = Limits{}) {
  return gguf::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), limits);
}

Gguf valid(std::uint32_t version) {
  Gguf g(version);
  g.kv_str("general.architecture", "llama").kv_u32("llama.context_length", 4096);
  g.tensor("a", {4, 2}, 0, 32).tensor("b", {32}, 2, 18).tensor("c", {256}, 12, 144);
  return g;
}

}  // namespace

TEST(Gguf, ValidFilesOfEveryVersionAreSafe) {
  for (std::uint32_t v : {1u, 2u, 3u}) {
    auto r = scan(valid(v).build());
    EXPECT_EQ(r.format, "gguf");
    EXPECT_EQ(r.status, Status::safe) << v << " " << first_message(r);
    EXPECT_EQ(modelgate::facts_json(r)["gguf_version"], v);
    EXPECT_EQ(modelgate::facts_json(r)["architecture"], "llama");
    EXPECT_EQ(modelgate::facts_json(r)["tensor_count"], 3);
  }
}

// Each tensor with its ggml type, its dimensions in the file's order and the bytes of its data,
// which the builder fills with 0x11 (the padding between them is zeros).
TEST(Gguf, TensorsAreListedWithTheirBytesInTheFile) {
  for (std::uint32_t v : {1u, 2u, 3u}) {
    const std::string bytes = valid(v).build();
    auto r = scan(bytes);
    ASSERT_EQ(r.status, Status::safe) << first_message(r);
    ASSERT_EQ(r.model.tensors.size(), 3u);
    const std::vector<std::pair<std::string, std::uint64_t>> expected = {{"F32", 32}, {"Q4_0", 18}, {"Q4_K", 144}};
    for (std::size_t i = 0; i < 3; ++i) {
      const TensorFacts& t = r.model.tensors[i];
      EXPECT_EQ(t.name, std::string(1, static_cast<char>('a' + i)));
      EXPECT_EQ(t.dtype, expected[i].first);
      EXPECT_EQ(t.end - t.begin, expected[i].second);
      EXPECT_EQ(bytes.substr(t.begin, t.end - t.begin), std::string(expected[i].second, '\x11')) << t.name;
    }
    EXPECT_EQ(r.model.tensors[0].shape, (std::vector<std::uint64_t>{4, 2}));
  }
  // Names are UTF-8, which every report and worker result needs: another name refuses the file.
  Gguf g = valid(3);
  g.tensor("w\xff", {8}, 0, 32);
  auto r = scan(g.build());
  EXPECT_TRUE(has_rule(r, "MG-GGUF-TENSOR-NAME")) << first_message(r);
  EXPECT_TRUE(r.model.tensors.empty());
}

// Past Limits::max_listed_tensors the tensors are counted, and none is listed.
TEST(Gguf, PastTheListingLimitTensorsAreCountedNotListed) {
  const std::string bytes = valid(3).build();
  modelgate::ScanOptions opts;
  opts.limits.max_listed_tensors = 2;
  auto r = modelgate::scan_bytes("mem", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts).value();
  EXPECT_EQ(r.status, Status::safe) << first_message(r);
  EXPECT_EQ(r.model.tensor_count, 3u);
  EXPECT_TRUE(r.model.tensors.empty());
  EXPECT_EQ(r.model.dtypes, scan(bytes).model.dtypes);
  EXPECT_EQ(scan(bytes).model.tensor_count, 3u);
}

TEST(Gguf, EveryValueTypeAndNestedArrays) {
  Gguf g(3);
  g.kv_raw("u8", U8, le(1, 1)).kv_raw("i8", I8, le(0xff, 1)).kv_raw("u16", U16, le(2, 2));
  g.kv_raw("i16", I16, le(3, 2)).kv_raw("u32", U32, le(4, 4)).kv_raw("i32", I32, le(5, 4));
  g.kv_raw("f32", F32, le(0x3f800000, 4)).kv_raw("bool", BOOL, le(1, 1)).kv_str("str", "x");
  g.kv_raw("u64", U64, le(6, 8)).kv_raw("i64", I64, le(7, 8)).kv_raw("f64", F64, le(0, 8));
  g.kv_raw("arr", ARRAY, g.array(STRING, 2, g.str("a") + g.str("bc")));
  g.kv_raw("nested", ARRAY,
           g.array(ARRAY, 2, g.array(U16, 1, le(9, 2)) + g.array(ARRAY, 1, g.array(BOOL, 2, le(0x0100, 2)))));
  std::string bytes = g.build();
  auto p = parse(bytes);
  ASSERT_TRUE(p.ok()) << p.error().reason;
  EXPECT_EQ(std::get<std::int64_t>(p->find("i8")->data), -1);
  const auto* arr = p->find("arr")->array();
  ASSERT_NE(arr, nullptr);
  EXPECT_EQ(gguf::string_elements(*arr), (std::vector<std::string_view>{"a", "bc"}));
  const auto* nested = p->find("nested")->array();
  ASSERT_EQ(nested->arrays.size(), 2u);
  EXPECT_EQ(nested->arrays[1].array()->arrays[0].array()->count, 2u);
  EXPECT_EQ(scan(bytes).status, Status::safe);
}

TEST(Gguf, ChatTemplatesAreExposed) {
  Gguf g(3);
  g.kv_str("tokenizer.chat_template", "{{ messages }}").kv_str("tokenizer.chat_template.tool_use", "{{ tools }}");
  g.kv_raw("tokenizer.chat_templates", ARRAY, g.array(STRING, 1, g.str("tool_use")));
  std::string bytes = g.build();
  auto p = parse(bytes);
  ASSERT_TRUE(p.ok());
  auto templates = gguf::chat_templates(*p);
  ASSERT_EQ(templates.size(), 2u);
  EXPECT_EQ(templates[0].name, "default");
  EXPECT_EQ(templates[1].text, "{{ tools }}");
  auto r = scan(bytes);
  EXPECT_EQ(r.parsed.chat_templates["default"], "{{ messages }}");
  EXPECT_EQ(r.parsed.chat_templates["tool_use"], "{{ tools }}");
}

TEST(Gguf, AbsentAlignmentDefaultsTo32AndCustomAlignmentIsHonoured) {
  Gguf g(3);
  g.alignment = 64;
  g.kv_u32("general.alignment", 64).tensor("a", {3}, 0, 12).tensor("b", {3}, 0, 12);
  auto p = parse(g.build());
  ASSERT_TRUE(p.ok()) << p.error().reason;
  EXPECT_EQ(p->alignment, 64u);
  EXPECT_EQ(p->tensors[1].offset, 64u);
  EXPECT_EQ(p->data_start % 64, 0u);
}

// --- MG-GGUF-HEADER
TEST(GgufRules, UnsupportedVersion) {
  std::string bytes = valid(3).build();
  bytes[4] = 4;
  expect_refused(bytes, "MG-GGUF-HEADER");
  bytes[4] = 0;
  expect_refused(bytes, "MG-GGUF-HEADER");
}
TEST(GgufRules, BigEndianRefused) {
  std::string bytes = valid(3).build();
  bytes.replace(4, 4, std::string("\0\0\0\x03", 4));
  auto r = scan(bytes);
  EXPECT_TRUE(has_rule(r, "MG-GGUF-HEADER"));
  EXPECT_NE(first_message(r).find("big-endian"), std::string::npos);
}

// --- MG-GGUF-TRUNCATED: every prefix of a valid file is refused
TEST(GgufRules, EveryTruncationIsRefused) {
  for (std::uint32_t v : {1u, 2u, 3u}) {
    Gguf g = valid(v);
    std::string bytes = g.build();
    auto p = parse(bytes);
    ASSERT_TRUE(p.ok());
    const auto& last = p->tensors.back();
    std::uint64_t needed = p->data_start + last.offset + last.bytes;
    for (std::size_t n = 4; n < needed; ++n) {
      auto r = scan(bytes.substr(0, n));
      EXPECT_EQ(r.status, Status::refused) << "v" << v << " prefix " << n;
    }
  }
  expect_refused(valid(3).build().substr(0, 30), "MG-GGUF-COUNT");  // counts checked first
  expect_refused(Gguf(3).kv_raw("key", U32, "").build().substr(0, 24 + 11 + 4), "MG-GGUF-TRUNCATED");
  expect_refused(Gguf(3).kv_raw("key", U32, "12").build().substr(0, 24 + 11 + 4 + 2), "MG-GGUF-TRUNCATED");
}

// --- MG-GGUF-COUNT and MG-LIMIT-EXCEEDED: absurd counts refused before allocating
TEST(GgufRules, TensorCountLargerThanFile) {
  Gguf g = valid(3);
  g.tensor_count_override = 1000;
  expect_refused(g.build(), "MG-GGUF-COUNT");
}
TEST(GgufRules, CountsOverLimits) {
  Gguf g = valid(3);
  g.tensor_count_override = 1ull << 40;
  expect_refused(g.build(), "MG-LIMIT-EXCEEDED");
  Gguf k = valid(3);
  k.kv_count_override = ~0ull;
  expect_refused(k.build(), "MG-LIMIT-EXCEEDED");
}
TEST(GgufRules, ArrayLengthLargerThanFile) {
  Gguf g(3);
  g.kv_raw("a", ARRAY, g.array(U32, 1'000'000, le(1, 4)));
  expect_refused(g.build(), "MG-GGUF-COUNT");
  Gguf h(2);
  h.kv_raw("a", ARRAY, h.array(STRING, 1ull << 60, ""));
  expect_refused(h.build(), "MG-LIMIT-EXCEEDED");
}
TEST(GgufRules, StringLengthLargerThanFile) {
  Gguf g(3);
  g.kv_raw("s", STRING, le(5000, 8) + "short");
  expect_refused(g.build(), "MG-GGUF-COUNT");
  Gguf h(3);
  h.kv_raw("s", STRING, le(1ull << 62, 8));
  expect_refused(h.build(), "MG-LIMIT-EXCEEDED");
}
TEST(GgufRules, ArrayNestingOverLimit) {
  Gguf g(3);
  std::string inner = g.array(U8, 0, "");
  for (int i = 0; i < 6; ++i) inner = g.array(ARRAY, 1, inner);
  g.kv_raw("deep", ARRAY, inner);
  expect_refused(g.build(), "MG-LIMIT-EXCEEDED");
}
TEST(GgufRules, NestedArrayBudget) {
  Gguf g(3);
  std::string items;
  for (int i = 0; i < 10; ++i) items += g.array(U8, 0, "");
  g.kv_raw("many", ARRAY, g.array(ARRAY, 10, items));
  Limits limits;
  limits.max_gguf_nested_arrays = 5;
  auto p = parse(g.build(), limits);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rule.view(), "MG-LIMIT-EXCEEDED");
}

// --- MG-GGUF-KEY
TEST(GgufRules, EmptyOrInvalidKey) {
  expect_refused(Gguf(3).kv_str("", "x").build(), "MG-GGUF-KEY");
  expect_refused(Gguf(3).kv_str("a\xff", "x").build(), "MG-GGUF-KEY");
  expect_refused(Gguf(3).kv_str(std::string(65536, 'k'), "x").build(), "MG-GGUF-KEY");
}

// --- MG-GGUF-DUPLICATE-KEY
TEST(GgufRules, DuplicateKey) {
  Gguf g(3);
  g.kv_str("tokenizer.chat_template", "{{ a }}").kv_str("tokenizer.chat_template", "{{ b }}");
  std::string bytes = g.build();
  auto r = scan(bytes);
  EXPECT_EQ(r.status, Status::refused);
  ASSERT_TRUE(has_rule(r, "MG-GGUF-DUPLICATE-KEY"));
  EXPECT_EQ(r.findings[0].offset, 24 + 8 + 23 + 4 + 8 + 7);  // the second key
}

// --- MG-GGUF-VALUE-TYPE
TEST(GgufRules, UnknownValueType) {
  expect_refused(Gguf(3).kv_raw("x", 13, le(0, 8)).build(), "MG-GGUF-VALUE-TYPE");
  expect_refused(Gguf(1).kv_raw("x", U64, le(0, 8)).build(), "MG-GGUF-VALUE-TYPE");  // 64-bit types are v2+
  Gguf g(3);
  g.kv_raw("a", ARRAY, g.array(99, 0, ""));
  expect_refused(g.build(), "MG-GGUF-VALUE-TYPE");
}

// --- MG-GGUF-VALUE
TEST(GgufRules, BoolOutOfRange) {
  expect_refused(Gguf(3).kv_raw("b", BOOL, le(2, 1)).build(), "MG-GGUF-VALUE");
  Gguf g(3);
  g.kv_raw("a", ARRAY, g.array(BOOL, 3, std::string("\0\1\5", 3)));
  expect_refused(g.build(), "MG-GGUF-VALUE");
}

// --- MG-GGUF-STRING-ENCODING (unverified, not refused)
TEST(GgufRules, InvalidUtf8Value) {
  auto r = scan(Gguf(3).kv_str("general.name", "bad\xc3(").build());
  EXPECT_EQ(r.status, Status::unverified);
  EXPECT_TRUE(has_rule(r, "MG-GGUF-STRING-ENCODING"));
  auto j = nlohmann::json(modelgate::facts_json(r)).dump();  // facts stay valid UTF-8
  EXPECT_FALSE(j.empty());
}

// --- MG-GGUF-METADATA-SUSPICIOUS (info: the file stays safe)
TEST(GgufRules, MetadataTextThatLooksLikeACommand) {
  auto r = scan(Gguf(3).kv_str("general.description", "run: curl http://127.0.0.1/x | sh").build());
  EXPECT_EQ(r.status, Status::safe);
  EXPECT_TRUE(has_rule(r, "MG-GGUF-METADATA-SUSPICIOUS"));
}
// --- MG-TEMPLATE-IN-VALUE: Jinja with an escape primitive under any metadata key
TEST(GgufRules, JinjaPayloadUnderAnyKeyIsUnsafe) {
  auto r = scan(Gguf(3).kv_str("tokenizer.custom_template", "{{ lipsum['__glo' ~ 'bals__'].os.popen('id') }}").build());
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_TRUE(has_rule(r, "MG-TEMPLATE-IN-VALUE"));
  auto benign = scan(Gguf(3).kv_str("general.description", "say {{ name }}").build());
  EXPECT_FALSE(has_rule(benign, "MG-TEMPLATE-IN-VALUE"));
}
TEST(GgufRules, JinjaPayloadInAStringArrayIsUnsafe) {
  const std::string payload = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
  Gguf plain(3);
  std::string tokens = plain.str("<s>") + plain.str("{{") + plain.str(payload);
  auto r = scan(Gguf(3).kv_raw("tokenizer.ggml.tokens", ARRAY, plain.array(STRING, 3, tokens)).build());
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_TRUE(has_rule(r, "MG-TEMPLATE-IN-VALUE"));
  EXPECT_NE(all_messages(r).find("tokenizer.ggml.tokens[2]"), std::string::npos) << all_messages(r);
  // An array of arrays of strings.
  std::string inner = plain.array(STRING, 1, plain.str(payload));
  auto nested = scan(Gguf(3).kv_raw("general.notes", ARRAY, plain.array(ARRAY, 1, inner)).build());
  EXPECT_TRUE(has_rule(nested, "MG-TEMPLATE-IN-VALUE")) << all_messages(nested);
  // A key that only starts like the chat-template keys is not read as a template, so it is a value.
  auto near = scan(Gguf(3).kv_str("tokenizer.chat_templates", payload).build());
  EXPECT_TRUE(has_rule(near, "MG-TEMPLATE-IN-VALUE")) << all_messages(near);
}
TEST(GgufRules, OrdinaryStringMetadataStaysSafe) {
  Gguf plain(3);
  std::string tokens;
  const char* pieces[] = {"<s>", "</s>", "{{", "{%", "}}", "{{{", " {%-", "▁hello", "<|im_start|>"};
  for (const char* t : pieces) tokens += plain.str(t);
  auto r = scan(Gguf(3)
                    .kv_str("general.architecture", "llama")
                    .kv_str("general.name", "Tiny {{ Llama }}")
                    .kv_str("general.description", "Use {% raw %}{{ prompt }}{% endraw %} in your template")
                    .kv_raw("tokenizer.ggml.tokens", ARRAY, plain.array(STRING, std::size(pieces), tokens))
                    .kv_str("tokenizer.chat_template",
                            "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}")
                    .build());
  EXPECT_EQ(r.status, Status::safe) << all_messages(r);
  EXPECT_FALSE(has_rule(r, "MG-TEMPLATE-IN-VALUE"));
}
TEST(GgufRules, UrlsInTheSpecsUrlKeysAreExpected) {
  auto r = scan(Gguf(3)
                    .kv_str("general.url", "https://huggingface.co/org/model")
                    .kv_str("general.source.url", "https://example.org/src")
                    .kv_str("general.license.link", "https://example.org/LICENSE")
                    .build());
  EXPECT_EQ(r.status, Status::safe);
  EXPECT_FALSE(has_rule(r, "MG-GGUF-METADATA-SUSPICIOUS"));
  auto elsewhere = scan(Gguf(3).kv_str("general.name", "see https://example.org/x").build());
  EXPECT_TRUE(has_rule(elsewhere, "MG-GGUF-METADATA-SUSPICIOUS"));
}

// --- MG-GGUF-TENSOR-NAME
TEST(GgufRules, DuplicateTensorName) {
  Gguf g(3);
  g.tensor("w", {8}, 0, 32).tensor("w", {8}, 0, 32);
  expect_refused(g.build(), "MG-GGUF-TENSOR-NAME");
}
TEST(GgufRules, TensorNameTooLong) {
  Gguf g(3);
  g.tensor(std::string(64, 'n'), {8}, 0, 32);
  expect_refused(g.build(), "MG-GGUF-TENSOR-NAME");
  Gguf ok(3);
  ok.tensor(std::string(63, 'n'), {8}, 0, 32);
  EXPECT_EQ(scan(ok.build()).status, Status::safe);
}

// --- MG-GGUF-TENSOR-SHAPE
TEST(GgufRules, TooManyDimensions) {
  Gguf g(3);
  g.tensor("w", {1, 1, 1, 1, 8}, 0, 32);
  expect_refused(g.build(), "MG-GGUF-TENSOR-SHAPE");
}
TEST(GgufRules, DimensionCountIsTheLimitsField) {
  Gguf g(3);
  g.tensor("w", {1, 1, 1, 1, 8}, 0, 32);
  auto refused = parse(g.build());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().reason.find("max_gguf_dims (4"), std::string::npos) << refused.error().reason;
  Limits five;
  five.max_gguf_dims = 5;
  EXPECT_TRUE(parse(g.build(), five).ok());
}
TEST(GgufRules, NegativeDimension) {
  Gguf g(3);
  g.tensor("w", {~0ull}, 0, 0);
  expect_refused(g.build(), "MG-GGUF-TENSOR-SHAPE");
}
TEST(GgufRules, ElementCountOverflow) {
  Gguf g(3);
  g.tensor("w", {1ull << 32, 1ull << 32}, 0, 0);
  expect_refused(g.build(), "MG-GGUF-TENSOR-SHAPE");
}
TEST(GgufRules, RowNotAWholeNumberOfBlocks) {
  Gguf g(3);
  g.tensor("w", {33}, 2, 18);  // Q4_0 blocks hold 32 elements
  expect_refused(g.build(), "MG-GGUF-TENSOR-SHAPE");
}

// --- MG-GGUF-TENSOR-TYPE
TEST(GgufRules, UnknownOrRemovedType) {
  Gguf g(3);
  g.tensor("w", {32}, 99, 32);
  expect_refused(g.build(), "MG-GGUF-TENSOR-TYPE");
  Gguf h(3);
  h.tensor("w", {32}, 4, 32);  // Q4_2, removed from ggml
  expect_refused(h.build(), "MG-GGUF-TENSOR-TYPE");
}

// --- MG-GGUF-TENSOR-OFFSET
TEST(GgufRules, OffsetNotWhereGgmlExpectsIt) {
  Gguf g(3);
  g.tensor("a", {8}, 0, 32).tensor_at("b", {8}, 0, 0, 32);  // overlaps a
  expect_refused(g.build(), "MG-GGUF-TENSOR-OFFSET");
  Gguf h(3);
  h.tensor_at("a", {8}, 0, 8, 32);  // misaligned, leaves a gap
  expect_refused(h.build(), "MG-GGUF-TENSOR-OFFSET");
}

// --- MG-GGUF-TENSOR-BOUNDS
TEST(GgufRules, TensorPastEndOfFile) {
  Gguf g(3);
  g.tensor("a", {8}, 0, 32);
  std::string bytes = g.build();
  bytes.resize(bytes.size() - 1);
  expect_refused(bytes, "MG-GGUF-TENSOR-BOUNDS");
  Gguf huge(3);
  huge.tensor("a", {1ull << 40}, 0, 0);
  expect_refused(huge.build(), "MG-GGUF-TENSOR-BOUNDS");
}

// --- MG-GGUF-ALIGNMENT
TEST(GgufRules, AlignmentWrongTypeOrValue) {
  expect_refused(Gguf(3).kv_raw("general.alignment", U64, le(32, 8)).build(), "MG-GGUF-ALIGNMENT");
  expect_refused(Gguf(3).kv_u32("general.alignment", 48).build(), "MG-GGUF-ALIGNMENT");
  expect_refused(Gguf(3).kv_u32("general.alignment", 0).build(), "MG-GGUF-ALIGNMENT");
}

// --- MG-GGUF-PADDING and MG-GGUF-TRAILING-DATA (unverified)
TEST(GgufRules, NonZeroPadding) {
  Gguf g(3);
  g.tensor("a", {3}, 0, 12);
  std::string bytes = g.build();
  bytes.back() = 'X';  // inside the padding after the only tensor
  auto r = scan(bytes);
  EXPECT_EQ(r.status, Status::unverified);
  EXPECT_TRUE(has_rule(r, "MG-GGUF-PADDING"));
}
TEST(GgufRules, TrailingData) {
  auto r = scan(valid(3).build() + "appended payload");
  EXPECT_EQ(r.status, Status::unverified);
  EXPECT_TRUE(has_rule(r, "MG-GGUF-TRAILING-DATA"));
}

// Files written by the generator: GGUF v1, v2 and v3 with every value type and quantized tensors.
TEST(GgufFixtures, GeneratedFilesOfEveryVersionAreSafe) {
  const auto& gen = mgtest::generated_fixtures("make_safetensors_gguf.py", "fixtures");
  ASSERT_TRUE(gen.ok) << gen.log;
  const auto& dir = gen.dir;
  for (int v : {1, 2, 3}) {
    auto bytes = mgtest::read_file(dir / ("model-v" + std::to_string(v) + ".gguf"));
    auto r = scan(bytes);
    EXPECT_EQ(r.format, "gguf");
    EXPECT_EQ(r.status, Status::safe) << v << " " << first_message(r);
    EXPECT_EQ(modelgate::facts_json(r)["gguf_version"], v);
    EXPECT_EQ(modelgate::facts_json(r)["tensor_count"], 5);
    EXPECT_EQ(modelgate::facts_json(r)["alignment"], v == 3 ? 64 : 32);
    EXPECT_EQ(modelgate::facts_json(r)["license"], "apache-2.0");
    EXPECT_TRUE(r.parsed.chat_templates.count("default"));
    EXPECT_TRUE(r.parsed.chat_templates.count("tool_use"));
    EXPECT_EQ(modelgate::facts_json(r)["metadata"]["tokenizer.ggml.tokens"]["count"], 7);
  }
}

}  // namespace gguf_test
