#pragma once
// The regular expressions of a tokenizer.json. Hugging Face tokenizers compiles every
// {"Regex": "..."} pattern of its normalizer (Replace), pre-tokenizer (Split) and decoder (Replace)
// with Oniguruma, a backtracking engine, and runs it over every text it encodes or decodes: a
// pattern whose matching time grows faster than the text (regex/backtracking_cost.h) lets the file
// stall every request made with the tokenizer.
#include <string>

#include <nlohmann/json.hpp>

#include "modelgate/report.h"

namespace modelgate {

void analyse_tokenizer_patterns(const nlohmann::json& doc, const std::string& origin, ArtifactReport& report);

}  // namespace modelgate
