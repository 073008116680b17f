#include "convert/input_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace modelgate::convert {

std::shared_ptr<InputFile> InputFile::open(const std::filesystem::path& path, std::string& error) {
  return adopt(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC), path.string(), error);
}

std::shared_ptr<InputFile> InputFile::adopt(int fd, const std::string& display, std::string& error) {
  if (fd < 0) {
    error = "cannot open " + display + ": " + std::strerror(errno);
    return nullptr;
  }
  std::shared_ptr<InputFile> f(new InputFile());
  f->fd_ = fd;
  struct stat st {};
  if (::fstat(f->fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = display + " is not a regular file";
    return nullptr;
  }
  f->dev_ = st.st_dev;
  f->ino_ = st.st_ino;
  f->size_ = static_cast<std::size_t>(st.st_size);
  if (f->size_ == 0) return f;
  void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, f->fd_, 0);
  if (p == MAP_FAILED) {
    error = "cannot map " + display + ": " + std::strerror(errno);
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
