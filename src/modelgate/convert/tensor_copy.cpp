#include "convert/tensor_copy.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "convert/safetensors_writer.h"

namespace modelgate::convert {

// For durable outputs, starts writeback of what has been written so far every 64 MiB, so that the
// disk works while the copy goes on and the final fsync has little left to do.
void TensorCopier::written(int out_fd, std::uint64_t n) {
  if (!durable_) return;
  since_writeback_ += n;
  if (since_writeback_ < (64u << 20)) return;
  since_writeback_ = 0;
  ::sync_file_range(out_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

bool TensorCopier::kernel_copy(int out_fd, std::uint64_t offset, std::uint64_t size, std::uint64_t& done) {
  if (in_fd_ < 0 || !kernel_ok_) return false;
  auto in_off = static_cast<off64_t>(offset);
  bool use_sendfile = false;
  while (done < size) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, 64u << 20));
    ssize_t n;
    if (!use_sendfile) {
      n = ::copy_file_range(in_fd_, &in_off, out_fd, nullptr, want, 0);
      if (n < 0 && errno != EINTR) {
        use_sendfile = true;  // EXDEV, ENOSYS, EINVAL, EOPNOTSUPP: not this pair of files
        continue;
      }
    } else {
      n = ::sendfile(out_fd, in_fd_, &in_off, want);
      if (n < 0 && errno != EINTR) {
        kernel_ok_ = false;
        return false;
      }
    }
    if (n < 0) continue;
    if (n == 0) return false;  // the file is shorter than the mapping said: fall back to memory
    done += static_cast<std::uint64_t>(n);
    kernel_bytes_ += static_cast<std::uint64_t>(n);
    written(out_fd, static_cast<std::uint64_t>(n));
  }
  return true;
}

bool TensorCopier::flush(int out_fd) {
  bool ok = write_all(out_fd, buf_.data(), buf_.size());
  buffered_bytes_ += buf_.size();
  written(out_fd, buf_.size());
  buf_.clear();
  return ok;
}

Expected<bool> TensorCopier::copy(int out_fd, const TensorRecord& t, const StorageBytes& s) {
  auto io_error = [&] { return parse_error(0, std::string("writing tensor '") + t.name + "': " + std::strerror(errno)); };
  if (t.byte_size == 0) return true;
  const std::uint64_t e = t.element_size;
  if (t.storage_bytes > s.bytes.size() || e == 0)
    return parse_error(0, "tensor '" + t.name + "': storage '" + t.storage_key + "' is shorter than declared");
  if (t.contiguous) {
    if (t.offset > (s.bytes.size() / e) || t.byte_size > s.bytes.size() - t.offset * e)
      return parse_error(0, "tensor '" + t.name + "' runs past its storage");
    std::uint64_t begin = t.offset * e;
    std::uint64_t done = 0;
    if (s.file_offset) kernel_copy(out_fd, *s.file_offset + begin, t.byte_size, done);
    if (done < t.byte_size) {
      if (!write_all(out_fd, s.bytes.data() + begin + done, t.byte_size - done)) return io_error();
      written(out_fd, t.byte_size - done);
    }
    return true;
  }
  // A strided view: walk it in C order, a row (last dimension) at a time.
  const std::size_t nd = t.shape.size();
  std::vector<std::uint64_t> idx(nd, 0);
  const std::uint64_t rows_len = nd ? t.shape[nd - 1] : 1;
  const std::uint64_t inner_stride = nd ? t.strides[nd - 1] : 0;
  buf_.clear();
  buf_.reserve(chunk_);
  for (;;) {
    std::uint64_t base = t.offset;
    for (std::size_t i = 0; i + 1 < nd; ++i) base += idx[i] * t.strides[i];
    for (std::uint64_t j = 0; j < rows_len; ++j) {
      std::uint64_t at = (base + j * inner_stride) * e;
      if (at + e > s.bytes.size()) return parse_error(0, "tensor '" + t.name + "' runs past its storage");
      const std::uint8_t* src = s.bytes.data() + at;
      buf_.insert(buf_.end(), src, src + e);
      if (buf_.size() + e > chunk_ && !flush(out_fd)) return io_error();
    }
    std::size_t d = nd > 0 ? nd - 1 : 0;
    bool done = true;
    while (d-- > 0) {
      if (++idx[d] < t.shape[d]) {
        done = false;
        break;
      }
      idx[d] = 0;
    }
    if (done) break;
  }
  if (!buf_.empty() && !flush(out_fd)) return io_error();
  return true;
}

}  // namespace modelgate::convert
