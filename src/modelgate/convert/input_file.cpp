#include "convert/input_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace modelgate::convert {

std::shared_ptr<InputFile> InputFile::open(const std::filesystem::path& path, std::string& error) {
  std::shared_ptr<InputFile> f(new InputFile());
  f->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd_ < 0) {
    error = "cannot open " + path.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(f->fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path.string() + " is not a regular file";
    return nullptr;
  }
  f->size_ = static_cast<std::size_t>(st.st_size);
  if (f->size_ == 0) return f;
  void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, f->fd_, 0);
  if (p == MAP_FAILED) {
    error = "cannot map " + path.string() + ": " + std::strerror(errno);
    f->size_ = 0;
    return nullptr;
  }
  f->data_ = static_cast<const std::uint8_t*>(p);
  return f;
}

InputFile::~InputFile() {
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace modelgate::convert
