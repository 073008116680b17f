// Every reading a consumer could take of the same bytes. tests/fixtures/make_readings.py builds
// polyglots (a data format that another consumer reads as something that executes or extracts),
// reader disagreements and joblib files over every dtype kind, and proves each against the real
// consumer in a forked child (torch.load, pickle.load, joblib.load, numpy.load, h5py, zipfile).
// modelgate must refuse or flag every one, and resume exactly where joblib does.
#include <gtest/gtest.h>

#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "readers/tar_headers.h"
#include "readers/zip_reader.h"
#include "identify/code_format_probes.h"
#include "artifact/artifact.h"
#include "artifact/pickle_probe.h"
#include "scan/readings.h"
#include "test_util.h"

namespace readings_test {

namespace {

using namespace mgtest;

const GeneratedFixtures& fixtures() { return generated_fixtures("make_readings.py"); }

std::string summary(const modelgate::ArtifactReport& r) {
  std::string s;
  for (const auto* f : r.all_findings())
    if (f->status != modelgate::Status::safe && s.find(f->rule) == std::string::npos) s += f->rule + " ";
  return s;
}

TEST(Readings, EveryReadingIsTakenByItsConsumerAndFlagged) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  int cases = 0, executed = 0, flagged = 0;
  std::cout << "\n";
  for (const auto& [name, entry] : f.manifest.items()) {
    ++cases;
    // The proof is not vacuous: the consumer really took the reading (ran the payload, or found
    // the structure that would run), and the carrier's own reader accepts the file.
    EXPECT_TRUE(entry["executed"].get<bool>()) << name << ": " << entry["loaders"].dump();
    executed += entry["executed"].get<bool>();
    EXPECT_EQ(entry["carrier_check"].get<std::string>().rfind("INVALID", 0), std::string::npos)
        << name << ": " << entry["carrier_check"];
    auto report = scan(read_file(f.dir / name), name);
    std::string status(modelgate::to_string(report.status));
    auto expect = entry["expect"].get<std::vector<std::string>>();
    bool match = std::find(expect.begin(), expect.end(), status) != expect.end();
    flagged += match;
    EXPECT_TRUE(match) << name << ": modelgate says " << status << " (" << summary(report) << "), expected "
                       << expect[0];
    for (const auto& rule : entry["rules"]) EXPECT_TRUE(has_rule(report, rule)) << name << " lacks " << rule;
    if (entry["reading"].get<std::string>() == "joblib after the array") {
      // joblib's length computation: the payload after the array is found, nothing is refused.
      EXPECT_FALSE(has_rule(report, "MG-JOBLIB-WRAPPER")) << name << ": " << summary(report);
      EXPECT_FALSE(has_rule(report, "MG-PICKLE-MALFORMED")) << name << ": " << summary(report);
      continue;
    }
    std::cout << "  " << name << " (" << entry["carrier"].get<std::string>() << " read as "
              << entry["reading"].get<std::string>() << ")\n    consumers: " << entry["loaders"].dump()
              << "\n    modelgate: " << status << "  " << summary(report) << "\n";
  }
  std::cout << "  " << cases << " cases, " << executed << " taken by their consumer, " << flagged
            << " refused or flagged as expected\n";
}

TEST(Readings, TableNamesItsConsumers) {
  for (const auto& r : modelgate::consumer_readings()) {
    EXPECT_FALSE(r.name.empty());
    EXPECT_FALSE(r.consumers.empty()) << r.name;
  }
}

TEST(Readings, Hdf5SuperblockIsSearchedToTheEndOfTheFile) {
  // libhdf5 looks at 0, 512, 1024, ... every power of two up to the end of the file.
  std::string bytes(8u << 20, '\0');
  const std::string sig("\x89HDF\r\n\x1a\n", 8);
  bytes.replace(4u << 20, 8, sig);
  auto view = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(modelgate::hdf5_superblock_offset(view));
  EXPECT_EQ(*modelgate::hdf5_superblock_offset(view), 4u << 20);
  bytes.replace(4u << 20, 8, std::string(8, '\0'));
  bytes.replace((4u << 20) + 512, 8, sig);  // not a power of two: libhdf5 does not look there
  EXPECT_FALSE(modelgate::hdf5_superblock_offset(view));
}

TEST(Readings, OrdinaryFilesAreNotPolyglots) {
  // A plain pickle, a plain tar and a plain zip: one reading each.
  auto pickle = scan(std::string("\x80\x04K\x01.", 5));
  EXPECT_FALSE(has_rule(pickle, "MG-FORMAT-POLYGLOT")) << summary(pickle);
  EXPECT_FALSE(has_rule(pickle, "MG-FORMAT-POLYGLOT-SAFE-READINGS")) << summary(pickle);
}

}  // namespace

namespace {

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// Differential: modelgate's tarfile walker and strict ZIP reader against Python's tarfile and
// zipfile, over generated archives with the header tricks and seeded mutations of each.
TEST(Readings, TarAndZipViewsMatchPython) {
  auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  auto views = nlohmann::json::parse(read_file(f.dir / "views.json"));
  int tars = 0, zips = 0, refused_where_python_reads = 0;
  for (const auto& [name, view] : views["tar"].items()) {
    ++tars;
    std::string bytes = read_file(f.dir / "views" / name);
    auto b = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    modelgate::Limits limits;
    limits.max_archive_members = 10000;
    auto listing = modelgate::tar::read_headers(b, limits);
    if (view.is_string()) {  // tarfile raises
      EXPECT_TRUE(listing.error || listing.members.empty()) << name << ": tarfile " << view << ", modelgate lists "
                                                              << listing.members.size() << " members";
      continue;
    }
    if (listing.error) {  // stricter than tarfile is allowed (refused), never the reverse
      ++refused_where_python_reads;
      continue;
    }
    ASSERT_EQ(listing.members.size(), view.size()) << name << ": " << view.dump();
    for (std::size_t i = 0; i < view.size(); ++i) {
      EXPECT_EQ(hex(listing.members[i].name), view[i][0].get<std::string>()) << name << " #" << i;
      EXPECT_EQ(listing.members[i].size, view[i][1].get<std::uint64_t>()) << name << " #" << i;
    }
    // A generic scan of the same bytes refuses what another reader would see differently (spaces
    // around a number are read alike by libarchive, so "size_spaces" is not among them).
    auto report = scan(bytes, name);
    static const std::set<std::string> tricks = {"size_0o.tar", "size_underscore.tar", "size_plus.tar",
                                                 "pax_global_size.tar"};
    if (tricks.count(name)) {
      EXPECT_EQ(report.status, modelgate::Status::refused) << name;
    }
  }
  // The same archives compressed: tarfile.open decompresses them and reads the same headers, so
  // the tricks are refused there too, and the plain ones are not reported as disagreements.
  for (const auto& [name, view] : views["tar_compressed"].items()) {
    auto report = scan(read_file(f.dir / "views" / name), name);
    bool trick = name.rfind("ustar.", 0) != 0 && name.rfind("pax_path.", 0) != 0;
    EXPECT_EQ(has_rule(report, "MG-ARCHIVE-READERS-DISAGREE"), trick) << name;
    if (trick) {
      EXPECT_EQ(report.status, modelgate::Status::refused) << name;
    }
  }
  for (const auto& [name, view] : views["zip"].items()) {
    ++zips;
    std::string bytes = read_file(f.dir / "views" / name);
    auto b = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    auto ar = modelgate::zip::read_zip(b, name, modelgate::Limits{});
    if (view.is_string() || !ar) {
      if (!view.is_string()) ++refused_where_python_reads;
      continue;
    }
    ASSERT_EQ(ar->members.size(), view.size()) << name;
    for (std::size_t i = 0; i < view.size(); ++i) {
      EXPECT_EQ(hex(ar->members[i].name), view[i][0].get<std::string>()) << name << " #" << i;
      EXPECT_EQ(ar->members[i].uncompressed_size, view[i][1].get<std::uint64_t>()) << name << " #" << i;
      EXPECT_EQ(ar->members[i].compressed_size, view[i][2].get<std::uint64_t>()) << name << " #" << i;
    }
  }
  std::cout << "  " << tars << " tars and " << zips << " zips compared with tarfile/zipfile; "
            << refused_where_python_reads << " read by Python but refused by modelgate's stricter reader\n";
}

}  // namespace

// The probe an artifact keeps is of its bytes: a copy given other bytes (as the archive scanner
// gives a decompressed view) is probed again, not answered from the original's.
TEST(Readings, APickleProbeIsOfTheBytesItWasRunOn) {
  using namespace std::string_literals;
  const std::string plain = "\x80\x02}q\x00."s;
  const std::string imports = "\x80\x02" "cos\nsystem\nq\x00."s;
  auto view = [](const std::string& s) { return modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
  modelgate::Artifact a;
  a.bytes = view(plain);
  EXPECT_TRUE(modelgate::probe_pickle_at_start(a).complete);
  EXPECT_FALSE(modelgate::probe_pickle_at_start(a).imports);
  modelgate::Artifact copy = a;
  copy.bytes = view(imports);
  EXPECT_TRUE(modelgate::probe_pickle_at_start(copy).imports);
  EXPECT_FALSE(modelgate::probe_pickle_at_start(a).imports);
}

}  // namespace readings_test
