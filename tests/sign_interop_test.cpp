// Interoperability with the reference `model_signing`: modelgate's statement (subject, resources,
// serialization) compared with what the reference builds, from the reference's own golden payloads
// and from its rules (tests/fixtures/oms_reference_statement.py) for names, ignore paths, git paths,
// empty files and directories, symbolic links, shards and BLAKE2b.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "sign_test_util.h"

namespace sign_interop_test {

namespace {

namespace fs = std::filesystem;
using mgtest::run;
using nlohmann::json;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
std::string q(const fs::path& p) { return shell_quote(p.string()); }
std::string mg() { return mgtest::modelgate_binary(); }

// stdout only (stderr dropped), and the exit code.
mgtest::CommandResult run_stdout(const std::string& command) { return run("{ " + command + " 2>/dev/null; }"); }

const std::string kModelText = "This is a simple model";  // the reference's KNOWN_MODEL_TEXT

// The test models of the reference's tests/conftest.py, rebuilt byte for byte under `root`.
fs::path build_reference_model(const fs::path& root, const std::string& fixture) {
  fs::path base = root / fixture;
  if (fixture == "sample_model_file") {
    mgtest::write_file(base / "file_model", kModelText);
    return base / "file_model";
  }
  if (fixture == "empty_model_file") {
    mgtest::write_file(base / "empty_file_model", "");
    return base / "empty_file_model";
  }
  if (fixture == "sample_model_folder") {
    fs::path m = base / "sample_model";
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) {
        std::string f = "f" + std::to_string(i) + std::to_string(j), d = "d" + std::to_string(i);
        mgtest::write_file(m / d / f, "This is file " + f + " in " + d + ".");
      }
    for (int i = 0; i < 4; ++i)
      mgtest::write_file(m / ("f" + std::to_string(i)), "This is file f" + std::to_string(i) + " in root.");
    return m;
  }
  if (fixture == "empty_model_folder") {
    fs::create_directories(base / "empty_folder_model");
    return base / "empty_folder_model";
  }
  if (fixture == "model_folder_with_empty_file") {
    mgtest::write_file(base / "empty_file_inside_model/empty_file", "");
    return base / "empty_file_inside_model";
  }
  if (fixture == "deep_model_folder") {
    fs::path d = base / "deep_model/d0/d1/d2/d3/d4";
    for (int i = 0; i < 4; ++i) mgtest::write_file(d / ("f" + std::to_string(i)), "This is file f" + std::to_string(i) + ".");
    return base / "deep_model";
  }
  // symlink_model_folder: a link to a file outside the model.
  mgtest::write_file(base / "external/file", kModelText);
  fs::create_directories(base / "symlink_model");
  fs::create_symlink(base / "external/file", base / "symlink_model/symlink_file");
  return base / "symlink_model";
}

// Every golden statement of the reference's payload test, against `modelgate digest --json` of the
// same model with the same settings (symbolic links allowed, no ignore paths).
TEST(SignInterop, StatementsEqualTheReferenceGoldens) {
  mgtest::TempDir tmp;
  int compared = 0;
  for (std::string fixture : {"sample_model_file", "sample_model_folder", "deep_model_folder", "empty_model_file",
                              "empty_model_folder", "model_folder_with_empty_file", "symlink_model_folder"}) {
    fs::path model = build_reference_model(tmp.path(), fixture);
    for (std::string variant : {"", "_shard", "_small_shards"}) {
      json golden = json::parse(mgtest::read_file(mgtest::source_dir() / "tests/fixtures/oms/reference-payloads" /
                                                  (fixture + variant + ".json")));
      std::string args = variant.empty() ? "" : variant == "_shard" ? " --serialization shards" : " --serialization shards --shard-size 8";
      auto r = run_stdout(mg() + " digest --json --no-ignore-git-paths --allow-symlinks" + args + " " + q(model));
      if (golden["predicate"]["resources"].empty()) {
        // The reference signs a model with nothing in it; the specification (6.1, 5.2.1) requires at
        // least one file and one resource, and modelgate refuses.
        EXPECT_EQ(r.exit_code, 2) << fixture << variant << r.output;
        continue;
      }
      ASSERT_EQ(r.exit_code, 0) << fixture << variant << r.output;
      EXPECT_EQ(json::parse(r.output), golden) << fixture << variant;  // 8.0 == 8: numbers compare by value
      ++compared;
    }
  }
  EXPECT_EQ(compared, 14);  // 7 models x 3 serializations, less the 7 with no resource
}

struct Case {
  std::string id;
  fs::path model;
  std::vector<std::string> ignore_paths;
  bool ignore_git_paths = true;
  bool allow_symlinks = false;
  std::string method = "files";
  std::uint64_t shard_size = 1000000000;
  std::string hash = "sha256";
  std::string signature;
};

// A model whose names exercise every character class the issue lists, with git files, an ignored
// directory, empty files and an empty directory.
fs::path build_named_model(const fs::path& root) {
  fs::path m = root / "named model";
  for (std::string name : {"plain.bin", "sp ace", "tab\there", "new\nline", "quote\"d", "single'q", "back\\slash",
                           "co:lon", "a:1:2", "ünïcødé-模型", "emoji-\xF0\x9F\x98\x80", "a.b", "a/b", "a-b", "nested/dir/x"})
    mgtest::write_file(m / name, "content of " + name + std::string(static_cast<std::size_t>(name.size()) * 3, 'z'));
  mgtest::write_file(m / "empty", "");
  mgtest::write_file(m / "nested/empty", "");
  fs::create_directories(m / "empty-dir/deeper");
  mgtest::write_file(m / ".git/HEAD", "ref: refs/heads/main\n");
  mgtest::write_file(m / ".gitattributes", "*.bin filter=lfs\n");
  mgtest::write_file(m / ".github/workflows/ci.yml", "on: push\n");
  mgtest::write_file(m / "sub/.gitignore", "not at the root: signed\n");
  mgtest::write_file(m / "cache/one", "ignored");
  mgtest::write_file(m / "cache/two", "ignored");
  mgtest::write_file(m / "drop me", "ignored");
  return m;
}

json statement_of(const Case& c, const fs::path& cwd) {
  std::string args = " --hash-type " + c.hash + " --serialization " + c.method;
  if (c.method == "shards") args += " --shard-size " + std::to_string(c.shard_size);
  if (!c.ignore_git_paths) args += " --no-ignore-git-paths";
  if (c.allow_symlinks) args += " --allow-symlinks";
  for (const auto& p : c.ignore_paths) args += " --ignore-paths " + shell_quote(p);
  auto r = run_stdout("cd " + q(cwd) + " && " + mg() + " digest --json" + args + " " + q(c.model));
  if (r.exit_code != 0) return json{{"error", r.exit_code}};
  return json::parse(r.output);
}

// Names, ignore paths, git paths, empty files and directories, symbolic links, files and shards,
// SHA-256 and BLAKE2b: modelgate's statement equals the reference's, member for member.
TEST(SignInterop, StatementsFollowTheReferenceRules) {
  mgtest::TempDir tmp;
  fs::path named = build_named_model(tmp.path());
  fs::path linked = tmp / "linked";
  mgtest::write_file(linked / "real", "the target");
  mgtest::write_file(tmp / "outside", "outside the model");
  fs::create_symlink("real", linked / "inner link");
  fs::create_symlink(tmp / "outside", linked / "outer link");
  fs::path single = tmp / "single.bin";
  mgtest::write_file(single, std::string(100, 's'));

  std::vector<Case> cases;
  for (std::string method : {"files", "shards"})
    for (std::string hash : {"sha256", "blake2b"}) {
      std::string id = method + "-" + hash;
      cases.push_back({id, named, {"named model/cache", "named model/drop me", "elsewhere/not-in-model"}, true, false,
                       method, 16, hash, ""});
      cases.push_back({id + "-git-included", named, {"named model/cache", "named model/drop me"}, false, false, method,
                       7, hash, ""});
      cases.push_back({id + "-symlinks", linked, {}, true, true, method, 4, hash, ""});
      cases.push_back({id + "-single", single, {}, true, false, method, 33, hash, ""});
    }
  json spec = json::array();
  for (const auto& c : cases)
    spec.push_back({{"id", c.id}, {"model", c.model.string()}, {"cwd", tmp.path().string()},
                    {"ignore_paths", c.ignore_paths}, {"ignore_git_paths", c.ignore_git_paths},
                    {"allow_symlinks", c.allow_symlinks}, {"method", c.method}, {"shard_size", c.shard_size},
                    {"hash", c.hash}, {"signature", c.signature}});
  mgtest::write_file(tmp / "cases.json", spec.dump());
  auto ref = run_stdout(mgtest::python() + " " + q(mgtest::source_dir() / "tests/fixtures/oms_reference_statement.py") +
                        " " + q(tmp / "cases.json"));
  ASSERT_EQ(ref.exit_code, 0) << ref.output;
  json expected = json::parse(ref.output);
  for (const auto& c : cases) {
    json want = expected[c.id];
    ASSERT_FALSE(want.contains("error")) << c.id << ": " << want.dump();
    json got = statement_of(c, tmp.path());
    ASSERT_FALSE(got.contains("error")) << c.id;
    // ignore_paths is a set in the reference (a frozenset, in no fixed order).
    auto& gs = got["predicate"]["serialization"];
    if (gs.contains("ignore_paths")) std::sort(gs["ignore_paths"].begin(), gs["ignore_paths"].end());
    EXPECT_EQ(got, want) << c.id << "\nmodelgate: " << got.dump(1) << "\nreference rules: " << want.dump(1);
  }
  // The same model without --allow-symlinks fails in both.
  Case refused{"no-symlinks", linked, {}, true, false, "files", 1000000000, "sha256", ""};
  EXPECT_TRUE(statement_of(refused, tmp.path()).contains("error"));
}

}  // namespace

}  // namespace sign_interop_test
