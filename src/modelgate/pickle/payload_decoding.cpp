#include "pickle/payload_decoding.h"

#include <zlib.h>

#include <climits>

namespace modelgate::pickle {

std::optional<std::string> decode_base64(std::string_view text, bool urlsafe) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  std::size_t symbols = 0, padding = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == (urlsafe ? '-' : '+')) v = 62;
    else if (c == (urlsafe ? '_' : '/')) v = 63;
    else if (c == '=') {
      ++padding;
      continue;
    } else {
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    ++symbols;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (symbols % 4 == 1) return std::nullopt;
  return out;
}

std::optional<std::string> decode_hex(std::string_view text) {
  std::string out;
  int hi = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ') continue;
    else return std::nullopt;
    if (hi < 0) {
      hi = v;
    } else {
      out += static_cast<char>(hi * 16 + v);
      hi = -1;
    }
  }
  if (hi >= 0) return std::nullopt;
  return out;
}

std::optional<std::string> inflate_bounded(std::string_view data, int window_bits, std::size_t max_output,
                                           std::size_t* produced) {
  if (produced) *produced = 0;
  if (data.size() > UINT_MAX) return std::nullopt;  // zlib's avail_in is 32 bits: refused, not truncated
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return std::nullopt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (produced) *produced = out.size();
    if (out.size() > max_output) {
      inflateEnd(&zs);
      return std::nullopt;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace modelgate::pickle
