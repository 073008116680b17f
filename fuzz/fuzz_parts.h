#pragma once
// For targets whose parsers read several files at once (a checkpoint's zip members, a model
// directory): one fuzz input is cut into parts at a separator line, and each part becomes a file.
// scripts/make-fuzz-corpus joins real files the same way to make the seeds.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace modelgate::fuzz {

inline constexpr std::string_view kPartSeparator = "\n--modelgate-part--\n";

inline std::vector<std::string_view> split_parts(const std::uint8_t* data, std::size_t size, std::size_t max_parts) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    auto at = rest.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + kPartSeparator.size());
  }
  parts.push_back(rest);
  return parts;
}

// A private directory under $TMPDIR for the life of the fuzzing process.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "modelgate-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) __builtin_trap();
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

  // Removes everything in it, then writes `files[i]` with the contents `parts[i]`.
  void fill(const std::vector<std::string>& names, const std::vector<std::string_view>& parts) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(path_, ec))
      std::filesystem::remove_all(entry.path(), ec);
    for (std::size_t i = 0; i < names.size() && i < parts.size(); ++i) {
      auto file = path_ / names[i];
      std::filesystem::create_directories(file.parent_path(), ec);
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out.write(parts[i].data(), static_cast<std::streamsize>(parts[i].size()));
    }
  }

 private:
  std::filesystem::path path_;
};

}  // namespace modelgate::fuzz
