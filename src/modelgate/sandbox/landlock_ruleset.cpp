// Debian 12's <linux/landlock.h> stops at ABI 2, so the ABI, the syscalls and every access right
// are defined here from the kernel's UAPI. Newer rights are handled only when the kernel says it
// knows them (an unknown bit makes landlock_create_ruleset fail with EINVAL).
#include "sandbox/landlock_ruleset.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sandbox/confinement.h"

namespace modelgate::sandbox {

namespace {

constexpr long kSysCreateRuleset = 444;  // landlock_create_ruleset, the same on every architecture
constexpr long kSysRestrictSelf = 446;   // landlock_restrict_self
constexpr std::uint32_t kCreateRulesetVersion = 1u << 0;

// struct landlock_ruleset_attr as of ABI 6; older kernels take a prefix of it.
struct LandlockRulesetAttr {
  std::uint64_t handled_access_fs;
  std::uint64_t handled_access_net;  // ABI 4
  std::uint64_t scoped;              // ABI 6
};

std::uint64_t fs_rights(int abi) {
  std::uint64_t rights = (1ull << 13) - 1;  // ABI 1: execute .. make_sym
  if (abi >= 2) rights |= 1ull << 13;       // refer
  if (abi >= 3) rights |= 1ull << 14;       // truncate
  if (abi >= 5) rights |= 1ull << 15;       // ioctl_dev
  return rights;
}

std::size_t attr_size(int abi) {
  if (abi >= 6) return sizeof(LandlockRulesetAttr);
  if (abi >= 4) return offsetof(LandlockRulesetAttr, scoped);
  return offsetof(LandlockRulesetAttr, handled_access_net);
}

}  // namespace

int landlock_abi() {
  long abi = ::syscall(kSysCreateRuleset, nullptr, 0, kCreateRulesetVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

Expected<int> restrict_all_file_access() {
  const int abi = landlock_abi();
  if (abi <= 0) return parse_error(0, std::string("not offered by the kernel: ") + std::strerror(errno));
  LandlockRulesetAttr attr{};
  attr.handled_access_fs = fs_rights(abi);
  if (abi >= 4) attr.handled_access_net = 0x3;  // bind_tcp, connect_tcp
  if (abi >= 6) attr.scoped = 0x3;              // abstract unix sockets, signals
  long fd = ::syscall(kSysCreateRuleset, &attr, attr_size(abi), 0);
  if (fd < 0) return parse_error(0, std::string("landlock_create_ruleset: ") + std::strerror(errno));
  // No rules are added: every handled access is denied everywhere.
  long rc = ::syscall(kSysRestrictSelf, fd, 0);
  int saved = errno;
  ::close(static_cast<int>(fd));
  if (rc != 0) return parse_error(0, std::string("landlock_restrict_self: ") + std::strerror(saved));
  return abi;
}

}  // namespace modelgate::sandbox
