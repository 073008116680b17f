#include "sandbox/worker_zygote.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/descriptor_passing.h"

namespace modelgate::sandbox {

namespace {

constexpr int kControlFd = 3;  // the zygote's end of its channel, inside the zygote
constexpr int kReplyTimeoutMs = 30'000;

// The reply to a request: the worker's pid, or minus the errno of what failed, with the broker's
// ends of the worker's channel attached when it started.
void reply(std::int32_t pid, std::span<const int> fds) {
  const ByteView bytes(reinterpret_cast<const std::uint8_t*>(&pid), sizeof pid);
  if (send_with_descriptors(kControlFd, bytes, fds, MSG_NOSIGNAL) < 0) ::_exit(0);  // the broker is gone
}

[[noreturn]] void zygote_main(int control, const WorkerJob& job, const WorkerConfig& config) {
  if (control != kControlFd && ::dup2(control, kControlFd) < 0) ::_exit(1);
  ::close_range(kControlFd + 1, ~0u, 0);  // the broker's files and other channels
  for (;;) {
    char ask = 0;
    ssize_t n = ::recv(kControlFd, &ask, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(0);  // the broker closed the channel, or is gone
    WorkerChannel channel;
    if (channel.open().has_value()) {
      reply(-errno, {});
      continue;
    }
    // fork() with the worker made the broker's child. Raw clone() runs none of fork()'s handlers,
    // which only matter to a process with other threads; the zygote has none.
    const auto pid = static_cast<pid_t>(::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0));
    if (pid == 0) run_worker(channel, job, config);
    const int failed = errno;
    ::close(channel.requests[1]);
    ::close(channel.results[1]);
    const int ends[2] = {channel.requests[0], channel.results[0]};
    if (pid > 0)
      reply(pid, ends);
    else
      reply(-failed, {});
    ::close(ends[0]);
    ::close(ends[1]);
  }
}

}  // namespace

Expected<std::unique_ptr<WorkerZygote>> WorkerZygote::start(WorkerJob job, const WorkerConfig& config) {
  int control[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0)
    return parse_error(0, std::string("socketpair: ") + std::strerror(errno));
  std::uint64_t loads;
  const pid_t pid = fork_for_workers(config, loads);
  if (pid == 0) zygote_main(control[1], job, config);
  ::close(control[1]);
  if (pid < 0) {
    Error error = parse_error(0, std::string("fork: ") + std::strerror(errno));
    ::close(control[0]);
    return error;
  }
  return std::unique_ptr<WorkerZygote>(new WorkerZygote(pid, control[0], config, loads));
}

WorkerZygote::~WorkerZygote() {
  ::close(control_);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

Expected<std::unique_ptr<ParseWorker>> WorkerZygote::launch() {
  std::lock_guard one_at_a_time(lock_);
  const char ask = 'w';
  if (::send(control_, &ask, 1, MSG_NOSIGNAL) != 1) return parse_error(0, "the worker zygote is gone");
  struct pollfd p = {control_, POLLIN, 0};
  int ready;
  do ready = ::poll(&p, 1, kReplyTimeoutMs);
  while (ready < 0 && errno == EINTR);
  if (ready <= 0) return parse_error(0, "the worker zygote did not answer");
  std::int32_t pid = 0;
  const ReceivedMessage m =
      receive_with_descriptors(control_, std::span(reinterpret_cast<std::uint8_t*>(&pid), sizeof pid), MSG_DONTWAIT);
  const ssize_t n = m.bytes;
  if (n != static_cast<ssize_t>(sizeof pid) || pid <= 0 || m.fd_count != 2 || !m.well_formed) {
    for (std::size_t i = 0; i < m.fd_count; ++i) ::close(m.fds[i]);
    Error error = parse_error(0, n <= 0    ? std::string("the worker zygote is gone")
                                 : pid < 0 ? std::string("the worker zygote cannot fork: ") + std::strerror(-pid)
                                           : std::string("the worker zygote's reply is malformed"));
    if (n == static_cast<ssize_t>(sizeof pid) && pid > 0) {  // a worker without its channel: this process's child
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    return error;
  }
  return ParseWorker::adopt(pid, m.fds[0], m.fds[1], config_, library_loads_at_fork_);
}

}  // namespace modelgate::sandbox
