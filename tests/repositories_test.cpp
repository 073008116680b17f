// Whole repositories as the libraries read them (docs/repositories.md): realistic repositories of
// many model families pass the default policy unless they ship code, and then the finding names
// the file and the route; Python in every disguise CPython imports is analysed as Python; every
// configuration is read under the name its loader uses; SentencePiece and Flax files are parsed.
#include <gtest/gtest.h>

#include <string>

#include "container/tensor_archive_code.h"
#include "core/parsed_facts_json.h"
#include "readers/flax_msgpack.h"
#include "hf/python_source.h"
#include "test_util.h"

namespace repositories_test {

namespace {

using modelgate::ArtifactReport;
using modelgate::Status;
using mgtest::generated_fixtures;
using mgtest::has_rule;
using mgtest::scan;

const mgtest::GeneratedFixtures& fixtures() { return generated_fixtures("make_repositories.py"); }

std::string findings(const ArtifactReport& r) {
  std::string out;
  for (const auto* f : r.all_findings()) out += "  " + f->rule + " @" + f->origin + ": " + f->message + "\n";
  return out;
}

modelgate::ScanResult scan_dir(const std::filesystem::path& p) {
  modelgate::ScanOptions opts;
  opts.threads = 1;
  return modelgate::scan_paths({p}, opts);
}

const ArtifactReport* child(const ArtifactReport& dir, const std::string& relative) {
  for (const auto& c : dir.children)
    if (c.origin == dir.origin + "/" + relative) return &c;
  return nullptr;
}

bool has_message(const ArtifactReport& r, const std::string& rule, const std::string& words) {
  for (const auto* f : r.all_findings())
    if (f->rule == rule && f->message.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(Repositories, EveryFamilyGetsTheVerdictItsContentDeserves) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  ASSERT_GE(f.manifest["repos"].size(), 25u);
  for (const auto& [name, spec] : f.manifest["repos"].items()) {
    auto result = scan_dir(f.dir / "repos" / name);
    ASSERT_EQ(result.artifacts.size(), 1u) << name;
    const ArtifactReport& dir = result.artifacts[0];
    std::string expect = spec["expect"];
    if (expect == "safe") {
      EXPECT_EQ(dir.status, Status::safe) << name << "\n" << findings(dir);
      EXPECT_TRUE(result.decision.allow) << name;
      continue;
    }
    EXPECT_EQ(dir.status, Status::unverified) << name << "\n" << findings(dir);
    EXPECT_FALSE(result.decision.allow) << name;
    for (const auto& [file, words] : spec["routes"].items()) {
      const ArtifactReport* code = child(dir, file);
      ASSERT_NE(code, nullptr) << name << "/" << file;
      EXPECT_TRUE(has_rule(*code, "MG-PY-CODE")) << name << "/" << file;
      EXPECT_TRUE(has_message(*code, "MG-HF-CODE-ROUTE", words.get<std::string>()))
          << name << "/" << file << " route '" << words << "'\n" << findings(*code);
    }
  }
}

TEST(Repositories, DataFilesGetTheirOwnFormats) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  struct Case {
    const char* repo;
    const char* file;
    const char* format;
  } cases[] = {
      {"llama-2-7b-hf", "tokenizer.model", "sentencepiece"},
      {"mistral-7b-instruct-v0.3", "tokenizer.model.v3", "sentencepiece"},
      {"t5-small", "spiece.model", "sentencepiece"},
      {"t5-small", "flax_model.msgpack", "flax-msgpack"},
      {"t5-small", "tf_model.h5", "hdf5"},
      {"t5-small", "onnx/encoder_model.onnx", "onnx"},
      {"meta-llama-3-8b", "original/tokenizer.model", "text"},
      {"trainer-checkpoint-500", "optimizer.pt", "pytorch-zip"},
      {"trainer-checkpoint-500", "rng_state.pth", "pytorch-zip"},
      {"gpt2", "rust_model.ot", "torchscript"},
      {"t5-small", "rust_model.ot", "torchscript"},
  };
  for (const auto& c : cases) {
    auto result = scan_dir(f.dir / "repos" / c.repo / c.file);
    ASSERT_EQ(result.artifacts.size(), 1u);
    EXPECT_EQ(result.artifacts[0].format, c.format) << c.repo << "/" << c.file;
    EXPECT_EQ(result.artifacts[0].status, Status::safe) << c.repo << "/" << c.file << "\n"
                                                        << findings(result.artifacts[0]);
  }
}

// Each of these files ran its payload when CPython imported it with spec_from_file_location (the
// generator records it); each must be read as Python, with its import as evidence.
TEST(Repositories, PythonThatCPythonImportsIsAnalysedAsPython) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  ASSERT_GE(f.manifest["python"].size(), 10u);
  for (const auto& [file, spec] : f.manifest["python"].items()) {
    ASSERT_TRUE(spec["executed"].get<bool>()) << file << " did not run under CPython";
    auto result = scan_dir(f.dir / "python" / file);
    const ArtifactReport& r = result.artifacts[0];
    EXPECT_NE(r.status, Status::safe) << file;
    EXPECT_TRUE(has_rule(r, "MG-PY-CODE")) << file << "\n" << findings(r);
    bool evidence = false;
    for (const auto* x : r.all_findings())
      if (x->rule == "MG-PY-CODE" && (x->evidence.find("pathlib") != std::string::npos ||
                                      x->evidence.find(".payload") != std::string::npos))
        evidence = true;
    if (file.find("dunder_import") == std::string::npos) EXPECT_TRUE(evidence) << file << "\n" << findings(r);
    else EXPECT_TRUE(has_rule(r, "MG-PY-IMPORT-HIDING")) << file << "\n" << findings(r);
    // Names are compared in CPython's NFKC form: bold `exec` is exec.
    if (file == "nfkc_exec.py") {
      EXPECT_TRUE(has_message(r, "MG-PY-EVAL", "exec()")) << findings(r);
    }
  }
}

// Non-ASCII spellings of names: pickle, importlib and getattr do not normalise them (the name
// fails to resolve), so a pickle naming bold `eval` is an unlisted global, not eval; Jinja's
// `{% set %}` target does alias the ASCII name through the compiled Python, and modelgate refuses
// non-ASCII identifiers in tags. The generator proves each with the real consumer.
TEST(Repositories, IdentifierSpellingsFollowEachConsumer) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  const auto& proof = f.manifest["nfkc"];
  EXPECT_EQ(proof["global_eval.pkl"], "AttributeError");
  EXPECT_EQ(proof["stack_global_eval.pkl"], "AttributeError");
  EXPECT_EQ(proof["import_module"], "ImportError");
  EXPECT_EQ(proof["jinja"], "rebound");
  for (const char* file : {"global_eval.pkl", "stack_global_eval.pkl"}) {
    auto r = scan_dir(f.dir / "nfkc" / file).artifacts[0];
    EXPECT_EQ(r.status, Status::unverified) << file << "\n" << findings(r);
  }
  auto t = scan_dir(f.dir / "nfkc" / "chat_template.jinja").artifacts[0];
  EXPECT_NE(t.status, Status::safe) << findings(t);
  // A value Jinja parses but modelgate's parser refuses is judged by its text.
  auto value = scan_dir(f.dir / "nfkc" / "config.json").artifacts[0];
  EXPECT_TRUE(has_rule(value, "MG-TEMPLATE-IN-VALUE")) << findings(value);
  auto target = scan(R"({"_target_": "\uff4f\uff53.system"})", "cfg.json");
  EXPECT_EQ(target.status, Status::unverified) << findings(target);
}

TEST(Repositories, PythonReadingIsTakenByNameWhateverTheContent) {
  // A .py that looks like JSON, plain text or a Jinja template is still imported by CPython.
  for (const std::string& body : {std::string("{\"a\": 1}\n"), std::string("    import os\n"),
                                 std::string("x = '{{ y }}'\n"), std::string("# note\rimport os\r")}) {
    auto r = scan(body, "modeling_x.py");
    EXPECT_TRUE(has_rule(r, "MG-PY-CODE")) << body << "\n" << findings(r);
    EXPECT_NE(r.status, Status::safe) << body;
  }
  EXPECT_EQ(scan("    import os\n", "notes.txt").status, Status::safe);
}

TEST(PythonSource, DecodesAsCPythonDoes) {
  using modelgate::python::decode_source;
  auto ue = decode_source("# coding: unicode_escape\n# x\\nimport os\\x0a\\101\n");
  ASSERT_TRUE(ue.ok()) << ue.error().reason;
  EXPECT_EQ(ue->text, "# coding: unicode_escape\n# x\nimport os\nA\n");
  auto raw = decode_source("# coding=raw_unicode_escape\n\\\\u0041 \\u0042\n");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->text, "# coding=raw_unicode_escape\n\\\\u0041 B\n");
  auto cr = decode_source("a\rb\r\nc\n");
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->text, "a\nb\nc\n");
  auto second = decode_source("#!/usr/bin/python\n# vim: set fileencoding=latin-1 :\nx = '\xe9'\n");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->encoding, "latin_1");
  EXPECT_NE(second->text.find("\xc3\xa9"), std::string::npos);
  // not on the second line after a statement: CPython only looks there after a comment/blank line
  auto late = decode_source("x = 1\n# coding: rot13\n");
  ASSERT_TRUE(late.ok());
  for (const char* bad : {"# coding: rot13\nx\n", "# coding: utf-16\n", "\xEF\xBB\xBF# coding: latin-1\n",
                          "x = '\xff'\n", "# coding: ascii\n# \xc3\xa9\n", "# coding: unicode_escape\n\\N{DIGIT ONE}\n",
                          "# coding: unicode_escape\n\\ud800\n", "# coding: unicode_escape\n\\x4\n"})
    EXPECT_FALSE(decode_source(bad).ok()) << bad;
  auto refused = scan("# -*- coding: rot_13 -*-\nvzcbeg bf\n", "m.py");
  EXPECT_EQ(refused.status, Status::refused);
  EXPECT_TRUE(has_rule(refused, "MG-PY-ENCODING"));
}

TEST(LoaderConfigs, AutoMapIsReadFromEveryConfigKind) {
  // config.json that also looks like a weight index; tokenizer_config.json that looks like tokenizer.json
  auto index_like = scan(R"({"weight_map": {"a": "b.safetensors"}, "auto_map": {"AutoModel": "evil.Model"}})",
                         "config.json");
  EXPECT_TRUE(has_rule(index_like, "MG-HF-REMOTE-CODE")) << findings(index_like);
  auto tokenizer_like = scan(R"({"model": {"type": "BPE"}, "added_tokens": [],
      "auto_map": {"AutoTokenizer": ["tok.Slow", "other/repo--tok.Fast"]}})", "tokenizer_config.json");
  EXPECT_TRUE(has_rule(tokenizer_like, "MG-HF-REMOTE-CODE"));
  EXPECT_TRUE(has_rule(tokenizer_like, "MG-HF-REMOTE-CODE-EXTERNAL"));
  EXPECT_NE(tokenizer_like.status, Status::safe);
  auto generation = scan(R"({"do_sample": true, "auto_map": {"AutoModel": "m.M"}})", "generation_config.json");
  EXPECT_TRUE(has_rule(generation, "MG-HF-REMOTE-CODE"));
}

TEST(LoaderConfigs, SentenceTransformersModules) {
  auto custom = scan(R"([{"idx": 0, "name": "0", "path": "", "type": "custom_module.Encoder"}])", "modules.json");
  EXPECT_TRUE(has_message(custom, "MG-ST-MODULE-CODE", "custom_module.py")) << findings(custom);
  // the same list under another name is found by its shape
  EXPECT_TRUE(has_rule(scan(R"([{"idx": 0, "path": "", "type": "os.system"}])", "x.json"), "MG-ST-MODULE-CODE"));
  auto traversal = scan(R"([{"idx": 0, "path": "../../elsewhere", "type": "sentence_transformers.models.Dense"}])",
                        "modules.json");
  EXPECT_TRUE(has_rule(traversal, "MG-HF-CONFIG-MALFORMED"));
  auto inert = scan(R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}])",
                    "modules.json");
  EXPECT_EQ(inert.status, Status::safe) << findings(inert);
  auto opt_in = scan(R"({"max_seq_length": 8, "model_args": {"trust_remote_code": true}})", "sentence_bert_config.json");
  EXPECT_TRUE(has_rule(opt_in, "MG-HF-TRUST-REMOTE-CODE"));
}

// Module configs whose values sentence-transformers imports and calls: Dense's activation_function
// (config.json), WordEmbeddings' tokenizer_class (wordembedding_config.json), CrossEncoder's
// activation. Only the values it writes itself pass; a transformers activation name has no dot.
TEST(LoaderConfigs, SentenceTransformersModuleConfigValues) {
  const std::string dense = R"({"in_features": 4, "out_features": 4, "bias": true, "activation_function": "ACT"})";
  auto with = [&](const std::string& act) { return std::string(dense).replace(dense.find("ACT"), 3, act); };
  auto custom = scan(with("mypkg.act.Act"), "config.json");
  EXPECT_EQ(custom.status, Status::unverified) << findings(custom);
  EXPECT_TRUE(has_message(custom, "MG-ST-MODULE-CODE", "Dense.load")) << findings(custom);
  auto interact = scan(with("code.interact"), "config.json");  // on the denylist too
  EXPECT_EQ(interact.status, Status::unsafe) << findings(interact);
  EXPECT_TRUE(has_rule(interact, "MG-CONFIG-DANGEROUS-CALLABLE")) << findings(interact);
  auto system = scan(with("os.system"), "x.json");  // by its Dense shape under another name
  EXPECT_EQ(system.status, Status::unsafe) << findings(system);
  EXPECT_TRUE(has_rule(system, "MG-ST-MODULE-CODE")) << findings(system);
  // Dense.load imports before Dense(**config) checks the other keys: the name alone is enough.
  EXPECT_TRUE(has_rule(scan(R"({"activation_function": "mypkg.act.Act"})", "config.json"), "MG-ST-MODULE-CODE"));
  for (const char* own : {"torch.nn.modules.activation.Tanh", "torch.nn.modules.linear.Identity", "torch.nn.Identity"}) {
    auto r = scan(with(own), "config.json");
    EXPECT_EQ(r.status, Status::safe) << own << "\n" << findings(r);
  }
  auto gpt2 = scan(R"({"model_type": "gpt2", "activation_function": "gelu_new", "n_embd": 4})", "config.json");
  EXPECT_EQ(gpt2.status, Status::safe) << findings(gpt2);

  auto tokenizer = scan(R"({"tokenizer_class": "mypkg.tok.EvilTokenizer", "update_embeddings": false})",
                        "wordembedding_config.json");
  EXPECT_TRUE(has_message(tokenizer, "MG-ST-MODULE-CODE", "WordEmbeddings.load")) << findings(tokenizer);
  auto own_tokenizer = scan(R"({"tokenizer_class": "sentence_transformers.models.tokenizer.WhitespaceTokenizer.WhitespaceTokenizer",
                               "update_embeddings": false, "max_seq_length": 8})",
                            "wordembedding_config.json");
  EXPECT_EQ(own_tokenizer.status, Status::safe) << findings(own_tokenizer);
  auto bert_tokenizer = scan(R"({"tokenizer_class": "BertTokenizer", "do_lower_case": true})", "tokenizer_config.json");
  EXPECT_EQ(bert_tokenizer.status, Status::safe) << findings(bert_tokenizer);

  auto cross_encoder = scan(R"({"model_type": "bert", "sbert_ce_default_activation_function": "mypkg.Act"})", "config.json");
  EXPECT_TRUE(has_message(cross_encoder, "MG-ST-MODULE-CODE", "CrossEncoder")) << findings(cross_encoder);
  auto cross_encoder_v4 = scan(R"({"model_type": "bert", "sentence_transformers": {"activation_fn": "torch.nn.modules.activation.Sigmoid"}})",
                               "config.json");
  EXPECT_EQ(cross_encoder_v4.status, Status::safe) << findings(cross_encoder_v4);

  // The red team's repository: module types are sentence-transformers' own, the configs are not.
  mgtest::TempDir t;
  mgtest::write_file(t / "repo/modules.json",
                     R"([{"idx": 0, "name": "0", "path": "1_WordEmbeddings", "type": "sentence_transformers.models.WordEmbeddings"},
                         {"idx": 1, "name": "1", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}])");
  mgtest::write_file(t / "repo/2_Dense/config.json", with("code.interact"));
  mgtest::write_file(t / "repo/1_WordEmbeddings/wordembedding_config.json",
                     R"({"tokenizer_class": "mypkg.tok.EvilTokenizer", "update_embeddings": false, "max_seq_length": 8})");
  auto result = scan_dir(t / "repo");
  ASSERT_EQ(result.artifacts.size(), 1u);
  EXPECT_EQ(result.artifacts[0].status, Status::unsafe) << findings(result.artifacts[0]);
  for (const char* file : {"2_Dense/config.json", "1_WordEmbeddings/wordembedding_config.json"}) {
    const ArtifactReport* c = child(result.artifacts[0], file);
    ASSERT_NE(c, nullptr) << file;
    EXPECT_TRUE(has_rule(*c, "MG-ST-MODULE-CODE")) << file << "\n" << findings(*c);
  }
}

// additional_chat_templates/*.jinja is a template because of its directory: directory and HF-cache
// scans give name readings the path in the repository, not the base name, so YAML-style front
// matter does not make it a model card.
TEST(Repositories, TemplatesAreReadByTheirDirectory) {
  const std::string tmpl = "---\ntitle: tool use\n---\n{{ cycler.__init__.__globals__.os.popen('id').read() }}\n";
  mgtest::TempDir t;
  mgtest::write_file(t / "repo/additional_chat_templates/tool_use.jinja", tmpl);
  mgtest::write_file(t / "repo/templates/other.jinja", tmpl);
  mgtest::write_file(t / "repo/tokenizer_config.json", R"({"chat_template": "{{ messages[0]['content'] }}"})");
  auto result = scan_dir(t / "repo");
  ASSERT_EQ(result.artifacts.size(), 1u);
  for (const char* file : {"additional_chat_templates/tool_use.jinja", "templates/other.jinja"}) {
    const ArtifactReport* c = child(result.artifacts[0], file);
    ASSERT_NE(c, nullptr) << file;
    EXPECT_EQ(c->status, Status::unsafe) << file << "\n" << findings(*c);
  }
  // The same file scanned on its own, by its path.
  auto alone = modelgate::scan_paths({t / "repo/additional_chat_templates/tool_use.jinja"}, modelgate::ScanOptions{});
  ASSERT_EQ(alone.artifacts.size(), 1u);
  EXPECT_EQ(alone.artifacts[0].status, Status::unsafe) << findings(alone.artifacts[0]);

  auto repo = t / "hub/models--org--tiny";
  mgtest::write_file(repo / "blobs/ccc", tmpl);
  std::filesystem::create_directories(repo / "snapshots/rev1/additional_chat_templates");
  std::filesystem::create_symlink("../../../blobs/ccc", repo / "snapshots/rev1/additional_chat_templates/tool_use.jinja");
  auto cache = modelgate::scan_hf_cache(t / "hub", modelgate::ScanOptions{});
  ASSERT_EQ(cache.artifacts.size(), 1u);
  const ArtifactReport& snapshot = cache.artifacts[0].children.at(0);
  const ArtifactReport* c = child(snapshot, "additional_chat_templates/tool_use.jinja");
  ASSERT_NE(c, nullptr) << findings(snapshot);
  EXPECT_EQ(c->status, Status::unsafe) << findings(*c);
}

// A clone without Git LFS holds pointers where the weights should be: nothing of the model was read.
TEST(LoaderConfigs, GitLfsPointersAreRefusedUnread) {
  const std::string pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(64, 'a') +
                              "\nsize 548105171\n";
  auto weights = scan(pointer, "model.safetensors");
  EXPECT_EQ(weights.format, "git-lfs-pointer");
  EXPECT_EQ(weights.status, Status::refused);
  EXPECT_TRUE(has_message(weights, "MG-LFS-POINTER", "sha256:aaaa")) << findings(weights);
  EXPECT_EQ(scan(pointer, "notes.txt").status, Status::refused);  // by content, whatever the name
}

// TensorFlow reads saved_model.pbtxt, onnx.load a .onnxtxt file, as text-format models: unread here.
TEST(LoaderConfigs, TextFormatProtobufModelsAreNotSafe) {
  const std::string graph = "meta_graphs {\n  graph_def {\n    node { name: \"p\" op: \"PyFunc\" }\n  }\n}\n";
  EXPECT_EQ(scan(graph, "saved_model.pbtxt").status, Status::unverified);
  EXPECT_EQ(scan("graph { node { op_type: \"PyOp\" } }\n", "model.onnxtxt").status, Status::unverified);
  EXPECT_EQ(scan(graph, "notes.pbtxt").status, Status::safe);  // no loader reads it by that name
}

// PEFT LoRA: dispatch_megatron imports megatron_core when megatron_config is set; a string
// target_modules/exclude_modules (and layers_pattern) is a Python regex run on every module name
// (its backtracking is measured in tests/fixtures/make_library_routes.py).
TEST(LoaderConfigs, PeftModuleNamesAndRegexes) {
  auto megatron = scan(R"j({"peft_type": "LORA", "megatron_config": {"tensor_model_parallel_size": 1},
      "megatron_core": "antigravity", "target_modules": ["q_proj", "v_proj"]})j", "adapter_config.json");
  EXPECT_TRUE(has_message(megatron, "MG-PEFT-AUTO-MAPPING", "antigravity")) << findings(megatron);
  for (const char* inert : {R"j({"peft_type": "LORA", "megatron_config": null, "megatron_core": "antigravity"})j",
                            R"j({"peft_type": "LORA", "megatron_config": {}, "megatron_core": "antigravity"})j",
                            R"j({"peft_type": "LORA", "megatron_config": {"tp": 1}, "megatron_core": "megatron.core"})j",
                            R"j({"peft_type": "LORA", "target_modules": ".*\\.(q_proj|v_proj)"})j",
                            R"j({"peft_type": "LORA", "target_modules": "^(?!.*vision).*(q_proj|k_proj)$"})j",
                            R"j({"peft_type": "LORA", "target_modules": "model.layers.\\d+.self_attn.[qkv]_proj"})j",
                            R"j({"peft_type": "LORA", "target_modules": ["q_proj", "(.|.)*Z"]})j"}) {
    auto r = scan(inert, "adapter_config.json");
    EXPECT_EQ(r.status, Status::safe) << inert << findings(r);
  }
  for (const char* redos : {R"j({"peft_type": "LORA", "target_modules": "(.|.)*(q_proj|v_proj)Z"})j",
                            R"j({"peft_type": "LORA", "exclude_modules": "(a+)+b"})j",
                            R"j({"peft_type": "LORA", "target_modules": ".*a.*b.*c.*d"})j",
                            R"j({"peft_type": "LORA", "target_modules": "(q)\\1"})j",
                            R"j({"peft_type": "LORA", "layers_pattern": ["layers", "(x+)+"]})j"}) {
    auto r = scan(redos, "adapter_config.json");
    EXPECT_TRUE(has_rule(r, "MG-PEFT-REGEX")) << redos << findings(r);
  }
  // layer_replication: one cloned decoder layer per index of each [start, end).
  for (const char* fine : {R"j({"peft_type": "LORA", "layer_replication": [[0, 16], [8, 24], [16, 32]]})j",
                           R"j({"peft_type": "LORA", "layer_replication": [[30, 0], [0, 1024]]})j"}) {
    auto r = scan(fine, "adapter_config.json");
    EXPECT_EQ(r.status, Status::safe) << fine << findings(r);
  }
  std::string many = R"j({"peft_type": "LORA", "layer_replication": [)j";
  for (int i = 0; i < 100; ++i) many += std::string(i ? "," : "") + "[0, 32]";
  many += "]}";
  for (const std::string& copies : {many, std::string(R"j({"peft_type": "LORA", "layer_replication": [[0, 100000]]})j"),
                                    std::string(R"j({"peft_type": "LORA", "layer_replication": [[0, 1e300]]})j")}) {
    auto r = scan(copies, "adapter_config.json");
    EXPECT_TRUE(has_rule(r, "MG-PEFT-LAYER-REPLICATION")) << copies << findings(r);
  }
}

// Modular diffusers components carry loading specs (repository, type hint); sentence-transformers
// takes a tokenizer from tokenizer_name_or_path. Both load what the scan does not see.
TEST(LoaderConfigs, ModularDiffusersAndSentenceTransformersTokenizers) {
  auto modular = scan(R"j({"_blocks_class_name": "SequentialPipelineBlocks", "_class_name": "StableDiffusionXLModularPipeline",
      "_diffusers_version": "0.35.0",
      "unet": [null, null, {"repo": "attacker-org/evil-unet", "subfolder": "unet", "type_hint": ["diffusers", "UNet2DConditionModel"]}],
      "scheduler": [null, null, {"repo": null, "type_hint": ["antigravity", "EulerDiscreteScheduler"]}],
      "vae": ["my_vae", "VAE", {"repo": null}]})j", "modular_model_index.json");
  EXPECT_TRUE(has_message(modular, "MG-HF-UNSCANNED-DEPENDENCY", "attacker-org/evil-unet")) << findings(modular);
  EXPECT_TRUE(has_message(modular, "MG-DIFFUSERS-CUSTOM-CODE", "antigravity")) << findings(modular);
  EXPECT_TRUE(has_message(modular, "MG-DIFFUSERS-CUSTOM-CODE", "my_vae")) << findings(modular);
  auto plain = scan(R"j({"_blocks_class_name": "SequentialPipelineBlocks", "_class_name": "StableDiffusionXLModularPipeline",
      "_diffusers_version": "0.35.0", "unet": [null, null, {"repo": null, "type_hint": ["diffusers", "UNet2DConditionModel"]}]})j",
      "modular_model_index.json");
  EXPECT_EQ(plain.status, Status::safe) << findings(plain);
  auto st = scan(R"j({"max_seq_length": 256, "do_lower_case": false, "tokenizer_name_or_path": "attacker/tok"})j",
                 "sentence_bert_config.json");
  EXPECT_TRUE(has_message(st, "MG-HF-UNSCANNED-DEPENDENCY", "attacker/tok")) << findings(st);
  EXPECT_EQ(scan(R"j({"max_seq_length": 256, "do_lower_case": false})j", "sentence_bert_config.json").status, Status::safe);
}

TEST(LoaderConfigs, DiffusersPeftHydra) {
  auto comp = scan(R"({"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.1",
      "unet": ["my_unet", "UNet"], "vae": ["diffusers", "AutoencoderKL"]})", "model_index.json");
  EXPECT_TRUE(has_message(comp, "MG-DIFFUSERS-CUSTOM-CODE", "unet/my_unet.py")) << findings(comp);
  auto pipe = scan(R"({"_class_name": ["pipe", "P"], "_diffusers_version": "0.1"})", "renamed.json");
  EXPECT_TRUE(has_rule(pipe, "MG-DIFFUSERS-CUSTOM-CODE"));
  auto peft = scan(R"({"peft_type": "LORA", "base_model_name_or_path": "org/base",
      "auto_mapping": {"base_model_class": "system", "parent_library": "os"}})", "adapter_config.json");
  EXPECT_TRUE(has_rule(peft, "MG-PEFT-AUTO-MAPPING"));
  EXPECT_TRUE(has_message(peft, "MG-HF-UNSCANNED-DEPENDENCY", "org/base"));
  auto yaml = scan("model:\n  encoder:\n    \"_target_\" : builtins.exec\n", "model_config.yaml");
  EXPECT_TRUE(has_message(yaml, "MG-CONFIG-CALLABLE", "builtins.exec")) << findings(yaml);
  auto flow = scan("trainer: {_target_: os.system, command: id}\n", "config.yml");
  EXPECT_TRUE(has_rule(flow, "MG-CONFIG-CALLABLE"));
  auto json_target = scan(R"({"optim": {"_target_": "torch.optim.AdamW"}})", "cfg.json");
  EXPECT_TRUE(has_rule(json_target, "MG-CONFIG-CALLABLE"));
  // No target is inert; the pickle denylist grades the known-dangerous ones, through attribute paths too.
  EXPECT_EQ(json_target.status, Status::unverified);
  EXPECT_FALSE(has_rule(json_target, "MG-CONFIG-DANGEROUS-CALLABLE"));
  EXPECT_TRUE(has_message(yaml, "MG-CONFIG-DANGEROUS-CALLABLE", "builtins.exec")) << findings(yaml);
  EXPECT_EQ(flow.status, Status::unsafe) << findings(flow);
  // Keys the text search cannot see by their spelling: escapes in a quoted key, or an alias as the key.
  auto escaped = scan("model:\n  \"_t\\u0061rget_\": os.system\n  _args_: [id]\n", "model_config.yaml");
  EXPECT_TRUE(has_message(escaped, "MG-CONFIG-CALLABLE", "os.system")) << findings(escaped);
  EXPECT_EQ(escaped.status, Status::unsafe) << findings(escaped);
  auto alias = scan("k: &k _target_\nmodel:\n  *k : os.system\n", "model_config.yaml");
  EXPECT_TRUE(has_message(alias, "MG-CONFIG-CALLABLE", "*k")) << findings(alias);
  EXPECT_NE(alias.status, Status::safe);
  auto through = scan(R"({"a": {"_target_": "mypkg.helpers.os.system"}})", "cfg.json");
  EXPECT_TRUE(has_message(through, "MG-CONFIG-DANGEROUS-CALLABLE", "'os'")) << findings(through);
  // sentence-transformers Router (router_config.json, or a config.json of that shape): each type is imported.
  std::string router = R"({"types": {"query_0_Transformer": "sentence_transformers.models.Transformer",
      "document_0": "TYPE"}, "structure": {"query": ["query_0_Transformer"], "document": ["document_0"]},
      "parameters": {"default_route": "query"}})";
  auto plain_router = scan(std::string(router).replace(router.find("TYPE"), 4, "sentence_transformers.models.StaticEmbedding"),
                           "router_config.json");
  EXPECT_FALSE(has_rule(plain_router, "MG-ST-MODULE-CODE")) << findings(plain_router);
  auto custom_router = scan(std::string(router).replace(router.find("TYPE"), 4, "mypkg.modules.Encoder"), "config.json");
  EXPECT_TRUE(has_message(custom_router, "MG-ST-MODULE-CODE", "mypkg.modules.Encoder")) << findings(custom_router);
  // A chat template is analysed as one under the names transformers reads, whatever it looks like.
  auto card_template = scan("---\nlicense: mit\n---\n{{ cycler.__init__.__globals__.os.popen('id').read() }}\n",
                            "chat_template.jinja");
  EXPECT_EQ(card_template.status, Status::unsafe) << findings(card_template);
  auto big = scan("{\"_target_\": \"subprocess.run\", \"pad\": \"" + std::string(1100000, 'x') + "\"}", "cfg.json");
  EXPECT_TRUE(has_rule(big, "MG-CONFIG-DANGEROUS-CALLABLE")) << findings(big);
}

namespace {

std::string le32(std::uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string le64(std::uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
std::string gstr(const std::string& s) { return le64(s.size()) + s; }

std::string gguf_with(const std::string& key, const std::string& typed_value) {
  std::string d = "GGUF" + le32(3) + le64(0) + le64(1) + gstr(key) + typed_value;
  d.append((32 - d.size() % 32) % 32, '\0');
  return d;
}

}  // namespace

TEST(GgufChatTemplates, ArraysAndNamedTemplatesAreAnalysed) {
  std::string evil = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
  auto array = scan(gguf_with("tokenizer.chat_template",
                              le32(9) + le32(8) + le64(2) + gstr("{{ messages }}") + gstr(evil)));
  EXPECT_EQ(array.status, Status::unsafe) << findings(array);
  auto named = scan(gguf_with("tokenizer.chat_template.rag", le32(8) + gstr(evil)));
  EXPECT_EQ(named.status, Status::unsafe);
  auto number = scan(gguf_with("tokenizer.chat_template", le32(4) + le32(7)));
  EXPECT_TRUE(has_rule(number, "MG-GGUF-CHAT-TEMPLATE-TYPE"));
  EXPECT_EQ(number.status, Status::refused);
}

TEST(DataFiles, SentencePieceAndFlaxAreParsedStrictly) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  std::string spm = mgtest::read_file(f.dir / "repos/llama-2-7b-hf/tokenizer.model");
  auto good = scan(spm);
  EXPECT_EQ(good.format, "sentencepiece");
  EXPECT_GT(modelgate::facts_json(good)["pieces"].get<int>(), 10);
  EXPECT_EQ(modelgate::facts_json(good)["model_type"], "bpe");
  auto cut = scan(spm.substr(0, spm.size() - 3));
  EXPECT_EQ(cut.status, Status::refused) << cut.format;

  std::string flax = mgtest::read_file(f.dir / "repos/t5-small/flax_model.msgpack");
  auto ok = scan(flax);
  EXPECT_EQ(ok.format, "flax-msgpack");
  EXPECT_EQ(ok.status, Status::safe) << findings(ok);
  EXPECT_EQ(modelgate::facts_json(ok)["arrays"], 2);
  EXPECT_EQ(modelgate::facts_json(ok)["parameters"], 32);
  EXPECT_EQ(scan(flax + "x").status, Status::refused);
  EXPECT_EQ(scan(flax.substr(0, flax.size() - 1)).status, Status::refused);
  // {"a": ext 9 (unknown)}, {"a": 1, "a": 2}, a map that claims 15 entries
  EXPECT_TRUE(has_rule(scan(std::string("\x81\xa1" "a\xd4\x09\x00", 6)), "MG-FLAX-MALFORMED"));
  EXPECT_TRUE(has_rule(scan(std::string("\x82\xa1" "a\x01\xa1" "a\x02", 7)), "MG-FLAX-MALFORMED"));
  EXPECT_TRUE(has_rule(scan(std::string("\x8f\xa1" "a\x01", 4)), "MG-FLAX-MALFORMED"));
  // an array whose bytes do not match shape x dtype
  std::string bad_array = std::string("\x81\xa1" "w\xc7\x0f\x01\x93\x91\x02\xa5" "int32\xc4\x04" "abcd", 21);
  EXPECT_TRUE(has_rule(scan(bad_array), "MG-FLAX-MALFORMED")) << findings(scan(bad_array));
  // {"a": {"a": ... 1}} 70 maps deep: over Limits::max_msgpack_depth (64) unless it is raised
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "\x81\xa1" "a";
  deep += "\x01";
  modelgate::ByteView deep_bytes(reinterpret_cast<const std::uint8_t*>(deep.data()), deep.size());
  auto refused = modelgate::flax::parse(deep_bytes, modelgate::Limits{});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().reason.find("max_msgpack_depth (64)"), std::string::npos) << refused.error().reason;
  modelgate::Limits raised;
  raised.max_msgpack_depth = 100;
  EXPECT_TRUE(modelgate::flax::parse(deep_bytes, raised));
}

// TFLite: operator codes decide (builtin: TFLite's kernels; CUSTOM: the application's), the
// flatbuffer is read bounded and refused when any offset on the way leaves the file.
TEST(DataFiles, TfliteOperatorCodes) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  auto builtin = scan_dir(f.dir / "tflite" / "builtin.tflite").artifacts[0];
  EXPECT_EQ(builtin.format, "tflite");
  EXPECT_EQ(builtin.status, Status::safe) << findings(builtin);
  EXPECT_EQ(modelgate::facts_json(builtin)["builtin_operator_codes"], 3);
  auto custom = scan_dir(f.dir / "tflite" / "custom.tflite").artifacts[0];
  EXPECT_EQ(custom.status, Status::unverified) << findings(custom);
  EXPECT_TRUE(has_message(custom, "MG-TFLITE-CUSTOM-OP", "MyCustomOp"));
  EXPECT_TRUE(has_message(custom, "MG-TFLITE-CUSTOM-OP", "FlexWriteFile"));
  auto old = scan_dir(f.dir / "tflite" / "version2.tflite").artifacts[0];
  EXPECT_EQ(old.status, Status::refused);
  EXPECT_TRUE(has_rule(old, "MG-TFLITE-MALFORMED"));
  // Every truncation is refused, never read as fewer operators.
  std::string bytes = mgtest::read_file(f.dir / "tflite" / "custom.tflite");
  for (std::size_t n = 8; n < bytes.size(); ++n) {
    auto r = scan(bytes.substr(0, n), "model.tflite");
    EXPECT_EQ(r.status, Status::refused) << n << "\n" << findings(r);
  }
  // A string without its NUL, an offset past the end, a vtable before the file.
  std::string no_nul = bytes;
  no_nul[bytes.find("MyCustomOp") + 10] = 'x';
  EXPECT_TRUE(has_rule(scan(no_nul, "model.tflite"), "MG-TFLITE-MALFORMED"));
  std::string far = bytes;
  far[0] = '\xff', far[1] = '\xff';
  EXPECT_TRUE(has_rule(scan(far, "model.tflite"), "MG-TFLITE-MALFORMED"));
  std::string vtable = bytes;
  vtable[24] = '\x7f';  // the model table's offset back to its vtable
  EXPECT_TRUE(has_rule(scan(vtable, "model.tflite"), "MG-TFLITE-MALFORMED"));
}

// OpenVINO IR: opset operations are OpenVINO's own, any other operation set is an extension's
// code; the XML is read strictly and the .bin beside the .xml is its data.
TEST(DataFiles, OpenVinoIr) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  std::string model = mgtest::read_file(f.dir / "openvino" / "model.xml");
  auto plain = scan(model, "model.xml");
  EXPECT_EQ(plain.format, "openvino-ir");
  EXPECT_EQ(plain.status, Status::safe) << findings(plain);
  EXPECT_EQ(modelgate::facts_json(plain)["layers"], 5);
  // OpenVINO reads any XML whose root is <net>: with no declaration, after comments.
  std::string net = model.substr(model.find("<net"));
  EXPECT_EQ(scan(net, "m.xml").format, "openvino-ir");
  EXPECT_EQ(scan("<!-- exported -->\n" + net, "m.xml").format, "openvino-ir");
  auto tokenizer = scan_dir(f.dir / "openvino" / "openvino_tokenizer.xml").artifacts[0];
  EXPECT_EQ(tokenizer.status, Status::unverified) << findings(tokenizer);
  EXPECT_TRUE(has_message(tokenizer, "MG-OPENVINO-EXTENSION-OP", "StringTensorUnpack (version 'extension')"));
  EXPECT_TRUE(has_rule(scan_dir(f.dir / "openvino" / "version7.xml").artifacts[0], "MG-OPENVINO-MALFORMED"));
  auto variant = [&](const std::string& from, const std::string& to) {
    std::string v = model;
    v.replace(v.find(from), from.size(), to);
    return scan(v, "model.xml");
  };
  // An opset spelled with a character reference is still that opset; anything else is an extension.
  EXPECT_EQ(variant("type=\"MatMul\" version=\"opset1\"", "type=\"MatMul\" version=\"&#111;pset1\"").status, Status::safe);
  EXPECT_EQ(variant("version=\"opset13\"", "version=\"opset13x\"").status, Status::unverified);
  EXPECT_EQ(variant("type=\"MatMul\" version=\"opset1\"", "type=\"MatMul\"").status, Status::unverified);
  // Readers could disagree: refused.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"<net ", "<!DOCTYPE net [<!ENTITY e \"opset1\">]>\n<net "},
           {"version=\"opset13\"", "version=\"opset13\" version=\"extension\""},
           {"</layers>", "</layer>"},
           {"<edges>", "<![CDATA[x]]><edges>"},
           {"version=\"opset13\"", "version=\"&custom;\""},
           {"</net>", "</net>\n<net version=\"11\"/>"}}) {
    auto r = variant(from, to);
    EXPECT_TRUE(has_rule(r, "MG-OPENVINO-MALFORMED")) << to << "\n" << findings(r);
  }
  for (std::size_t n = model.find("<layers>"); n + 1 < model.size(); n += 97)
    EXPECT_NE(scan(model.substr(0, n), "model.xml").status, Status::safe) << n;
  // The .bin beside the .xml is the model's data.
  auto repo = scan_dir(f.dir / "repos" / "all-MiniLM-L6-v2" / "openvino");
  const ArtifactReport& dir = repo.artifacts[0];
  const ArtifactReport* bin = child(dir, "openvino_model.bin");
  ASSERT_NE(bin, nullptr) << findings(dir);
  EXPECT_EQ(bin->format, "openvino-weights");
  EXPECT_EQ(bin->status, Status::safe);
}

// Core ML: identified by content; custom layers and models (the application's classes), linked
// and private serialized models are unverified wherever pipelines and control flow nest them; the
// rest is data. A file named .mlmodel is read as Core ML whatever it contains.
TEST(DataFiles, CoreMlModelsAndWeights) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  struct Case {
    const char* file;
    Status status;
    const char* rule;
    const char* words;
  } cases[] = {
      {"neural_network.mlmodel", Status::safe, nullptr, nullptr},
      {"ml_program.mlmodel", Status::safe, nullptr, nullptr},
      {"tree_pipeline.mlmodel", Status::safe, nullptr, nullptr},
      {"custom_layer.mlmodel", Status::unverified, "MG-COREML-CUSTOM-CODE", "custom layer class 'SwishLayer'"},
      {"custom_in_loop.mlmodel", Status::unverified, "MG-COREML-CUSTOM-CODE", "SwishLayer"},
      {"custom_in_pipeline.mlmodel", Status::unverified, "MG-COREML-CUSTOM-CODE", "custom model class 'ShellModel'"},
      {"linked.mlmodel", Status::unverified, "MG-COREML-LINKED-MODEL", "Helper.mlmodelc"},
      {"serialized.mlmodel", Status::unverified, "MG-COREML-SERIALIZED-MODEL", "PrivateType"},
      {"two_types.mlmodel", Status::refused, "MG-COREML-MALFORMED", "two model types"},
      {"newer_type.mlmodel", Status::refused, "MG-COREML-MALFORMED", "field 4000"},
  };
  for (const auto& c : cases) {
    std::string bytes = mgtest::read_file(f.dir / "coreml" / c.file);
    // Identified by content under any name (a type newer than the reader knows only by its name).
    auto r = scan(bytes, c.status == Status::refused ? "model.mlmodel" : "weights.bin");
    EXPECT_EQ(r.format, std::string(c.file) == "newer_type.mlmodel" ? "unknown" : "coreml") << c.file;
    EXPECT_EQ(r.status, c.status) << c.file << "\n" << findings(r);
    if (c.rule) {
      EXPECT_TRUE(has_message(r, c.rule, c.words)) << c.file << "\n" << findings(r);
    }
    // A cut file is never read as a smaller plain model (two_types cut after its first type is one).
    for (std::size_t n = 1; n < bytes.size() && c.status != Status::refused; ++n)
      EXPECT_NE(scan(bytes.substr(0, n), "model.mlmodel").status, Status::safe) << c.file << " cut at " << n;
  }
  EXPECT_TRUE(has_rule(scan(std::string("not a model\n"), "model.mlmodel"), "MG-COREML-MALFORMED"));
  // The .mlpackage's weight file: MIL blob storage, read to its last blob.
  auto package = scan_dir(f.dir / "repos" / "bert-base-uncased" / "coreml");
  ASSERT_EQ(package.artifacts.size(), 1u);
  EXPECT_EQ(package.artifacts[0].status, Status::safe) << findings(package.artifacts[0]);
  auto weights_path = f.dir / "repos/bert-base-uncased/coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/weights/weight.bin";
  std::string weights = mgtest::read_file(weights_path);
  auto w = scan(weights, "weight.bin");
  EXPECT_EQ(w.format, "coreml-weights");
  EXPECT_EQ(modelgate::facts_json(w)["blobs"], 2);
  std::string bad_sentinel = weights;
  bad_sentinel[64 + 64 + 64] ^= 1;  // the second blob's metadata
  EXPECT_TRUE(has_rule(scan(bad_sentinel, "weight.bin"), "MG-COREML-MALFORMED"));
  EXPECT_NE(scan(weights.substr(0, 64 * 4 + 8), "weight.bin").status, Status::safe);  // into the last blob
  EXPECT_NE(scan(weights + std::string(64, '\0'), "weight.bin").status, Status::safe);
}

TEST(Repositories, HfCacheBlobsAreReadUnderTheirSnapshotNames) {
  mgtest::TempDir t;
  auto repo = t / "hub/models--org--tiny";
  mgtest::write_file(repo / "blobs/aaa", "if True:\n    import os\n");
  mgtest::write_file(repo / "blobs/bbb", R"({"architectures": ["M"], "auto_map": {"AutoModel": "modeling_x.M"}})");
  std::filesystem::create_directories(repo / "snapshots/rev1");
  std::filesystem::create_symlink("../../blobs/aaa", repo / "snapshots/rev1/modeling_x.py");
  std::filesystem::create_symlink("../../blobs/aaa", repo / "snapshots/rev1/notes.txt");
  std::filesystem::create_symlink("../../blobs/bbb", repo / "snapshots/rev1/config.json");
  modelgate::ScanOptions opts;
  auto result = modelgate::scan_hf_cache(t / "hub", opts);
  ASSERT_EQ(result.artifacts.size(), 1u);
  const ArtifactReport& snapshot = result.artifacts[0].children.at(0);
  const ArtifactReport* code = child(snapshot, "modeling_x.py");
  ASSERT_NE(code, nullptr) << findings(snapshot);
  EXPECT_TRUE(has_rule(*code, "MG-PY-CODE"));
  EXPECT_TRUE(has_message(*code, "MG-HF-CODE-ROUTE", "auto_map")) << findings(*code);
  EXPECT_EQ(child(snapshot, "notes.txt")->status, Status::safe);
}

// rust_model.ot: a libtorch OutputArchive whose only code declares tensors (the generator proves
// torch.jit.load reads it back); any other TorchScript code stays unverified.
TEST(DataFiles, RustModelOtIsATensorArchive) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  for (const char* repo : {"bert-base-uncased", "roberta-base", "gpt2", "t5-small"}) {
    auto result = scan_dir(f.dir / "repos" / repo / "rust_model.ot");
    const ArtifactReport& r = result.artifacts[0];
    EXPECT_EQ(r.status, Status::safe) << repo << "\n" << findings(r);
    EXPECT_TRUE(has_rule(r, "MG-TORCH-TENSOR-ARCHIVE")) << repo;
    EXPECT_FALSE(has_rule(r, "MG-TORCH-TORCHSCRIPT")) << repo;
  }
  using modelgate::is_tensor_declarations_code;
  const std::string head = "class Module(Module):\n  __parameters__ = [\"a|w\", \"b\", ]\n  __buffers__ = []\n";
  EXPECT_TRUE(is_tensor_declarations_code(head + "  __annotations__ = []\n  __annotations__[\"a|w\"] = Tensor\n  b : Tensor\n"));
  for (const char* tail : {"  def forward(self):\n    return os.system('x')\n", "  training : bool\n",
                           "  b : Tensor = ops.prim.x()\n", "class Other(Module):\n  pass\n", "  __annotations__[\"a\"] = Tensor",
                           "  __setstate__ : Tensor\n", "  __parameters__ = [\"a\\\"\", ]\n", "import os\n"})
    EXPECT_FALSE(is_tensor_declarations_code(head + tail)) << tail;
  EXPECT_FALSE(is_tensor_declarations_code("from typing import List\n" + head));
  // A generic TorchScript program stays unverified: tests/fixtures/make_containers.py torchscript.pt.
  // The lite interpreter (torch.jit.mobile) runs the methods in bytecode.pkl and never reads code/.
  mgtest::TempDir t;
  const auto lite = t / "model.ptl";
  std::filesystem::copy_file(f.dir / "repos/gpt2/rust_model.ot", lite);
  auto added = mgtest::run(mgtest::python() + " -c \"import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'a'); "
                           "p = z.namelist()[0].split('/')[0]; z.writestr(p + '/bytecode.pkl', b'\\x80\\x02).'); z.close()\" " +
                           lite.string());
  ASSERT_EQ(added.exit_code, 0) << added.output;
  auto with_bytecode = scan_dir(lite);
  EXPECT_NE(with_bytecode.artifacts[0].status, Status::safe) << findings(with_bytecode.artifacts[0]);
  EXPECT_FALSE(has_rule(with_bytecode.artifacts[0], "MG-TORCH-TENSOR-ARCHIVE"));
}

// Latent-diffusion configs: `target` keys are imported and called by instantiate_from_config.
TEST(LoaderConfigs, LatentDiffusionTargets) {
  const auto& f = fixtures();
  ASSERT_TRUE(f.ok) << f.log;
  for (const char* file : {"stable-diffusion-v1-5/v1-inference.yaml", "stable-diffusion-xl-base-1.0/sd_xl_base.yaml"}) {
    auto r = scan_dir(f.dir / "repos" / file).artifacts[0];
    EXPECT_EQ(r.status, Status::safe) << file << "\n" << findings(r);
  }
  auto custom = scan_dir(f.dir / "repos" / "sd-single-file-custom-target" / "model.yaml").artifacts[0];
  EXPECT_TRUE(has_message(custom, "MG-LDM-TARGET", "custom_encoders.Loader")) << findings(custom);
  EXPECT_TRUE(has_message(custom, "MG-LDM-TARGET", "model.params.cond_stage_config.target")) << findings(custom);

  const char* flagged[] = {
      "model:\n  target: os.system\n  params:\n    command: id\n",
      "model:\n  \"t\\x61rget\": os.system\n",                       // a key spelled with an escape
      "model: {target: os.system, params: {command: id}}\n",            // flow mapping: outside the subset
      "model:\n  target:\n    os.system\n",                             // the value on the next line
      "base: &b os.system\nmodel:\n  target: *b\n",                     // an alias
      "model:\n  ? target\n  : os.system\n",                             // an explicit key
      "model: {\"t\\x61rget\": os.system}\n",                          // escape outside the subset
      "model:\n  target: !!str os.system\n",                             // a tag
      "model:\n  - target: builtins.exec\n    params: {}\n",
  };
  for (const char* yaml : flagged) {
    auto r = scan(yaml, "config.yaml");
    EXPECT_TRUE(has_rule(r, "MG-LDM-TARGET")) << yaml << findings(r);
    EXPECT_NE(r.status, Status::safe) << yaml;
  }
  // A target the pickle denylist names is graded unsafe.
  auto denied = scan(flagged[0], "config.yaml");
  EXPECT_EQ(denied.status, Status::unsafe) << findings(denied);
  EXPECT_TRUE(has_message(denied, "MG-CONFIG-DANGEROUS-CALLABLE", "os.system")) << findings(denied);
  const char* benign[] = {
      "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n    loss_target: 0.5\n",
      "training:\n  target: 0.5\n  objective: {target: txt}\n",
      "data:\n  target: none\n",
  };
  for (const char* yaml : benign) {
    auto r = scan(yaml, "config.yaml");
    EXPECT_FALSE(has_rule(r, "MG-LDM-TARGET")) << yaml << findings(r);
  }
}

}  // namespace repositories_test
