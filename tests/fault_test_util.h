#pragma once
// Helpers for the fault-injection tests: what a tree holds (to prove nothing else was written),
// running as an unprivileged user, peak memory of a child, cheap trees, and output checks.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>

#include "test_util.h"

namespace mgtest {

// Every path under `root` (relative), with links not followed.
inline std::set<std::string> tree_listing(const fs::path& root) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
       it != end; it.increment(ec)) {
    if (ec) break;
    out.insert(it->path().lexically_relative(root).string());
  }
  return out;
}

// The unprivileged user the permission tests run as (CI runs as root, which ignores modes).
inline std::string as_nobody(const std::string& command) {
  return "setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c '" + command + "'";
}

struct Measured {
  int exit_code = -1;
  long peak_rss_kb = 0;
  double seconds = 0;
};

// Runs `command` through sh with output discarded; exit code, peak RSS and wall time of that run.
inline Measured measure(const std::string& command) {
  Measured m;
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  m.peak_rss_kb = usage.ru_maxrss;
  return m;
}

// Text output a terminal can show as it is: valid UTF-8, no control character but newline.
inline std::string terminal_unsafe_byte(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return "control byte at " + std::to_string(i);
    if (c < 0x80) continue;
    int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (len == 0 || i + len > text.size()) return "invalid UTF-8 at " + std::to_string(i);
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return "invalid UTF-8 at " + std::to_string(i);
    i += len - 1;
  }
  return {};
}

// nlohmann rejects lone surrogates, which modelgate writes for bytes that are not UTF-8
// (\udcNN, Python's surrogateescape); map them to U+00NN to parse the rest.
inline nlohmann::json parse_report(std::string text) {
  for (std::size_t p; (p = text.find("\\udc")) != std::string::npos;) text.replace(p, 4, "\\u00");
  return nlohmann::json::parse(text);
}

// What the test-only hook does between a file's open and its analysis, conversion or hashing
// (scan/scan_file.cpp, convert/input_file.cpp, sign/parallel_hasher.cpp), with the path; nullptr
// clears it. Defined in fault_injection_test.cpp.
void set_after_open_action(std::function<void(const std::string&)> action);

}  // namespace mgtest
