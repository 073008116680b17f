// Library routes that turn files into code without a Python file: SpeechBrain's HyperPyYAML tags
// (hf/hyperpyyaml.h), Stable-Baselines3's base64 cloudpickles in JSON (format/serialized_json_values.h)
// and fiddle pyrefs in NeMo 2's context/io.json (hf/loader_routes.cpp). The repositories come from
// tests/fixtures/make_library_routes.py, which writes each format as its library's source writes it.
#include <gtest/gtest.h>

#include "core/python_base64.h"
#include "hf/library_paths.h"
#include "modelgate/scan.h"
#include "readers/yaml_document.h"
#include "test_util.h"

namespace library_routes_test {

using namespace modelgate;
using mgtest::has_rule;

std::string findings_of(const ArtifactReport& r) {
  std::string out;
  for (const auto* f : r.all_findings()) out += "  " + f->rule + " @" + f->origin + ": " + f->message + "\n";
  return out;
}

bool has_origin(const ArtifactReport& r, const std::string& suffix) {
  for (const auto* f : r.all_findings())
    if (f->origin.ends_with(suffix)) return true;
  return false;
}

std::string decoded(std::string_view text) {
  auto out = python_b64decode(text, 1u << 20);
  if (!out) return "error: " + out.error().reason;
  return std::string(out->begin(), out->end());
}

TEST(LibraryRoutes, Base64DecodesAsPythonsB64decode) {
  EXPECT_EQ(decoded("aGVsbG8="), "hello");
  EXPECT_EQ(decoded("aGVs\nbG8="), "hello");
  EXPECT_EQ(decoded("aG!Vs*bG8="), "hello");             // characters outside the alphabet are skipped
  EXPECT_EQ(decoded("aGVsbG8=trailing"), "hello");       // decoding ends at the padding
  EXPECT_EQ(decoded("aGVsbA=="), "hell");
  EXPECT_NE(decoded("aGVsbG8").find("incorrect padding"), std::string::npos);
  EXPECT_NE(decoded("aGVsb").find("1 more than a multiple of 4"), std::string::npos);
  EXPECT_FALSE(python_b64decode("aGVsbG8=", 3));          // past the output limit
}

TEST(LibraryRoutes, LibraryOwnPathsStayInsideTheLibrary) {
  constexpr auto yaml = LibraryRoute::hyperpyyaml;
  constexpr auto fiddle = LibraryRoute::fiddle;
  EXPECT_TRUE(library_own_path("speechbrain.lobes.features.Fbank", yaml));
  EXPECT_TRUE(library_own_path("speechbrain.utils.train_logger.FileTrainLogger", yaml));
  EXPECT_TRUE(library_own_path("speechbrain.utils.parameter_transfer.Pretrainer", yaml));
  EXPECT_TRUE(library_own_path("torch.nn.LeakyReLU", yaml));
  EXPECT_TRUE(library_own_path("torch.manual_seed", yaml));
  EXPECT_TRUE(library_own_path("torchaudio.transforms.Resample", yaml));
  EXPECT_TRUE(library_own_path("nemo.lightning.io.pl.MegatronCheckpointIO", fiddle));
  // NeMo 2's optimizer wrapper lives in optim/megatron.py (red team false positive); a megatron
  // reached elsewhere under nemo is still another package.
  EXPECT_TRUE(library_own_path("nemo.lightning.pytorch.optim.megatron.MegatronOptimizerModule", fiddle));
  EXPECT_FALSE(library_own_path("nemo.lightning.pytorch.megatron.core.Anything", fiddle));
  EXPECT_TRUE(library_own_path("megatron.core.transformer.transformer_config.TransformerConfig", fiddle));
  EXPECT_TRUE(library_own_path("torch.bfloat16", fiddle));
  EXPECT_FALSE(library_own_path("nemo.lightning.io.pl.MegatronCheckpointIO", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.utils.data_utils.os.system", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.utils.superpowers.run_shell", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.nnet.linear.torch.from_file", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.inference.ASR.EncoderDecoderASR.from_hparams", yaml));
  EXPECT_FALSE(library_own_path("torch.hub.load", yaml));
  EXPECT_FALSE(library_own_path("torch.load", yaml));
  EXPECT_FALSE(library_own_path("torch.from_file", yaml));
  EXPECT_FALSE(library_own_path("torch.UntypedStorage.from_file", yaml));
  EXPECT_FALSE(library_own_path("torch.utils.collect_env.run", yaml));
  EXPECT_FALSE(library_own_path("torch.utils.benchmark.utils.timer.timeit.timeit", fiddle));
  EXPECT_FALSE(library_own_path("torch.testing._internal.common_utils.shell", yaml));
  EXPECT_FALSE(library_own_path("torch.nn.functional.torch.from_file", yaml));
  EXPECT_FALSE(library_own_path("torch.nn.Module.__init__.__globals__", yaml));
  EXPECT_FALSE(library_own_path("torchaudio.datasets.utils.extract_archive", yaml));
  EXPECT_FALSE(library_own_path("nemo.collections.llm.api.train", fiddle));
  EXPECT_FALSE(library_own_path("nemo.utils.app_state.AppState", fiddle));
  EXPECT_FALSE(library_own_path("torchx.nn.Linear", yaml));
  EXPECT_FALSE(library_own_path("torch..nn", yaml));
  EXPECT_FALSE(library_own_path("torch.nn..Linear", yaml));
}

// getattr walks through the modules a module imports: under torch only the catalog's real modules
// and what they define (scripts/make-library-catalog) are admitted, on every route.
TEST(LibraryRoutes, ModuleAliasesUnderAnAllowedPrefixLeaveIt) {
  constexpr auto yaml = LibraryRoute::hyperpyyaml;
  constexpr auto fiddle = LibraryRoute::fiddle;
  for (const char* alias : {"torch.nn.parallel.distributed.dist.distributed_c10d._tensor_to_object",
                            "torch.nn.parallel.distributed.dist.init_process_group",
                            "torch.nn.modules._functions.dist.init_process_group",
                            "torch.nn.parallel.distributed.dist.distributed_c10d.io.FileIO",
                            "torch.nn.parallel.distributed.dist.rpc.backend_registry.enum.bltns.getattr",
                            "torch.nn.functional.utils.collections._sys.exit", "torch.nn.utils.parametrize.copyreg",
                            "torch.nn.quantized.modules.conv.ops", "torch.optim.lr_scheduler.weakref.ref",
                            "torch.nn.utils.stateless.functional_call", "torch.nn.Linear.forward.x",
                            "torch.optim.Adam.step", "torch.manual_seed.x"}) {
    EXPECT_FALSE(library_own_path(alias, yaml)) << alias;
    EXPECT_FALSE(library_own_path(alias, fiddle)) << alias;
    EXPECT_FALSE(torch_catalog_path(alias)) << alias;
  }
  for (const char* own : {"torch.nn.Linear", "torch.nn.modules.linear.Linear", "torch.nn.functional.relu",
                          "torch.nn.functional", "torch.optim.AdamW", "torch.optim.lr_scheduler.StepLR",
                          "torch.nn.parallel.DistributedDataParallel", "torch.distributions.Normal"})
    EXPECT_TRUE(torch_catalog_path(own)) << own;
  EXPECT_FALSE(library_own_path("speechbrain.nnet.losses.F.utils.collections._sys.exit", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.nnet.losses.sb.utils", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.dataio.encoder.collections.OrderedDict", yaml));
  EXPECT_FALSE(library_own_path("speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN.forward.x", yaml));
  EXPECT_FALSE(library_own_path("nemo.collections.llm.gpt.model.io.FileIO", fiddle));
  EXPECT_TRUE(library_own_path("speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN", yaml));
  EXPECT_TRUE(library_own_path("nemo.lightning.io.pl.MegatronCheckpointIO", fiddle));
}

TEST(LibraryRoutes, LibyamlGivesEveryTagResolved) {
  auto tags = yaml::read_node_tags("%TAG !e! !\n---\na: !e!apply:os.system [x]\nb: !<!new:a.B> {}\nc: (1, 2)\n"
                                   "d: '(3)'\n",
                                   '(', 100, 128);
  ASSERT_TRUE(tags) << tags.error().reason;
  ASSERT_EQ(tags->size(), 3u);
  EXPECT_EQ((*tags)[0].tag, "!apply:os.system");
  EXPECT_EQ((*tags)[1].tag, "!new:a.B");
  EXPECT_EQ((*tags)[2].tag, "");
  EXPECT_EQ((*tags)[2].scalar, "(1, 2)");
  EXPECT_FALSE(yaml::read_node_tags("a: !x 1\nb: !y 2\n", std::nullopt, 1, 128));
}

TEST(LibraryRoutes, EveryFixtureGetsItsVerdict) {
  const auto& f = mgtest::generated_fixtures("make_library_routes.py");
  ASSERT_TRUE(f.ok) << f.log;
  ScanOptions opts;
  opts.threads = 1;
  for (const auto& [name, entry] : f.manifest.items()) {
    auto result = scan_paths({f.dir / name}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u) << name;
    EXPECT_EQ(to_string(result.artifacts[0].status), entry["expect"].get<std::string>())
        << name << "\n" << findings_of(result.artifacts[0]);
  }
}

TEST(LibraryRoutes, FindingsNameTheRouteAndThePayload) {
  const auto& f = mgtest::generated_fixtures("make_library_routes.py");
  ASSERT_TRUE(f.ok) << f.log;
  ScanOptions opts;
  opts.threads = 1;
  auto one = [&](const std::string& rel) { return scan_paths({f.dir / rel}, opts).artifacts.at(0); };
  auto apply = one("speechbrain/apply/hyperparams.yaml");
  EXPECT_TRUE(has_rule(apply, "MG-HYPERPYYAML-CALL")) << findings_of(apply);
  EXPECT_TRUE(has_rule(apply, "MG-CONFIG-DANGEROUS-CALLABLE")) << findings_of(apply);
  auto include = one("speechbrain/include_outside/hyperparams.yaml");
  EXPECT_TRUE(has_rule(include, "MG-HF-UNSCANNED-DEPENDENCY")) << findings_of(include);
  auto tuple = one("speechbrain/tuple_tag/hyperparams.yaml");
  EXPECT_TRUE(has_rule(tuple, "MG-YAML-PYTHON-OBJECT")) << findings_of(tuple);
  auto sb3 = one("sb3/evil/ppo-CartPole-v1.zip");
  EXPECT_TRUE(has_origin(sb3, "!/data!/policy_class:serialized:")) << findings_of(sb3);
  auto nested = one("sb3/nested/data.json");
  EXPECT_TRUE(has_origin(nested, "!/outer.inner:serialized:")) << findings_of(nested);
  auto padding = one("sb3/bad_padding/ppo-CartPole-v1.zip");
  EXPECT_TRUE(has_rule(padding, "MG-JSON-SERIALIZED-MALFORMED")) << findings_of(padding);
  auto nemo = one("nemo2/subprocess/context/io.json");
  EXPECT_TRUE(has_rule(nemo, "MG-FIDDLE-PYREF")) << findings_of(nemo);
  EXPECT_TRUE(has_rule(nemo, "MG-CONFIG-DANGEROUS-CALLABLE")) << findings_of(nemo);
  auto other = one("nemo2/other_package/context/io.json");
  EXPECT_TRUE(has_rule(other, "MG-FIDDLE-PYREF")) << findings_of(other);
}

// A large JSON file is read shallow: a :serialized: key or a pyref in the parts not read is not safe.
TEST(LibraryRoutes, ShallowJsonWithPayloadKeysIsNotSafe) {
  std::string big = "{\"pad\": [";
  for (int i = 0; i < 300000; ++i) big += "1,";
  big += "1], \"x\": [{\"a\": {\":serialized:\": \"gASVAAAA\"}}]}";
  auto r = mgtest::scan(big, "data.json");
  EXPECT_NE(r.status, Status::safe) << findings_of(r);
  std::string pyref = big;
  pyref.replace(pyref.find("\":serialized:\": \"gASVAAAA\""), 26, "\"type\": \"pyref\"");
  auto p = mgtest::scan(pyref, "io.json");
  EXPECT_NE(p.status, Status::safe) << findings_of(p);
  // A name spelled with escapes, which json.load reads as the name, is refused; an escaped
  // backslash before "u0070" is no escape.
  std::string escaped = big;
  escaped.insert(escaped.find("1,"), std::string(600000, ' '));  // past the 1 MiB read whole
  escaped.replace(escaped.find("\":serialized:\": \"gASVAAAA\""), 26, "\"type\": \"\\u0070yref\"");
  auto e = mgtest::scan(escaped, "io.json");
  EXPECT_TRUE(has_rule(e, "MG-JSON-ESCAPED-NAME")) << findings_of(e);
  EXPECT_EQ(e.status, Status::refused) << findings_of(e);
  std::string backslash = escaped;
  backslash.replace(backslash.find("\\u0070yref"), 11, "C:\\\\u0070\"");
  EXPECT_FALSE(has_rule(mgtest::scan(backslash, "io.json"), "MG-JSON-ESCAPED-NAME"));
  // A large vocabulary with the tokens "serialized" and "pyref" as keys is neither.
  std::string vocab = "{\"model\": {\"vocab\": {\"serialized\": 1, \"pyref\": 2";
  for (int i = 0; i < 100000; ++i) vocab += ", \"t" + std::to_string(i) + "\": " + std::to_string(i + 3);
  vocab += "}}}";
  auto v = mgtest::scan(vocab, "tokenizer.json");
  EXPECT_EQ(v.status, Status::safe) << findings_of(v);
}

TEST(LibraryRoutes, HyperPyYamlTagsInMemoryFiles) {
  EXPECT_EQ(mgtest::scan("x: !apply:os.system [touch pwned]\n", "hyperparams.yaml").status, Status::unsafe);
  EXPECT_EQ(mgtest::scan("x: !new:speechbrain.lobes.features.Fbank\n  n_mels: 80\n", "hyperparams.yaml").status,
            Status::safe);
  EXPECT_EQ(mgtest::scan("x: !name:collections.Counter\n", "hyperparams.yaml").status, Status::unverified);
}

// tokenizer_config.json's own *_file arguments win over the repository's files in transformers.
TEST(LibraryRoutes, TokenizerConfigFilesOutsideTheRepository) {
  auto outside = mgtest::scan(R"({"tokenizer_class": "T5Tokenizer", "vocab_file": "../../other/spiece.model"})",
                              "tokenizer_config.json");
  EXPECT_TRUE(has_rule(outside, "MG-HF-UNSCANNED-DEPENDENCY")) << findings_of(outside);
  EXPECT_TRUE(has_rule(mgtest::scan(R"({"model_max_length": 512, "merges_file": "/etc/merges.txt"})",
                                    "tokenizer_config.json"),
                       "MG-HF-UNSCANNED-DEPENDENCY"));
  // Stale paths transformers ignores, and files inside the repository, are not reported.
  auto stale = mgtest::scan(R"({"model_max_length": 512, "special_tokens_map_file": "/home/u/special_tokens_map.json",
                                "tokenizer_file": "/home/u/tokenizer.json", "vocab_file": "spiece.model"})",
                            "tokenizer_config.json");
  EXPECT_EQ(stale.status, Status::safe) << findings_of(stale);
}

}  // namespace library_routes_test
