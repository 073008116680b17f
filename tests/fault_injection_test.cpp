// Fail closed at the edges: unreadable entries, special files, files that change during the scan,
// links, missing paths, unwritable outputs. Each case checks the exit code, the verdict, and that
// nothing was written beside the expected output.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <functional>
#include <mutex>

#include "fault_test_util.h"
#include "modelgate/convert.h"
#include "modelgate/signing.h"
#include "pickle_builder.h"

// The scanner calls this between opening a file and analysing it (scan/scan_file.cpp); only test
// builds define it.
namespace {
std::mutex hook_mutex;
std::function<void(const std::string&)> after_open_action;
}  // namespace

extern "C" void modelgate_test_after_open(const char* path) {
  std::lock_guard<std::mutex> lock(hook_mutex);
  if (after_open_action) after_open_action(path);
}

void mgtest::set_after_open_action(std::function<void(const std::string&)> action) {
  std::lock_guard<std::mutex> lock(hook_mutex);
  after_open_action = std::move(action);
}

namespace fault_injection_test {

using namespace mgtest;

namespace {

std::string evil_pickle() {
  return PickleBuilder().proto(2).global("os", "system").str("touch /tmp/modelgate-pwned").tuple1().reduce().stop().done();
}
std::string safe_pickle() { return PickleBuilder().proto(2).op('}').str("a").binint1(1).op('s').stop().done(); }

std::string mg(const std::string& args) { return modelgate_binary() + " " + args; }

const nlohmann::json* child_named(const nlohmann::json& report, const std::string& suffix) {
  for (const auto& c : report["children"]) {
    std::string origin = c["origin"];
    if (origin.size() >= suffix.size() && origin.compare(origin.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &c;
  }
  return nullptr;
}

std::string findings_text(const nlohmann::json& report) { return report["findings"].dump(); }

}  // namespace

TEST(FaultInjection, UnreadableEntriesAreRefusedNotOmitted) {
  TempDir t;
  fs::path m = t / "m";
  write_file(m / "evil.pkl", evil_pickle());
  write_file(m / "locked/hidden.pkl", evil_pickle());
  write_file(m / "unlistable/x.pkl", safe_pickle());
  write_file(m / "secret.pkl", safe_pickle());
  write_file(t / "only/locked/hidden.pkl", evil_pickle());
  write_file(t / "only/ok.pkl", safe_pickle());
  fs::permissions(m / "locked", fs::perms::none);
  fs::permissions(t / "only/locked", fs::perms::none);
  fs::permissions(m / "unlistable", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(m / "secret.pkl", fs::perms::none);
  auto before = tree_listing(t.path());

  auto r = run(as_nobody(mg("scan --format json " + m.string())));
  ASSERT_EQ(r.exit_code, 1) << r.output;
  auto j = parse_report(r.output);
  const auto& dir = j["artifacts"][0];
  EXPECT_EQ(dir["status"], "unsafe");
  const auto* locked = child_named(dir, "/locked");
  ASSERT_NE(locked, nullptr) << r.output;
  EXPECT_EQ((*locked)["status"], "refused");
  EXPECT_NE(findings_text(*locked).find("Permission denied"), std::string::npos) << locked->dump();
  const auto* unlistable = child_named(dir, "/unlistable");
  ASSERT_NE(unlistable, nullptr) << r.output;
  EXPECT_EQ((*unlistable)["status"], "refused");
  const auto* secret = child_named(dir, "/secret.pkl");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ((*secret)["status"], "refused");
  EXPECT_NE(findings_text(*secret).find("Permission denied"), std::string::npos) << secret->dump();

  // Issue 10, item 1: the unreadable subdirectory alone used to give "0 artifacts ... allows".
  auto only = run(as_nobody(mg("scan " + (t / "only").string())));
  EXPECT_EQ(only.exit_code, 1) << only.output;
  EXPECT_NE(only.output.find("refused"), std::string::npos) << only.output;
  EXPECT_NE(only.output.find("policy denies"), std::string::npos) << only.output;
  EXPECT_EQ(tree_listing(t.path()), before);
  fs::permissions(m / "locked", fs::perms::owner_all);
  fs::permissions(t / "only/locked", fs::perms::owner_all);
  fs::permissions(m / "unlistable", fs::perms::owner_all);
}

TEST(FaultInjection, SpecialFilesNeverBlock) {
  TempDir t;
  fs::path m = t / "m";
  write_file(m / "ok.pkl", safe_pickle());
  ASSERT_EQ(::mkfifo((m / "pipe").c_str(), 0644), 0);
  ASSERT_EQ(::mkfifo((t / "policy-fifo").c_str(), 0644), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = (m / "sock").string();
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, sock_path.c_str(), sock_path.size() + 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto before = tree_listing(t.path());

  // `timeout` turns a hang into exit 124.
  auto dir = run("timeout 20 " + mg("scan --format json " + m.string()));
  ASSERT_EQ(dir.exit_code, 1) << dir.output;
  auto j = parse_report(dir.output);
  EXPECT_EQ(j["artifacts"][0]["status"], "refused");
  for (const char* name : {"/pipe", "/sock"}) {
    const auto* c = child_named(j["artifacts"][0], name);
    ASSERT_NE(c, nullptr) << name << dir.output;
    EXPECT_EQ((*c)["status"], "refused");
    EXPECT_EQ((*c)["format"], "special-file");
  }
  for (std::string path : {(m / "pipe").string(), std::string("/dev/null"), std::string("/dev/zero")}) {
    auto r = run("timeout 20 " + mg("scan " + path));
    EXPECT_EQ(r.exit_code, 1) << path << r.output;
    EXPECT_NE(r.output.find("refused"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not a regular file"), std::string::npos) << r.output;
  }
  for (std::string policy : {(t / "policy-fifo").string(), std::string("/dev/zero")}) {
    auto r = run("timeout 20 " + mg("scan --policy " + policy + " " + (m / "ok.pkl").string()));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(policy), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not a regular file"), std::string::npos) << r.output;
  }
  ::close(sock);
  EXPECT_EQ(tree_listing(t.path()), before);
}

namespace {

// A pickle longer than a few pages, so that the analysis reads pages after the hook truncated it.
std::string long_pickle() {
  return PickleBuilder().proto(2).op('}').str("a").str(std::string(256 * 1024, 'x')).op('s').stop().done();
}

modelgate::ScanResult scan_with_hook(const fs::path& target, std::function<void(const std::string&)> action) {
  set_after_open_action(std::move(action));
  modelgate::ScanOptions options;
  options.threads = 1;
  auto result = modelgate::scan_paths({target}, options);
  set_after_open_action(nullptr);
  return result;
}

}  // namespace

TEST(FaultInjection, FileChangedDuringScanIsRefused) {
  TempDir t;
  const std::string victim = "weights.pkl";
  auto once = [&](std::function<void(const std::string&)> change) {
    return [change, done = std::make_shared<bool>(false), victim](const std::string& path) {
      if (*done || fs::path(path).filename() != victim) return;
      *done = true;
      change(path);
    };
  };
  struct Case {
    const char* name;
    std::function<void(const std::string&)> change;
  };
  std::vector<Case> cases = {
      {"truncated under the mapping", [](const std::string& p) { ASSERT_EQ(::truncate(p.c_str(), 0), 0); }},
      {"truncated to a few bytes", [](const std::string& p) { ASSERT_EQ(::truncate(p.c_str(), 3), 0); }},
      {"replaced by rename",
       [](const std::string& p) {
         write_file(p + ".new", safe_pickle());
         fs::rename(p + ".new", p);
       }},
      {"rewritten in place, same size",
       [](const std::string& p) {
         std::string same = read_file(p);
         same[same.size() / 2] = 'y';
         write_file(p, same);
       }},
      {"grown", [](const std::string& p) { std::ofstream(p, std::ios::app) << "more"; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fs::remove_all(t / "m");
    write_file(t / "m" / victim, long_pickle());
    write_file(t / "m/other.pkl", safe_pickle());
    for (const fs::path& target : {t / "m" / victim, t / "m"}) {  // a path given, and a walked entry
      write_file(t / "m" / victim, long_pickle());
      // An old modification time, so that a rewrite within the filesystem's timestamp granularity
      // still shows.
      struct timespec old_times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
      ASSERT_EQ(::utimensat(AT_FDCWD, (t / "m" / victim).c_str(), old_times, 0), 0);
      auto result = scan_with_hook(target, once(c.change));
      ASSERT_EQ(result.artifacts.size(), 1u);
      const auto& top = result.artifacts[0];
      const auto& file = top.format == "directory" ? top.children[1] : top;
      EXPECT_EQ(file.status, modelgate::Status::refused) << target;
      EXPECT_TRUE(has_rule(file, "MG-FILE-CHANGED")) << target;
      EXPECT_FALSE(result.decision.allow);
      if (top.format == "directory") {
        EXPECT_EQ(top.children[0].status, modelgate::Status::safe);
      }
    }
  }
  // Unchanged, the same file is safe: the refusals above come from the changes.
  write_file(t / "m" / victim, long_pickle());
  auto clean = scan_with_hook(t / "m", nullptr);
  EXPECT_EQ(clean.artifacts[0].status, modelgate::Status::safe);
}

// The check after the parse asks what the name refers to now, reached as the walk opened it: no
// link followed below the directory named. A walked file swapped for a link to itself (the same
// bytes, another inode) is refused, directly in the directory and deeper in it, where each
// directory on the way is reached without following links too.
TEST(FaultInjection, AWalkedFileSwappedForALinkToItselfIsRefused) {
  for (const std::string sub : {"", "sub/", "sub/deeper/"}) {
    SCOPED_TRACE(sub);
    TempDir t;
    const fs::path victim = t / "m" / sub / "weights.pkl";
    write_file(victim, long_pickle());
    bool done = false;
    auto result = scan_with_hook(t / "m", [&](const std::string& path) {
      if (done || fs::path(path).filename() != "weights.pkl") return;
      done = true;
      fs::rename(path, path + ".moved");
      fs::create_symlink("weights.pkl.moved", path);
    });
    ASSERT_TRUE(done);
    ASSERT_EQ(result.artifacts.size(), 1u);
    std::vector<const modelgate::ArtifactReport*> todo{&result.artifacts[0]};
    const modelgate::ArtifactReport* file = nullptr;
    while (!todo.empty()) {
      const auto* r = todo.back();
      todo.pop_back();
      if (r->origin.ends_with("/weights.pkl")) file = r;
      for (const auto& c : r->children) todo.push_back(&c);
    }
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->status, modelgate::Status::refused);
    EXPECT_TRUE(has_rule(*file, "MG-FILE-CHANGED"));
    EXPECT_FALSE(result.decision.allow);
  }
}

TEST(FaultInjection, SignalsOutsideGuardedMappingsStillKill) {
  // The SIGBUS handler only absorbs faults in mapped files under scan: anything else dies as before.
  auto r = run("sh -c 'kill -BUS $$'; echo status=$?");
  EXPECT_NE(r.output.find("status=135"), std::string::npos) << r.output;
}

TEST(FaultInjection, SymlinkLoopsAndDirectoryLinksAreNamed) {
  TempDir t;
  fs::path m = t / "m";
  write_file(m / "sub/ok.pkl", safe_pickle());
  fs::create_directory_symlink(".", m / "self");
  fs::create_directory_symlink("..", m / "sub/up");
  fs::create_symlink("b", m / "a");
  fs::create_symlink("a", m / "b");
  fs::create_directory_symlink("sub", m / "alias");
  fs::create_symlink("sub/ok.pkl", m / "ok-link.pkl");
  auto r = run(mg("scan --format json " + m.string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto j = parse_report(r.output);
  const auto& dir = j["artifacts"][0];
  for (const char* loop : {"/self", "/sub/up", "/a", "/b"}) {
    const auto* c = child_named(dir, loop);
    ASSERT_NE(c, nullptr) << loop << r.output;
    EXPECT_EQ((*c)["status"], "refused") << loop;
    EXPECT_NE(findings_text(*c).find("MG-WALK-SYMLINK-LOOP"), std::string::npos) << c->dump();
  }
  const auto* alias = child_named(dir, "/alias");
  ASSERT_NE(alias, nullptr) << r.output;
  EXPECT_NE(findings_text(*alias).find("MG-WALK-DIRECTORY-LINK"), std::string::npos);
  const auto* link = child_named(dir, "/ok-link.pkl");
  ASSERT_NE(link, nullptr) << r.output;
  EXPECT_EQ((*link)["status"], "safe");
}

TEST(FaultInjection, MissingPathAmongGoodOnesStillReportsThem) {
  TempDir t;
  write_file(t / "good.pkl", safe_pickle());
  write_file(t / "evil.pkl", evil_pickle());
  auto before = tree_listing(t.path());
  auto r = run(mg("scan " + (t / "missing").string() + " " + (t / "good.pkl").string() + " " + (t / "evil.pkl").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("safe        " + (t / "good.pkl").string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unsafe      " + (t / "evil.pkl").string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find((t / "missing").string() + ": No such file or directory"), std::string::npos) << r.output;
  auto json = run("(" + mg("scan --format json " + (t / "good.pkl").string() + " " + (t / "missing").string()) + " 2>/dev/null)");
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_EQ(parse_report(json.output)["artifacts"].size(), 1u) << json.output;
  EXPECT_EQ(tree_listing(t.path()), before);
}

TEST(FaultInjection, RepeatableOptionsTakeOneValueEach) {
  TempDir t;
  write_file(t / "model.pkl", safe_pickle());
  write_file(t / "custom.pkl", PickleBuilder().proto(2).global("mypkg", "Thing").op(')').reduce().stop().done());
  EXPECT_EQ(run(mg("scan --profile torch --profile numpy --profile sklearn " + (t / "model.pkl").string())).exit_code, 0);
  EXPECT_EQ(run(mg("scan --allow-global mypkg.Thing --allow-global other.Name " + (t / "custom.pkl").string())).exit_code, 0);
  EXPECT_EQ(run(mg("scan --allow-global other.Name " + (t / "custom.pkl").string())).exit_code, 1);
  EXPECT_EQ(run(mg("scan " + (t / "model.pkl").string() + " --profile python-data")).exit_code, 0);
}

TEST(FaultInjection, OutputErrorsNameTheFileAndTheReason) {
  TempDir t;
  write_file(t / "model.pkl", safe_pickle());
  auto r = run(mg("scan -o " + (t / "no/such/dir/out.json").string() + " " + (t / "model.pkl").string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("cannot write " + (t / "no/such/dir/out.json").string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("No such file or directory"), std::string::npos) << r.output;
  // A report written to a file replaces it whole, through a temporary file that does not remain.
  auto ok = run(mg("scan --format json -o " + (t / "out.json").string() + " " + (t / "model.pkl").string()));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  auto listing = tree_listing(t.path());
  EXPECT_EQ(listing, (std::set<std::string>{"model.pkl", "out.json"}));
  EXPECT_EQ(nlohmann::json::parse(read_file(t / "out.json"))["schema"], "modelgate.scan/1");
}

namespace {

// The same bytes with a new modification time: only the timestamps say it was rewritten.
void rewrite_in_place(const std::string& p) {
  std::string same = read_file(p);
  same[same.size() / 2] ^= 1;
  write_file(p, same);
  struct timespec later[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
  ::utimensat(AT_FDCWD, p.c_str(), later, 0);
}

}  // namespace

TEST(FaultInjection, SigningAndDigestRefuseFilesThatChangeWhileHashed) {
  TempDir t;
  fs::path m = t / "m";
  struct Case {
    const char* name;
    std::function<void(const std::string&)> change;  // given the path the hasher opened
    const char* says;
  };
  std::vector<Case> cases = {
      {"rewritten in place while hashed", rewrite_in_place, "changed while it was hashed"},
      {"truncated while hashed", [](const std::string& p) { ASSERT_EQ(::truncate(p.c_str(), 1), 0); }, "m/big"},
      // The larger file is hashed first: the small one is replaced by a FIFO after the walk listed it,
      // and must be refused, not waited on.
      {"replaced by a FIFO after the listing",
       [m](const std::string&) {
         fs::remove(m / "small");
         ASSERT_EQ(::mkfifo((m / "small").c_str(), 0644), 0);
       },
       "is now a FIFO"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    fs::remove_all(m);
    write_file(m / "big", std::string(200000, 'b'));
    write_file(m / "small", "s");
    struct timespec old_times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (m / "big").c_str(), old_times, 0), 0);
    set_after_open_action([c, done = std::make_shared<bool>(false)](const std::string& path) {
      if (*done || fs::path(path).filename() != "big") return;
      *done = true;
      c.change(path);
    });
    modelgate::ModelHashing hashing;
    hashing.threads = 1;
    auto digest = modelgate::digest_model(m, hashing);
    set_after_open_action(nullptr);
    ASSERT_FALSE(digest.ok());
    EXPECT_NE(digest.error().message().find(c.says), std::string::npos) << digest.error().message();
  }
}

TEST(FaultInjection, WritersReportAFullDiskAndLeaveNothingBehind) {
  TempDir t;
  write_file(t / "m/ok.pkl", safe_pickle());
  write_file(t / "m/config.json", std::string(4000, ' ') + "{}");
  ASSERT_EQ(run("openssl ecparam -name prime256v1 -genkey -noout -out " + (t / "key.pem").string() + " 2>&1").exit_code, 0);
  const auto before = tree_listing(t.path());
  // 1 KiB of RLIMIT_FSIZE: every output here is larger. The shell's own SIGXFSZ stays the default.
  for (std::string args : {"scan --format json -o " + (t / "out.json").string() + " " + (t / "m").string(),
                           "bom -o " + (t / "bom.json").string() + " " + (t / "m").string(),
                           "sign key --private-key " + (t / "key.pem").string() + " --signature " +
                               (t / "m.sig").string() + " " + (t / "m").string()}) {
    SCOPED_TRACE(args);
    auto r = run("sh -c 'ulimit -f 1; exec " + mg(args) + "' 2>&1");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("File too large"), std::string::npos) << r.output;
    EXPECT_EQ(tree_listing(t.path()), before);
  }
}

TEST(FaultInjection, ReportsNeverReplaceWhatTheRunRead) {
  TempDir t;
  write_file(t / "m/ok.pkl", safe_pickle());
  write_file(t / "one.pkl", safe_pickle());
  write_file(t / "policy.json", R"({"schema": "modelgate.policy/1", "profiles": ["torch"]})");
  const std::string model = read_file(t / "m/ok.pkl");
  for (std::string cmd : {"scan", "scan --format sarif", "bom"}) {
    for (const auto& [out, paths] : std::vector<std::pair<fs::path, fs::path>>{
             {t / "one.pkl", t / "one.pkl"}, {t / "m/ok.pkl", t / "m"}, {t / "policy.json", t / "m"}}) {
      SCOPED_TRACE(cmd + " -o " + out.string());
      auto r = run(mg(cmd + " --policy " + (t / "policy.json").string() + " -o " + out.string() + " " + paths.string()));
      EXPECT_EQ(r.exit_code, 2) << r.output;
      EXPECT_NE(r.output.find("which this run read"), std::string::npos) << r.output;
    }
  }
  EXPECT_EQ(read_file(t / "m/ok.pkl"), model);
  EXPECT_EQ(read_file(t / "one.pkl"), model);
  // An earlier report inside the directory scanned is replaced: `scan . -o report.json` runs again.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(run(mg("scan --format json -o " + (t / "m/report.json").string() + " " + (t / "m").string())).exit_code, 0);
    EXPECT_EQ(run(mg("scan -o " + (t / "m/report.txt").string() + " " + (t / "m").string())).exit_code, 0);
  }
  EXPECT_EQ(tree_listing(t / "m"), (std::set<std::string>{"ok.pkl", "report.json", "report.txt"}));
}

TEST(FaultInjection, AdmitAndBomNameWhatCannotBeRead) {
  TempDir t;
  write_file(t / "m/ok.pkl", safe_pickle());
  write_file(t / "plain.json", R"({"schema": "modelgate.policy/2"})");
  write_file(t / "keyed.json", R"({"schema": "modelgate.policy/2", "signature": {"keys": ["missing.pub"]}})");
  ASSERT_EQ(::mkfifo((t / "fifo.sig").c_str(), 0644), 0);
  // A key the policy names that cannot be read is an error even when no bundle is there to check.
  auto key = run("timeout 20 " + mg("admit --policy " + (t / "keyed.json").string() + " " + (t / "m").string()));
  EXPECT_EQ(key.exit_code, 2) << key.output;
  EXPECT_NE(key.output.find("missing.pub"), std::string::npos) << key.output;
  // A bundle named with --signature that is missing or a FIFO is an error, not "no signature".
  for (const char* sig : {"missing.sig", "fifo.sig"}) {
    auto r = run("timeout 20 " + mg("admit --policy " + (t / "plain.json").string() + " --signature " +
                                    (t / sig).string() + " " + (t / "m").string()));
    EXPECT_EQ(r.exit_code, 2) << sig << r.output;
    EXPECT_NE(r.output.find(sig), std::string::npos) << r.output;
  }
  // bom, as scan: the paths that exist are in the BOM, then the missing one makes the exit code 2.
  auto bom = run("(" + mg("bom " + (t / "m").string() + " " + (t / "missing").string()) + " 2>/dev/null)");
  EXPECT_EQ(bom.exit_code, 2);
  EXPECT_NE(bom.output.find("ok.pkl"), std::string::npos) << bom.output;
  EXPECT_EQ(nlohmann::json::parse(bom.output)["bomFormat"], "CycloneDX");
}

TEST(FaultInjection, InterruptsWaitUntilAWholeFileWriteEnds) {
  // What `scan -o`, `bom -o` and `sign` hold around their temporary file: a SIGTERM or SIGINT that
  // arrives meanwhile ends the process only once the file is renamed or removed.
  TempDir t;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::signal(sig, SIG_DFL);  // a shell running the tests in the background ignores SIGINT
      {
        modelgate::DeferredInterrupts deferred;
        ::raise(sig);
        write_file(t / ("after-" + std::to_string(sig)), "the write went on");
      }
      ::_exit(0);  // not reached: the signal is delivered when `deferred` ends
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << sig;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_TRUE(fs::exists(t / ("after-" + std::to_string(sig))));
  }
}

}  // namespace fault_injection_test
