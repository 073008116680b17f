#include "core/content_digest.h"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace modelgate {

namespace {

std::string hex_digest(ByteView content, const EVP_MD* md) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(content.data(), content.size(), digest.data(), &length, md, nullptr) != 1)
    throw std::runtime_error("OpenSSL digest failed");  // a library fault, not an input property
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace

std::string sha256_hex(ByteView content) { return hex_digest(content, EVP_sha256()); }
std::string sha512_hex(ByteView content) { return hex_digest(content, EVP_sha512()); }

}  // namespace modelgate
