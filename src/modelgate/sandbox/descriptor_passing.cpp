#include "sandbox/descriptor_passing.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace modelgate::sandbox {

namespace {

constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(int) * kMaxPassedDescriptors);

}  // namespace

ssize_t send_with_descriptors(int socket, ByteView bytes, std::span<const int> fds, int flags) {
  if (fds.size() > kMaxPassedDescriptors) {
    errno = EINVAL;
    return -1;
  }
  alignas(struct cmsghdr) char control[kControlBytes] = {};
  struct iovec iov = {const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t sent;
  do sent = ::sendmsg(socket, &msg, flags);
  while (sent < 0 && errno == EINTR);
  return sent;
}

ReceivedMessage receive_with_descriptors(int socket, std::span<std::uint8_t> into, int flags) {
  alignas(struct cmsghdr) char control[kControlBytes];
  struct iovec iov = {into.data(), into.size()};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ReceivedMessage out;
  do out.bytes = ::recvmsg(socket, &msg, flags | MSG_CMSG_CLOEXEC);
  while (out.bytes < 0 && errno == EINTR);
  if (out.bytes <= 0) return out;
  std::size_t records = 0;
  bool whole = true;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    ++records;
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) {
      whole = false;
      continue;
    }
    const std::size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    whole = whole && c->cmsg_len == CMSG_LEN(n * sizeof(int));
    for (std::size_t i = 0; i < n && out.fd_count < out.fds.size(); ++i)
      std::memcpy(&out.fds[out.fd_count++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  out.well_formed = whole && records <= 1 && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
  return out;
}

}  // namespace modelgate::sandbox
