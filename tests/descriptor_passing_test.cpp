// Descriptors passed with the bytes they travel with (sandbox/descriptor_passing.h): what arrives,
// and what a receiver is told when a message was cut or its descriptors came otherwise than as one
// record of whole descriptors.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "sandbox/descriptor_passing.h"

namespace descriptor_passing_test {

using namespace modelgate;
using namespace modelgate::sandbox;

class DescriptorPassing : public ::testing::Test {
 protected:
  DescriptorPassing() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends_), 0); }
  ~DescriptorPassing() override {
    for (int fd : ends_) ::close(fd);
  }
  static ByteView text(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
  // A pipe whose read end is passed: what is written to the write end reads back from the
  // descriptor received.
  static std::string read_all(int fd) {
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  static void close_received(const ReceivedMessage& m) {
    for (std::size_t i = 0; i < m.fd_count; ++i) ::close(m.fds[i]);
  }
  int ends_[2] = {-1, -1};
};

TEST_F(DescriptorPassing, BytesAndDescriptorsArriveInTheOrderSent) {
  int a[2], b[2];
  ASSERT_EQ(::pipe(a), 0);
  ASSERT_EQ(::pipe(b), 0);
  const int fds[] = {a[0], b[0]};
  ASSERT_EQ(send_with_descriptors(ends_[0], text("hello"), fds, 0), 5);
  ASSERT_EQ(::write(a[1], "first", 5), 5);
  ASSERT_EQ(::write(b[1], "second", 6), 6);
  std::array<std::uint8_t, 16> buf{};
  ReceivedMessage m = receive_with_descriptors(ends_[1], buf, 0);
  ASSERT_EQ(m.bytes, 5);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), 5), "hello");
  EXPECT_TRUE(m.well_formed);
  ASSERT_EQ(m.fd_count, 2u);
  EXPECT_EQ(read_all(m.fds[0]), "first");
  EXPECT_EQ(read_all(m.fds[1]), "second");
  close_received(m);
  for (int fd : {a[0], a[1], b[0], b[1]}) ::close(fd);
}

TEST_F(DescriptorPassing, AMessageWithoutDescriptorsIsWellFormed) {
  ASSERT_EQ(send_with_descriptors(ends_[0], text("x"), {}, 0), 1);
  std::array<std::uint8_t, 4> buf{};
  ReceivedMessage m = receive_with_descriptors(ends_[1], buf, 0);
  EXPECT_EQ(m.bytes, 1);
  EXPECT_TRUE(m.well_formed);
  EXPECT_EQ(m.fd_count, 0u);
}

TEST_F(DescriptorPassing, MoreDescriptorsThanAMessageCarriesAreNotSent) {
  std::vector<int> fds(kMaxPassedDescriptors + 1, 0);
  errno = 0;
  EXPECT_EQ(send_with_descriptors(ends_[0], text("x"), fds, MSG_DONTWAIT), -1);
  EXPECT_EQ(errno, EINVAL);
}

// A sender that does not use send_with_descriptors passes more descriptors than the receiver takes:
// the kernel closes those that do not fit, and the receiver is told the message was cut.
TEST_F(DescriptorPassing, DescriptorsPastTheLimitMakeTheMessageCut) {
  constexpr std::size_t kSent = kMaxPassedDescriptors + 4;
  std::array<int, kSent> fds{};
  fds.fill(0);  // standard input, passed again and again
  char payload = 'x';
  struct iovec iov = {&payload, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kSent)] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * kSent);
  std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * kSent);
  ASSERT_EQ(::sendmsg(ends_[0], &msg, 0), 1);
  std::array<std::uint8_t, 4> buf{};
  ReceivedMessage m = receive_with_descriptors(ends_[1], buf, 0);
  EXPECT_EQ(m.bytes, 1);
  EXPECT_FALSE(m.well_formed);
  EXPECT_LE(m.fd_count, kMaxPassedDescriptors);
  close_received(m);
}

TEST_F(DescriptorPassing, BytesPastTheBufferMakeTheMessageCut) {
  ASSERT_EQ(send_with_descriptors(ends_[0], text("too long"), {}, 0), 8);
  std::array<std::uint8_t, 4> buf{};
  ReceivedMessage m = receive_with_descriptors(ends_[1], buf, 0);
  EXPECT_EQ(m.bytes, 4);
  EXPECT_FALSE(m.well_formed);
}

TEST_F(DescriptorPassing, AClosedPeerReadsAsZeroBytes) {
  ::close(ends_[0]);
  ends_[0] = -1;
  std::array<std::uint8_t, 4> buf{};
  ReceivedMessage m = receive_with_descriptors(ends_[1], buf, 0);
  EXPECT_EQ(m.bytes, 0);
  EXPECT_EQ(m.fd_count, 0u);
}

}  // namespace descriptor_passing_test
