#pragma once
// Descriptors passed over a Unix socket with the bytes they travel with (SCM_RIGHTS): the broker's
// requests to a worker, and the zygote's replies that hand the broker a new worker's channel.
#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/bytes.h"

namespace modelgate::sandbox {

// The most descriptors one message carries; a message with more is truncated by the kernel, which
// closes the ones that do not fit.
inline constexpr std::size_t kMaxPassedDescriptors = 8;

// Sends `bytes` with `fds` (at most kMaxPassedDescriptors; none is allowed) as one message,
// retrying when a signal interrupts it. What sendmsg returned: the bytes sent, or -1 with errno.
ssize_t send_with_descriptors(int socket, ByteView bytes, std::span<const int> fds, int flags);

struct ReceivedMessage {
  ssize_t bytes = -1;  // what recvmsg returned: 0 when the peer closed the socket, -1 with errno
  // The descriptors received (close-on-exec), in the order sent; the caller owns them.
  std::array<int, kMaxPassedDescriptors> fds{};
  std::size_t fd_count = 0;
  // Nothing was cut (neither the bytes nor the descriptors) and the descriptors, if any, came as
  // one SCM_RIGHTS record of whole descriptors.
  bool well_formed = false;
};

// Receives one message into `into`, retrying when a signal interrupts it.
ReceivedMessage receive_with_descriptors(int socket, std::span<std::uint8_t> into, int flags);

}  // namespace modelgate::sandbox
