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

namespace modelgate::sandbox {

namespace {

constexpr int kControlFd = 3;  // the zygote's end of its channel, inside the zygote
constexpr int kReplyTimeoutMs = 30'000;

// The reply to a request: the worker's pid, or minus the errno of what failed, with the broker's
// ends of the worker's channel attached when it started.
void reply(std::int32_t pid, const int* fds, std::size_t count) {
  alignas(struct cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  struct iovec iov = {&pid, sizeof pid};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (count > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(count * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds, count * sizeof(int));
  }
  while (::sendmsg(kControlFd, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) ::_exit(0);  // the broker is gone
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
    std::string error;
    if (!channel.open(error)) {
      reply(-errno, nullptr, 0);
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
      reply(pid, ends, 2);
    else
      reply(-failed, nullptr, 0);
    ::close(ends[0]);
    ::close(ends[1]);
  }
}

}  // namespace

std::unique_ptr<WorkerZygote> WorkerZygote::start(WorkerJob job, const WorkerConfig& config, std::string& error) {
  int control[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, control) != 0) {
    error = std::string("socketpair: ") + std::strerror(errno);
    return nullptr;
  }
  std::uint64_t loads;
  const pid_t pid = fork_for_workers(config, loads);
  if (pid == 0) zygote_main(control[1], job, config);
  ::close(control[1]);
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    ::close(control[0]);
    return nullptr;
  }
  return std::unique_ptr<WorkerZygote>(new WorkerZygote(pid, control[0], config, loads));
}

WorkerZygote::~WorkerZygote() {
  ::close(control_);
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::unique_ptr<ParseWorker> WorkerZygote::launch(std::string& error) {
  std::lock_guard one_at_a_time(lock_);
  const char ask = 'w';
  if (::send(control_, &ask, 1, MSG_NOSIGNAL) != 1) {
    error = "the worker zygote is gone";
    return nullptr;
  }
  struct pollfd p = {control_, POLLIN, 0};
  int ready;
  do ready = ::poll(&p, 1, kReplyTimeoutMs);
  while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    error = "the worker zygote did not answer";
    return nullptr;
  }
  std::int32_t pid = 0;
  alignas(struct cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  struct iovec iov = {&pid, sizeof pid};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(control_, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  int ends[2] = {-1, -1};
  std::size_t count = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < fds; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (count < 2)
        ends[count++] = fd;
      else
        ::close(fd);
    }
  }
  if (n != static_cast<ssize_t>(sizeof pid) || pid <= 0 || count != 2 || (msg.msg_flags & MSG_CTRUNC)) {
    for (std::size_t i = 0; i < count; ++i) ::close(ends[i]);
    error = n <= 0   ? std::string("the worker zygote is gone")
            : pid < 0 ? std::string("the worker zygote cannot fork: ") + std::strerror(-pid)
                      : std::string("the worker zygote's reply is malformed");
    if (n == static_cast<ssize_t>(sizeof pid) && pid > 0) {  // a worker without its channel: this process's child
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    return nullptr;
  }
  return ParseWorker::adopt(pid, ends[0], ends[1], config_, library_loads_at_fork_, error);
}

}  // namespace modelgate::sandbox
