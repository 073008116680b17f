#pragma once
// Borrowed views over bytes, and the owners that keep them alive (a file mapping or a buffer).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace modelgate {

using ByteView = std::span<const std::uint8_t>;

inline std::string_view as_chars(ByteView v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

inline ByteView as_byte_view(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Something that owns bytes. Views handed out stay valid while the owner lives.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual ByteView bytes() const = 0;
  // The bytes of `range` (any part of it within bytes()) are done with for now: a mapping of a
  // file may let go of their pages, which the file gives back if they are read again. Keeps a long
  // sequential reading of a large file from holding the whole file in memory. Memory of the
  // process's own (read files, decompressed members) is kept: dropping it would lose it.
  virtual void release(ByteView /*range*/) const {}
};

// ByteSource::release for a read-only mapping of a file at [begin, begin + size): the whole pages
// of `range` within it.
void release_mapped_pages(const std::uint8_t* begin, std::size_t size, ByteView range);

class MappingGuard;

// Files up to this size are read rather than mapped: for them, setting up and tearing down a
// mapping (the munmap's TLB flush) costs more than copying the bytes.
inline constexpr std::size_t kReadFilesUpTo = 256 * 1024;

// Reads the first `size` bytes of an open file into `out`; the error when the read fails or the
// file has fewer bytes (its offset: the bytes read).
std::optional<Error> read_file_start(int fd, std::uint8_t* out, std::size_t size);

// Whether a mapping absorbs the file shrinking underneath it (core/mapping_guard.h): the first
// guard installs a SIGBUS handler. A confined worker maps unguarded: it may not change signal
// actions, and a worker that dies of SIGBUS makes its file refused.
enum class TruncationGuard { on, off };

// A read-only view of a whole file: a private mapping, or for a small file a copy. Empty files
// give an empty view.
class MappedFile final : public ByteSource {
 public:
  // Opens a regular file without blocking (core/regular_file.h) and maps it. An error whose origin
  // is the path when it cannot.
  static Expected<std::shared_ptr<MappedFile>> open(const std::filesystem::path& path);
  // Maps (or reads) the first `size` bytes of an open regular file; the descriptor stays the caller's.
  static Expected<std::shared_ptr<MappedFile>> map(int fd, std::size_t size, TruncationGuard guard = TruncationGuard::on);
  ~MappedFile() override;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ByteView bytes() const override { return {data_, size_}; }
  void release(ByteView range) const override {
    if (!copy_) release_mapped_pages(data_, size_, range);
  }
  // The file shrank while mapped: part of the view reads as zeros, not as the file.
  bool truncated_underneath() const;

 private:
  MappedFile(const std::uint8_t* data, std::size_t size, TruncationGuard guard);
  MappedFile(std::unique_ptr<std::uint8_t[]> copy, std::size_t size);
  const std::uint8_t* data_;
  std::size_t size_;
  std::unique_ptr<MappingGuard> guard_;
  std::unique_ptr<std::uint8_t[]> copy_;
};

// Bytes in memory of their own. Allocated without being zeroed: whoever fills them writes every byte.
class OwnedBuffer final : public ByteSource {
 public:
  explicit OwnedBuffer(std::size_t size) : data_(new std::uint8_t[size]), size_(size) {}
  explicit OwnedBuffer(ByteView bytes) : OwnedBuffer(bytes.size()) {
    if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
  }
  std::uint8_t* data() { return data_.get(); }
  ByteView bytes() const override { return {data_.get(), size_}; }

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_;
};

}  // namespace modelgate
