// The Hugging Face cache layout: per repository and revision, blobs scanned once, links that
// leave the cache reported and not followed, default location from HF_HOME.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "test_util.h"

namespace hf_cache_test {

namespace {

using namespace mgtest;

TEST(HfCache, ReportsPerRevisionAndFollowsOnlyInternalLinks) {
  TempDir t;
  fs::path repo = t / "hub/models--org--tiny";
  write_file(repo / "blobs/aaa", "{\"model_type\": \"bert\"}\n");
  write_file(repo / "blobs/bbb", std::string("\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00id\x85R.", 26));
  write_file(repo / "refs/main", "1111111111111111111111111111111111111111");
  write_file(t / "outside.txt", "secret\n");
  fs::create_directories(repo / "snapshots/1111111111111111111111111111111111111111");
  fs::create_directories(repo / "snapshots/2222222222222222222222222222222222222222");
  fs::create_symlink("../../blobs/aaa", repo / "snapshots/1111111111111111111111111111111111111111/config.json");
  fs::create_symlink("../../blobs/aaa", repo / "snapshots/2222222222222222222222222222222222222222/config.json");
  fs::create_symlink("../../blobs/bbb", repo / "snapshots/2222222222222222222222222222222222222222/model.bin");
  fs::create_symlink((t / "outside.txt").string(), repo / "snapshots/2222222222222222222222222222222222222222/leak.txt");

  auto r = run("HF_HOME=" + t.path().string() + " " + modelgate_binary() + " scan --hf-cache --format json");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  const auto& root = j["artifacts"][0];
  EXPECT_EQ(root["format"], "hf-cache");
  EXPECT_EQ(root["facts"]["blobs"], 2);
  ASSERT_EQ(root["children"].size(), 2u);
  EXPECT_EQ(root["children"][0]["origin"], "hf://model:org/tiny@1111111111111111111111111111111111111111");
  EXPECT_EQ(root["children"][0]["facts"]["refs"][0], "main");
  EXPECT_EQ(root["children"][0]["status"], "safe");
  EXPECT_EQ(root["children"][1]["status"], "unsafe");
  EXPECT_NE(r.output.find("MG-WALK-SYMLINK-ESCAPE"), std::string::npos);
  EXPECT_NE(r.output.find("hf://model:org/tiny@2222222222222222222222222222222222222222/model.bin"), std::string::npos);
  EXPECT_EQ(r.output.find("secret"), std::string::npos);
}

// The path snapshot_download() returns, scanned as a directory: its links into the repository's
// blobs/ are its files; a link that leaves the repository is still not followed.
TEST(HfCache, ASnapshotScannedAsADirectoryFollowsItsLinksIntoBlobs) {
  TempDir t;
  fs::path repo = t / "hub/models--org--tiny";
  write_file(repo / "blobs/aaa", "{\"model_type\": \"bert\"}\n");
  write_file(repo / "blobs/bbb", std::string("\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00id\x85R.", 26));
  write_file(t / "hub/models--org--other/blobs/ccc", "{}\n");
  fs::create_directories(repo / "snapshots/1111111111111111111111111111111111111111");
  fs::create_symlink("../../blobs/aaa", repo / "snapshots/1111111111111111111111111111111111111111/config.json");
  auto safe = run(modelgate_binary() + " scan --format json " + (repo / "snapshots/1111111111111111111111111111111111111111").string());
  EXPECT_EQ(safe.exit_code, 0) << safe.output;
  fs::create_symlink("../../blobs/bbb", repo / "snapshots/1111111111111111111111111111111111111111/model.bin");
  fs::create_symlink("../../../models--org--other/blobs/ccc", repo / "snapshots/1111111111111111111111111111111111111111/other.json");
  auto r = run(modelgate_binary() + " scan --format json " + (repo / "snapshots/1111111111111111111111111111111111111111").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("MG-PICKLE"), std::string::npos) << r.output;   // the blob behind model.bin was read
  EXPECT_NE(r.output.find("MG-WALK-SYMLINK-ESCAPE"), std::string::npos);  // another repository's blob was not
  EXPECT_EQ(r.output.find("symbolic link points outside the scanned directory (to ../../blobs"), std::string::npos);
  // A directory named like a snapshot outside any cache repository follows nothing outside it.
  fs::create_directories(t / "plain/snapshots/1111111111111111111111111111111111111111");
  fs::create_symlink((repo / "blobs/aaa").string(), t / "plain/snapshots/1111111111111111111111111111111111111111/config.json");
  auto plain = run(modelgate_binary() + " scan " + (t / "plain/snapshots/1111111111111111111111111111111111111111").string());
  EXPECT_NE(plain.output.find("MG-WALK-SYMLINK-ESCAPE"), std::string::npos) << plain.output;
}

TEST(HfCache, ADirectoryThatIsNotACacheIsAUsageError) {
  TempDir t;
  write_file(t / "home/token", "hf_x\n");  // $HF_HOME without hub/
  write_file(t / "plain/model.pkl", "x");
  auto home = run("HF_HOME=" + (t / "home").string() + " " + modelgate_binary() + " scan --hf-cache");
  EXPECT_EQ(home.exit_code, 2) << home.output;
  EXPECT_NE(home.output.find("not a Hugging Face hub cache"), std::string::npos) << home.output;
  auto plain = run(modelgate_binary() + " scan --hf-cache " + (t / "plain").string());
  EXPECT_EQ(plain.exit_code, 2) << plain.output;
  EXPECT_NE(plain.output.find("is not a Hugging Face hub cache"), std::string::npos) << plain.output;
  auto parent = run(modelgate_binary() + " scan --hf-cache " + (t / "home").string() + "/..");
  EXPECT_EQ(parent.exit_code, 2) << parent.output;
  fs::create_directories(t / "home/hub/models--a--b/snapshots");
  auto hint = run(modelgate_binary() + " scan --hf-cache " + (t / "home").string());
  EXPECT_NE(hint.output.find("did you mean " + (t / "home/hub").string()), std::string::npos) << hint.output;
}

TEST(HfCache, StraysUnreferencedBlobsAndCopiesAreScannedAndReported) {
  TempDir t;
  fs::path repo = t / "hub/models--org--tiny";
  const std::string evil("\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00id\x85R.", 26);
  write_file(repo / "blobs/aaa", "{\"model_type\": \"bert\"}\n");
  write_file(repo / "blobs/orphan", evil);                 // no snapshot links to it
  write_file(repo / "snapshots/1111111111111111111111111111111111111111/copied.json", "{}\n"); // a copy, not a link
  fs::create_symlink("../../blobs/aaa", repo / "snapshots/1111111111111111111111111111111111111111/config.json");
  write_file(repo / "stray.bin", evil);                    // outside the layout
  write_file(t / "hub/notes.txt", "hello\n");              // outside any repository
  write_file(t / "hub/version.txt", "1");
  write_file(t / "hub/.locks/models--org--tiny/aaa.lock", "");
  write_file(repo / "refs/main", "1111111111111111111111111111111111111111");
  write_file(repo / "refs/climb", "../../../etc\n");     // names no snapshot
  write_file(repo / "refs/never", "0123abcd");            // a revision never downloaded
  auto r = run(modelgate_binary() + " scan --format json --hf-cache " + (t / "hub").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = nlohmann::json::parse(r.output);
  const auto& root = j["artifacts"][0];
  EXPECT_EQ(root["status"], "unsafe");
  std::map<std::string, nlohmann::json> by_origin;
  std::function<void(const nlohmann::json&)> collect = [&](const nlohmann::json& a) {
    by_origin[a["origin"].get<std::string>()] = a;
    if (a.contains("children"))
      for (const auto& c : a["children"]) collect(c);
  };
  collect(root);
  std::string canonical = fs::canonical(t / "hub").string();
  for (const char* stray : {"/models--org--tiny/blobs/orphan", "/models--org--tiny/stray.bin", "/notes.txt",
                            "/models--org--tiny/refs/climb", "/models--org--tiny/refs/never"}) {
    ASSERT_TRUE(by_origin.count(canonical + stray)) << stray << "\n" << r.output;
    EXPECT_NE(by_origin[canonical + stray]["findings"].dump().find("MG-HF-CACHE-STRAY"), std::string::npos);
  }
  EXPECT_EQ(by_origin[canonical + "/models--org--tiny/blobs/orphan"]["status"], "unsafe");
  ASSERT_TRUE(by_origin.count("hf://model:org/tiny@1111111111111111111111111111111111111111/copied.json")) << r.output;
  EXPECT_NE(by_origin["hf://model:org/tiny@1111111111111111111111111111111111111111/copied.json"]["findings"].dump().find("MG-HF-CACHE-NOT-LINK"),
            std::string::npos);
  EXPECT_EQ(by_origin["hf://model:org/tiny@1111111111111111111111111111111111111111/config.json"]["status"], "safe");
  EXPECT_EQ(by_origin.count(canonical + "/models--org--tiny/refs/main"), 0u) << "a ref to a snapshot is no stray";
  EXPECT_EQ(r.output.find("version.txt"), std::string::npos);
  EXPECT_EQ(r.output.find("aaa.lock"), std::string::npos);
}

// huggingface_hub reads a ref's whole text as the commit hash and joins it onto snapshots/, so a
// line break is no end of it: "<hash>\n/../../../../elsewhere" leads an offline load out of the
// cache. Only a ref that is exactly a commit hash names a snapshot; any other is a stray.
TEST(HfCache, ARefIsItsWholeTextAsTheHubReadsIt) {
  TempDir t;
  const std::string hash(40, 'a');
  fs::path repo = t / "hub/models--org--tiny";
  write_file(repo / "blobs/aaa", "{\"model_type\": \"bert\"}\n");
  fs::create_directories(repo / "snapshots" / hash);
  fs::create_symlink("../../blobs/aaa", repo / "snapshots" / hash / "config.json");
  fs::create_directories(repo / "snapshots" / (hash + "\n"));
  write_file(repo / "refs/main", hash + "\n/../../../../elsewhere");
  write_file(repo / "refs/newline", hash + "\n");
  write_file(repo / "refs/upper", std::string(40, 'A'));
  auto r = run(modelgate_binary() + " scan --format json --hf-cache " + (t / "hub").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::map<std::string, nlohmann::json> by_origin;
  std::function<void(const nlohmann::json&)> collect = [&](const nlohmann::json& a) {
    by_origin[a["origin"].get<std::string>()] = a;
    if (a.contains("children"))
      for (const auto& c : a["children"]) collect(c);
  };
  collect(nlohmann::json::parse(r.output)["artifacts"][0]);
  const std::string canonical = fs::canonical(t / "hub").string();
  for (const char* ref : {"main", "newline", "upper"}) {
    const std::string origin = canonical + "/models--org--tiny/refs/" + ref;
    ASSERT_TRUE(by_origin.count(origin)) << ref << "\n" << r.output;
    EXPECT_NE(by_origin[origin]["findings"].dump().find("not a 40-character commit hash"), std::string::npos) << ref;
  }
}

TEST(HfCache, DirectoryScanGivesEveryFileAVerdict) {
  TempDir t;
  write_file(t / "m/README.md", "# model\n");
  write_file(t / "m/LICENSE", "MIT\n");
  write_file(t / "m/weights.npy", std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                                      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }" +
                                      std::string(118 - 60, ' ') + "\n" + std::string(4, '\0'));
  auto r = run(modelgate_binary() + " scan " + (t / "m").string());
  EXPECT_NE(r.output.find("README.md (text)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("LICENSE (text)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("weights.npy (npy)"), std::string::npos) << r.output;
}

}  // namespace

}  // namespace hf_cache_test
