#pragma once
// Entry point for every chat template, wherever it was found (a .jinja file, tokenizer_config.json,
// chat_template.json, processor configs, GGUF tokenizer.chat_template metadata).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// Parses `text` as Jinja and adds findings to `report`: MG-TEMPLATE-SYNTAX (refused) when it does
// not parse, MG-LIMIT-EXCEEDED when it is over a limit, otherwise one finding per template-
// injection primitive or construct outside the chat-template vocabulary. `origin` names the
// template in findings; `base_offset` is the template's byte offset in its artifact when the
// template is stored verbatim (a .jinja file), nullopt when it was decoded (a JSON string).
// Messages always carry line and column within the template.
void analyse_chat_template(std::string_view text, const std::string& origin, const Limits& limits,
                           ArtifactReport& report, std::optional<std::uint64_t> base_offset = std::nullopt);

// A finalized report of format "chat-template" for a template embedded in another artifact, to
// append to that artifact's children. `origin` is e.g. "model.gguf!/tokenizer.chat_template".
ArtifactReport chat_template_report(std::string_view text, std::string origin, const Limits& limits);

// For any string value of a configuration or metadata (config.json, tokenizer and processor
// configs, GGUF metadata), whatever its key: when the value parses as Jinja and its analysis finds
// a template-injection primitive (an `unsafe` finding), adds MG-TEMPLATE-IN-VALUE naming the key;
// so does a value with Jinja tags that modelgate's stricter parser refuses and that names a dunder.
// A key no loader renders today still ships the payload to whoever renders it.
void check_jinja_in_value(std::string_view text, const std::string& origin, std::string_view key,
                          const Limits& limits, ArtifactReport& report);

// For scanners that only record templates in parsed.chat_templates = {name: text} (GGUF
// metadata): adds one child report per template, origin "<report origin>!/<name>". Does nothing
// when the templates were already analysed (the report or one of its children is a chat-template).
// ScanContext::scan calls it after every scanner.
void analyse_recorded_chat_templates(ArtifactReport& report, const Limits& limits);

}  // namespace modelgate
