// Names are bytes: every output escapes them reversibly and never aborts on them.
#include <gtest/gtest.h>

#include "core/escaped_text.h"
#include "core/json_text.h"
#include "core/regular_file.h"
#include "test_util.h"

namespace escaped_text_test {

namespace {

using modelgate::escape_for_terminal;
using modelgate::json_text;

const std::string kHostileName = std::string("a\rsafe   \x1b[2Jfake\xff\xfe.pkl\\\t\n\xe2\x80\xae") + "gnp.exe";

TEST(EscapedText, TerminalTextHasNoControlOrInvalidBytes) {
  EXPECT_EQ(escape_for_terminal("plain/name-1.bin"), "plain/name-1.bin");
  EXPECT_EQ(escape_for_terminal("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(escape_for_terminal(kHostileName),
            "a\\rsafe   \\x1b[2Jfake\\xff\\xfe.pkl\\\\\\t\\n\\u202egnp.exe");
  EXPECT_EQ(escape_for_terminal(std::string("\xc2\x85\x7f\xed\xa0\x80", 6)), "\\u0085\\x7f\\xed\\xa0\\x80");
}

TEST(EscapedText, JsonMatchesNlohmannForUtf8) {
  nlohmann::json j = {{"name", "caf\xc3\xa9 \"q\" \\ \x01"}, {"n", 1.5}, {"list", {1, "x", nullptr, true}},
                      {"empty", nlohmann::json::object()}, {"none", nlohmann::json::array()}};
  EXPECT_EQ(json_text(j, 2), j.dump(2));
  EXPECT_EQ(json_text(j), j.dump());
}

TEST(EscapedText, JsonRoundTripsThroughPythonSurrogateescape) {
  mgtest::TempDir dir;
  nlohmann::json j = {{kHostileName, kHostileName}};
  mgtest::write_file(dir / "out.json", json_text(j, 2));
  auto r = mgtest::run(mgtest::python() + " -c \"import json,os,sys; d=json.load(open(sys.argv[1]));"
                       "k=next(iter(d)); print(os.fsencode(k).hex(), os.fsencode(d[k]).hex())\" " +
                       (dir / "out.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string hex;
  for (unsigned char c : kHostileName) {
    static const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  EXPECT_EQ(r.output, hex + " " + hex + "\n");
}

TEST(EscapedText, ScanReportsOfHostileNamesStayValid) {
  mgtest::TempDir dir;
  mgtest::write_file(dir / kHostileName, "hello\n");
  for (const char* format : {"json", "sarif"}) {
    auto out = dir.path().parent_path() / (dir.path().filename().string() + "." + format);
    auto r = mgtest::run(mgtest::modelgate_binary() + " scan --format " + format + " -o " + out.string() + " " +
                         dir.path().string());
    EXPECT_EQ(r.exit_code, 0) << format << ": " << r.output;
    auto check = mgtest::run(mgtest::python() + " -c \"import json,sys; json.load(open(sys.argv[1]))\" " + out.string());
    EXPECT_EQ(check.exit_code, 0) << format << ": " << check.output;
    std::filesystem::remove(out);
  }
  auto text = mgtest::run(mgtest::modelgate_binary() + " scan " + dir.path().string());
  EXPECT_EQ(text.output.find('\r'), std::string::npos);
  EXPECT_EQ(text.output.find('\x1b'), std::string::npos);
  EXPECT_NE(text.output.find("a\\rsafe"), std::string::npos) << text.output;
}

TEST(EscapedText, UriPathIsPercentEncoded) {
  EXPECT_EQ(modelgate::percent_encode_path("dir/a b\xff%.bin"), "dir/a%20b%FF%25.bin");
}

TEST(RegularFile, FifoAndDirectoryAreRefusedWithoutBlocking) {
  mgtest::TempDir dir;
  auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto opened = modelgate::open_regular_file(fifo);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message().find("FIFO"), std::string::npos) << opened.error().message();
  auto d = modelgate::read_small_file(dir.path(), 100);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message().find("directory"), std::string::npos) << d.error().message();
  mgtest::write_file(dir / "small", "abc");
  auto small = modelgate::read_small_file(dir / "small", 100);
  ASSERT_TRUE(small);
  EXPECT_EQ(*small, "abc");
  EXPECT_FALSE(modelgate::read_small_file(dir / "small", 2));
  std::filesystem::create_symlink(dir / "small", dir / "link");
  EXPECT_FALSE(modelgate::open_regular_file(dir / "link", modelgate::FinalLink::refuse));
  EXPECT_TRUE(modelgate::open_regular_file(dir / "link", modelgate::FinalLink::follow));
}

}  // namespace

}  // namespace escaped_text_test
