#pragma once
// A chat template's report, as the scan makes it for a file named t.jinja, and its findings one
// per line: what the template tests analyse and print.
#include <string>

#include "modelgate/limits.h"
#include "template/chat_template.h"

namespace mgtest {

inline modelgate::ArtifactReport template_report(const std::string& text) {
  return modelgate::chat_template_report(text, "t.jinja", modelgate::Limits{});
}

inline std::string findings_text(const modelgate::ArtifactReport& r) {
  std::string out;
  for (const auto& f : r.findings) out += "  " + f.rule + ": " + f.message + "\n";
  return out;
}

}  // namespace mgtest
