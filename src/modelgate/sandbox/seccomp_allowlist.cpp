#include "sandbox/seccomp_allowlist.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "sandbox/confinement.h"

namespace modelgate::sandbox {

namespace {

struct FilterRelease {
  void operator()(void* ctx) const { seccomp_release(static_cast<scmp_filter_ctx>(ctx)); }
};

// One argument condition (libseccomp's SCMP_A* macros are C compound literals).
scmp_arg_cmp argument(unsigned index, scmp_compare op, scmp_datum_t a, scmp_datum_t b = 0) {
  scmp_arg_cmp c{};
  c.arg = index;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

}  // namespace

std::optional<Error> install_seccomp_allowlist(int request_fd, int result_fd) {
  std::unique_ptr<void, FilterRelease> filter(seccomp_init(SCMP_ACT_KILL_PROCESS));
  if (!filter) return parse_error(0, "seccomp_init failed");
  auto* ctx = static_cast<scmp_filter_ctx>(filter.get());
  int rc = 0;
  auto allow = [&](int nr) {
    if (rc == 0) rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  };
  // Reading the input and the request; closing what was received.
  for (int nr : {SCMP_SYS(read), SCMP_SYS(pread64), SCMP_SYS(readv), SCMP_SYS(lseek), SCMP_SYS(fstat),
                 SCMP_SYS(close)})
    allow(nr);
  // glibc's fstat is newfstatat(fd, "", st, AT_EMPTY_PATH); Landlock denies what a path could open.
  auto allow_if = [&](int nr, scmp_arg_cmp condition) {
    if (rc == 0) rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &condition);
  };
  allow_if(SCMP_SYS(newfstatat), argument(3, SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
  // Memory, never executable, never shared: RLIMIT_DATA counts private writable mappings only, so a
  // shared anonymous mapping would be memory outside the limit. MAP_SHARED's bit is also set in
  // MAP_SHARED_VALIDATE (MAP_PRIVATE is the other bit).
  allow_if(SCMP_SYS(mprotect), argument(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
  if (rc == 0) {
    const scmp_arg_cmp private_data[] = {argument(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
                                         argument(3, SCMP_CMP_MASKED_EQ, MAP_SHARED, 0)};
    rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 2, private_data);
  }
  for (int nr : {SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise)}) allow(nr);
  // Threads' primitives, signals to itself (abort), time, exit.
  for (int nr : {SCMP_SYS(futex), SCMP_SYS(sched_yield), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
                 SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill), SCMP_SYS(clock_gettime),
                 SCMP_SYS(gettimeofday), SCMP_SYS(exit), SCMP_SYS(exit_group)})
    allow(nr);
  // OpenSSL seeds and reseeds its random generator from the kernel (signature checks in `verify`);
  // getrandom reads no file and reaches nothing outside the process.
  allow(SCMP_SYS(getrandom));
  // The two descriptors of the broker's channel.
  allow_if(SCMP_SYS(recvmsg), argument(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(request_fd)));
  for (int nr : {SCMP_SYS(write), SCMP_SYS(writev)})
    allow_if(nr, argument(0, SCMP_CMP_EQ, static_cast<scmp_datum_t>(result_fd)));
#if defined(MODELGATE_ADDRESS_SANITIZER)
  // Sanitizer builds only (docs/sandbox.md). UBSan's vptr check probes whether a vtable is readable
  // by writing it into a fresh pipe (IsAccessibleMemoryRange): glibc's pipe() is pipe2(fds, 0), and
  // its write end is above the channel. Descriptors there are the worker's own pipes or the
  // read-only inputs the broker passed; 0 to 3 stay refused.
  allow_if(SCMP_SYS(pipe2), argument(1, SCMP_CMP_EQ, 0));
  allow_if(SCMP_SYS(write), argument(0, SCMP_CMP_GT, static_cast<scmp_datum_t>(std::max(request_fd, result_fd))));
  // __asan_handle_no_return (before a throw or a noreturn call) asks whether it runs on the
  // alternate signal stack: sigaltstack(NULL, &old) reads, never sets.
  allow_if(SCMP_SYS(sigaltstack), argument(0, SCMP_CMP_EQ, 0));
#endif
  if (rc != 0) return parse_error(0, std::string("seccomp_rule_add: ") + std::strerror(-rc));
  rc = seccomp_load(ctx);
  if (rc != 0) return parse_error(0, std::string("seccomp_load: ") + std::strerror(-rc));
  return std::nullopt;
}

}  // namespace modelgate::sandbox
