#pragma once
// What a parse worker does to itself before it reads any untrusted byte. Each layer is applied
// when the kernel allows it; the result says which ones are on, so that the broker can refuse to
// go on (--sandbox strict) or record the missing ones in every report (best-effort).
#include <cstdint>
#include <string>
#include <vector>

namespace modelgate::sandbox {

// AddressSanitizer reserves terabytes of shadow memory as private writable mappings, which
// RLIMIT_DATA counts: its builds run workers without the memory limit (and say so in reports).
// Their seccomp filter also lets the sanitizer runtimes make the few calls they need
// (seccomp_allowlist.cpp).
#if defined(__SANITIZE_ADDRESS__)
#define MODELGATE_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MODELGATE_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(MODELGATE_ADDRESS_SANITIZER)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif

struct ConfinementPlan {
  int request_fd = -1;  // the only descriptor the worker may receive requests on (recvmsg)
  int result_fd = -1;   // the only descriptor the worker may write to
  // RLIMIT_DATA in bytes: heap and private writable mappings (the seccomp filter refuses shared
  // ones). The read-only mapping of the input does not count, as it would under RLIMIT_AS, so a
  // 100 GB model can be mapped under a 64 GiB limit. 0 leaves it (AddressSanitizer builds).
  std::uint64_t data_bytes = 0;
  std::uint64_t cpu_seconds = 0;    // RLIMIT_CPU over the worker's life; 0 leaves it
  std::uint32_t max_descriptors = 16;
};

// The layers, in the order they are applied.
inline constexpr const char* kLayerNames[] = {"no-new-privs", "rlimits", "namespaces", "landlock", "seccomp"};

struct ConfinementReport {
  std::vector<std::string> applied;  // names from kLayerNames
  std::vector<std::string> missing;  // "name: why"
  int landlock_abi = 0;              // the ABI the ruleset was built for, 0 when not applied
};

// Confines the calling process; only for a freshly forked, single-threaded worker. Irreversible.
ConfinementReport confine_worker(const ConfinementPlan& plan);

// The highest Landlock ABI this kernel offers (0 when Landlock is unavailable or disabled).
int landlock_abi();

}  // namespace modelgate::sandbox
