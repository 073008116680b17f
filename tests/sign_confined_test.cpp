// Verification with the bundle read in a confined parse worker (sign/confined_manifest.h): the same
// verdicts and messages as in this process, a check that misbehaves fails verification naming what
// the worker did, and the worker's message is decoded as untrusted input.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "sign/key_method.h"
#include "sign/model_signing.h"
#include "sign/signed_manifest_codec.h"
#include "sign/statement.h"
#include "sign_test_util.h"

namespace sign_confined_test {

namespace {

namespace fs = std::filesystem;
using namespace modelgate;
using namespace modelgate::sign;

class SignConfined : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = tmp_ / "model";
    mgtest::write_file(model_ / "weights.bin", std::string(4096, 'w'));
    mgtest::write_file(model_ / "config.json", "{}");
    key_ = mgtest::generate_ec_key("P-256");
    sig_ = tmp_ / "model.sig";
    HashingConfig config;
    config.signature = sig_;
    auto manifest = hash_model(model_, config);
    ASSERT_TRUE(manifest.ok());
    auto bundle = sign_with_key(statement_json(*manifest), key_.get());
    ASSERT_TRUE(bundle.ok());
    mgtest::write_file(sig_, *bundle);
  }

  Expected<VerifyReport> verify(SandboxMode mode, const SignatureCheck& check, std::uint64_t timeout_ms = 600'000) {
    VerifyOptions o;
    o.sandbox = mode;
    o.worker_timeout_ms = timeout_ms;
    o.on_note = [this](std::string_view n) { notes_.emplace_back(n); };
    return verify_model(model_, sig_, o, check);
  }
  SignatureCheck with_key(EVP_PKEY* k) {
    return [k](const Bundle& b, CheckEvents&) { return verify_with_key(b, k); };
  }

  mgtest::TempDir tmp_;
  fs::path model_, sig_;
  PKey key_;
  std::vector<std::string> notes_;
};

TEST_F(SignConfined, SameVerdictsAndMessagesAsInProcess) {
  auto other = mgtest::generate_ec_key("P-256");
  const std::string good = mgtest::read_file(sig_);
  struct Case {
    const char* label;
    std::function<void()> change;
    EVP_PKEY* key;
  };
  std::vector<Case> cases = {
      {"untouched", [] {}, key_.get()},
      {"wrong key", [] {}, other.get()},
      {"changed weights", [&] { mgtest::write_file(model_ / "weights.bin", std::string(4095, 'w') + "x"); }, key_.get()},
      {"bundle not JSON", [&] { mgtest::write_file(sig_, "{not json"); }, key_.get()},
      {"bundle truncated", [&] { mgtest::write_file(sig_, good.substr(0, good.size() / 2)); }, key_.get()},
      {"bundle missing", [&] { fs::remove(sig_); }, key_.get()},
  };
  for (const auto& c : cases) {
    mgtest::write_file(sig_, good);
    mgtest::write_file(model_ / "weights.bin", std::string(4096, 'w'));
    c.change();
    auto confined = verify(SandboxMode::strict, with_key(c.key));
    auto here = verify(SandboxMode::off, with_key(c.key));
    ASSERT_EQ(confined.ok(), here.ok()) << c.label << ": confined " << (confined.ok() ? "ok" : confined.error().message())
                                        << "; in process " << (here.ok() ? "ok" : here.error().message());
    if (confined.ok()) {
      EXPECT_EQ(confined->resources, here->resources) << c.label;
      EXPECT_EQ(confined->model_name, here->model_name) << c.label;
    } else {
      EXPECT_EQ(is_verification_failure(confined.error()), is_verification_failure(here.error())) << c.label;
      EXPECT_EQ(confined.error().message(), here.error().message()) << c.label;
    }
  }
  mgtest::write_file(sig_, good);
  auto again = verify(SandboxMode::strict, with_key(key_.get()));
  EXPECT_TRUE(again.ok()) << again.error().message();
}

// What the check does runs in the worker: outside the allowlist it is killed, and verification
// fails naming the rule; what it notes reaches the caller.
TEST_F(SignConfined, TheSignatureCheckRunsConfined) {
  auto expect_failed = [](const Expected<VerifyReport>& r, const char* label, const std::string& rule) {
    ASSERT_FALSE(r.ok()) << label;
    EXPECT_TRUE(is_verification_failure(r.error())) << label;
    EXPECT_NE(r.error().reason.find(rule), std::string::npos) << label << ": " << r.error().message();
  };
  expect_failed(verify(SandboxMode::strict, [](const Bundle&, CheckEvents&) -> Check {
                  int fd = ::open("/etc/passwd", O_RDONLY);
                  if (fd >= 0) ::close(fd);
                  return Ok{};
                }),
                "open", "MG-SANDBOX-VIOLATION");
  expect_failed(verify(SandboxMode::strict, [](const Bundle&, CheckEvents&) -> Check { std::abort(); }), "abort",
                "MG-SANDBOX-CRASH");
  expect_failed(verify(
                    SandboxMode::strict,
                    [](const Bundle&, CheckEvents&) -> Check {
                      for (volatile bool spin = true; spin;) {
                      }
                      return Ok{};
                    },
                    300),
                "spin", "MG-SANDBOX-TIMEOUT");
  auto noted = verify(SandboxMode::strict, [this](const Bundle& b, CheckEvents& events) {
    events.notes.emplace_back("checked in pid " + std::to_string(::getpid()));
    return verify_with_key(b, key_.get());
  });
  ASSERT_TRUE(noted.ok()) << noted.error().message();
  ASSERT_EQ(notes_.size(), 1u);
  EXPECT_NE(notes_[0], "checked in pid " + std::to_string(::getpid())) << "the check ran in this process";
}

TEST(SignedManifestCodec, RoundTripsAndRefusesEveryMalformation) {
  Manifest m;
  m.model_name = "model";
  m.serialization.method = SerializationMethod::shards;
  m.serialization.shard_size = 1000;
  m.serialization.ignore_paths = {".git", "model.sig"};
  ManifestItem a;
  a.path = "weights.bin";
  a.shard = true;
  a.start = 0;
  a.end = 1000;
  a.digest.assign(32, 7);
  m.items = {a, a};
  CheckEvents events;
  events.notes = {"a note"};
  events.certificates = {{" verify ", "AA:BB"}};
  const auto bytes = encode_signed_manifest(m, events);
  CheckEvents back_events;
  auto back = decode_signed_manifest(bytes, back_events);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(encode_signed_manifest(*back, back_events), bytes);
  EXPECT_EQ(back_events.notes, events.notes);
  auto failed = decode_signed_manifest(encode_signed_manifest(verification_failure("signature", "bad"), {}), back_events);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "signature: bad");
  EXPECT_TRUE(is_verification_failure(failed.error()));
  auto usage = decode_signed_manifest(encode_signed_manifest(usage_failure("sandbox", "no worker"), {}), back_events);
  ASSERT_FALSE(usage.ok());
  EXPECT_EQ(usage.error().message(), "sandbox: no worker");
  EXPECT_FALSE(is_verification_failure(usage.error()));
  // A failure under any other rule is a malformed message: the rule decides the exit code.
  auto other = decode_signed_manifest(encode_signed_manifest(Error{0, "bad", "MG-LIMIT-EXCEEDED", "signature"}, {}), back_events);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().reason.find("message at byte"), std::string::npos) << other.error().reason;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CheckEvents e;
    auto cut = decode_signed_manifest(ByteView(bytes.data(), n), e);
    ASSERT_FALSE(cut.ok()) << "cut at " << n;
    EXPECT_NE(cut.error().reason.find("message at byte"), std::string::npos) << cut.error().reason;
  }
  auto refused = [](std::vector<std::uint8_t> b, const char* label) {
    CheckEvents e;
    EXPECT_FALSE(decode_signed_manifest(b, e).ok()) << label;
  };
  auto more = bytes;
  more.push_back(0);
  refused(more, "trailing byte");
  auto short_digest = m;
  short_digest.items[0].digest.pop_back();
  refused(encode_signed_manifest(short_digest, {}), "digest of the wrong size");
  auto backwards = m;
  backwards.items[0].start = 2000;
  refused(encode_signed_manifest(backwards, {}), "shard ending before it starts");
  auto version = bytes;
  version[4] = 9;
  refused(version, "version");
}

}  // namespace

}  // namespace sign_confined_test
