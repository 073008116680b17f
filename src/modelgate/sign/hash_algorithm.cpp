#include "sign/hash_algorithm.h"

#include <openssl/evp.h>

#include <cctype>

#include "sign/encoding.h"

namespace modelgate::sign {

std::string_view hash_name(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::sha256 ? "sha256" : "blake2b";
}

static bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<HashAlgorithm> parse_hash_name(std::string_view name) {
  if (name.starts_with("file-")) name.remove_prefix(5);
  if (auto pos = name.find("-sharded-"); pos != std::string_view::npos) {
    if (!all_digits(name.substr(pos + 9))) return std::nullopt;
    name = name.substr(0, pos);
  } else if (auto dash = name.rfind('-'); dash != std::string_view::npos && all_digits(name.substr(dash + 1))) {
    name = name.substr(0, dash);
  }
  if (name == "sha256") return HashAlgorithm::sha256;
  if (name == "blake2b" || name == "blake2") return HashAlgorithm::blake2b;
  return std::nullopt;
}

std::optional<std::uint64_t> sharded_size(std::string_view name) {
  auto pos = name.find("-sharded-");
  if (pos == std::string_view::npos) return std::nullopt;
  return parse_decimal(name.substr(pos + 9));
}

const EVP_MD* evp_md(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::sha256 ? EVP_sha256() : EVP_blake2b512();
}

std::size_t digest_size(HashAlgorithm algorithm) { return algorithm == HashAlgorithm::sha256 ? 32 : 64; }

}  // namespace modelgate::sign
