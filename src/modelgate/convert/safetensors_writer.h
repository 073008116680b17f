#pragma once
// Writing safetensors files: the header laid out as the reference (Rust) writer lays it out, and
// the file written atomically (a temp file in the target directory, fsync, rename).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "convert/staging.h"
#include "core/expected.h"
#include "readers/safetensors.h"

namespace modelgate::convert {

struct HeaderEntry {
  std::string name;
  safetensors::Dtype dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t byte_size = 0;
};

struct HeaderLayout {
  std::string bytes;                  // u64 length + JSON, padded with spaces to a multiple of 8
  std::vector<std::size_t> order;     // entry indices in data order
  std::vector<std::uint64_t> begin;   // data offset of each entry (indexed like the entries)
  std::uint64_t data_size = 0;
};

// Reference order: dtype alignment descending (the Dtype enum order), then name ascending;
// "__metadata__" first with its keys sorted. Names and values must be valid UTF-8.
Expected<HeaderLayout> layout_header(const std::vector<HeaderEntry>& entries,
                                     const std::map<std::string, std::string>& metadata);

// A temp file (".NAME.modelgate-XXXXXX", locked while it exists) in a directory, that becomes
// NAME on commit() and disappears otherwise. The directory is held by descriptor and the temp
// file is created with O_EXCL|O_NOFOLLOW, so no link is followed.
class AtomicFile {
 public:
  // In the directory `dirfd`. Fails when `name` exists and `overwrite` is false. `durable`: fsync
  // before the rename and fsync the directory after it. `display` names the target in messages.
  static Expected<AtomicFile> create(int dirfd, const std::string& name, const std::string& display,
                                     bool overwrite, bool durable = false);
  // Beside the path `target`, in its directory as named.
  static Expected<AtomicFile> create(const std::filesystem::path& target, bool overwrite, bool durable = false);
  AtomicFile(AtomicFile&& o) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  int fd() const { return file_.get(); }
  const std::string& temp_name() const { return temp_; }
  // Rename over (or, without overwrite, next to no existing) target; fsyncs when durable.
  Expected<bool> commit();

 private:
  AtomicFile() = default;
  Fd dir_, file_;
  std::string name_, temp_, display_;
  bool overwrite_ = false;
  bool durable_ = false;
  bool committed_ = false;
};

// write(2) until done; false with errno set on failure.
bool write_all(int fd, const void* data, std::size_t size);

}  // namespace modelgate::convert
