#pragma once
// Copies one tensor's bytes from its storage to the output, little-endian and C-contiguous:
// file-to-file in the kernel (copy_file_range, then sendfile) for a contiguous little-endian range
// of the input file, otherwise through one bounded buffer (gathers of strided views).
#include <cstdint>
#include <vector>

#include "convert/checkpoint_source.h"
#include "container/state_dict_reconstruction.h"

namespace modelgate::convert {

class TensorCopier {
 public:
  // `in_fd` is the input file (-1: none, copy from memory). `chunk` bounds the buffer.
  // `durable`: the output will be fsynced, so writeback is started as the copy goes.
  explicit TensorCopier(int in_fd, std::size_t chunk = 1u << 20, bool durable = false)
      : in_fd_(in_fd), chunk_(chunk), durable_(durable) {}

  // Writes t's bytes to `out_fd`; the view was bounds-checked against s by reconstruction and is
  // checked again here. On failure returns the error (errno text or what was wrong).
  Expected<bool> copy(int out_fd, const TensorRecord& t, const StorageBytes& s);

  std::uint64_t kernel_bytes() const { return kernel_bytes_; }
  std::uint64_t buffered_bytes() const { return buffered_bytes_; }

 private:
  bool kernel_copy(int out_fd, std::uint64_t offset, std::uint64_t size, std::uint64_t& done);
  bool flush(int out_fd);
  void written(int out_fd, std::uint64_t n);

  int in_fd_;
  std::size_t chunk_;
  bool durable_;
  std::vector<std::uint8_t> buf_;
  bool kernel_ok_ = true;
  std::uint64_t kernel_bytes_ = 0;
  std::uint64_t buffered_bytes_ = 0;
  std::uint64_t since_writeback_ = 0;
};

}  // namespace modelgate::convert
