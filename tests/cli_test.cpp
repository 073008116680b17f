// The command line end to end: exit codes, output formats, SARIF validity, rules.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "pickle_builder.h"
#include "test_util.h"

namespace cli_test {

using namespace mgtest;

namespace {

struct Corpus {
  TempDir dir;
  Corpus() {
    write_file(dir / "ok.pkl", PickleBuilder().proto(2).op('}').str("a").binint1(1).op('s').stop().done());
    write_file(dir / "evil.bin",
               PickleBuilder().proto(2).global("os", "system").str("id").tuple1().reduce().stop().done());
    write_file(dir / "README.md", "# model\n");
  }
};

std::string mg(const std::string& args) { return modelgate_binary() + " " + args; }

}  // namespace

TEST(Cli, ExitCodes) {
  Corpus c;
  EXPECT_EQ(run(mg("scan " + (c.dir / "ok.pkl").string())).exit_code, 0);
  EXPECT_EQ(run(mg("scan " + (c.dir / "evil.bin").string())).exit_code, 1);
  EXPECT_EQ(run(mg("scan " + c.dir.path().string())).exit_code, 1);
  auto missing = run(mg("scan " + (c.dir / "nope").string()));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("No such file or directory"), std::string::npos);
  EXPECT_EQ(run(mg("scan --bogus x")).exit_code, 2);
  EXPECT_EQ(run(mg("scan --profile nosuch " + (c.dir / "ok.pkl").string())).exit_code, 2);
  EXPECT_EQ(run(mg("")).exit_code, 2);
}

// libarchive, libhdf5 and libpq are loaded when an input or a store needs them
// (core/lazy_library.h): linked, they and what they pull in were half of every start's time.
TEST(Cli, StartsWithoutTheLibrariesOnlySomeInputsNeed) {
  auto needed = run("objdump -p " + modelgate_binary());
  ASSERT_EQ(needed.exit_code, 0) << needed.output;
  ASSERT_NE(needed.output.find("NEEDED"), std::string::npos);
  for (const char* library : {"libarchive", "libhdf5", "libpq"})
    EXPECT_EQ(needed.output.find(library), std::string::npos) << library << " is linked:\n" << needed.output;
}

// A worker's successor is forked while the worker has a few files left (scan/worker_pool.cpp).
// When one of those files needs a library the broker loads at first use, the successor, forked
// before the library was loaded, lacks it too: the file goes to a worker forked afterwards, and
// gets the unconfined scan's verdict.
TEST(Cli, AFileNeedingALibraryJustBeforeAWorkerIsRecycledGetsItsVerdict) {
  TempDir dir;
  const std::string benign = PickleBuilder().proto(2).op('}').str("a").binint1(1).op('s').stop().done();
  char name[16];
  for (int i = 0; i < 300; ++i) {
    std::snprintf(name, sizeof name, "f%03d.pkl", i);
    write_file(dir / name, benign);
  }
  std::filesystem::copy_file(source_dir() / "fuzz/corpus/keras_h5/lambda_os.h5", dir / "f250.h5");
  auto r = run(mg("scan --threads 1 --sandbox strict --format json " + dir.path().string()));
  ASSERT_EQ(r.exit_code, 1) << r.output;
  auto j = nlohmann::json::parse(r.output);
  std::map<std::string, int> statuses;
  for (const auto& child : j["artifacts"][0]["children"]) ++statuses[child["status"].get<std::string>()];
  EXPECT_EQ(statuses["safe"], 300);
  EXPECT_EQ(statuses["unsafe"], 1);
  EXPECT_EQ(statuses["refused"], 0);
}

TEST(Cli, TextOutputNamesEveryFileAndFinding) {
  Corpus c;
  auto r = run(mg("scan " + c.dir.path().string()));
  EXPECT_NE(r.output.find("safe        " + (c.dir / "ok.pkl").string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unsafe      " + (c.dir / "evil.bin").string()), std::string::npos);
  EXPECT_NE(r.output.find("(text)"), std::string::npos);
  EXPECT_NE(r.output.find("MG-PICKLE-CALL-DANGEROUS"), std::string::npos);
  EXPECT_NE(r.output.find("os.system('id')"), std::string::npos);
}

TEST(Cli, JsonIsVersioned) {
  Corpus c;
  auto r = run(mg("scan --format json " + c.dir.path().string()));
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["schema"], "modelgate.scan/1");
  EXPECT_EQ(j["decision"]["allow"], false);
  ASSERT_EQ(j["artifacts"].size(), 1u);
  EXPECT_EQ(j["artifacts"][0]["format"], "directory");
  EXPECT_EQ(j["artifacts"][0]["children"].size(), 3u);
}

TEST(Cli, PolicyFileSelectsProfilesAndStatuses) {
  Corpus c;
  write_file(c.dir / "policy.json", R"({"schema":"modelgate.policy/1","profiles":["python-data"],"allow_status":["safe","unverified"]})");
  write_file(c.dir / "custom.pkl", PickleBuilder().proto(2).global("mypkg", "Thing").op(')').reduce().stop().done());
  EXPECT_EQ(run(mg("scan --policy " + (c.dir / "policy.json").string() + " " + (c.dir / "custom.pkl").string())).exit_code, 0);
  EXPECT_EQ(run(mg("scan " + (c.dir / "custom.pkl").string())).exit_code, 1);
  write_file(c.dir / "bad.json", R"({"profiles": 3})");
  EXPECT_EQ(run(mg("scan --policy " + (c.dir / "bad.json").string() + " " + (c.dir / "custom.pkl").string())).exit_code, 2);
}

TEST(Cli, SarifValidatesWithMicrosoftValidator) {
  Corpus c;
  // Paths given relative with "." and ".." segments, an absolute one, and an archive member.
  write_file(c.dir / "sub/x/evil.pkl", read_file(c.dir / "evil.bin"));
  run("cd " + c.dir.path().string() + " && python3 -c \"import zipfile; z=zipfile.ZipFile('m.zip','w'); "
      "z.write('evil.bin','inner/evil.pkl'); z.close()\"");
  auto out = c.dir / "out.sarif";
  auto scan = run("cd " + (c.dir / "sub").string() + " && " +
                  mg("scan --format sarif -o " + out.string() + " ./x/../x/evil.pkl ../m.zip " + (c.dir / "README.md").string() +
                     " " + c.dir.path().string() + "/./sub/../evil.bin"));
  EXPECT_EQ(scan.exit_code, 1) << scan.output;
  auto j = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(j["version"], "2.1.0");
  const auto& run0 = j["runs"][0];
  EXPECT_FALSE(run0["results"].empty());
  EXPECT_EQ(run0["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + (c.dir / "sub").string() + "/");
  // The documentation address the build was configured with (by default the installed docs).
  const std::string info = run0["tool"]["driver"].value("informationUri", "");
  EXPECT_TRUE(info.rfind("file:///", 0) == 0 || info.rfind("https://", 0) == 0) << info;
  for (const auto& rule : run0["tool"]["driver"]["rules"]) EXPECT_NE(rule["name"], rule["id"]);
  std::set<std::string> uris;
  bool member_located = false;
  for (const auto& r : run0["results"]) {
    const auto& loc = r["locations"][0];
    const auto& art = loc["physicalLocation"]["artifactLocation"];
    std::string uri = art["uri"];
    uris.insert(uri);
    EXPECT_EQ(uri.find("/./"), std::string::npos) << uri;
    EXPECT_EQ(uri.find(".."), std::string::npos) << uri;
    if (uri.rfind("file://", 0) != 0) {
      EXPECT_EQ(art["uriBaseId"], "%SRCROOT%") << uri;
    }
    if (loc.contains("logicalLocations")) member_located = member_located || loc["logicalLocations"][0]["name"] == "inner/evil.pkl";
  }
  EXPECT_TRUE(uris.count("x/evil.pkl")) << run0["results"].dump();
  EXPECT_TRUE(uris.count("file://" + (c.dir / "m.zip").string())) << run0["results"].dump();
  EXPECT_TRUE(uris.count("file://" + (c.dir / "evil.bin").string())) << run0["results"].dump();
  EXPECT_TRUE(member_located);
  auto validator = source_dir() / "tools/node_modules/.bin/sarif-multitool";
  ASSERT_TRUE(fs::exists(validator)) << "run scripts/setup to install the SARIF validator";
  auto v = run(validator.string() + " validate " + out.string());
  EXPECT_EQ(v.output.find(": error "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("SARIF1001"), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("SARIF2005"), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("Done."), std::string::npos) << v.output;
}

TEST(Cli, RulesListsAndExplains) {
  auto all = run(mg("rules"));
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_NE(all.output.find("MG-PICKLE-GLOBAL-DANGEROUS"), std::string::npos);
  auto one = run(mg("rules MG-PICKLE-MALFORMED"));
  EXPECT_NE(one.output.find("refused"), std::string::npos);
  EXPECT_EQ(run(mg("rules MG-NOPE")).exit_code, 2);
}

}  // namespace cli_test
