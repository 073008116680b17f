// The hand-written 7z header reader against the real consumers (py7zr and p7zip's 7z, recorded by
// tests/fixtures/make_7z_views.py) and against libarchive inside modelgate.
#include <gtest/gtest.h>

#include <zlib.h>

#include <iostream>
#include <set>

#include "container/sevenzip_headers.h"
#include "modelgate/scan.h"
#include "test_util.h"

namespace sevenzip_views_test {

namespace {

using modelgate::Status;

// Rules by which the archive-level reading refuses: where none fired, the two readings agree.
bool readings_refused(const modelgate::ArtifactReport& r) {
  for (const char* id : {"MG-7Z-MALFORMED", "MG-ARCHIVE-READERS-DISAGREE", "MG-ARCHIVE-HEADER-AMBIGUOUS",
                         "MG-ARCHIVE-UNREADABLE", "MG-ARCHIVE-ENCRYPTED", "MG-FORMAT-POLYGLOT"})
    if (mgtest::has_rule(r, id)) return true;
  return false;
}

bool over_limit(const modelgate::Expected<modelgate::sevenzip::Listing>& view) {
  return !view && view.error().rule == modelgate::RuleId("MG-LIMIT-EXCEEDED");
}

std::string type_name(modelgate::sevenzip::EntryType t) {
  switch (t) {
    case modelgate::sevenzip::EntryType::file: return "file";
    case modelgate::sevenzip::EntryType::directory: return "directory";
    case modelgate::sevenzip::EntryType::symlink: return "symlink";
    case modelgate::sevenzip::EntryType::special: break;
  }
  return "special";
}

TEST(SevenZipViews, ConsumersListWhatTheHeaderReadingAccepts) {
  const auto& f = mgtest::generated_fixtures("make_7z_views.py");
  ASSERT_TRUE(f.ok) << f.log;
  std::size_t mutants = 0, mutants_accepted = 0;
  for (const auto& [name, m] : f.manifest.items()) {
    SCOPED_TRACE(name + ": " + m["why"].get<std::string>());
    std::string bytes = mgtest::read_file(f.dir / name);
    auto view = modelgate::sevenzip::read_headers(
        modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), modelgate::Limits{});
    auto result = modelgate::scan_paths({f.dir / name}, modelgate::ScanOptions{});
    const auto& r = result.artifacts.at(0);
    const std::string expect = m["expect"];
    if (expect == "safe") {
      EXPECT_TRUE(view.ok()) << view.error().reason;
      for (const auto& finding : r.findings)
        EXPECT_TRUE(finding.rule.rfind("MG-ARCHIVE-", 0) != 0 && finding.rule.rfind("MG-7Z-", 0) != 0) << finding.rule;
    } else if (expect == "refused") {
      EXPECT_EQ(r.status, Status::refused);
    } else if (expect == "not-safe") {
      EXPECT_NE(r.status, Status::safe);
    }
    if (name.rfind("tar_and_", 0) == 0) {
      EXPECT_TRUE(mgtest::has_rule(r, "MG-FORMAT-POLYGLOT"));
    }
    mutants += expect == "differential";
    if (readings_refused(r) || name.find(".7z") == std::string::npos) continue;
    // modelgate takes this archive's listing as proven: every consumer that reads it must see the same.
    ASSERT_TRUE(view.ok());
    mutants_accepted += expect == "differential";
    for (const char* consumer : {"py7zr", "7z"}) {
      SCOPED_TRACE(consumer);
      const auto& c = m[consumer];
      if (c.contains("error")) continue;  // reads nothing
      ASSERT_EQ(c["entries"].size(), view->entries.size());
      for (std::size_t i = 0; i < view->entries.size(); ++i) {
        const auto& mine = view->entries[i];
        const auto& theirs = c["entries"][i];
        EXPECT_EQ(theirs["name"].get<std::string>(), mine.name);
        std::string their_type = theirs["type"];
        // 7z's listing says only "folder or not".
        if (std::string(consumer) == "7z" && their_type == "file" && mine.type != modelgate::sevenzip::EntryType::directory)
          their_type = type_name(mine.type);
        EXPECT_EQ(their_type, type_name(mine.type));
        if (mine.type == modelgate::sevenzip::EntryType::file) {
          EXPECT_EQ(theirs["size"].get<std::uint64_t>(), mine.size);
        }
      }
    }
  }
  EXPECT_GT(mutants_accepted, 0u);
  std::cout << "[7z differential] " << mutants_accepted << " of " << mutants
            << " mutated archives pass both readings and were compared with py7zr and 7z\n";
}

std::string raw(std::initializer_list<unsigned> b) {
  std::string out;
  for (unsigned v : b) out += static_cast<char>(v);
  return out;
}

std::string le(std::uint64_t v, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>(v >> (8 * i));
  return out;
}

// 7z's NUMBER in its longest form: a first byte of eight one bits, then eight little-endian bytes.
std::string number(std::uint64_t v) { return raw({0xff}) + le(v, 8); }

// A 7z archive of one file "a" in one folder, `folder` being the folder as stored (coder count,
// coders, bind pairs, packed stream indices) and `unpack_sizes` one NUMBER per coder output, over
// `packed_streams` packed streams of 16 zero bytes each; with `encoded`, the same streams info
// describes an encoded header instead.
std::string folder_7z(const std::string& folder, unsigned packed_streams, const std::string& unpack_sizes, bool encoded) {
  const std::string packed(16 * packed_streams, '\0');
  std::string pack_info = raw({0x06, 0x00, packed_streams, 0x09});
  for (unsigned i = 0; i < packed_streams; ++i) pack_info += raw({16});
  std::string streams = pack_info + raw({0x00, 0x07, 0x0b, 0x01, 0x00}) + folder + raw({0x0c}) + unpack_sizes +
                        raw({0x00, 0x00});
  std::string header = encoded ? raw({0x17}) + streams
                               : raw({0x01, 0x04}) + streams + raw({0x05, 0x01, 0x11, 0x05, 0x00, 'a', 0, 0, 0, 0x00, 0x00});
  auto crc = [](const std::string& b) {
    return static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(b.data()), b.size()));
  };
  std::string start = le(packed.size(), 8) + le(header.size(), 8) + le(crc(header), 4);
  return raw({'7', 'z', 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04}) + le(crc(start), 4) + start + packed + header;
}

// One coder with the given id and properties, whose declared output is `unpacked` bytes.
std::string one_coder_7z(const std::string& id, const std::string& props, std::uint8_t unpacked, bool encoded) {
  std::string folder = raw({0x01}) + static_cast<char>(id.size() | 0x20) + id + static_cast<char>(props.size()) + props;
  return folder_7z(folder, 1, raw({unpacked}), encoded);
}

modelgate::Expected<modelgate::sevenzip::Listing> read_headers(const std::string& bytes, const modelgate::Limits& limits = {}) {
  return modelgate::sevenzip::read_headers(
      modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), limits);
}

// liblzma and libarchive's PPMd allocate what a coder declares before reading a byte: 4 GiB from a
// few header bytes. Past max_coder_memory and the coder's own output, the archive is refused by
// the header reading and never reaches libarchive.
TEST(SevenZipViews, DecoderMemoryBeyondTheOutputIsRefusedBeforeAnyDecoder) {
  const std::string lzma = "\x03\x01\x01", lzma2 = "\x21", ppmd = "\x03\x04\x01";
  struct Case {
    const char* what;
    std::string id, props;
    bool encoded, over;
  };
  const Case cases[] = {
      {"LZMA, 4 GiB dictionary", lzma, std::string("\x5d\xff\xff\xff\xff", 5), false, true},
      {"LZMA2, 4 GiB dictionary", lzma2, "\x28", false, true},
      {"LZMA2, 512 MiB dictionary", lzma2, "\x24", false, true},
      {"PPMd, 4 GiB model", ppmd, std::string("\x06\x00\x00\x00\xf0", 5), false, true},
      {"encoded header, LZMA 4 GiB dictionary", lzma, std::string("\x5d\xff\xff\xff\xff", 5), true, true},
      {"encoded header, LZMA2 4 GiB dictionary", lzma2, "\x28", true, true},
      {"LZMA2, 64 MiB dictionary (7-Zip -mx9, py7zr presets)", lzma2, "\x1a", false, false},
      {"PPMd, 192 MiB model", ppmd, std::string("\x06\x00\x00\x00\x0c", 5), false, false},
      {"encoded header, LZMA 16 MiB dictionary", lzma, std::string("\x5d\x00\x00\x00\x01", 5), true, false},
  };
  mgtest::TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string bytes = one_coder_7z(c.id, c.props, 100, c.encoded);
    auto view = modelgate::sevenzip::read_headers(
        modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), modelgate::Limits{});
    EXPECT_EQ(over_limit(view), c.over);
    auto path = dir.path() / "m.7z";
    mgtest::write_file(path, bytes);
    auto result = modelgate::scan_paths({path}, modelgate::ScanOptions{});
    const auto& r = result.artifacts.at(0);
    EXPECT_EQ(r.status, Status::refused);  // the packed bytes are zeros: no reader decodes them
    EXPECT_EQ(mgtest::has_rule(r, "MG-LIMIT-EXCEEDED"), c.over);
    if (c.over) {
      ASSERT_FALSE(view.ok());
      EXPECT_NE(view.error().reason.find("max_coder_memory"), std::string::npos) << view.error().reason;
      EXPECT_FALSE(mgtest::has_rule(r, "MG-ARCHIVE-UNREADABLE")) << "libarchive read it";
    }
  }
  // The input the sevenzip_headers smoke stopped on, rebuilt: a 4 GiB dictionary in an encoded header.
  auto regression = modelgate::scan_paths({mgtest::source_dir() / "tests/fixtures/fuzz_regressions/sevenzip_lzma_dictionary.7z"},
                                          modelgate::ScanOptions{});
  EXPECT_TRUE(mgtest::has_rule(regression.artifacts.at(0), "MG-LIMIT-EXCEEDED"));
  // Raising the limit lets a large dictionary through to the decoders.
  modelgate::Limits generous;
  generous.max_coder_memory = 1ull << 32;
  std::string bytes = one_coder_7z(lzma2, "\x28", 100, false);
  auto view = modelgate::sevenzip::read_headers(
      modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), generous);
  EXPECT_FALSE(over_limit(view));
}

// A complex coder may declare no output stream (read_folder only checks the folder's totals), so
// the coders' outputs are fewer than the coders: the header reading once took each coder's output
// size at its first output index, reading past the folder's unpack sizes for a coder without
// outputs that comes after all outputs (a heap overflow under ASan). Such a coder produces nothing:
// its declared memory is judged against max_coder_memory alone, not against another coder's output.
TEST(SevenZipViews, CoderWithoutOutputStreamsIsJudgedAsProducingNothing) {
  const std::string lzma = raw({0x03, 0x01, 0x01}), lzma2 = raw({0x21}), copy = raw({0x00});
  // Flags: the id's length, 0x10 for stream counts (one input, no output), 0x20 for properties.
  auto no_output = [](const std::string& id, const std::string& props) {
    return static_cast<char>(id.size() | 0x30) + id + raw({0x01, 0x00}) + static_cast<char>(props.size()) + props;
  };
  auto simple = [](const std::string& id, const std::string& props = "") {
    if (props.empty()) return static_cast<char>(id.size()) + id;
    return static_cast<char>(id.size() | 0x20) + id + static_cast<char>(props.size()) + props;
  };
  // Two coders, two inputs, one output: no bind pair, two packed streams (indices 0 and 1).
  auto two_coders = [](const std::string& first, const std::string& second) {
    return raw({0x02}) + first + second + raw({0x00, 0x01});
  };
  const std::string dictionary_512m = raw({0x5d}) + le(512u << 20, 4), dictionary_16m = raw({0x5d}) + le(16u << 20, 4);
  const std::uint64_t one_gib = 1ull << 30;
  struct Case {
    const char* what;
    std::string folder;
    std::uint64_t output;
    bool over;
  };
  const Case cases[] = {
      {"LZMA2, then a copy coder without outputs", two_coders(simple(lzma2, raw({0x10})), no_output(copy, "")),
       100, false},
      {"an LZMA coder without outputs (512 MiB dictionary), then a copy coder of 1 GiB",
       two_coders(no_output(lzma, dictionary_512m), simple(copy)), one_gib, true},
      {"a copy coder of 1 GiB, then an LZMA coder without outputs (512 MiB dictionary)",
       two_coders(simple(copy), no_output(lzma, dictionary_512m)), one_gib, true},
      {"a copy coder of 1 GiB, then an LZMA coder without outputs (16 MiB dictionary)",
       two_coders(simple(copy), no_output(lzma, dictionary_16m)), one_gib, false},
  };
  mgtest::TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string bytes = folder_7z(c.folder, 2, number(c.output), false);
    auto view = read_headers(bytes);
    EXPECT_EQ(over_limit(view), c.over);
    const std::string reason = view ? "no error" : view.error().reason;
    if (c.over) {
      EXPECT_NE(reason.find("a coder declares 536870912 bytes of decoder memory (dictionary or model) for 0 bytes of "
                            "output, more than max_coder_memory"),
                std::string::npos)
          << reason;
    }
    auto path = dir.path() / "m.7z";
    mgtest::write_file(path, bytes);
    const auto result = modelgate::scan_paths({path}, modelgate::ScanOptions{});
    const auto& r = result.artifacts.at(0);
    EXPECT_EQ(r.status, Status::refused);
    EXPECT_EQ(mgtest::has_rule(r, "MG-LIMIT-EXCEEDED"), c.over);
    // Within the limit, libarchive gets the archive and cannot read a coder without outputs.
    EXPECT_EQ(mgtest::has_rule(r, "MG-ARCHIVE-UNREADABLE"), !c.over);
  }
}

}  // namespace

}  // namespace sevenzip_views_test
