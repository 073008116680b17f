#include "sign/manifest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <string_view>

namespace modelgate::sign {

std::string ManifestItem::name() const {
  if (!shard) return path;
  return path + ":" + std::to_string(start) + ":" + std::to_string(end);
}

// Compares two POSIX paths component by component, each component by code point (UTF-8 byte order
// equals code point order).
static int compare_paths(std::string_view a, std::string_view b) {
  while (true) {
    if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
    auto ea = a.find('/'), eb = b.find('/');
    std::string_view ca = a.substr(0, ea), cb = b.substr(0, eb);
    if (int c = ca.compare(cb); c != 0) return c < 0 ? -1 : 1;
    a = ea == std::string_view::npos ? std::string_view{} : a.substr(ea + 1);
    b = eb == std::string_view::npos ? std::string_view{} : b.substr(eb + 1);
    // "a" and "a/" are the same path, but a component list that ran out first sorts first.
    if (ea == std::string_view::npos && eb != std::string_view::npos) return b.empty() ? 0 : -1;
    if (eb == std::string_view::npos && ea != std::string_view::npos) return a.empty() ? 0 : 1;
  }
}

bool canonical_less(const ManifestItem& a, const ManifestItem& b) {
  int c = compare_paths(a.path, b.path);
  if (c != 0) return c < 0;
  if (a.start != b.start) return a.start < b.start;
  return a.end < b.end;
}

void Manifest::sort() { std::sort(items.begin(), items.end(), canonical_less); }

Bytes Manifest::root_digest() const {
  Bytes out(32);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const auto& item : items) EVP_DigestUpdate(ctx, item.digest.data(), item.digest.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

}  // namespace modelgate::sign
