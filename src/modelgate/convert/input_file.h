#pragma once
// An input file held open for conversion: one descriptor for the kernel copies and a read-only
// mapping of the same descriptor for parsing, so that both see the same inode.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/bytes.h"

namespace modelgate::convert {

class InputFile {
 public:
  // Opens `path` as named (without blocking on a FIFO or device).
  static std::shared_ptr<InputFile> open(const std::filesystem::path& path, std::string& error);
  // Takes `fd` (open for reading; -1 with errno set when opening failed). `display` names it.
  static std::shared_ptr<InputFile> adopt(int fd, const std::string& display, std::string& error);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  int fd() const { return fd_; }
  ByteView bytes() const { return {data_, size_}; }
  dev_t device() const { return dev_; }
  ino_t inode() const { return ino_; }

 private:
  InputFile() = default;
  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace modelgate::convert
