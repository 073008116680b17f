#pragma once
// Stable-Baselines3's base64 cloudpickles in JSON. BaseAlgorithm.save writes the `data` member of
// its zip archive with save_util.data_to_json: every value json cannot hold becomes
// {":type:": ..., ":serialized:": base64(cloudpickle.dumps(value)), ...}; BaseAlgorithm.load
// (load_from_zip_file -> json_to_data) base64-decodes each ":serialized:" string and calls
// cloudpickle.loads on it. Any JSON file is read this way (the member name is the loader's choice,
// and a renamed file can be handed to it): each payload is decoded as Python's b64decode decodes
// it and scanned as a nested artifact (a pickle, so the pickle machine and its allowlist decide),
// named after its key: `...!/data!/policy_class:serialized:`.
#include <nlohmann/json.hpp>

#include "artifact/nested_scan.h"

namespace modelgate {

// `doc` is the reading of `a`; `shallow` when parts of it were left out of the reading (a large
// file), in which case a text that may hold the key in those parts is refused.
void scan_serialized_json_values(const Artifact& a, const nlohmann::json& doc, bool shallow, NestedScan& ctx,
                                 ArtifactReport& report);

}  // namespace modelgate
