// The confined parse worker: the result encoding decoded as untrusted input, the layers a live
// worker runs under, and hostile actions inside the worker each ending in `refused` with the rule
// that names what happened, after which a fresh worker goes on.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/content_digest.h"
#include "core/format_details_json.h"
#include "core/lazy_library.h"
#include "core/regular_file.h"
#include "core/rule_catalog.h"
#include "pickle/allowlist.h"
#include "pickle_builder.h"
#include "sandbox/parse_worker.h"
#include "sandbox/worker_zygote.h"
#include "sandbox/result_codec.h"
#include "modelgate/render.h"
#include "scan/scan_context.h"
#include "scan/worker_pool.h"
#include "scan/worker_scan_job.h"
#include "test_util.h"

namespace sandbox_test {

namespace {

using namespace modelgate;
using namespace std::chrono_literals;

using sandbox::kAddressSanitizer;

ArtifactReport sample_report() {
  ArtifactReport r;
  r.origin = "dir/model.pt";
  r.format = "pytorch-zip";
  r.size = 1234;
  r.add(make_finding(rule("MG-FORMAT-UNRECOGNISED"), "dir/model.pt!/x", 17, "what was seen", "evidence\xff"));
  r.details.archive = ArchiveDetails{3};
  r.model.license = "apache-2.0";
  r.sha256 = std::string(64, 'a');
  r.sha512 = std::string(128, 'b');
  ArtifactReport child;
  child.origin = "dir/model.pt!/archive/data.pkl";
  child.format = "pickle";
  child.add(make_finding(rule("MG-LIMIT-EXCEEDED"), child.origin, std::nullopt, "too big"));
  r.children.push_back(child);
  r.finalize();
  return r;
}

TEST(SandboxResult, RoundTripsAReport) {
  auto bytes = sandbox::encode_result(sample_report());
  auto back = sandbox::decode_result(bytes, {});
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(sandbox::encode_result(back->report), bytes);
  EXPECT_EQ(back->report.status, Status::refused);  // recomputed from the findings
  EXPECT_EQ(back->report.children.at(0).findings.at(0).rule, "MG-LIMIT-EXCEEDED");
  EXPECT_EQ(back->report.findings.at(0).offset, 17u);
  EXPECT_TRUE(back->attachment.empty());
  const std::vector<std::uint8_t> job{1, 2, 3};
  auto with = sandbox::decode_result(sandbox::encode_result(sample_report(), job), {});
  ASSERT_TRUE(with) << with.error().reason;
  EXPECT_EQ(with->attachment, job);
}

// The typed parse results cross the pipe as what they are, and a worker cannot give them another
// shape: a consumer (the template analyser, the code-route check) never sees one.
TEST(SandboxResult, ParsedFactsKeepTheirTypes) {
  auto r = sample_report();
  r.parsed.chat_templates = {{"default", "{{ messages }}"}, {"tool_use", "{{ tools }}"}};
  r.parsed.python_imports = std::vector<std::string>{".modeling", "torch"};
  r.parsed.code_files = {{"custom.py", "sentence-transformers modules.json imports it"}};
  r.parsed.remote_code = RemoteCode{{"modeling_x.Model"}, {"modeling_x.py"}, {}};
  r.parsed.sharded_checkpoint = ShardedIndexCheck{2, 1, 40};
  r.parsed.external_data_files = {"weights.bin"};
  r.parsed.external_data_reads = {{"tensor 'W' in graph initializer", "weights.bin", UINT64_MAX, std::nullopt},
                                  {"tensor 'B' in graph initializer", "weights.bin", 16, UINT64_MAX}};
  r.parsed.pickle_reading = PickleReadingExtent{false, 1234};
  r.parsed.first_raw_array_at = 99;
  auto back = sandbox::decode_result(sandbox::encode_result(r), {});
  ASSERT_TRUE(back) << back.error().reason;
  const ParsedFacts& p = back->report.parsed;
  EXPECT_EQ(p.chat_templates, r.parsed.chat_templates);
  EXPECT_EQ(p.python_imports, r.parsed.python_imports);
  ASSERT_EQ(p.code_files.size(), 1u);
  EXPECT_EQ(p.code_files[0].route, r.parsed.code_files[0].route);
  ASSERT_TRUE(p.remote_code && p.sharded_checkpoint);
  EXPECT_EQ(p.remote_code->files, r.parsed.remote_code->files);
  EXPECT_EQ(p.sharded_checkpoint->tensors, 40u);
  EXPECT_EQ(p.external_data_files, r.parsed.external_data_files);
  ASSERT_EQ(p.external_data_reads.size(), 2u);
  EXPECT_EQ(p.external_data_reads[0].offset, UINT64_MAX);
  EXPECT_FALSE(p.external_data_reads[0].length);
  EXPECT_EQ(p.external_data_reads[1].length, UINT64_MAX);
  EXPECT_EQ(p.external_data_reads[1].tensor, r.parsed.external_data_reads[1].tensor);
  ASSERT_TRUE(p.pickle_reading);
  EXPECT_FALSE(p.pickle_reading->complete);
  EXPECT_EQ(p.pickle_reading->end, 1234u);
  EXPECT_EQ(p.first_raw_array_at, 99u);
  EXPECT_EQ(format_details_json(back->report.details), format_details_json(r.details));
  EXPECT_EQ(sandbox::encode_result(back->report), sandbox::encode_result(r));

}

// The facts cross the pipe field by field (sandbox/result_facts.h), and the broker holds each to
// the invariants its consumers rely on: a worker that breaks one has its result refused.
TEST(SandboxResult, FactsThatBreakAnInvariantAreRefused) {
  auto refused = [](const ArtifactReport& forged, const std::string& why) {
    auto decoded = sandbox::decode_result(sandbox::encode_result(forged), {});
    ASSERT_FALSE(decoded) << why;
    EXPECT_NE(decoded.error().reason.find(why), std::string::npos) << decoded.error().reason;
  };
  auto with_imports = [](PickleImports i) {
    auto r = sample_report();
    r.parsed.pickle_imports = std::move(i);
    return r;
  };
  refused(with_imports({3, true, {{"os", "system", 1, 0}}}), "do not add up to their count");
  refused(with_imports({1, true, {{"os", "system", 2, 0}}}), "exceed their count");
  refused(with_imports({1, true, {{"os", "system", 0, 0}, {"os", "popen", 1, 0}}}), "imported no times");
  refused(with_imports({1, false, {{"os", "system", 1, 0}}}), "listed by imports that are not");
  auto with_calls = [](PickleCalls c) {
    auto r = sample_report();
    r.parsed.pickle_calls = std::move(c);
    return r;
  };
  refused(with_calls({1, 2, true, {}}), "more indirect calls than calls");
  refused(with_calls({2, 1, true, {{"os.system", 2}}}), "exceed their count");
  refused(with_calls({2, 0, true, {{"os.system", 1}}}), "do not add up to their count");
  refused(with_calls({1, 0, true, {{"os.system", 0}, {"os.popen", 1}}}), "called no times");
  auto tensors = sample_report();
  tensors.model.tensor_count = 1;
  tensors.model.tensors = {{"w", "F32", {2}, "", 8, 0}};
  refused(tensors, "ends before it begins");
  tensors.model.tensors = {{"w", "F32", {2}, "", 0, 8}};
  tensors.model.tensor_count = 2;
  refused(tensors, "not as many as they count");

  // What the JSON form makes of a string that is not UTF-8 and of a float that is not finite.
  auto odd = sample_report();
  odd.details.model_card = {{"name", {std::string("a\xff" "b")}}, {"ratio", {std::nan("")}}};
  odd.model.name = "m\xfe";
  auto back = sandbox::decode_result(sandbox::encode_result(odd), {});
  ASSERT_TRUE(back) << back.error().reason;
  ASSERT_TRUE(back->report.details.model_card);
  EXPECT_EQ(back->report.details.model_card->at("name"), FileValue{std::string("a\xef\xbf\xbd" "b")});
  EXPECT_EQ(back->report.details.model_card->at("ratio"), FileValue{});
  EXPECT_EQ(back->report.model.name, "m\xef\xbf\xbd");

  // Bytes no writer produces, at known places of a report with nothing else in it: the format
  // details from 30 (header 10, origin 4, format 4, size 8, findings 4), each a presence flag.
  ArtifactReport bare;
  const FileValue one{std::int64_t{1}};
  bare.details.model_card = {{"a", one}, {"b", {FileValue::Object{{"c", one}, {"d", one}}}}};
  bare.parsed.chat_templates = {{"a", "x"}, {"b", "y"}};
  const auto good = sandbox::encode_result(bare);
  ASSERT_TRUE(sandbox::decode_result(good, {}));
  auto patched = [&](std::initializer_list<std::pair<std::size_t, std::uint8_t>> changes, const std::string& why) {
    auto bytes = good;
    for (auto [at, byte] : changes) bytes.at(at) = byte;
    auto decoded = sandbox::decode_result(bytes, {});
    ASSERT_FALSE(decoded) << why;
    EXPECT_NE(decoded.error().reason.find(why), std::string::npos) << decoded.error().reason;
  };
  // The model card is the 17th detail (46): "a" at 55 with its value's tag at 56 (a signed 1),
  // "b" at 69, an object whose "c" is at 79 with its value's tag at 80, "d" at 93.
  ASSERT_EQ(good[30], 0);
  ASSERT_EQ(good[46], 1);
  ASSERT_EQ(good[55], 'a');
  ASSERT_EQ(good[56], 4);
  ASSERT_EQ(good[69], 'b');
  ASSERT_EQ(good[70], 8);
  ASSERT_EQ(good[79], 'c');
  ASSERT_EQ(good[80], 4);
  ASSERT_EQ(good[93], 'd');
  patched({{30, 2}}, "a flag that is not 0 or 1");
  patched({{56, 9}}, "unknown value tag 9");
  patched({{69, 'a'}}, "map keys not in order or given twice");
  patched({{93, 'c'}}, "object keys not in order or given twice");
  patched({{80, 5}, {87, 0xf0}, {88, 0x7f}}, "a number that is not finite");  // the bits of a NaN
  // The chat templates after the last four details (103 to 106): "a" at 115, "x" at 120, "b" at 125.
  ASSERT_EQ(good[115], 'a');
  ASSERT_EQ(good[120], 'x');
  ASSERT_EQ(good[125], 'b');
  patched({{125, 'a'}}, "map keys not in order or given twice");
  patched({{120, 0xff}}, "a string that is not UTF-8");
  patched({{131, 2}}, "a flag that is not 0 or 1");  // python_imports' presence, after the templates
}

TEST(SandboxResult, RefusesEveryMalformation) {
  const auto good = sandbox::encode_result(sample_report());
  auto expect_refused = [](std::vector<std::uint8_t> bytes, const std::string& why, sandbox::ResultBounds b = {}) {
    auto r = sandbox::decode_result(bytes, b);
    ASSERT_FALSE(r) << why;
    EXPECT_NE(r.error().reason.find(why), std::string::npos) << r.error().reason;
  };
  auto bad = good;
  bad[0] = 'X';
  expect_refused(bad, "not a worker result");
  bad = good;
  bad[4] = 9;
  expect_refused(bad, "version 9");
  bad = good;
  bad.pop_back();
  expect_refused(bad, "length does not match");
  bad = good;
  bad.push_back(0);
  expect_refused(bad, "length does not match");
  bad = good;
  bad.push_back(0);
  bad[6] += 1;  // a byte after the attachment, counted in the body length
  expect_refused(bad, "bytes after the attachment");
  bad = good;
  bad.resize(bad.size() - 2);
  bad[6] -= 2;  // the attachment's length cut short
  expect_refused(bad, "truncated attachment");
  // The findings count of the top report is after origin, format and size.
  bad = good;
  std::size_t count_at = 10 + 4 + 12 + 4 + 11 + 8;
  bad[count_at + 3] = 0x7f;
  expect_refused(bad, "findings count exceeds the result");
  // An unknown rule id (same length as the real one).
  bad = good;
  std::size_t rule_at = count_at + 4 + 4;
  bad[rule_at + 3] = 'X';
  expect_refused(bad, "unknown rule id");
  bad = good;
  bad[rule_at + 22] = 9;  // severity after "MG-FORMAT-UNRECOGNISED"
  expect_refused(bad, "severity out of range");
  auto odd_hash = sample_report();
  odd_hash.sha512 = std::string(128, 'G');
  expect_refused(sandbox::encode_result(odd_hash), "sha512 is not 128 lowercase hex digits");
  sandbox::ResultBounds shallow;
  shallow.max_depth = 0;
  expect_refused(good, "nested deeper", shallow);
  sandbox::ResultBounds small;
  small.max_bytes = 64;
  expect_refused(good, "larger than the bound", small);
}

TEST(SandboxResult, AWorkerCannotLowerARulesStatus) {
  ArtifactReport r;
  r.origin = "x";
  r.add(make_finding(rule("MG-IO-ERROR"), "x", std::nullopt, "cannot read"));
  r.findings[0].status = Status::safe;
  auto back = sandbox::decode_result(sandbox::encode_result(r), {});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->report.status, Status::refused);
}

// A worker over the default policy, and files to give it.
class SandboxWorker : public ::testing::Test {
 protected:
  SandboxWorker() : allowlist_(*pickle::Allowlist::from_profiles(policy_.profiles, {})), ctx_(limits_, policy_, allowlist_) {
    benign_ = dir_ / "benign.pkl";
    mgtest::write_file(benign_, mgtest::PickleBuilder().proto(2).op(0x7d).stop().done());
  }

  std::unique_ptr<sandbox::ParseWorker> start(sandbox::WorkerConfig config = {}, WorkerScan scan = {}) {
    auto w = sandbox::ParseWorker::start(scan_job(ctx_, std::move(scan)), config);
    EXPECT_TRUE(w) << w.error().message();
    return w ? std::move(*w) : nullptr;
  }

  ArtifactReport scan(sandbox::ParseWorker& w, const std::filesystem::path& p, const std::string& name) {
    auto file = open_regular_file(p, FinalLink::refuse);  // as the broker opens every input
    EXPECT_TRUE(file);
    return w.scan(file->fd.get(), p.string(), name, static_cast<std::uint64_t>(file->st.st_size));
  }

  // A file the worker spins on (the `hostile` hook), the worker killed from outside 200 ms in.
  ArtifactReport scan_killed_mid_file(sandbox::ParseWorker& w) {
    const pid_t pid = w.pid();
    std::thread killer([pid] {
      std::this_thread::sleep_for(200ms);
      ::kill(pid, SIGKILL);
    });
    auto r = scan(w, benign_, "spin");
    killer.join();
    return r;
  }

  Limits limits_;
  Policy policy_;
  pickle::Allowlist allowlist_;
  ScanContext ctx_;
  mgtest::TempDir dir_;
  std::filesystem::path benign_;
};

TEST_F(SandboxWorker, ScansLikeTheUnconfinedScanner) {
  auto w = start();
  ASSERT_TRUE(w);
  for (int i = 0; i < 3; ++i) {  // the same worker, several files
    auto confined = scan(*w, benign_, "benign.pkl");
    Artifact a;
    auto bytes = mgtest::read_file(benign_);
    a.origin = benign_.string();
    a.name = "benign.pkl";
    a.bytes = ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(sandbox::encode_result(confined), sandbox::encode_result(ctx_.scan(a)));
    EXPECT_EQ(confined.status, Status::safe);
  }
  EXPECT_TRUE(w->alive());
}

// Real files of every library-backed format (libarchive's 7z/tar/xz/zstd/lz4/bzip2, libhdf5,
// libprotobuf, zlib), from the committed fuzz seeds: the confinement must leave each library every
// system call it needs, and the reports must not change.
TEST_F(SandboxWorker, EveryLibraryWorksConfined) {
  auto w = start();
  ASSERT_TRUE(w);
  std::size_t files = 0;
  for (const char* target : {"archive", "keras_h5", "onnx", "zip", "gguf", "safetensors", "protobuf_walk", "pickle"}) {
    for (const auto& entry : std::filesystem::directory_iterator(mgtest::source_dir() / "fuzz/corpus" / target)) {
      auto bytes = mgtest::read_file(entry.path());
      Artifact a;
      a.origin = entry.path().string();
      a.name = entry.path().filename().string();
      a.bytes = ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      auto unconfined = ctx_.scan(a);
      if (!w->alive()) w = start();
      auto confined = scan(*w, entry.path(), a.name);
      if (w->library_needed()) {
        // The unconfined scan loaded libhdf5 after this worker was forked: as the pool does, the
        // file goes to a fresh worker, which inherits it.
        w = start();
        confined = scan(*w, entry.path(), a.name);
      }
      EXPECT_EQ(sandbox::encode_result(confined), sandbox::encode_result(unconfined))
          << entry.path() << ": " << (confined.findings.empty() ? "" : confined.findings[0].message);
      ++files;
    }
  }
  EXPECT_GT(files, 60u);
}

// A worker started without digests never loaded OpenSSL, whose first use reads its configuration
// file: a digest asked for anyway is a system call outside the allowlist, and the file is refused.
// (Each test runs in its own process, so nothing here has started OpenSSL before the fork.)
TEST_F(SandboxWorker, AWorkerWithoutDigestsRefusesADigest) {
  sandbox::WorkerConfig config;
  config.digests = false;
  auto w = start(config, [](ScanContext&, const Artifact& a) {
    ArtifactReport r;
    r.origin = a.origin;
    r.sha256 = sha256_hex(a.bytes);
    return sandbox::WorkerResult{std::move(r), {}};
  });
  ASSERT_TRUE(w);
  auto r = scan(*w, benign_, "benign.pkl");
  EXPECT_EQ(r.status, Status::refused);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].rule, "MG-SANDBOX-VIOLATION") << r.findings[0].message;
}

TEST_F(SandboxWorker, ALiveWorkerRunsUnderEveryLayer) {
  auto w = start(sandbox::worker_config(limits_));
  ASSERT_TRUE(w);
  for (const auto& m : w->confinement().missing) ADD_FAILURE() << "layer missing: " << m;
  EXPECT_GE(w->confinement().landlock_abi, 1);
  auto status = mgtest::read_file("/proc/" + std::to_string(w->pid()) + "/status");
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << status;
  EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos) << status;
  // "Max file size   0   0   bytes": the soft and hard limits after the name.
  auto limits = mgtest::read_file("/proc/" + std::to_string(w->pid()) + "/limits");
  auto limit_of = [&](const std::string& name) {
    auto at = limits.find(name);
    if (at == std::string::npos) return std::string("absent");
    std::istringstream line(limits.substr(at + name.size(), limits.find('\n', at) - at - name.size()));
    std::string soft, hard;
    line >> soft >> hard;
    return soft + " " + hard;
  };
  EXPECT_EQ(limit_of("Max file size"), "0 0") << limits;
  EXPECT_EQ(limit_of("Max core file size"), "0 0") << limits;
  EXPECT_EQ(limit_of("Max open files"), "16 16") << limits;
  if (!kAddressSanitizer) {
    // The limit never exceeds half the machine's memory, where it could not fire before the OOM killer.
    const auto memory = std::to_string(std::min(limits_.worker_memory, sandbox::worker_memory_ceiling()));
    EXPECT_EQ(limit_of("Max data size"), memory + " " + memory) << limits;
    EXPECT_LE(sandbox::worker_memory_ceiling(), sysconf(_SC_PHYS_PAGES) * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE)));
  }
  // The kernel's first choice if the machine runs short of memory anyway.
  EXPECT_EQ(mgtest::read_file("/proc/" + std::to_string(w->pid()) + "/oom_score_adj"), "1000\n");
}

[[noreturn]] void spin() {
  volatile unsigned long i = 0;
  for (;;) i = i + 1;
}

// Each hostile action runs in the confined worker right before it parses a file of that name.
void hostile(const std::string& name) {
  if (name == "open") {
    int fd = ::open("/etc/passwd", O_RDONLY);
    if (fd >= 0) ::_exit(0);  // the open succeeded: the test sees "exited with status 0"
  } else if (name == "socket") {
    if (::socket(AF_INET, SOCK_STREAM, 0) >= 0) ::_exit(0);
  } else if (name == "execve") {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execve("/bin/true", argv, nullptr);
    ::_exit(0);
  } else if (name == "fork") {
    pid_t p = ::fork();
    if (p >= 0) ::_exit(0);
  } else if (name == "mprotect") {
    void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED && ::mprotect(page, 4096, PROT_READ | PROT_EXEC) == 0) ::_exit(0);
  } else if (name == "stdout") {
    if (::write(1, "x", 1) == 1) ::_exit(0);
  } else if (name == "allocate") {
    // Through a volatile pointer: otherwise the compiler may leave out an allocation nothing reads.
    char* volatile p = new char[4ull << 30];
    std::memset(p, 1, 4ull << 30);
    ::_exit(0);
  } else if (name == "shared") {
    // Memory RLIMIT_DATA would not count.
    void* m = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) ::_exit(0);
  } else if (name == "segv") {
    int* volatile nowhere = nullptr;
    *nowhere = 1;
  } else if (name == "overflow") {
    // A heap overflow AddressSanitizer reports; a normal build does not notice it.
    char* volatile p = new char[8];
    p[8] = 1;
    delete[] p;
  } else if (name == "spin") {
    spin();
  } else if (name == "library") {
    throw LibraryNeeded{"libmodelgate-test-none.so"};
  } else if (name == "garbage") {
    const char bad[] = "MGWR\x07\x00\x00\x00\x00\x00";
    if (::write(4, bad, 10) == 10) spin();
  } else if (name == "dribble") {
    // A valid header declaring a 1 MiB body, then one byte every 20 ms: data keeps arriving, and
    // the broker must still stop at the file's deadline.
    unsigned char header[10] = {'M', 'G', 'W', 'R', sandbox::kResultVersion & 0xFF, sandbox::kResultVersion >> 8,
                                0, 0, 0x10, 0};
    if (::write(4, header, sizeof header) != sizeof header) ::_exit(0);
    for (;;) {
      auto until = std::chrono::steady_clock::now() + 20ms;
      while (std::chrono::steady_clock::now() < until) {
      }
      if (::write(4, "x", 1) != 1) ::_exit(0);
    }
  }
}

TEST_F(SandboxWorker, HostileActionsAreRefusedAndTheScanGoesOn) {
  sandbox::WorkerConfig config;
  config.before_parse = hostile;
  config.timeout = 1500ms;
  if (!kAddressSanitizer) config.data_bytes = 2ull << 30;  // ASan's shadow memory needs it unlimited
  std::vector<std::pair<std::string, std::string>> cases = {
      {"open", "MG-SANDBOX-VIOLATION"},     {"socket", "MG-SANDBOX-VIOLATION"},
      {"execve", "MG-SANDBOX-VIOLATION"},   {"fork", "MG-SANDBOX-VIOLATION"},
      {"mprotect", "MG-SANDBOX-VIOLATION"}, {"stdout", "MG-SANDBOX-VIOLATION"},
      {"shared", "MG-SANDBOX-VIOLATION"},
      // Under the sanitizers the runtime catches the null store and starts a report, whose first
      // system call (readlink of /proc/self/exe) ends the worker: refused all the same.
      {"segv", kAddressSanitizer ? "MG-SANDBOX-VIOLATION" : "MG-SANDBOX-CRASH"},
      {"spin", "MG-SANDBOX-TIMEOUT"},       {"garbage", "MG-SANDBOX-MALFORMED-RESULT"},
      {"dribble", "MG-SANDBOX-TIMEOUT"},
      {"allocate", "MG-SANDBOX-LIMIT"},  // 4 GiB under a 2 GiB RLIMIT_DATA
  };
  if (kAddressSanitizer) cases.emplace_back("overflow", "MG-SANDBOX-VIOLATION");  // its report writes to fd 2
  for (const auto& [action, expected] : cases) {
    if (action == "allocate" && kAddressSanitizer) continue;  // no memory limit under ASan
    auto w = start(config);
    ASSERT_TRUE(w);
    auto r = scan(*w, benign_, action);
    EXPECT_EQ(r.status, Status::refused) << action;
    ASSERT_EQ(r.findings.size(), 1u) << action;
    EXPECT_EQ(r.findings[0].rule, expected) << action << ": " << r.findings[0].message;
    EXPECT_FALSE(w->alive());
    // A fresh worker, same configuration, scans the next file.
    auto next = start(config);
    ASSERT_TRUE(next);
    EXPECT_EQ(scan(*next, benign_, "benign.pkl").status, Status::safe) << "after " << action;
  }
}

// The pool replaces a worker that failed before the slot's next file, and recycles each worker
// after kFilesPerWorker files.
TEST_F(SandboxWorker, ThePoolGoesOnWithAFreshWorker) {
  sandbox::WorkerConfig config;
  config.before_parse = hostile;
  config.timeout = 1500ms;
  WorkerPool pool(ctx_, SandboxMode::strict, 1, config);
  ASSERT_FALSE(pool.error()) << *pool.error();
  // "library": a worker that keeps asking for a library is given the file once more, then refused.
  for (const char* action : {"socket", "spin", "library"}) {
    std::filesystem::copy_file(benign_, dir_ / action);
    auto refused = pool.scan_file(0, {dir_ / action, {}, {}, {}}, action);
    EXPECT_EQ(refused.status, Status::refused) << action;
    auto next = pool.scan_file(0, {benign_, {}, {}, {}}, "benign.pkl");
    EXPECT_EQ(next.status, Status::safe) << "after " << action;
    ASSERT_TRUE(next.details.sandbox);
    EXPECT_EQ(next.details.sandbox->mode, SandboxMode::strict);
  }
  for (unsigned i = 0; i < sandbox::kFilesPerWorker + 2; ++i)
    ASSERT_EQ(pool.scan_file(0, {benign_, {}, {}, {}}, "benign.pkl").status, Status::safe) << i;
}

bool library_mapped(std::string_view name) {
  return mgtest::read_file("/proc/self/maps").find(name) != std::string::npos;
}

// libhdf5 is loaded at the first HDF5 file, not at start. A worker forked before that cannot load
// it (it opens no file): it says so, and the pool loads libhdf5 and gives the file to a fresh
// worker. The verdict is the unconfined scan's.
TEST_F(SandboxWorker, AnHdf5FileGoesToAWorkerForkedAfterLibhdf5WasLoaded) {
  ASSERT_FALSE(library_mapped("libhdf5")) << "libhdf5 is loaded at start";
  WorkerPool pool(ctx_, SandboxMode::strict, 1, {});
  ASSERT_FALSE(pool.error()) << *pool.error();
  const auto h5 = mgtest::source_dir() / "fuzz/corpus/keras_h5/lambda_os.h5";
  auto confined = pool.scan_file(0, {h5, {}, {}, {}}, h5.string());
  EXPECT_TRUE(library_mapped("libhdf5"));
  confined.details.sandbox.reset();
  auto bytes = mgtest::read_file(h5);
  Artifact a;
  a.origin = h5.string();
  a.name = h5.filename().string();
  a.bytes = ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  EXPECT_EQ(sandbox::encode_result(confined), sandbox::encode_result(ctx_.scan(a)));
  EXPECT_EQ(confined.status, Status::unsafe);
  EXPECT_EQ(pool.scan_file(0, {benign_, {}, {}, {}}, "benign.pkl").status, Status::safe);
}

// Files queued in a worker behind one that kills it were never parsed: each goes to a fresh worker
// and gets its own verdict. Only the file the worker failed on is refused, and the queue goes on
// past the recycling of workers.
TEST_F(SandboxWorker, QueuedFilesBehindAFailureGetTheirOwnVerdicts) {
  sandbox::WorkerConfig config;
  config.before_parse = hostile;
  config.timeout = 1500ms;
  WorkerPool pool(ctx_, SandboxMode::strict, 1, config);
  ASSERT_FALSE(pool.error()) << *pool.error();
  std::vector<std::string> names;
  for (int round = 0; round < 3; ++round)
    for (const char* action : {"socket", "segv", "spin", "garbage"}) {
      for (int i = 0; i < 3; ++i) names.push_back("benign.pkl");
      names.push_back(action);
    }
  for (unsigned i = 0; i < sandbox::kFilesPerWorker + 20; ++i) names.push_back("benign.pkl");
  std::vector<FileToScan> files;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto dir = dir_ / std::to_string(i);
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(benign_, dir / names[i]);
    files.push_back({dir / names[i], {}, {}, {}});
  }
  std::vector<std::string> origins(names.size());
  std::vector<ArtifactReport> reports(names.size());
  std::size_t next = 0, done = 0;
  using Queued = WorkerPool::QueuedFile;
  pool.scan_files(
      0,
      [&]() -> std::optional<Queued> {
        if (next == files.size()) return std::nullopt;
        origins[next] = files[next].path.string();
        const std::size_t i = next++;
        return Queued{&files[i], &origins[i], &reports[i]};
      },
      [&](const Queued& q) { EXPECT_EQ(q.out, &reports[done++]); });  // in order
  EXPECT_EQ(done, names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "benign.pkl") {
      EXPECT_EQ(reports[i].status, Status::safe) << i << ": " << (reports[i].findings.empty() ? "" : reports[i].findings[0].message);
      continue;
    }
    EXPECT_EQ(reports[i].status, Status::refused) << names[i];
    ASSERT_FALSE(reports[i].findings.empty()) << names[i];
    EXPECT_EQ(reports[i].findings[0].rule.rfind("MG-SANDBOX-", 0), 0u) << names[i] << ": " << reports[i].findings[0].rule;
    EXPECT_EQ(reports[i].origin, origins[i]);
  }
}

// A worker the zygote forks is the broker's child (CLONE_PARENT), confined like any other: the
// broker reads how it ended, so that a worker killed from outside names the signal. A zygote that
// is gone forks nothing, and says so.
TEST_F(SandboxWorker, WorkersForkedByTheZygoteAreTheBrokersChildren) {
  sandbox::WorkerConfig config = sandbox::worker_config(limits_);
  config.before_parse = hostile;
  auto started = sandbox::WorkerZygote::start(scan_job(ctx_), config);
  ASSERT_TRUE(started) << started.error().message();
  auto& zygote = *started;
  auto launched = zygote->launch();
  ASSERT_TRUE(launched) << launched.error().message();
  auto& w = *launched;
  auto no_hello = w->await_hello();
  ASSERT_FALSE(no_hello) << no_hello->message();
  for (const auto& m : w->confinement().missing) ADD_FAILURE() << "layer missing: " << m;
  auto status = mgtest::read_file("/proc/" + std::to_string(w->pid()) + "/status");
  EXPECT_NE(status.find("PPid:\t" + std::to_string(::getpid()) + "\n"), std::string::npos) << status;
  EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos) << status;
  EXPECT_EQ(scan(*w, benign_, "benign.pkl").status, Status::safe);
  auto r = scan_killed_mid_file(*w);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MG-SANDBOX-CRASH");
  EXPECT_NE(r.findings[0].message.find("SIGKILL"), std::string::npos) << r.findings[0].message;

  auto launched_next = zygote->launch();
  std::optional<Error> next_no_hello;
  ASSERT_TRUE(launched_next && !(next_no_hello = (*launched_next)->await_hello()))
      << (launched_next ? next_no_hello->message() : launched_next.error().message());
  auto& next = *launched_next;
  EXPECT_EQ(scan(*next, benign_, "benign.pkl").status, Status::safe);

  ::kill(zygote->pid(), SIGKILL);
  auto gone = zygote->launch();
  EXPECT_FALSE(gone);
  const std::string error = gone ? std::string() : gone.error().message();
  EXPECT_NE(error.find("zygote"), std::string::npos) << error;
  EXPECT_EQ(scan(*next, benign_, "benign.pkl").status, Status::safe);  // its workers go on
}

TEST_F(SandboxWorker, AWorkerKilledMidFileRefusesThatFile) {
  sandbox::WorkerConfig config;
  config.before_parse = hostile;
  auto w = start(config);
  ASSERT_TRUE(w);
  auto r = scan_killed_mid_file(*w);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "MG-SANDBOX-CRASH");
  EXPECT_NE(r.findings[0].message.find("SIGKILL"), std::string::npos) << r.findings[0].message;
  EXPECT_EQ(r.status, Status::refused);
}

}  // namespace

namespace {

// The committed fuzz seeds of `targets`, side by side in `dir` (names prefixed by their target).
void copy_seeds(std::initializer_list<const char*> targets, const mgtest::TempDir& dir) {
  for (const char* target : targets)
    for (const auto& entry : std::filesystem::directory_iterator(mgtest::source_dir() / "fuzz/corpus" / target))
      std::filesystem::copy_file(entry.path(), dir / (std::string(target) + "_" + entry.path().filename().string()));
}

// `modelgate scan DIR --sandbox strict` gives the same reports as the unconfined scan, plus the
// layers each file was parsed under.
TEST(SandboxScan, ConfinedDirectoryScanMatchesUnconfined) {
  mgtest::TempDir dir;
  copy_seeds({"archive", "keras_h5", "onnx", "pickle", "safetensors", "safetensors_index"}, dir);
  ScanOptions off;
  off.threads = 2;
  ScanOptions strict = off;
  strict.sandbox = SandboxMode::strict;
  // Confined first: the workers start libhdf5 themselves, as they do when nothing before them has.
  auto confined = scan_paths({dir.path()}, strict);
  auto unconfined = scan_paths({dir.path()}, off);
  ASSERT_TRUE(confined.errors.empty()) << confined.errors.front();
  ASSERT_EQ(confined.artifacts.size(), 1u);
  ASSERT_GT(confined.artifacts[0].children.size(), 40u);
  for (auto& file : confined.artifacts[0].children) {
    ASSERT_TRUE(file.details.sandbox) << file.origin;
    EXPECT_EQ(file.details.sandbox->layers.size(), std::size(sandbox::kLayerNames)) << file.origin;
    file.details.sandbox.reset();
  }
  EXPECT_EQ(sandbox::encode_result(confined.artifacts[0]), sandbox::encode_result(unconfined.artifacts[0]));
  EXPECT_EQ(confined.decision.allow, unconfined.decision.allow);
  // The JSON and SARIF reports say how the files were parsed.
  EXPECT_EQ(unconfined.sandbox.mode, SandboxMode::off);
  EXPECT_EQ(confined.sandbox.mode, SandboxMode::strict);
  std::ostringstream json, sarif;
  render_json(confined, json);
  render_sarif(confined, sarif);
  auto j = nlohmann::json::parse(json.str());
  EXPECT_EQ(j["sandbox"]["layers"].size(), std::size(sandbox::kLayerNames)) << j["sandbox"].dump();
  auto s = nlohmann::json::parse(sarif.str());
  EXPECT_EQ(s["runs"][0]["properties"]["sandbox"]["mode"], "strict");
  EXPECT_TRUE(s["runs"][0]["properties"]["sandbox"]["missing"].empty());
}

// A scan that hashes what it reads (the BOM, a result cache) starts OpenSSL in its workers; the
// digests are the unconfined scan's.
TEST(SandboxScan, ConfinedScanHashesLikeTheUnconfinedScan) {
  mgtest::TempDir dir;
  copy_seeds({"keras_h5", "pickle", "zip"}, dir);
  ScanOptions off;
  off.threads = 2;
  off.hash_contents = true;
  off.hash_sha512 = true;
  ScanOptions strict = off;
  strict.sandbox = SandboxMode::strict;
  auto confined = scan_paths({dir.path()}, strict);
  auto unconfined = scan_paths({dir.path()}, off);
  ASSERT_TRUE(confined.errors.empty()) << confined.errors.front();
  ASSERT_EQ(confined.artifacts.size(), 1u);
  ASSERT_GT(confined.artifacts[0].children.size(), 20u);
  for (auto& file : confined.artifacts[0].children) {
    EXPECT_EQ(file.sha256.size(), 64u) << file.origin;
    EXPECT_EQ(file.sha512.size(), 128u) << file.origin;
    file.details.sandbox.reset();
  }
  EXPECT_EQ(sandbox::encode_result(confined.artifacts[0]), sandbox::encode_result(unconfined.artifacts[0]));
}

// `scan --hf-cache` parses every blob in the same workers as a path scan, with the same verdicts.
TEST(SandboxScan, ConfinedHfCacheScanMatchesUnconfined) {
  mgtest::TempDir t;
  const auto repo = t.path() / "hub/models--org--tiny";
  mgtest::write_file(repo / "blobs/aaa", "{\"model_type\": \"bert\"}\n");
  mgtest::write_file(repo / "blobs/bbb", std::string("\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00id\x85R.", 26));
  mgtest::write_file(repo / "refs/main", "1111111111111111111111111111111111111111");
  std::filesystem::create_directories(repo / "snapshots/1111111111111111111111111111111111111111");
  std::filesystem::create_symlink("../../blobs/aaa", repo / "snapshots/1111111111111111111111111111111111111111/config.json");
  std::filesystem::create_symlink("../../blobs/bbb", repo / "snapshots/1111111111111111111111111111111111111111/model.bin");
  ScanOptions off;
  off.threads = 2;
  ScanOptions strict = off;
  strict.sandbox = SandboxMode::strict;
  auto unconfined = scan_hf_cache(t.path() / "hub", off);
  auto confined = scan_hf_cache(t.path() / "hub", strict);
  ASSERT_TRUE(confined.errors.empty()) << confined.errors.front();
  EXPECT_EQ(confined.sandbox.mode, SandboxMode::strict);
  EXPECT_EQ(unconfined.sandbox.mode, SandboxMode::off);
  ASSERT_EQ(confined.artifacts.size(), 1u);
  ASSERT_EQ(confined.artifacts[0].children.size(), 1u);
  auto& files = confined.artifacts[0].children[0].children;
  ASSERT_EQ(files.size(), 2u);
  for (auto& file : files) {
    ASSERT_TRUE(file.details.sandbox) << file.origin;
    EXPECT_EQ(file.details.sandbox->layers.size(), std::size(sandbox::kLayerNames)) << file.origin;
    file.details.sandbox.reset();
  }
  EXPECT_EQ(files[1].status, Status::unsafe);
  EXPECT_EQ(sandbox::encode_result(confined.artifacts[0]), sandbox::encode_result(unconfined.artifacts[0]));
}

}  // namespace

}  // namespace sandbox_test
