#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/bytes.h"
#include "core/mapping_guard.h"
#include "core/regular_file.h"

namespace modelgate {

MappedFile::MappedFile(const std::uint8_t* data, std::size_t size, TruncationGuard guard)
    : data_(data),
      size_(size),
      guard_(data && guard == TruncationGuard::on ? std::make_unique<MappingGuard>(data, size) : nullptr) {}

MappedFile::MappedFile(std::unique_ptr<std::uint8_t[]> copy, std::size_t size)
    : data_(copy.get()), size_(size), copy_(std::move(copy)) {}

std::optional<Error> read_file_start(int fd, std::uint8_t* out, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, out + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return parse_error(got, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0)
      return parse_error(got, "it shrank while it was read (" + std::to_string(got) + " of " + std::to_string(size) + " bytes)");
    got += static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

Expected<std::shared_ptr<MappedFile>> MappedFile::map(int fd, std::size_t size, TruncationGuard guard) {
  if (size == 0) return std::shared_ptr<MappedFile>(new MappedFile(nullptr, 0, guard));
  if (size <= kReadFilesUpTo) {
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[size]);  // not zeroed: the read fills it
    if (auto unread = read_file_start(fd, copy.get(), size)) return *unread;
    return std::shared_ptr<MappedFile>(new MappedFile(std::move(copy), size));
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return parse_error(0, std::string("cannot map: ") + std::strerror(errno));
  return std::shared_ptr<MappedFile>(new MappedFile(static_cast<const std::uint8_t*>(p), size, guard));
}

Expected<std::shared_ptr<MappedFile>> MappedFile::open(const std::filesystem::path& path) {
  auto opened = open_regular_file(path);
  if (!opened) return opened.error();
  auto mapped = map(opened->fd.get(), static_cast<std::size_t>(opened->st.st_size));
  if (!mapped) {
    Error error = mapped.error();
    error.origin = path.string();
    return error;
  }
  return mapped;
}

MappedFile::~MappedFile() {
  guard_.reset();  // before the pages go: a stale range must never match a later fault
  if (data_ != nullptr && !copy_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

void release_mapped_pages(const std::uint8_t* begin, std::size_t size, ByteView range) {
  if (begin == nullptr || range.empty()) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto lo = std::max(reinterpret_cast<std::uintptr_t>(range.data()), reinterpret_cast<std::uintptr_t>(begin));
  const auto hi = std::min(reinterpret_cast<std::uintptr_t>(range.data() + range.size()),
                           reinterpret_cast<std::uintptr_t>(begin + size));
  const std::uintptr_t first = (lo + page - 1) & ~(page - 1), last = hi & ~(page - 1);
  if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

bool MappedFile::truncated_underneath() const { return guard_ && guard_->faulted(); }

}  // namespace modelgate
