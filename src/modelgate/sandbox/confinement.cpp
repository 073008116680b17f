#include "sandbox/confinement.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#if defined(MODELGATE_ADDRESS_SANITIZER)
#include <sanitizer/common_interface_defs.h>
#endif

#include "sandbox/landlock_ruleset.h"
#include "sandbox/seccomp_allowlist.h"

namespace modelgate::sandbox {

namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::optional<Error> set_limit(int resource, rlim_t value, const char* name) {
  struct rlimit r {value, value};
  if (::setrlimit(resource, &r) == 0) return std::nullopt;
  return parse_error(0, errno_text(name));
}

}  // namespace

ConfinementReport confine_worker(const ConfinementPlan& plan) {
  ConfinementReport out;
#if defined(MODELGATE_ADDRESS_SANITIZER)
  // The runtime caches what it would read from /proc once confined (the memory map, for reports).
  __sanitizer_sandbox_arguments sanitizer{};
  __sanitizer_sandbox_on_notify(&sanitizer);
#endif
  auto record = [&](const char* layer, bool ok, const std::string& why) {
    if (ok)
      out.applied.emplace_back(layer);
    else
      out.missing.push_back(std::string(layer) + ": " + why);
  };

  // If the machine runs short of memory anyway, the kernel ends a worker first (its file is then
  // refused), not the broker or another process. Best effort: without /proc nothing changes.
  if (int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC); fd >= 0) {
    [[maybe_unused]] auto written = ::write(fd, "1000", 4);
    ::close(fd);
  }

  bool nnp = ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
  record("no-new-privs", nnp, nnp ? "" : errno_text("prctl"));

  std::optional<Error> unlimited = set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
  if (!unlimited) unlimited = set_limit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE");
  if (!unlimited) unlimited = set_limit(RLIMIT_NOFILE, plan.max_descriptors, "RLIMIT_NOFILE");
  if (!unlimited && plan.data_bytes != 0) unlimited = set_limit(RLIMIT_DATA, plan.data_bytes, "RLIMIT_DATA");
  if (!unlimited && plan.cpu_seconds != 0) unlimited = set_limit(RLIMIT_CPU, plan.cpu_seconds, "RLIMIT_CPU");
  record("rlimits", !unlimited, unlimited ? unlimited->message() : "");

  // A user namespace first: it is what lets an unprivileged process create the others.
  bool user = ::unshare(CLONE_NEWUSER) == 0;
  std::string why = user ? "" : errno_text("unshare(CLONE_NEWUSER)");
  bool others = ::unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS) == 0;
  if (!others && why.empty()) why = errno_text("unshare(CLONE_NEWNET|CLONE_NEWIPC|CLONE_NEWNS)");
  record("namespaces", user && others, why);

  auto landlock = restrict_all_file_access();
  if (landlock) out.landlock_abi = *landlock;
  record("landlock", landlock.ok(), landlock ? "" : landlock.error().message());

  auto unfiltered = install_seccomp_allowlist(plan.request_fd, plan.result_fd);
  record("seccomp", !unfiltered, unfiltered ? unfiltered->message() : "");
  return out;
}

}  // namespace modelgate::sandbox
