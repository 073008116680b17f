#include "convert/input_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/regular_file.h"

// Test builds define this to act between the open and the conversion (scan/scan_file.cpp has the
// same hook); the program does not, so the weak reference is null there.
extern "C" void modelgate_test_after_open(const char* path) __attribute__((weak));

namespace modelgate::convert {

Expected<std::shared_ptr<InputFile>> InputFile::open(const std::filesystem::path& path) {
  return adopt(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), path.string());
}

Expected<std::shared_ptr<InputFile>> InputFile::adopt(int fd, const std::string& display) {
  if (fd < 0) return parse_error(0, "cannot open " + display + ": " + std::strerror(errno));
  std::shared_ptr<InputFile> f(new InputFile());
  f->fd_ = fd;
  f->display_ = display;
  if (::fstat(f->fd_, &f->st_) != 0) return parse_error(0, "cannot examine " + display + ": " + std::strerror(errno));
  if (!S_ISREG(f->st_.st_mode))
    return parse_error(0, display + " is a " + file_kind_name(f->st_.st_mode) + ", not a regular file (not read)");
  auto mapped = MappedFile::map(f->fd_, static_cast<std::size_t>(f->st_.st_size));
  if (!mapped) {
    Error error = mapped.error();
    error.origin = display;
    return error;
  }
  f->mapped_ = std::move(*mapped);
  if (modelgate_test_after_open != nullptr) modelgate_test_after_open(display.c_str());
  return f;
}

std::string InputFile::change_since_open() const {
  std::string change;
  struct stat now {};
  if (mapped_->truncated_underneath())
    change = "it shrank while it was read";
  else if (::fstat(fd_, &now) != 0)
    change = "it can no longer be examined";
  else
    change = change_between(st_, now);
  return change.empty() ? change : display_ + " changed during conversion: " + change + "; nothing made from it is kept";
}

InputFile::~InputFile() {
  mapped_.reset();  // the mapping goes before the descriptor it was made from
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace modelgate::convert
