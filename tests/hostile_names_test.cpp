// Names are bytes: file names, zip/tar/7z member names and Hugging Face cache entries holding
// invalid UTF-8 and control characters, in every output format. Text output must not let a name
// rewrite the terminal (issue 10, item 9: "a\rsafe        fake.pkl" printed as a safe line); JSON
// and SARIF must stay valid; the verdict must not change.
#include <gtest/gtest.h>

#include <zlib.h>

#include "fault_test_util.h"
#include "pickle_builder.h"
#include "tar_builder.h"

namespace hostile_names_test {

using namespace mgtest;

namespace {

std::string evil_pickle() {
  return PickleBuilder().proto(2).global("os", "system").str("touch /tmp/modelgate-pwned").tuple1().reduce().stop().done();
}

void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>(v >> 8);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

// A one-member stored zip whose member name is the raw bytes given.
std::string stored_zip(const std::string& name, const std::string& data) {
  auto crc = static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  std::string local = "PK\3\4";
  put16(local, 20), put16(local, 0), put16(local, 0), put16(local, 0), put16(local, 0);
  put32(local, crc), put32(local, static_cast<std::uint32_t>(data.size())), put32(local, static_cast<std::uint32_t>(data.size()));
  put16(local, static_cast<unsigned>(name.size())), put16(local, 0);
  local += name + data;
  std::string central = "PK\1\2";
  put16(central, 20), put16(central, 20), put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0);
  put32(central, crc), put32(central, static_cast<std::uint32_t>(data.size())), put32(central, static_cast<std::uint32_t>(data.size()));
  put16(central, static_cast<unsigned>(name.size())), put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0);
  put32(central, 0), put32(central, 0);
  central += name;
  std::string end = "PK\5\6";
  put16(end, 0), put16(end, 0), put16(end, 1), put16(end, 1);
  put32(end, static_cast<std::uint32_t>(central.size())), put32(end, static_cast<std::uint32_t>(local.size())), put16(end, 0);
  return local + central + end;
}

// The hostile names: a carriage return that would overwrite the status column, an escape
// sequence, bytes that are not UTF-8, a newline, and a right-to-left override.
const std::vector<std::string>& hostile_names() {
  static const std::vector<std::string> names = {
      "a\rsafe        fake.pkl", "esc\x1b[2J\x1b[1;1Hx.pkl", "bad\xff\xfe.pkl", "two\nlines.pkl",
      "rtl\xe2\x80\xaelp.kp", "tab\there\x7f.pkl"};
  return names;
}

struct Corpus {
  TempDir dir;
  Corpus() {
    for (std::size_t i = 0; i < hostile_names().size(); ++i) {
      const std::string& n = hostile_names()[i];
      write_file(dir / "files" / n, evil_pickle());
      write_file(dir / "zip" / ("m" + std::to_string(i) + ".zip"), stored_zip(n, evil_pickle()));
      write_file(dir / "tar" / ("m" + std::to_string(i) + ".tar"), tar_member(n, evil_pickle()) + tar_end());
      write_file(dir / "7z-src" / n, evil_pickle());
      fs::path repo = dir / "hub/models--org--names";
      write_file(repo / "blobs" / ("blob" + std::to_string(i)), evil_pickle());
      fs::create_directories(repo / "snapshots/rev");
      fs::create_symlink("../../blobs/blob" + std::to_string(i), repo / "snapshots/rev" / n);
    }
    fs::create_directories(dir / "7z");
    run("cd " + (dir / "7z-src").string() + " && 7z a -bd -t7z " + (dir / "7z/m.7z").string() + " . >/dev/null");
  }
};

// `raw_bytes`: the names reach modelgate as the bytes written (7z stores UTF-16 names, so p7zip
// converts what it cannot encode).
void check_outputs(const std::string& args, std::size_t expected_unsafe, const std::string& what, bool raw_bytes = true) {
  SCOPED_TRACE(what);
  auto text = run(modelgate_binary() + " scan " + args);
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_EQ(terminal_unsafe_byte(text.output), "") << text.output;
  // Every hostile entry is its own unsafe line, none reads as safe.
  std::size_t unsafe_lines = 0;
  for (std::size_t p = 0; (p = text.output.find("\nunsafe ", p)) != std::string::npos; ++p) ++unsafe_lines;
  if (text.output.rfind("unsafe ", 0) == 0) ++unsafe_lines;
  EXPECT_GE(unsafe_lines, expected_unsafe) << text.output;
  // Lines start with the status; a name must never start a line of its own.
  EXPECT_EQ(text.output.find("\nsafe "), std::string::npos) << text.output;
  EXPECT_NE(text.output.rfind("safe ", 0), 0u) << text.output;

  auto json = run("(" + modelgate_binary() + " scan --format json " + args + " 2>/dev/null)");
  EXPECT_EQ(json.exit_code, 1);
  nlohmann::json j;
  ASSERT_NO_THROW(j = parse_report(json.output)) << json.output;
  EXPECT_EQ(j["artifacts"][0]["status"], "unsafe");
  if (raw_bytes) {
    EXPECT_NE(json.output.find("\\udcff\\udcfe"), std::string::npos) << "bytes that are not UTF-8 are surrogate-escaped";
  }

  auto sarif = run("(" + modelgate_binary() + " scan --format sarif " + args + " 2>/dev/null)");
  EXPECT_EQ(sarif.exit_code, 1);
  nlohmann::json s;
  ASSERT_NO_THROW(s = parse_report(sarif.output)) << sarif.output;
  for (const auto& r : s["runs"][0]["results"]) {
    std::string uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    EXPECT_EQ(terminal_unsafe_byte(uri), "") << uri;
    EXPECT_EQ(uri.find_first_of(" \r\n\t\x1b"), std::string::npos) << uri;
  }
}

}  // namespace

TEST(HostileNames, EveryOutputFormatForFilesMembersAndCacheEntries) {
  Corpus c;
  const std::size_t n = hostile_names().size();
  auto before = tree_listing(c.dir.path());
  check_outputs((c.dir / "files").string(), n, "file names");
  check_outputs((c.dir / "zip").string(), n, "zip members");
  check_outputs((c.dir / "tar").string(), n, "tar members");
  if (fs::exists(c.dir / "7z/m.7z")) check_outputs((c.dir / "7z").string(), 1, "7z members", false);
  check_outputs("--hf-cache " + (c.dir / "hub").string(), n, "cache entries");
  EXPECT_EQ(tree_listing(c.dir.path()), before);
}

TEST(HostileNames, TextEscapesAreReversibleAndDocumented) {
  TempDir t;
  write_file(t / "a\rsafe        fake.pkl", evil_pickle());
  auto r = run(modelgate_binary() + " scan " + t.path().string());
  EXPECT_NE(r.output.find("unsafe      " + t.path().string() + "/a\\rsafe        fake.pkl (pickle)"), std::string::npos)
      << r.output;
}

}  // namespace hostile_names_test
