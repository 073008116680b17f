// End to end across modules: a chat template stored in GGUF metadata is analysed as a template.
#include <gtest/gtest.h>

#include "test_util.h"

namespace gguf_chat_template_test {

using modelgate::Status;

namespace {

std::string le32(std::uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string le64(std::uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
std::string gguf_string(const std::string& s) { return le64(s.size()) + s; }

// GGUF v3 with no tensors and two string keys: the architecture and the chat template.
std::string gguf_with_template(const std::string& tpl) {
  std::string d = "GGUF" + le32(3) + le64(0) + le64(2);
  d += gguf_string("general.architecture") + le32(8) + gguf_string("llama");
  d += gguf_string("tokenizer.chat_template") + le32(8) + gguf_string(tpl);
  d.append((32 - d.size() % 32) % 32, '\0');
  return d;
}

}  // namespace

TEST(GgufChatTemplate, BenignTemplateIsSafe) {
  auto r = mgtest::scan(gguf_with_template(
      "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"
      "{% if add_generation_prompt %}<|assistant|>{% endif %}"));
  EXPECT_EQ(r.format, "gguf");
  EXPECT_EQ(r.status, Status::safe);
  ASSERT_EQ(r.children.size(), 1u);
  EXPECT_EQ(r.children[0].format, "chat-template");
}

TEST(GgufChatTemplate, InjectionInMetadataIsUnsafe) {
  auto r = mgtest::scan(gguf_with_template("{{ cycler.__init__.__globals__.os.popen('id').read() }}"));
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-DUNDER"));
  ASSERT_EQ(r.children.size(), 1u);
  EXPECT_NE(r.children[0].origin.find("!/default"), std::string::npos);
}

}  // namespace gguf_chat_template_test
