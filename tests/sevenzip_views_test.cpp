// The hand-written 7z header reader against the real consumers (py7zr and p7zip's 7z, recorded by
// tests/fixtures/make_7z_views.py) and against libarchive inside modelgate.
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "container/sevenzip_headers.h"
#include "modelgate/scan.h"
#include "test_util.h"

namespace {

using modelgate::Status;

// Rules by which the archive-level reading refuses: where none fired, the two readings agree.
bool readings_refused(const modelgate::ArtifactReport& r) {
  for (const char* id : {"MG-7Z-MALFORMED", "MG-ARCHIVE-READERS-DISAGREE", "MG-ARCHIVE-HEADER-AMBIGUOUS",
                         "MG-ARCHIVE-UNREADABLE", "MG-ARCHIVE-ENCRYPTED", "MG-FORMAT-POLYGLOT"})
    if (mgtest::has_rule(r, id)) return true;
  return false;
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
      EXPECT_FALSE(view.error) << view.error->reason;
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
    ASSERT_FALSE(view.error);
    mutants_accepted += expect == "differential";
    for (const char* consumer : {"py7zr", "7z"}) {
      SCOPED_TRACE(consumer);
      const auto& c = m[consumer];
      if (c.contains("error")) continue;  // reads nothing
      ASSERT_EQ(c["entries"].size(), view.entries.size());
      for (std::size_t i = 0; i < view.entries.size(); ++i) {
        const auto& mine = view.entries[i];
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

}  // namespace
