#include "scan/format_table.h"
#include "template/chat_template.h"

namespace modelgate {

// Text with Jinja tags that no other format claims: chat_template.jinja and friends.
void scan_jinja_file(const Artifact& a, ScanContext& ctx, ArtifactReport& report) {
  std::string_view text = as_chars(a.bytes);
  analyse_chat_template(text, a.origin, ctx.limits(), report, 0);
  if (text.size() <= ctx.limits().max_template_bytes)
    report.facts["chat_templates"] = nlohmann::json{{"default", std::string(text)}};
}

}  // namespace modelgate
