#pragma once
// The code a configuration makes a library import, for every library route besides transformers'
// auto_map (hf/remote_code.h): sentence-transformers modules.json, diffusers model_index.json, PEFT
// adapter_config.json, trust_remote_code switched on by a config, Hydra/OmegaConf `_target_`.
// Each route applies when the file has the name the library reads it under *or* the content
// shape the library expects, so neither a rename nor extra keys hide it. The library sources
// that take each route are cited in docs/repositories.md.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// `file_name` is the base name the file has in the repository (may be empty for a nameless
// artifact). Findings go to `report`; repository files that the routes import are listed in
// parsed.code_files ({file relative to the config's directory, route}).
void analyse_loader_routes(const nlohmann::json& doc, std::string_view file_name, const std::string& origin,
                           ArtifactReport& report);

// Everything a loader can take from one JSON configuration, whatever kind its content looks like:
// auto_map/custom_pipelines (transformers reads them from every config it opens, even one that also
// looks like a weight index or a tokenizer.json), the routes above, chat templates and Jinja in any
// other string value.
void analyse_configuration(const nlohmann::json& doc, std::string_view file_name, const std::string& origin,
                           const Limits& limits, ArtifactReport& report);

// `_target_` and `trust_remote_code` keys in YAML (or any) configuration text, found lexically so
// that no YAML feature (anchors, flow style, tags) can hide one.
// The value of a `key: value` pair found by text search, `at` being where the key starts: nullopt
// when no ':' follows the key (which may be quoted). The value runs to the end of the line (or a
// ',', '}', '#'), without surrounding quotes and blanks; empty when it is on the following lines.
std::optional<std::string_view> text_value_after_key(std::string_view text, std::size_t at, std::size_t key_size);

void analyse_config_text(std::string_view text, const std::string& origin, ArtifactReport& report);

// A dotted path that a configuration makes a library import and call (Hydra `_target_`,
// latent-diffusion `target`): when the pickle denylist names it (both resolve the path as
// pickle.find_class + getattr does), MG-CONFIG-DANGEROUS-CALLABLE (unsafe) is added.
void grade_config_callable(std::string_view dotted, const std::string& origin, std::optional<std::uint64_t> offset,
                           ArtifactReport& report);

// Calls `visit(path, key, value)` for every key of every object in `doc`, depth first, with paths
// such as "model.params[2].target".
using KeyVisitor = std::function<void(const std::string& path, const std::string& key, const nlohmann::json& value)>;
void for_each_key(const nlohmann::json& doc, const KeyVisitor& visit);

// A path that leaves the repository: absolute (POSIX, Windows drive or UNC, home) or with a '..' part.
bool outside_path(std::string_view v);
// The last component of a '/'-separated member or file name.
std::string_view base_name(std::string_view name);

}  // namespace modelgate
