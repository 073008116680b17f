#pragma once
// Shared helpers for tests: temporary directories, files, running commands and the CLI.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modelgate/scan.h"

namespace mgtest {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("modelgate-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command, capturing its combined output.
inline CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The modelgate executable built alongside the tests.
inline std::string modelgate_binary() { return MODELGATE_BINARY; }
inline fs::path source_dir() { return MODELGATE_SOURCE_DIR; }

// The Debian interpreter with python3-torch, numpy, joblib, sklearn, h5py, onnx.
inline std::string python() { return "/usr/bin/python3"; }

// Scans bytes in memory with the default policy.
inline modelgate::ArtifactReport scan(const std::string& bytes, std::string name = "mem") {
  modelgate::ScanOptions opts;
  return modelgate::scan_bytes(name, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts);
}

inline bool has_rule(const modelgate::ArtifactReport& r, const std::string& rule) {
  for (const auto* f : r.all_findings())
    if (f->rule == rule) return true;
  return false;
}

// What a committed fixture generator (tests/fixtures/SCRIPT OUTDIR) wrote: run once per test
// process, kept for its lifetime. `ok` is false when the generator failed (`log` says why).
struct GeneratedFixtures {
  TempDir dir;
  nlohmann::json manifest;  // OUTDIR/manifest.json
  bool ok = false;
  std::string log;
};

inline const GeneratedFixtures& generated_fixtures(const std::string& script) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<GeneratedFixtures>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& f = cache[script];
  if (f) return *f;
  f = std::make_unique<GeneratedFixtures>();
  auto r = run(python() + " " + (source_dir() / "tests/fixtures" / script).string() + " " + f->dir.path().string());
  f->log = r.output;
  if (r.exit_code == 0) {
    f->manifest = nlohmann::json::parse(read_file(f->dir / "manifest.json"));
    f->ok = true;
  }
  return *f;
}

}  // namespace mgtest
