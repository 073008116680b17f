// Whole repositories as the libraries read them (docs/repositories.md): realistic repositories of
// many model families pass the default policy unless they ship code, and then the finding names
// the file and the route; Python in every disguise CPython imports is analysed as Python; every
// configuration is read under the name its loader uses; SentencePiece and Flax files are parsed.
#include <gtest/gtest.h>

#include <string>

#include "container/tensor_archive_code.h"
#include "format/flax_msgpack.h"
#include "hf/python_source.h"
#include "test_util.h"

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
    if (file != "dunder_import.py") EXPECT_TRUE(evidence) << file << "\n" << findings(r);
    else EXPECT_TRUE(has_rule(r, "MG-PY-IMPORT-HIDING")) << findings(r);
  }
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
  EXPECT_GT(good.facts["pieces"].get<int>(), 10);
  EXPECT_EQ(good.facts["model_type"], "bpe");
  auto cut = scan(spm.substr(0, spm.size() - 3));
  EXPECT_EQ(cut.status, Status::refused) << cut.format;

  std::string flax = mgtest::read_file(f.dir / "repos/t5-small/flax_model.msgpack");
  auto ok = scan(flax);
  EXPECT_EQ(ok.format, "flax-msgpack");
  EXPECT_EQ(ok.status, Status::safe) << findings(ok);
  EXPECT_EQ(ok.facts["arrays"], 2);
  EXPECT_EQ(ok.facts["parameters"], 32);
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
  EXPECT_EQ(builtin.facts["builtin_operator_codes"], 3);
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

TEST(DataFiles, RecognisedButUnreadFormatsAreRefusedWithAReason) {
  auto ir = scan("<?xml version=\"1.0\"?>\n<net name=\"m\" version=\"11\">\n<layers>\n</layers>\n</net>\n");
  EXPECT_EQ(ir.format, "openvino-ir");
  EXPECT_EQ(ir.status, Status::refused);
  EXPECT_TRUE(has_rule(scan("\x08\x04\x12\x00", "model.mlmodel"), "MG-FORMAT-UNSUPPORTED"));
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
    EXPECT_EQ(r.status, Status::unverified) << yaml;
  }
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
