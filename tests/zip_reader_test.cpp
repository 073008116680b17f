// The strict ZIP reader: one test per rule, on archives built byte by byte.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "container/npy_header.h"
#include "readers/zip_reader.h"
#include "core/signature_search.h"
#include "modelgate/scan.h"
#include "test_util.h"
#include "zip_builder.h"

namespace zip_reader_test {

namespace {

using namespace mgtest;

modelgate::zip::Archive read(const std::string& bytes) {
  static const modelgate::Limits limits;
  auto ar = modelgate::zip::read_zip(
      modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), "t.zip", limits);
  EXPECT_TRUE(ar.ok()) << (ar.ok() ? "" : ar.error().reason);
  return ar.ok() ? std::move(*ar) : modelgate::zip::Archive{};
}

bool has(const modelgate::zip::Archive& ar, const std::string& rule) {
  for (const auto& f : ar.findings)
    if (f.rule == rule) return true;
  return false;
}

TEST(ZipReader, PlainArchiveIsSafe) {
  auto z = build_zip({{"a/readme.txt", "hello world\n"}, {"a/b.txt", std::string(3000, 'x'), "", 0, 8}});
  auto r = scan(z);
  EXPECT_EQ(r.format, "zip");
  EXPECT_EQ(r.status, modelgate::Status::safe) << r.findings.size();
  EXPECT_EQ(r.children.size(), 2u);
}

TEST(ZipReader, NameMismatch) {
  Entry e{"a/data.pkl", "x"};
  e.local_name = "a/data.pkx";
  EXPECT_TRUE(has(read(build_zip({e})), "MG-ZIP-NAME-MISMATCH"));
}

TEST(ZipReader, DuplicatesAndWhichCopyEachReaderReturns) {
  auto ar = read(build_zip({{"a/x", "1"}, {"a/y", "2"}, {"a/x", "3"}}));
  EXPECT_TRUE(has(ar, "MG-ZIP-DUPLICATE-NAME"));
  EXPECT_EQ(ar.find_as_zipfile("a/x")->index, 2u);
  ASSERT_NE(ar.find_as_miniz("a/x"), nullptr);
  // miniz compares names case-insensitively.
  EXPECT_NE(ar.find_as_miniz("A/Y"), nullptr);
  EXPECT_EQ(ar.find_as_zipfile("A/Y"), nullptr);
  EXPECT_TRUE(has(read(build_zip({{"a/Data.pkl", "1"}, {"a/data.pkl", "2"}})), "MG-ZIP-DUPLICATE-NAME"));
}

TEST(ZipReader, CrcMismatchIsReportedWhenMemberIsRead) {
  Entry e{"a/notes.txt", "hello\n"};
  e.bad_crc = true;
  auto r = scan(build_zip({e}));
  EXPECT_TRUE(has_rule(r, "MG-ZIP-CRC-MISMATCH"));
  EXPECT_EQ(r.status, modelgate::Status::refused);
}

TEST(ZipReader, FlagBitsAndMethods) {
  Entry enc{"a", "x"};
  enc.flags = 1;
  EXPECT_TRUE(has(read(build_zip({enc})), "MG-ZIP-ENCRYPTED"));
  Entry patched{"a", "x"};
  patched.flags = 0x20;
  EXPECT_TRUE(has(read(build_zip({patched})), "MG-ZIP-FLAGS"));
  Entry bz{"a", "x"};
  bz.method = 12;
  EXPECT_TRUE(has(read(build_zip({bz})), "MG-ZIP-METHOD"));
}

TEST(ZipReader, TrailingDataAndSeveralEndRecords) {
  EXPECT_TRUE(has(read(build_zip({{"a", "x"}}, "", "TRAILER")), "MG-ZIP-TRAILING-DATA"));
  // A second copy of the end record appended: both readers take the last one.
  auto z = build_zip({{"a", "x"}});
  auto ar = read(z + z.substr(z.size() - 22));
  EXPECT_TRUE(has(ar, "MG-ZIP-MULTIPLE-EOCD"));
}

TEST(ZipReader, OverlapAndOutOfBounds) {
  Entry a{"a", "hello"};
  Entry b{"b", "hello"};
  b.force_offset = 0;  // points at a's local header
  auto ar = read(build_zip({a, b}));
  EXPECT_TRUE(has(ar, "MG-ZIP-OVERLAP"));
  Entry c{"c", "x"};
  c.force_offset = 1 << 20;
  EXPECT_TRUE(has(read(build_zip({{"a", "x"}, c})), "MG-ZIP-OUT-OF-BOUNDS"));
}

TEST(ZipReader, UnsafeNamesAndSymlinks) {
  for (std::string name : std::vector<std::string>{"../evil", "/etc/passwd", "a\\..\\b", std::string("a\0b", 3), "C:/x"})
    EXPECT_TRUE(has(read(build_zip({{name, "x"}})), "MG-ZIP-UNSAFE-PATH")) << name;
  Entry link{"link", "/etc/passwd"};
  link.made_by = 3 << 8;
  link.external_attrs = 0120777u << 16;
  auto r = scan(build_zip({link}));
  EXPECT_TRUE(has_rule(r, "MG-ZIP-SYMLINK"));
  EXPECT_EQ(r.status, modelgate::Status::unsafe);
}

TEST(ZipReader, RatioBombIsNotInflated) {
  Entry e{"zeros", std::string(4 << 20, '\0')};
  e.method = 8;
  auto r = scan(build_zip({e}));
  EXPECT_TRUE(has_rule(r, "MG-ZIP-BOMB"));
  EXPECT_EQ(r.status, modelgate::Status::refused);
}

TEST(ZipReader, TruncatedArchivesAreRefused) {
  auto z = build_zip({{"a/b.txt", "hello"}});
  for (std::size_t cut : {z.size() - 1, z.size() - 30, std::size_t(10)}) {
    auto r = scan(z.substr(0, cut));
    EXPECT_NE(r.status, modelgate::Status::safe) << cut;
  }
  auto r = scan(z.substr(0, z.size() - 23));
  EXPECT_EQ(r.status, modelgate::Status::refused);
}

TEST(ZipReader, PrependedDataIsSeenByBothReaders) {
  auto z = build_zip({{"a", "x"}});
  auto ar = read("PREFIX" + z);
  EXPECT_TRUE(has(ar, "MG-ZIP-LOADER-DIVERGENCE"));
  ASSERT_EQ(ar.members.size(), 1u);  // read the way zipfile reads it
  EXPECT_EQ(ar.members[0].data_offset, 6u + 30u + 1u);
}

TEST(NpyHeader, ParsesWhatNumpyWrites) {
  auto make = [](const std::string& dict, int major = 1) {
    std::string h = "\x93NUMPY";
    h += char(major);
    h += char(0);
    std::string text = dict;
    std::size_t fixed = major == 1 ? 10 : 12;
    while ((fixed + text.size() + 1) % 64) text += ' ';
    text += '\n';
    if (major == 1) put16(h, text.size()); else put32(h, text.size());
    return h + text;
  };
  auto parse = [](const std::string& s) {
    return modelgate::npy::parse_header(
        modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), modelgate::Limits{});
  };
  auto h = parse(make("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"));
  ASSERT_TRUE(h.ok()) << h.error().reason;
  EXPECT_EQ(h->itemsize, 4u);
  EXPECT_EQ(h->count, 12u);
  auto s = parse(make("{'descr': [('x', '<f8'), ('y', '<i4', (2,)), ('', '|V4')], 'fortran_order': True, 'shape': (5,), }", 2));
  ASSERT_TRUE(s.ok()) << s.error().reason;
  EXPECT_EQ(s->itemsize, 20u);
  auto o = parse(make("{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (), }", 3));
  ASSERT_TRUE(o.ok()) << o.error().reason;
  EXPECT_TRUE(o->has_object);
  EXPECT_EQ(o->count, 1u);
  for (const char* bad : {"{'descr': '<f4', 'fortran_order': False}", "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", "{'descr': '<q9', 'fortran_order': False, 'shape': ()}",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}",
                          "{'descr': __import__('os'), 'fortran_order': False, 'shape': ()}",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999)}"})
    EXPECT_FALSE(parse(make(bad)).ok()) << bad;
  // numpy.load's 10,000-byte header limit is Limits::max_npy_header_bytes, named when exceeded.
  std::string long_header = make("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), " + std::string(10000, ' ') + "}", 2);
  auto over = parse(long_header);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().reason.find("max_npy_header_bytes (10000"), std::string::npos) << over.error().reason;
  modelgate::Limits raised;
  raised.max_npy_header_bytes = 20000;
  EXPECT_TRUE(modelgate::npy::parse_header(
                  modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(long_header.data()), long_header.size()), raised)
                  .ok());
}

}  // namespace

// A streaming reader (libarchive's, walking local headers from byte 0) lists an entry hidden in a
// gap or carved out of a stored member by a forged data descriptor; zipfile and torch do not. The
// generator proves each claim with zipfile and libarchive itself; here the files must be refused
// and benign archives with data descriptors must not.
TEST(ZipStreamView, EntriesOnlyAStreamingReaderSeesAreRefused) {
  const auto& f = mgtest::generated_fixtures("make_zip_stream_views.py");
  ASSERT_TRUE(f.ok) << f.log;
  for (const auto& [name, expect] : f.manifest.items()) {
    SCOPED_TRACE(name);
    auto result = modelgate::scan_paths({f.dir / name}, modelgate::ScanOptions{});
    const auto& r = result.artifacts.at(0);
    if (expect["streaming_reader_differs"].get<bool>()) {
      EXPECT_TRUE(mgtest::has_rule(r, "MG-ZIP-STREAM-DIVERGENCE"));
      EXPECT_EQ(r.status, modelgate::Status::refused);
    } else {
      EXPECT_FALSE(mgtest::has_rule(r, "MG-ZIP-STREAM-DIVERGENCE"));
      EXPECT_EQ(r.status, modelgate::Status::safe);
    }
  }
}

// The signature search the end-record and data-descriptor scans use agrees with a byte-by-byte
// search at every start, end and position, including signatures cut by the end of the range.
TEST(ZipSignatureSearch, AgreesWithANaiveSearch) {
  std::mt19937 rng(7);
  const char* sig = "PK\x05\x06";
  for (int round = 0; round < 200; ++round) {
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(rng() % 64));
    for (auto& b : bytes) b = static_cast<std::uint8_t>("PK\x05\x06x"[rng() % 5]);
    modelgate::ByteView v(bytes.data(), bytes.size());
    for (std::size_t from = 0; from <= bytes.size(); ++from)
      for (std::size_t end = from; end <= bytes.size() + 2; ++end) {
        std::size_t naive = modelgate::kSignatureNotFound;
        for (std::size_t p = from; p < end && p + 4 <= bytes.size(); ++p)
          if (std::memcmp(bytes.data() + p, sig, 4) == 0) {
            naive = p;
            break;
          }
        ASSERT_EQ(modelgate::find_signature(v, from, end, sig), naive) << "round " << round << " from " << from << " end " << end;
      }
  }
}

}  // namespace zip_reader_test
