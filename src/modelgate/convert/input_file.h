#pragma once
// An input file held open for conversion: one descriptor for the kernel copies and a read-only
// mapping of the same descriptor for parsing, so that both see the same inode.
#include <filesystem>
#include <memory>
#include <string>

#include "core/bytes.h"

namespace modelgate::convert {

class InputFile {
 public:
  static std::shared_ptr<InputFile> open(const std::filesystem::path& path, std::string& error);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  int fd() const { return fd_; }
  ByteView bytes() const { return {data_, size_}; }

 private:
  InputFile() = default;
  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace modelgate::convert
