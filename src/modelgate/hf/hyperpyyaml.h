#pragma once
// SpeechBrain's HyperPyYAML (speechbrain/HyperPyYAML hyperpyyaml/core.py), the reader of every
// SpeechBrain hyperparams.yaml (Pretrained/EncoderClassifier.from_hparams -> load_hyperpyyaml):
//   - `!new:path` instantiates, `!name:path` makes a functools.partial, `!module:path` imports,
//     `!apply:path` calls while the file loads, `!applyref:path` calls while references are resolved;
//     each resolves the path with pydoc.locate (import the longest importable prefix, getattr the rest,
//     empty components dropped, a bare name looked up in builtins);
//   - `!include:file` reads another YAML file, relative to this one's directory;
//   - `!tuple` (and any plain scalar "(...)") is parsed again with PyYAML's unsafe yaml.Loader, whose
//     python/ tags construct objects;
//   - `!ref`, `!copy`, `!PLACEHOLDER` only copy or check values.
// Tags are read as libyaml reads them (readers/yaml_document.h) and also by text search
// (readers/yaml_tags.h), so a tag that one of the two misses (a stream libyaml rejects) is still seen.
#include <string>
#include <string_view>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

void analyse_hyperpyyaml(std::string_view text, const std::string& origin, const Limits& limits,
                         ArtifactReport& report);

}  // namespace modelgate
