#include "sign/trusted_root.h"
#include "sign/json_member.h"

#include <nlohmann/json.hpp>

#include <ctime>

namespace modelgate::sign {

using nlohmann::json;

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    if (pos + len > s.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  struct tm tm {};
  int year = num(0, 4), mon = num(5, 2), day = num(8, 2), hour = num(11, 2), min = num(14, 2), sec = num(17, 2);
  if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 || min > 59 ||
      sec < 0 || sec > 60)
    return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (oh < 0 || om < 0) return std::nullopt;
    offset = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

namespace {

Error root_error(std::string detail) { return usage_failure("trusted root", std::move(detail)); }

Expected<ValidityWindow> window(const json* v) {
  ValidityWindow w;
  const json* start = json_member(v, "start");
  if (start == nullptr || !start->is_string()) return root_error("validFor.start is missing");
  auto s = parse_rfc3339(start->get<std::string>());
  if (!s) return root_error("validFor.start is not an RFC 3339 time");
  w.start = *s;
  if (const json* end = json_member(v, "end")) {
    auto e = end->is_string() ? parse_rfc3339(end->get<std::string>()) : std::nullopt;
    if (!e) return root_error("validFor.end is not an RFC 3339 time");
    w.end = *e;
  }
  return w;
}

Expected<std::vector<TransparencyLogKey>> logs(const json* list) {
  std::vector<TransparencyLogKey> out;
  if (list == nullptr) return out;
  if (!list->is_array()) return root_error("log list is not an array");
  for (const auto& l : *list) {
    TransparencyLogKey t;
    if (const json* url = json_member(&l, "baseUrl"); url && url->is_string()) t.base_url = *url;
    const json* pk = json_member(&l, "publicKey");
    const json* raw = json_member(pk, "rawBytes");
    auto der = raw && raw->is_string() ? base64_decode(raw->get<std::string>()) : std::nullopt;
    if (!der) return root_error("log " + t.base_url + " has no public key");
    const unsigned char* p = der->data();
    t.key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
    if (!t.key) {
      openssl_error();
      continue;  // a key type this OpenSSL cannot load cannot verify anything; skip it
    }
    auto w = window(json_member(pk, "validFor"));
    if (!w) return w.error();
    t.valid = *w;
    const json* key_id = json_member(json_member(&l, "logId"), "keyId");
    auto id = key_id && key_id->is_string() ? base64_decode(key_id->get<std::string>()) : std::nullopt;
    t.log_id = id ? *id : sha256(*der);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

Expected<TrustedRoot> parse_trusted_root(std::string_view text) {
  json root = json::parse(text.begin(), text.end(), nullptr, false);
  if (root.is_discarded() || !root.is_object()) return root_error("not a JSON object");
  const json* media = json_member(&root, "mediaType");
  if (media == nullptr || !media->is_string() ||
      !media->get<std::string>().starts_with("application/vnd.dev.sigstore.trustedroot"))
    return root_error("mediaType is not a Sigstore trusted root");
  TrustedRoot out;
  auto tlogs = logs(json_member(&root, "tlogs"));
  if (!tlogs) return tlogs.error();
  out.tlogs = std::move(*tlogs);
  auto ctlogs = logs(json_member(&root, "ctlogs"));
  if (!ctlogs) return ctlogs.error();
  out.ctlogs = std::move(*ctlogs);
  if (const json* cas = json_member(&root, "certificateAuthorities")) {
    if (!cas->is_array()) return root_error("certificateAuthorities is not an array");
    for (const auto& c : *cas) {
      CertificateAuthority ca;
      if (const json* uri = json_member(&c, "uri"); uri && uri->is_string()) ca.uri = *uri;
      const json* certs = json_member(json_member(&c, "certChain"), "certificates");
      if (certs == nullptr || !certs->is_array() || certs->empty()) return root_error("a CA has no certificates");
      for (const auto& cert : *certs) {
        const json* raw = json_member(&cert, "rawBytes");
        auto der = raw && raw->is_string() ? base64_decode(raw->get<std::string>()) : std::nullopt;
        if (!der) return root_error("a CA certificate is not base64");
        auto parsed = parse_certificate_der(*der);
        if (!parsed) return root_error("a CA certificate is not DER");
        ca.chain.push_back(std::move(*parsed));
      }
      auto w = window(json_member(&c, "validFor"));
      if (!w) return w.error();
      ca.valid = *w;
      out.certificate_authorities.push_back(std::move(ca));
    }
  }
  if (out.tlogs.empty() || out.certificate_authorities.empty())
    return root_error("no transparency logs or no certificate authorities");
  return out;
}

}  // namespace modelgate::sign
