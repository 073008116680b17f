#pragma once
// Hand-built ustar members for tests: exact control over every header field.
#include <cstdio>
#include <cstring>
#include <string>

namespace mgtest {

// One 512-byte ustar header; `size_field` replaces the octal size text when given.
inline std::string tar_header(const std::string& name, std::uint64_t size, char type = '0',
                              const char* size_field = nullptr) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 108, "0000000", 7);
  std::memcpy(h.data() + 116, "0000000", 7);
  char sz[13];
  std::snprintf(sz, sizeof sz, "%011llo", static_cast<unsigned long long>(size));
  std::memcpy(h.data() + 124, size_field ? size_field : sz, size_field ? std::strlen(size_field) : 11);
  std::memcpy(h.data() + 136, "00000000000", 11);
  h[156] = type;
  std::memcpy(h.data() + 257, "ustar\0" "00", 8);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char ck[8];
  std::snprintf(ck, sizeof ck, "%06o", sum);
  std::memcpy(h.data() + 148, ck, 7);
  return h;
}

// A header and its data padded to whole blocks.
inline std::string tar_member(const std::string& name, const std::string& data, char type = '0') {
  std::string m = tar_header(name, data.size(), type) + data;
  m.resize((m.size() + 511) / 512 * 512, '\0');
  return m;
}

inline std::string tar_end() { return std::string(1024, '\0'); }

}  // namespace mgtest
