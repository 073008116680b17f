// ScanResult::sandbox in the JSON and SARIF reports: {"mode": "off"} in process, every field with
// workers, as when it was an untyped JSON object.
#include <gtest/gtest.h>

#include "core/json_text.h"
#include "core/sandbox_layers_json.h"

namespace sandbox_layers_json_test {

namespace {

using modelgate::SandboxLayers;
using modelgate::SandboxMode;
using modelgate::sandbox_layers_json;

TEST(SandboxLayersJson, InProcessIsTheModeAlone) {
  EXPECT_EQ(modelgate::json_text(sandbox_layers_json(SandboxLayers{})), R"({"mode":"off"})");
}

TEST(SandboxLayersJson, WorkersShowEveryLayerField) {
  SandboxLayers layers;
  layers.mode = SandboxMode::best_effort;
  layers.layers = {"no-new-privs", "rlimits"};
  layers.missing = {"landlock: not enabled"};
  layers.landlock_abi = 0;
  layers.memory_limit = "RLIMIT_DATA 1024 bytes";
  EXPECT_EQ(modelgate::json_text(sandbox_layers_json(layers)),
            R"({"landlock_abi":0,"layers":["no-new-privs","rlimits"],"memory_limit":"RLIMIT_DATA 1024 bytes",)"
            R"("missing":["landlock: not enabled"],"mode":"best-effort"})");
}

TEST(SandboxLayersJson, ModeNamesReadBack) {
  for (SandboxMode m : {SandboxMode::off, SandboxMode::best_effort, SandboxMode::strict})
    EXPECT_EQ(modelgate::parse_sandbox_mode(modelgate::to_string(m)), m);
}

}  // namespace

}  // namespace sandbox_layers_json_test
