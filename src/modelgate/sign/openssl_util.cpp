#include "sign/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstring>

#include "core/regular_file.h"

namespace modelgate::sign {

namespace {
struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
BioPtr mem_bio(const std::string& s) { return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size()))); }
std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}
}  // namespace

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Expected<std::string> read_small_file(const std::filesystem::path& path, std::size_t limit, std::string_view what) {
  auto data = modelgate::read_small_file(path, limit);  // non-blocking: a FIFO or a device is refused at once
  if (!data) return usage_failure(std::string(what), data.error().message());
  return std::move(*data);
}

Check check_supported_ec_key(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
    return usage_failure("key", "only elliptic-curve (ECDSA) keys are supported");
  char curve[64] = {0};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &len) != 1)
    return usage_failure("key", "cannot determine the key's curve");
  std::string name(curve);
  if (name != "prime256v1" && name != "secp384r1" && name != "secp521r1")
    return usage_failure("key", "unsupported curve '" + name + "' (P-256, P-384 and P-521 are supported)");
  return Ok{};
}

const EVP_MD* ecdsa_digest_for(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  if (bits <= 256) return EVP_sha256();
  if (bits <= 384) return EVP_sha384();
  return EVP_sha512();
}

namespace {

// Supplies the --password to OpenSSL; never prompts on the terminal. Records that a password was
// needed, so that a missing one is named as such.
struct PasswordSource {
  const std::optional<std::string>* password;
  bool asked = false;
};

int password_callback(char* buf, int size, int /*rwflag*/, void* u) {
  auto* source = static_cast<PasswordSource*>(u);
  source->asked = true;
  if (!source->password->has_value()) return -1;
  const std::string& pw = **source->password;
  if (pw.size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buf, pw.data(), pw.size());
  return static_cast<int>(pw.size());
}

}  // namespace

Expected<PKey> load_private_key_pem(const std::string& pem, const std::optional<std::string>& password) {
  auto bio = mem_bio(pem);
  PasswordSource source{&password};
  PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, password_callback, &source));
  if (!key) {
    std::string why = openssl_error();
    if (source.asked && !password) return usage_failure("private key", "the key is encrypted; give its password with --password");
    if (source.asked) return usage_failure("private key", "cannot decrypt the key with the given password (" + why + ")");
    return usage_failure("private key", "not a PEM private key (" + why + ")");
  }
  ERR_clear_error();
  if (auto r = check_supported_ec_key(key.get()); !r) return r.error();
  return key;
}

Expected<PKey> load_public_key(const std::string& bytes) {
  PKey key;
  if (bytes.find("-----BEGIN") != std::string::npos) {
    auto bio = mem_bio(bytes);
    key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  } else if (bytes.size() == 33 || bytes.size() == 49 || bytes.size() == 67) {
    const char* group = bytes.size() == 33 ? "prime256v1" : bytes.size() == 49 ? "secp384r1" : "secp521r1";
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(bytes.data()), bytes.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY* raw = nullptr;
    if (ctx && EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &raw, EVP_PKEY_PUBLIC_KEY, params) == 1)
      key.reset(raw);
    EVP_PKEY_CTX_free(ctx);
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(bytes.size())));
  }
  if (!key) return usage_failure("public key", "not a PEM, DER or compressed EC public key");
  ERR_clear_error();
  if (auto r = check_supported_ec_key(key.get()); !r) return r.error();
  return key;
}

std::string public_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  return bio_string(bio.get());
}

Bytes public_key_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  Bytes out;
  if (n > 0) out.assign(der, der + n);
  OPENSSL_free(der);
  return out;
}

Bytes sha256(std::span<const std::uint8_t> data) {
  Bytes out(32);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string certificate_fingerprint(std::span<const std::uint8_t> der) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (std::uint8_t b : sha256(der)) {
    if (!out.empty()) out += ':';
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::string public_key_hint(EVP_PKEY* key) { return hex_encode(sha256(as_bytes(public_key_pem(key)))); }

Expected<Bytes> sign_message(EVP_PKEY* key, std::string_view message) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, ecdsa_digest_for(key), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    return usage_failure("signing", openssl_error());
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1)
    return usage_failure("signing", openssl_error());
  sig.resize(len);
  return sig;
}

bool verify_message(EVP_PKEY* key, const EVP_MD* md, std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  int id = EVP_PKEY_get_base_id(key);
  const EVP_MD* use = (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? nullptr : md;
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, use, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

Expected<Cert> parse_certificate_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  Cert cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    ERR_clear_error();
    return verification_failure("certificate", "not a DER X.509 certificate");
  }
  return cert;
}

Expected<std::vector<Cert>> parse_certificates_pem(const std::string& pem, std::string_view what) {
  auto bio = mem_bio(pem);
  std::vector<Cert> out;
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();
  if (out.empty()) return usage_failure(std::string(what), "no PEM certificate found");
  return out;
}

Bytes certificate_der(X509* cert) {
  unsigned char* der = nullptr;
  int n = i2d_X509(cert, &der);
  Bytes out;
  if (n > 0) out.assign(der, der + n);
  OPENSSL_free(der);
  return out;
}

}  // namespace modelgate::sign
