// Every concrete command shown in README.md and docs/*.md runs, on generated inputs, with the exit
// code a user following the documentation would expect. Synopsis lines (with [OPTIONAL] parts or
// placeholders) are not commands and are skipped.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "test_util.h"

namespace documented_commands_test {

using namespace mgtest;

namespace {

struct DocumentedCommand {
  std::string source;  // file:line
  std::string args;    // after "modelgate "
};

std::vector<DocumentedCommand> documented_commands() {
  std::vector<DocumentedCommand> out;
  std::vector<fs::path> pages = {source_dir() / "README.md"};
  for (const auto& e : fs::directory_iterator(source_dir() / "docs"))
    if (e.path().extension() == ".md") pages.push_back(e.path());
  std::sort(pages.begin(), pages.end());
  // An indented code line that runs modelgate, with an optional trailing comment.
  static const std::regex command(R"(^    (?:build/)?modelgate ([a-z].*?)\s*(?:#.*)?$)");
  for (const auto& page : pages) {
    std::ifstream in(page);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      std::smatch m;
      if (!std::regex_match(line, m, command)) continue;
      std::string args = m[1];
      if (args.find('[') != std::string::npos) continue;  // a synopsis
      out.push_back({page.filename().string() + ":" + std::to_string(n), args});
    }
  }
  return out;
}

// What the documentation promises for each command on these inputs: everything generated is clean,
// so every command succeeds; `scan .` also sees the keys and outputs of earlier commands, which are
// reported (the exit code then depends on them) but must not be a usage error.
int expected_exit(const std::string& args) { return args.rfind("scan . ", 0) == 0 ? -1 : 0; }

}  // namespace

TEST(DocumentedCommands, EveryCommandRunsWithItsExitCode) {
  const GeneratedFixtures& f = generated_fixtures("make_documented_inputs.py");
  ASSERT_TRUE(f.ok) << f.log;
  auto commands = documented_commands();
  ASSERT_GE(commands.size(), 12u) << "README.md and docs/ show at least the README's commands";
  TempDir t;
  fs::copy(f.dir / "work", t.path(), fs::copy_options::recursive);
  std::string env = "cd " + t.path().string() + " && HF_HUB_CACHE=" + (f.dir / "hub").string() + " ";
  for (const auto& c : commands) {
    // Commands that write (convert, sign) get a fresh output each time, as in a new checkout.
    if (c.args.rfind("convert ", 0) == 0) run("rm -rf " + t.path().string() + "/my-model-st* " + t.path().string() + "/model.safetensors");
    auto r = run(env + modelgate_binary() + " " + c.args);
    int want = expected_exit(c.args);
    if (want < 0)
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << c.source << ": modelgate " << c.args << "\n" << r.output;
    else
      EXPECT_EQ(r.exit_code, want) << c.source << ": modelgate " << c.args << "\n" << r.output;
  }
}

}  // namespace documented_commands_test
