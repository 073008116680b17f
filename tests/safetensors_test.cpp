// safetensors: one test per refusal rule, built by hand, plus real files from the generator.
#include <gtest/gtest.h>

#include <cstring>

#include "core/parsed_facts_json.h"
#include "readers/safetensors.h"
#include "modelgate/report.h"
#include "test_util.h"

namespace safetensors_test {

using namespace modelgate;
using mgtest::has_rule;
using mgtest::scan;

namespace {

std::string le64(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// A safetensors file from a header text and a buffer.
std::string st(const std::string& header, const std::string& buffer = "") {
  return le64(header.size()) + header + buffer;
}

std::optional<std::uint64_t> offset_of(const ArtifactReport& r, const std::string& rule) {
  for (const auto* f : r.all_findings())
    if (f->rule == rule) return f->offset;
  return std::nullopt;
}

std::string message_of(const ArtifactReport& r, const std::string& rule) {
  for (const auto* f : r.all_findings())
    if (f->rule == rule) return f->message;
  return {};
}

void expect_refused(const std::string& bytes, const std::string& rule) {
  auto r = scan(bytes, "t.bin");
  EXPECT_EQ(r.format, "safetensors");
  EXPECT_EQ(r.status, Status::refused) << rule;
  EXPECT_TRUE(has_rule(r, rule)) << rule << ": " << (r.findings.empty() ? "" : r.findings[0].rule + " " + r.findings[0].message);
}

const std::string kF32x2 = R"("dtype":"F32","shape":[2],"data_offsets":[0,8])";

}  // namespace

TEST(Safetensors, ValidFileIsSafeWithFacts) {
  auto r = scan(st(R"({"__metadata__":{"format":"pt"},"a":{)" + kF32x2 + R"(},"b":{"dtype":"U8","shape":[],"data_offsets":[8,9]}}   )",
                   std::string(9, '\1')));
  EXPECT_EQ(r.format, "safetensors");
  EXPECT_EQ(r.status, Status::safe);
  EXPECT_EQ(modelgate::facts_json(r)["tensor_count"], 2);
  EXPECT_EQ(modelgate::facts_json(r)["parameters"], 3);
  EXPECT_EQ(modelgate::facts_json(r)["metadata"]["format"], "pt");
}

// Each tensor with its dtype, shape and the byte range of its data in the file (offsets in the
// header count from the end of the header).
TEST(Safetensors, TensorsAreListedWithTheirBytesInTheFile) {
  const std::string header = R"({"b":{"dtype":"U8","shape":[],"data_offsets":[8,9]},"a":{)" + kF32x2 + "}}";
  const std::string bytes = st(header, std::string(8, 'A') + "B");
  auto r = scan(bytes);
  ASSERT_EQ(r.status, Status::safe);
  ASSERT_EQ(r.model.tensors.size(), 2u);
  const TensorFacts& a = r.model.tensors[0];  // in data order
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.dtype, "F32");
  EXPECT_EQ(a.shape, (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(bytes.substr(a.begin, a.end - a.begin), std::string(8, 'A'));
  const TensorFacts& b = r.model.tensors[1];
  EXPECT_EQ(b.name, "b");
  EXPECT_TRUE(b.shape.empty());
  EXPECT_EQ(bytes.substr(b.begin, b.end - b.begin), "B");
}

// A file with more tensors than a report lists (Limits::max_listed_tensors) is counted, not listed:
// a header of a million tiny tensors must not make every report a hundred megabytes. The verdict and
// the other facts do not change, and the list is never partial.
TEST(Safetensors, PastTheListingLimitTensorsAreCountedNotListed) {
  const std::string bytes = st(R"({"b":{"dtype":"U8","shape":[],"data_offsets":[8,9]},"a":{)" + kF32x2 + "}}",
                               std::string(9, 'A'));
  auto listed = scan(bytes);
  ASSERT_EQ(listed.status, Status::safe);
  EXPECT_EQ(listed.model.tensor_count, 2u);
  EXPECT_EQ(listed.model.tensors.size(), 2u);
  for (std::uint64_t limit : {0u, 1u}) {
    modelgate::ScanOptions opts;
    opts.limits.max_listed_tensors = limit;
    auto r = modelgate::scan_bytes("mem", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts).value();
    EXPECT_EQ(r.status, Status::safe) << limit;
    EXPECT_EQ(r.model.tensor_count, 2u) << limit;
    EXPECT_TRUE(r.model.tensors.empty()) << limit;
    EXPECT_EQ(r.model.parameters, listed.model.parameters) << limit;
    EXPECT_EQ(r.model.dtypes, listed.model.dtypes) << limit;
  }
  modelgate::ScanOptions opts;
  opts.limits.max_listed_tensors = 2;
  EXPECT_EQ(modelgate::scan_bytes("mem", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts)
                .value().model.tensors.size(), 2u);
}

TEST(Safetensors, ParsedModelIsReusable) {
  std::string bytes = st(R"({"w":{"dtype":"BF16","shape":[2,3],"data_offsets":[4,16]},"z":{"dtype":"F4","shape":[8],"data_offsets":[0,4]}})",
                         std::string(16, '\0'));
  auto p = safetensors::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), Limits{});
  ASSERT_TRUE(p.ok()) << p.error().reason;
  ASSERT_EQ(p->tensors.size(), 2u);
  EXPECT_EQ(p->tensors[0].name, "z");  // ordered by data offset
  const auto* w = p->find("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype, safetensors::Dtype::BF16);
  EXPECT_EQ(w->shape, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(w->begin, 4u);
  EXPECT_EQ(p->buffer_start, 8 + p->header_length);
}

TEST(Safetensors, ZeroSizedTensorsAndEmptyFileAreValid) {
  EXPECT_EQ(scan(st("{}")).status, Status::safe);
  EXPECT_EQ(scan(st(R"({"e":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]},"a":{)" + kF32x2 + "}}",
                    std::string(8, '\0'))).status,
            Status::safe);
}

TEST(Safetensors, IdentifiedByContentNotName) {
  std::string bytes = st(R"({"a":{)" + kF32x2 + "}}", std::string(8, '\0'));
  EXPECT_EQ(scan(bytes, "weights.txt").format, "safetensors");
  EXPECT_NE(scan("12345678{\"not\": \"safetensors\"}", "x.safetensors").format, "safetensors");
}

// --- MG-SAFETENSORS-HEADER-SIZE
TEST(SafetensorsRules, HeaderLengthPastEndOfFile) {
  std::string bytes = le64(1000) + "{}";
  expect_refused(bytes, "MG-SAFETENSORS-HEADER-SIZE");
  EXPECT_EQ(offset_of(scan(bytes), "MG-SAFETENSORS-HEADER-SIZE"), 0u);
}
TEST(SafetensorsRules, HeaderLengthOverLimit) {
  expect_refused(le64(200'000'000) + "{}", "MG-SAFETENSORS-HEADER-SIZE");
}
TEST(SafetensorsRules, HeaderLengthTooSmall) { expect_refused(le64(1) + "{}", "MG-SAFETENSORS-HEADER-SIZE"); }
TEST(SafetensorsRules, ShorterThanLengthField) {
  std::string bytes = "\x02\0\0";
  auto p = safetensors::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), Limits{});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rule.view(), "MG-SAFETENSORS-HEADER-SIZE");
}

// --- MG-SAFETENSORS-HEADER-JSON
TEST(SafetensorsRules, HeaderTruncatedJson) { expect_refused(st(R"({"a":{"dtype")"), "MG-SAFETENSORS-HEADER-JSON"); }
TEST(SafetensorsRules, HeaderTrailingGarbage) { expect_refused(st("{} x"), "MG-SAFETENSORS-HEADER-JSON"); }
TEST(SafetensorsRules, HeaderInvalidUtf8) {
  expect_refused(st("{\"a\xff\":{" + kF32x2 + "}}", std::string(8, '\0')), "MG-SAFETENSORS-HEADER-JSON");
}
TEST(SafetensorsRules, HeaderTooDeep) {
  std::string deep = R"({"__metadata__":)" + std::string(300, '[') + std::string(300, ']') + "}";
  auto r = scan(st(deep));
  EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-HEADER-JSON"));
  EXPECT_NE(message_of(r, "MG-SAFETENSORS-HEADER-JSON").find("nesting"), std::string::npos);
}
TEST(SafetensorsRules, HeaderNotAnObject) {
  std::string bytes = st("[1,2]");
  auto p = safetensors::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), Limits{});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rule.view(), "MG-SAFETENSORS-HEADER-JSON");
}
TEST(SafetensorsRules, HeaderSyntaxErrorHasOffset) {
  auto r = scan(st(R"({"a":{)" + kF32x2 + "},,}", std::string(8, '\0')));
  auto off = offset_of(r, "MG-SAFETENSORS-HEADER-JSON");
  ASSERT_TRUE(off.has_value());
  EXPECT_GT(*off, 8u);
}

// --- MG-SAFETENSORS-DUPLICATE-KEY, at every level
TEST(SafetensorsRules, DuplicateTensorName) {
  std::string header = R"({"a":{)" + kF32x2 + R"(},"a":{)" + kF32x2 + "}}";
  auto r = scan(st(header, std::string(8, '\0')));
  EXPECT_EQ(r.status, Status::refused);
  EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-DUPLICATE-KEY"));
  EXPECT_EQ(offset_of(r, "MG-SAFETENSORS-DUPLICATE-KEY"), 8 + header.rfind("\"a\""));
}
TEST(SafetensorsRules, DuplicateKeyInsideEntry) {
  expect_refused(st(R"({"a":{"dtype":"U8","dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-DUPLICATE-KEY");
}
TEST(SafetensorsRules, DuplicateKeyInMetadata) {
  expect_refused(st(R"({"__metadata__":{"k":"1","k":"2"}})"), "MG-SAFETENSORS-DUPLICATE-KEY");
}
TEST(SafetensorsRules, DuplicateKeyWithEscapes) {
  // "\u0061" is "a": the same key spelled differently.
  expect_refused(st(R"({"a":{)" + kF32x2 + R"(},"\u0061":{)" + kF32x2 + "}}", std::string(8, '\0')),
                 "MG-SAFETENSORS-DUPLICATE-KEY");
}

// --- MG-SAFETENSORS-TENSOR-ENTRY
TEST(SafetensorsRules, EntryNotAnObject) { expect_refused(st(R"({"a":[1]})"), "MG-SAFETENSORS-TENSOR-ENTRY"); }
TEST(SafetensorsRules, EntryUnknownKey) {
  auto r = scan(st(R"({"a":{)" + kF32x2 + R"(,"loader":"x"}})", std::string(8, '\0')));
  EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-TENSOR-ENTRY"));
  EXPECT_NE(message_of(r, "MG-SAFETENSORS-TENSOR-ENTRY").find("loader"), std::string::npos);
  EXPECT_EQ(offset_of(r, "MG-SAFETENSORS-TENSOR-ENTRY"), 9u);
}
TEST(SafetensorsRules, EntryMissingOffsets) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[2]}})"), "MG-SAFETENSORS-TENSOR-ENTRY");
}
TEST(SafetensorsRules, OffsetsNotAPair) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-TENSOR-ENTRY");
}
TEST(SafetensorsRules, OffsetsNegative) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-TENSOR-ENTRY");
}

// --- MG-SAFETENSORS-DTYPE
TEST(SafetensorsRules, UnknownDtype) {
  expect_refused(st(R"({"a":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-DTYPE");
}
TEST(SafetensorsRules, DtypeNotAString) {
  expect_refused(st(R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-DTYPE");
}

// --- MG-SAFETENSORS-SHAPE
TEST(SafetensorsRules, NegativeDimension) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-SHAPE");
}
TEST(SafetensorsRules, NonIntegerDimension) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-SHAPE");
  expect_refused(st(R"({"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-SHAPE");
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[1e30],"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-SHAPE");
}
TEST(SafetensorsRules, ShapeNotAnArray) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-SHAPE");
}
TEST(SafetensorsRules, ElementCountOverflow) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})"),
                 "MG-SAFETENSORS-SHAPE");
  expect_refused(st(R"({"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}})"),
                 "MG-SAFETENSORS-SHAPE");
}
TEST(SafetensorsRules, SubByteDtypeMustFillBytes) {
  expect_refused(st(R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", std::string(2, '\0')),
                 "MG-SAFETENSORS-SHAPE");
}

// --- MG-SAFETENSORS-SIZE-MISMATCH
TEST(SafetensorsRules, RangeDoesNotMatchDtypeTimesShape) {
  auto r = scan(st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", std::string(4, '\0')));
  EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-SIZE-MISMATCH"));
  EXPECT_NE(message_of(r, "MG-SAFETENSORS-SIZE-MISMATCH").find("needs 8 bytes"), std::string::npos);
}
TEST(SafetensorsRules, ReversedOffsets) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-SIZE-MISMATCH");
}

// --- MG-SAFETENSORS-OUT-OF-BOUNDS
TEST(SafetensorsRules, RangePastEndOfBuffer) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(4, '\0')),
                 "MG-SAFETENSORS-OUT-OF-BOUNDS");
  expect_refused(st(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[18446744073709551614,0]}})", ""),
                 "MG-SAFETENSORS-SIZE-MISMATCH");
}

// --- MG-SAFETENSORS-OVERLAP
TEST(SafetensorsRules, OverlappingRanges) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                    std::string(12, '\0')),
                 "MG-SAFETENSORS-OVERLAP");
  // The same range twice is an overlap too.
  expect_refused(st(R"({"a":{)" + kF32x2 + R"(},"b":{)" + kF32x2 + "}}", std::string(8, '\0')),
                 "MG-SAFETENSORS-OVERLAP");
  // So is an empty tensor placed inside another one.
  expect_refused(st(R"({"a":{)" + kF32x2 + R"(},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
                    std::string(8, '\0')),
                 "MG-SAFETENSORS-OVERLAP");
}

// --- MG-SAFETENSORS-GAP
TEST(SafetensorsRules, GapBetweenTensors) {
  auto r = scan(st(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                   std::string(12, '\0')));
  EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-GAP"));
}
TEST(SafetensorsRules, GapAtStart) {
  expect_refused(st(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0')),
                 "MG-SAFETENSORS-GAP");
}
TEST(SafetensorsRules, TrailingBytesAfterLastTensor) {
  std::string header = R"({"a":{)" + kF32x2 + "}}";
  auto r = scan(st(header, std::string(8, '\0') + "PAYLOAD"));
  EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-GAP"));
  EXPECT_EQ(offset_of(r, "MG-SAFETENSORS-GAP"), 8 + header.size() + 8);
  expect_refused(st("{}", "x"), "MG-SAFETENSORS-GAP");
}

// --- MG-SAFETENSORS-METADATA
TEST(SafetensorsRules, MetadataNotAMap) { expect_refused(st(R"({"__metadata__":"pt"})"), "MG-SAFETENSORS-METADATA"); }
TEST(SafetensorsRules, MetadataValueNotAString) {
  expect_refused(st(R"({"__metadata__":{"epochs":3}})"), "MG-SAFETENSORS-METADATA");
  expect_refused(st(R"({"__metadata__":{"nested":{"a":"b"}}})"), "MG-SAFETENSORS-METADATA");
}

// --- MG-SAFETENSORS-METADATA-SUSPICIOUS (info; the file stays safe)
TEST(SafetensorsRules, SuspiciousMetadataIsInfo) {
  for (const char* text : {"see https://example.invalid", "$(id)", "__import__('os')", "curl x | sh"}) {
    auto r = scan(st(std::string(R"({"__metadata__":{"note":")") + text + R"("}})"));
    EXPECT_EQ(r.status, Status::safe) << text;
    EXPECT_TRUE(has_rule(r, "MG-SAFETENSORS-METADATA-SUSPICIOUS")) << text;
  }
  EXPECT_FALSE(has_rule(scan(st(R"({"__metadata__":{"format":"pt"}})")), "MG-SAFETENSORS-METADATA-SUSPICIOUS"));
}

// --- MG-LIMIT-EXCEEDED: tensor count
TEST(SafetensorsRules, TensorCountLimit) {
  std::string header = "{";
  for (int i = 0; i < 5; ++i)
    header += (i ? "," : "") + std::string("\"t") + std::to_string(i) + R"(":{"dtype":"U8","shape":[1],"data_offsets":[)" +
              std::to_string(i) + "," + std::to_string(i + 1) + "]}";
  header += "}";
  std::string bytes = st(header, std::string(5, '\0'));
  Limits limits;
  limits.max_tensors = 4;
  auto p = safetensors::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), limits);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rule.view(), "MG-LIMIT-EXCEEDED");
  EXPECT_EQ(scan(bytes).status, Status::safe);
}

// Entries are checked while the header is read and dropped (safetensors::parse keeps one at a time),
// yet a header with several faults is refused for the one a whole-header reading would name first:
// a JSON error anywhere, then the tensor count, then the first wrong entry in text order.
TEST(SafetensorsRules, ARefusalNamesTheFaultAWholeHeaderReadingFindsFirst) {
  auto rule_of = [](const std::string& bytes, const Limits& limits = {}) {
    auto p = safetensors::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), limits);
    return p.ok() ? std::string("ok") : std::string(p.error().rule.view()) + " @" + std::to_string(p.error().offset);
  };
  const std::string bad_entry = R"("a":{"dtype":"X9","shape":[1],"data_offsets":[0,1]})";
  const std::string good_entry = R"("b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]})";
  // A syntax error after a wrong entry, and a duplicate key after one.
  EXPECT_EQ(rule_of(st("{" + bad_entry + "," + good_entry + ",}", std::string(1, '\0'))), "MG-SAFETENSORS-HEADER-JSON @113");
  EXPECT_EQ(rule_of(st("{" + bad_entry + "," + good_entry + "," + good_entry + "}", std::string(1, '\0'))),
            "MG-SAFETENSORS-DUPLICATE-KEY @113");
  // Too many tensors, the first of them wrong.
  Limits one;
  one.max_tensors = 1;
  EXPECT_EQ(rule_of(st("{" + bad_entry + "," + good_entry + "}", std::string(1, '\0')), one), "MG-LIMIT-EXCEEDED @8");
  // Two wrong entries: the first in the text, at its key.
  const std::string bad_later = R"("c":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]})";
  EXPECT_EQ(rule_of(st("{" + bad_later + "," + bad_entry + "}", std::string(1, '\0'))), "MG-SAFETENSORS-SHAPE @9");
  EXPECT_EQ(rule_of(st("{" + good_entry + "}", std::string(1, '\0'))), "ok");
}

// Real files written by the generator (torch and numpy tensors).
TEST(SafetensorsFixtures, GeneratedFilesAreSafe) {
  const auto& gen = mgtest::generated_fixtures("make_safetensors_gguf.py", "fixtures");
  ASSERT_TRUE(gen.ok) << gen.log;
  const auto& dir = gen.dir;
  for (const char* name : {"model.safetensors", "no_metadata.safetensors", "suspicious.safetensors"}) {
    auto bytes = mgtest::read_file(dir / name);
    auto r = scan(bytes, name);
    EXPECT_EQ(r.format, "safetensors") << name;
    EXPECT_EQ(r.status, Status::safe) << name << " " << (r.findings.empty() ? "" : r.findings[0].message);
  }
  auto model = scan(mgtest::read_file(dir / "model.safetensors"));
  EXPECT_EQ(modelgate::facts_json(model)["tensor_count"], 9);
  EXPECT_EQ(modelgate::facts_json(model)["dtypes"]["BF16"], 1);
  EXPECT_TRUE(has_rule(scan(mgtest::read_file(dir / "suspicious.safetensors")), "MG-SAFETENSORS-METADATA-SUSPICIOUS"));

  // Every truncation of a valid file is refused.
  auto bytes = mgtest::read_file(dir / "model.safetensors");
  for (std::size_t n = 9; n < bytes.size(); n += 7) {
    auto r = scan(bytes.substr(0, n));
    if (r.format == "safetensors") EXPECT_EQ(r.status, Status::refused) << n;
    else EXPECT_NE(r.status, Status::safe) << n;
  }
}

TEST(SafetensorsRules, JsonValueCountLimit) {
  Limits limits;
  limits.max_tensors = 1;
  std::string header = R"({"__metadata__":{)";
  for (int i = 0; i < (1 << 20) + 20; ++i) header += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"\"";
  header += "}}";
  std::string bytes = st(header);
  auto p = safetensors::parse(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), limits);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().rule.view(), "MG-LIMIT-EXCEEDED");
}

}  // namespace safetensors_test
