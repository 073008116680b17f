#pragma once
// An input file held open for conversion: one descriptor for the kernel copies and a read-only
// mapping of the same descriptor for parsing, so that both see the same inode. The mapping is
// guarded (core/mapping_guard.h): a file truncated while it is converted reads as zeros instead of
// killing the process, and change_since_open() then refuses what was made from it.
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/expected.h"

namespace modelgate::convert {

class InputFile {
 public:
  // Opens `path` as named (without blocking on a FIFO or device).
  static Expected<std::shared_ptr<InputFile>> open(const std::filesystem::path& path);
  // Takes `fd` (open for reading; -1 with errno set when opening failed). `display` names it.
  static Expected<std::shared_ptr<InputFile>> adopt(int fd, const std::string& display);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  int fd() const { return fd_; }
  // The path it was opened by, as given (what the file's relative references resolve against).
  const std::string& display() const { return display_; }
  ByteView bytes() const { return mapped_ ? mapped_->bytes() : ByteView(); }
  dev_t device() const { return st_.st_dev; }
  ino_t inode() const { return st_.st_ino; }
  // Empty while the file is what was opened; otherwise "DISPLAY changed during conversion: how".
  // Asked before an output made from it is committed.
  std::string change_since_open() const;

 private:
  InputFile() = default;
  int fd_ = -1;
  struct stat st_ {};
  std::string display_;
  std::shared_ptr<MappedFile> mapped_;
};

}  // namespace modelgate::convert
