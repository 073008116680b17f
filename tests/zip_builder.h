#pragma once
// Builds ZIP archives byte by byte for tests: every header field can be set, including sizes that
// disagree with the data.
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mgtest {

struct Entry {
  Entry(std::string n, std::string d, std::string l = {}, std::uint16_t f = 0, std::uint16_t m = 0)
      : name(std::move(n)), data(std::move(d)), local_name(std::move(l)), flags(f), method(m) {}
  std::string name;
  std::string data;
  std::string local_name;  // empty: same as name
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  bool bad_crc = false;
  std::uint16_t made_by = 20;
  std::uint32_t external_attrs = 0;
  std::int64_t force_offset = -1;  // central directory offset override
  std::int64_t declared_size = -1;        // uncompressed size in the headers (default: the data's)
  std::int64_t declared_compressed = -1;  // compressed size in the headers (default: the payload's)
};

inline void put16(std::string& s, std::uint16_t v) {
  s += char(v & 0xff);
  s += char(v >> 8);
}
inline void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

inline std::string deflate_raw(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = in.size();
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = out.size();
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::string build_zip(const std::vector<Entry>& entries, const std::string& comment = "",
                      const std::string& trailing = "") {
  std::string out, central;
  for (const auto& e : entries) {
    std::string payload = e.method == 8 ? deflate_raw(e.data) : e.data;
    std::uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), e.data.size());
    if (e.bad_crc) crc ^= 0xffffffff;
    std::uint32_t offset = e.force_offset >= 0 ? std::uint32_t(e.force_offset) : std::uint32_t(out.size());
    const std::string& lname = e.local_name.empty() ? e.name : e.local_name;
    if (e.force_offset < 0) {
      put32(out, 0x04034b50);
      put16(out, 20);
      put16(out, e.flags);
      put16(out, e.method);
      put32(out, 0);
      put32(out, crc);
      put32(out, e.declared_compressed >= 0 ? std::uint32_t(e.declared_compressed) : payload.size());
      put32(out, e.declared_size >= 0 ? std::uint32_t(e.declared_size) : e.data.size());
      put16(out, lname.size());
      put16(out, 0);
      out += lname + payload;
    }
    put32(central, 0x02014b50);
    put16(central, e.made_by);
    put16(central, 20);
    put16(central, e.flags);
    put16(central, e.method);
    put32(central, 0);
    put32(central, crc);
    put32(central, e.declared_compressed >= 0 ? std::uint32_t(e.declared_compressed) : payload.size());
    put32(central, e.declared_size >= 0 ? std::uint32_t(e.declared_size) : e.data.size());
    put16(central, e.name.size());
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, e.external_attrs);
    put32(central, offset);
    central += e.name;
  }
  std::uint32_t cd_offset = out.size();
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, entries.size());
  put16(out, entries.size());
  put32(out, central.size());
  put32(out, cd_offset);
  put16(out, comment.size());
  return out + comment + trailing;
}

}  // namespace mgtest
