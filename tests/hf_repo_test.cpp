// The Hugging Face repository as a whole: strict JSON configs, template sources, remote code,
// Python sources and model cards, identified by content.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/parsed_facts_json.h"
#include "hf/front_matter.h"
#include "hf/python_lexer.h"
#include "core/strict_json.h"
#include "test_util.h"

namespace hf_repo_test {

namespace {

using modelgate::Status;
using mgtest::has_rule;
using mgtest::scan;

std::string findings(const modelgate::ArtifactReport& r) {
  std::string out;
  for (const auto* f : r.all_findings()) out += "  " + f->rule + " @" + f->origin + ": " + f->message + "\n";
  return out;
}

modelgate::Expected<modelgate::JsonDocument> json(const std::string& text, std::size_t full = 1u << 20) {
  modelgate::JsonReadOptions o;
  o.full_dom_bytes = full;
  o.deep_keys = {"keep"};
  return modelgate::read_strict_json(text, o);
}

TEST(StrictJson, AcceptsValidDocuments) {
  auto d = json(R"({"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00"], "b": {"c": 18446744073709551615}, "n": NaN, "i": -Infinity})");
  ASSERT_TRUE(d.ok()) << d.error().reason;
  EXPECT_EQ(d->value["a"][5].get<std::string>(), "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(d->value["b"]["c"].get<std::uint64_t>(), 18446744073709551615ull);
}

TEST(StrictJson, RefusesAmbiguousOrMalformedInput) {
  const char* bad[] = {
      R"({"a": 1, "a": 2})",        // duplicate key
      R"({"a": {"b": 1, "b": 1}})",  // nested duplicate
      R"({"a": 1,})",               // trailing comma
      R"({"a": "\ud800"})",         // lone surrogate
      "{\"a\": \"\xff\"}",          // invalid UTF-8
      "{\"a\": \"\xc0\xaf\"}",      // overlong encoding
      R"({"a": 1} x)",              // trailing data
      R"({"a": 01})",               // leading zero
      R"({"a": 'x'})",              // single quotes
      "{\"a\": \"line\nbreak\"}",   // raw control character
      R"({"a": 1 /* c */})",        // comment
      R"({"a": "\x"})",             // bad escape
      "{\"a\": [1, 2}",             // mismatched bracket
      "",                           // empty
  };
  for (const char* b : bad) EXPECT_FALSE(json(b).ok()) << b;
  std::string deep(200, '[');
  deep += std::string(200, ']');
  auto d = json(deep);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().reason.find("deeper"), std::string::npos);
}

TEST(StrictJson, ErrorRulesOffsetsAndOptions) {
  using modelgate::RuleId;
  modelgate::JsonReadOptions o;
  auto dup = modelgate::read_strict_json(R"({"a": 1, "a": 2})", o);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().rule, RuleId());
  EXPECT_NE(dup.error().reason.find("duplicate key"), std::string::npos);
  EXPECT_EQ(dup.error().offset, 9u);
  o.duplicate_key_rule = "MG-SAFETENSORS-DUPLICATE-KEY";
  EXPECT_EQ(modelgate::read_strict_json(R"({"a": 1, "a": 2})", o).error().rule, RuleId("MG-SAFETENSORS-DUPLICATE-KEY"));
  o.max_depth = 2;
  auto deep = modelgate::read_strict_json("[[[1]]]", o);
  EXPECT_EQ(deep.error().rule, RuleId());
  EXPECT_NE(deep.error().reason.find("deeper"), std::string::npos);
  o.max_depth = 128;
  o.max_values = 3;
  EXPECT_EQ(modelgate::read_strict_json("[1, 2, 3]", o).error().rule, RuleId("MG-LIMIT-EXCEEDED"));
  EXPECT_TRUE(modelgate::read_strict_json("[1, 2]", o).ok());
  o.max_values = UINT64_MAX;
  o.python_constants = false;  // serde_json (safetensors) rejects Python's non-finite literals
  auto nan = modelgate::read_strict_json(R"({"a": NaN})", o);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().rule, RuleId());
  auto keys = modelgate::read_strict_json(R"( {"b": {"x": 1}, "a": 2} )", o);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->top_level_keys.size(), 2u);
  EXPECT_EQ(keys->top_level_keys[0].key, "b");
  EXPECT_EQ(keys->top_level_keys[0].offset, 2u);
  EXPECT_EQ(keys->top_level_keys[1].key, "a");
  EXPECT_EQ(keys->top_level_keys[1].offset, 17u);
}

TEST(StrictJson, ShallowModeStillValidatesEverything) {
  auto d = json(R"({"big": {"x": 1, "y": [1, 2]}, "keep": {"z": [3]}, "s": "v"})", 0);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->shallow);
  EXPECT_TRUE(d->value["big"].empty());
  EXPECT_EQ(d->value["keep"]["z"][0], 3);
  EXPECT_EQ(d->value["s"], "v");
  EXPECT_FALSE(json(R"({"big": {"x": 1, "x": 2}})", 0).ok());
  EXPECT_FALSE(json(R"({"big": {"x": "\ud800"}})", 0).ok());
}

// A member visitor gets each top-level member once, in text order, with its key's offset; the
// document keeps none of them, and the reader's errors (a duplicate key, a syntax error after the
// visited members, the value bound over all members) are the same as in a whole read.
// A large file's small top-level containers are read whole, however much whitespace pads them;
// large ones stay empty.
TEST(StrictJson, ShallowReadsKeepSmallContainers) {
  modelgate::JsonReadOptions o;
  o.full_dom_bytes = 64;
  o.small_container_values = 4;
  std::string big = "[";
  for (int i = 0; i < 100; ++i) big += (i ? "," : "") + std::to_string(i);
  big += "]";
  auto d = modelgate::read_strict_json(R"({"unet": ["evil_lib",)" + std::string(5000, ' ') + R"("UNet"], "vocab": )" + big + "}", o);
  ASSERT_TRUE(d.ok()) << d.error().reason;
  EXPECT_TRUE(d->shallow);
  EXPECT_EQ(d->value["unet"][0].get<std::string>(), "evil_lib");
  EXPECT_TRUE(d->value["vocab"].empty());
}

TEST(StrictJson, MemberVisitorSeesEachTopLevelMemberOnce) {
  std::vector<std::pair<std::string, std::uint64_t>> seen;
  std::vector<nlohmann::json> values;
  modelgate::JsonReadOptions o;
  o.member_visitor = [&](const std::string& key, std::uint64_t at, nlohmann::json&& v) {
    seen.emplace_back(key, at);
    values.push_back(std::move(v));
  };
  const std::string text = R"({"b": {"x": [1, 2]}, "a\u0062": 3, "s": "v"})";
  auto d = modelgate::read_strict_json(text, o);
  ASSERT_TRUE(d.ok()) << d.error().reason;
  EXPECT_EQ(d->value, nlohmann::json::object());
  EXPECT_TRUE(d->top_level_keys.empty());
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::uint64_t>>{{"b", 1}, {"ab", 21}, {"s", 35}}));
  EXPECT_EQ(values[0], nlohmann::json::parse(R"({"x": [1, 2]})"));
  EXPECT_EQ(values[1], 3);

  modelgate::JsonReadOptions whole;
  for (const std::string bad : {R"({"a": 1, "b": {}, "a": 2})", R"({"a": 1, "b": {"c": 1, "c": 2}})",
                                R"({"a": 1, "b": 2,})", R"({"a": [1, 2, 3], "b": [4]})"}) {
    o.max_values = whole.max_values = 5;
    auto visited = modelgate::read_strict_json(bad, o);
    auto read = modelgate::read_strict_json(bad, whole);
    ASSERT_EQ(visited.ok(), read.ok()) << bad;
    if (read.ok()) continue;
    EXPECT_EQ(visited.error().rule, read.error().rule) << bad;
    EXPECT_EQ(visited.error().offset, read.error().offset) << bad;
    EXPECT_EQ(visited.error().reason, read.error().reason) << bad;
  }
}

TEST(HfJson, ClassifiedByKeysNotNames) {
  struct Case {
    std::string text, format;
  } cases[] = {
      {R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096})", "hf-model-config"},
      {R"({"_from_model_config": true, "bos_token_id": 1, "eos_token_id": 2})", "hf-generation-config"},
      {R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}})", "hf-special-tokens-map"},
      {R"({"tokenizer_class": "LlamaTokenizer", "model_max_length": 4096})", "hf-tokenizer-config"},
      {R"({"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0}}, "added_tokens": []})", "hf-tokenizer"},
      {R"({"chat_template": "{{ messages }}"})", "hf-chat-template-json"},
      {R"({"processor_class": "LlavaProcessor"})", "hf-processor-config"},
      {R"({"image_processor_type": "CLIPImageProcessor", "image_mean": [0.5]})", "hf-processor-config"},
      {R"({"metadata": {"total_size": 10}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors"}})", "weight-index"},
      {R"({"anything": 1})", "json"},
      {R"([1, 2, 3])", "json"},
  };
  for (const auto& c : cases) {
    auto r = scan(c.text, "whatever.bin");
    EXPECT_EQ(r.format, c.format) << c.text;
    EXPECT_EQ(r.status, Status::safe) << c.text << findings(r);
  }
  auto dup = scan(R"({"model_type": "llama", "model_type": "gpt2"})", "config.json");
  EXPECT_EQ(dup.status, Status::refused);
  EXPECT_TRUE(has_rule(dup, "MG-JSON-MALFORMED"));
}

TEST(HfJson, TokenizerConfigTemplatesAreAnalysed) {
  auto safe = scan(R"({"tokenizer_class": "X", "chat_template": "{% for m in messages %}{{ m['content'] }}{% endfor %}"})");
  EXPECT_EQ(safe.status, Status::safe) << findings(safe);
  ASSERT_EQ(safe.children.size(), 1u);
  EXPECT_EQ(safe.children[0].format, "chat-template");
  EXPECT_EQ(safe.children[0].origin, "mem!/chat_template");
  EXPECT_TRUE(safe.parsed.chat_templates.count("default"));

  auto list = scan(R"({"tokenizer_class": "X", "chat_template": [
      {"name": "default", "template": "{{ messages[0].content }}"},
      {"name": "tool_use", "template": "{{ lipsum.__globals__['os'].popen('id').read() }}"}]})");
  EXPECT_EQ(list.status, Status::unsafe);
  ASSERT_EQ(list.children.size(), 2u);
  EXPECT_EQ(list.children[1].origin, "mem!/chat_template/tool_use");
  EXPECT_EQ(list.children[0].status, Status::safe);
  EXPECT_TRUE(has_rule(list, "MG-TEMPLATE-DUNDER"));

  auto escaped = scan(R"({"chat_template": "{{ x|attr('\\x5f\\x5fclass\\x5f\\x5f') }}"})");
  EXPECT_EQ(escaped.status, Status::unsafe) << findings(escaped);

  auto broken = scan(R"({"chat_template": "{% if x %}"})");
  EXPECT_EQ(broken.status, Status::refused);
  EXPECT_TRUE(has_rule(broken, "MG-TEMPLATE-SYNTAX"));

  auto odd = scan(R"({"chat_template": 5})");
  EXPECT_EQ(odd.status, Status::refused);
  EXPECT_TRUE(has_rule(odd, "MG-HF-CHAT-TEMPLATE-MALFORMED"));

  auto processor = scan(R"({"processor_class": "P", "chat_template": "{{ cycler.__init__ }}"})");
  EXPECT_EQ(processor.status, Status::unsafe);
}

TEST(HfJson, AutoMapIsRemoteCode) {
  auto r = scan(R"({"model_type": "custom", "auto_map": {
      "AutoConfig": "configuration_custom.CustomConfig",
      "AutoModelForCausalLM": "modeling_custom.CustomForCausalLM",
      "AutoTokenizer": ["tokenization_custom.CustomTokenizer", null]}})", "config.json");
  EXPECT_EQ(r.status, Status::unverified) << findings(r);
  EXPECT_TRUE(has_rule(r, "MG-HF-REMOTE-CODE"));
  ASSERT_TRUE(r.parsed.remote_code);
  const auto& files = r.parsed.remote_code->files;
  EXPECT_EQ(files.size(), 3u);
  EXPECT_NE(std::find(files.begin(), files.end(), "modeling_custom.py"), files.end());

  auto ext = scan(R"({"auto_map": {"AutoModel": "someone/other-repo--modeling_x.Model"}})", "config.json");
  EXPECT_TRUE(has_rule(ext, "MG-HF-REMOTE-CODE-EXTERNAL"));
  ASSERT_TRUE(ext.parsed.remote_code && !ext.parsed.remote_code->repositories.empty());
  EXPECT_EQ(ext.parsed.remote_code->repositories[0], "someone/other-repo");

  auto pipe = scan(R"({"model_type": "x", "custom_pipelines": {"text-classification": {"impl": "pipe.MyPipeline", "pt": ["AutoModel"]}}})");
  EXPECT_TRUE(has_rule(pipe, "MG-HF-REMOTE-CODE"));
  ASSERT_TRUE(pipe.parsed.remote_code && !pipe.parsed.remote_code->files.empty());
  EXPECT_EQ(pipe.parsed.remote_code->files[0], "pipe.py");
}

const char* kBenignModeling = R"(# coding=utf-8
"""A custom model. Docstrings may mention os.system('rm -rf /') or eval(x) without effect."""
import math
from typing import Optional

import torch
from torch import nn

from .configuration_custom import CustomConfig


class CustomForCausalLM(nn.Module):
    config_class = CustomConfig

    def __init__(self, config):
        super().__init__()
        self.proj = nn.Linear(config.hidden_size, config.vocab_size)  # not subprocess.run
        self.pattern = re.compile(r"\d+")
        self.note = 'exec("x")' + f"{config.hidden_size / math.sqrt(2)}"

    def forward(self, x: Optional[torch.Tensor] = None):
        with open(self.path, "r") as fh:
            fh.read()
        return self.proj(x)
)";

TEST(HfPython, BenignModelingCodeIsUnverifiedOnly) {
  auto r = scan(kBenignModeling, "modeling_custom.py");
  EXPECT_EQ(r.format, "python");
  EXPECT_EQ(r.status, Status::unverified) << findings(r);
  ASSERT_EQ(r.findings.size(), 1u) << findings(r);
  EXPECT_EQ(r.findings[0].rule, "MG-PY-CODE");
}

TEST(HfPython, DangerousCallsAreNamedWithLines) {
  struct Case {
    std::string code, rule, needle;
  } cases[] = {
      {"import os\nos.system('touch /tmp/x')\n", "MG-PY-PROCESS", "line 2"},
      {"import subprocess as sp\n\nsp.run(['true'])\n", "MG-PY-PROCESS", "subprocess"},
      {"from subprocess import Popen as P\nP(['x'])\n", "MG-PY-PROCESS", "subprocess.Popen"},
      {"import pty\npty.spawn('/bin/sh')\n", "MG-PY-PROCESS", "pty"},
      {"import os\nx = f\"{os.popen('id').read()}\"\n", "MG-PY-PROCESS", "line 2"},
      {"def f(p):\n    with open(p, 'w') as fh:\n        fh.write('x')\n", "MG-PY-FILE-WRITE", "line 2"},
      {"def f(p):\n    open(p, mode='ab')\n", "MG-PY-FILE-WRITE", "line 2"},
      {"import shutil\nshutil.rmtree('/tmp/x')\n", "MG-PY-FILE-WRITE", "shutil.rmtree"},
      {"from pathlib import Path\nPath('x').write_text('y')\n", "MG-PY-FILE-WRITE", "write_text"},
      {"import socket\n", "MG-PY-NETWORK", "socket"},
      {"import urllib.request\nurllib.request.urlopen('http://x')\n", "MG-PY-NETWORK", "urllib"},
      {"import requests\nrequests.post('http://x', data=1)\n", "MG-PY-NETWORK", "requests"},
      {"def f(s):\n    return eval(s)\n", "MG-PY-EVAL", "eval"},
      {"def f(s):\n    exec(compile(s, 'x', 'exec'))\n", "MG-PY-EVAL", "exec"},
      {"import builtins\nbuiltins.exec('1')\n", "MG-PY-EVAL", "builtins.exec"},
      {"def f():\n    return __import__('o' + 's')\n", "MG-PY-IMPORT-HIDING", "__import__"},
      {"import importlib\nm = importlib.import_module('os')\n", "MG-PY-IMPORT-HIDING", "importlib"},
      {"import pickle\npickle.loads(b'')\n", "MG-PY-DESERIALIZE", "pickle.loads"},
      {"import marshal\nmarshal.loads(b'')\n", "MG-PY-DESERIALIZE", "marshal"},
      {"import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n", "MG-PY-ENCODED-PAYLOAD", "base64.b64decode"},
      {"import ctypes\nctypes.CDLL(None)\n", "MG-PY-NATIVE", "ctypes"},
      {"import os as o\ngetattr(o, 'system')('id')\n", "MG-PY-PROCESS", "os.system"},
  };
  for (const auto& c : cases) {
    auto r = scan(c.code, "x.py");
    EXPECT_EQ(r.format, "python") << c.code;
    EXPECT_EQ(r.status, Status::unsafe) << c.code << findings(r);
    bool found = false;
    for (const auto& f : r.findings)
      if (f.rule == c.rule && (f.message + f.evidence).find(c.needle) != std::string::npos) found = true;
    EXPECT_TRUE(found) << c.code << "\n" << findings(r);
  }
}

TEST(HfPython, StringsAndCommentsAreNotCode) {
  auto r = scan("import json\n# os.system('x')\ns = 'subprocess.run(1)'\nt = '''\nexec(1)\n'''\nu = r\"eval(\\\"x\\\")\"\n", "x.py");
  EXPECT_EQ(r.status, Status::unverified) << findings(r);
  auto broken = scan("import os\nx = 'unterminated\n", "x.py");
  // An unterminated string is not Python by content; it must not be reported as clean Python.
  EXPECT_NE(broken.format, "python");
}

TEST(HfPython, LexerHandlesPrefixesAndNesting) {
  auto r = modelgate::python::lex("x = rb'\\\\' + Rb\"a\" + f'{a[\"k\"]!r:>{w}}' + F\"\"\"{b}\"\"\"\n", 1000);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  int names = 0;
  for (const auto& t : r->tokens)
    if (t.kind == modelgate::python::TokKind::name) ++names;
  EXPECT_EQ(names, 5);  // x, a, r (the conversion), w, b
}

TEST(HfModelCard, FrontMatterIsKeptForTheBom) {
  const char* card = R"(---
license: apache-2.0
base_model:
- meta-llama/Llama-3.1-8B
datasets: [HuggingFaceH4/ultrachat_200k, "openbmb/UltraFeedback"]
pipeline_tag: text-generation
tags:
  - trl
  - 'sft'   # comment
language:
- en
model-index:
- name: my-model
  results:
  - task:
      type: text-generation
    metrics:
    - type: acc
      value: 0.5
description: |
  Multi-line
  # not a comment
---
# My model

Don't use it for evil. `import torch` and {{ braces }} in prose are fine.
)";
  auto r = scan(card, "README.md");
  EXPECT_EQ(r.format, "model-card");
  EXPECT_EQ(r.status, Status::safe) << findings(r);
  const auto facts = modelgate::facts_json(r);
  const auto& mc = facts["model_card"];
  EXPECT_EQ(mc["license"], "apache-2.0");
  EXPECT_EQ(mc["base_model"][0], "meta-llama/Llama-3.1-8B");
  EXPECT_EQ(mc["datasets"][1], "openbmb/UltraFeedback");
  EXPECT_EQ(mc["pipeline_tag"], "text-generation");
  EXPECT_EQ(mc["tags"][1], "sft");

  auto bad = scan("---\nlicense: [unclosed\n---\ntext\n", "README.md");
  EXPECT_EQ(bad.status, Status::safe);
  EXPECT_TRUE(has_rule(bad, "MG-CARD-FRONT-MATTER-MALFORMED"));
  auto unclosed = scan("---\nlicense: mit\n", "README.md");
  EXPECT_TRUE(has_rule(unclosed, "MG-CARD-FRONT-MATTER-MALFORMED"));
  auto dup = modelgate::parse_front_matter("---\na: 1\na: 2\n---\n", modelgate::Limits{});
  EXPECT_FALSE(dup.ok());
}

TEST(HfIdentify, TextKindsByContent) {
  EXPECT_EQ(scan("{% for m in messages %}{{ m.content }}{% endfor %}", "chat_template.jinja").format, "chat-template");
  EXPECT_EQ(scan("Plain notes, no tags.\n", "notes.txt").format, "text");
  // Prose with code-looking lines but apostrophes does not tokenize as Python.
  EXPECT_EQ(scan("# Usage\n\nimport torch\n\nDon't forget.\n", "USAGE.md").format, "text");
  EXPECT_EQ(scan("#!/usr/bin/env python3\nprint('hi')\n", "run").format, "python");
  EXPECT_EQ(scan("[section]\nkey = value\n", "setup.cfg").format, "text");
}

TEST(HfRepository, DirectoryScanGivesEveryFileAVerdict) {
  mgtest::TempDir dir;
  mgtest::write_file(dir / "config.json", R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama"})");
  mgtest::write_file(dir / "generation_config.json", R"({"bos_token_id": 1, "eos_token_id": 2, "do_sample": true})");
  mgtest::write_file(dir / "tokenizer_config.json",
                     R"({"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}"})");
  mgtest::write_file(dir / "special_tokens_map.json", R"({"bos_token": "<s>", "eos_token": "</s>"})");
  mgtest::write_file(dir / "tokenizer.json", R"({"version": "1.0", "model": {"type": "BPE", "vocab": {}, "merges": []}, "added_tokens": []})");
  mgtest::write_file(dir / "chat_template.jinja", "{{ bos_token }}{% for m in messages %}{{ m.content|trim }}{% endfor %}");
  mgtest::write_file(dir / "README.md", "---\nlicense: mit\n---\n# Model\n");
  modelgate::ScanOptions opts;
  opts.threads = 1;
  auto result = modelgate::scan_paths({dir.path()}, opts);
  ASSERT_EQ(result.artifacts.size(), 1u);
  const auto& repo = result.artifacts[0];
  EXPECT_EQ(repo.status, Status::safe) << findings(repo);
  EXPECT_EQ(repo.children.size(), 7u);
  EXPECT_TRUE(result.decision.allow);

  mgtest::write_file(dir / "config.json",
                     R"({"model_type": "x", "auto_map": {"AutoModel": "modeling_x.XModel"}})");
  mgtest::write_file(dir / "modeling_x.py", "import torch\nimport os\n\nclass XModel(torch.nn.Module):\n    def f(self):\n        os.system('true')\n");
  result = modelgate::scan_paths({dir.path()}, opts);
  EXPECT_EQ(result.artifacts[0].status, Status::unsafe);
  EXPECT_FALSE(result.decision.allow);
  EXPECT_TRUE(has_rule(result.artifacts[0], "MG-HF-REMOTE-CODE"));
  EXPECT_TRUE(has_rule(result.artifacts[0], "MG-PY-PROCESS"));
}

}  // namespace

namespace {

TEST(HfJson, LargeTokenizerIsValidatedShallow) {
  std::string vocab;
  for (int i = 0; i < 150000; ++i) vocab += (i ? ",\"tok" : "\"tok") + std::to_string(i) + "\":" + std::to_string(i);
  std::string doc = R"({"version": "1.0", "added_tokens": [], "model": {"type": "BPE", "vocab": {)" + vocab + "}}}";
  ASSERT_GT(doc.size(), 1u << 20);
  auto r = scan(doc, "tokenizer.json");
  EXPECT_EQ(r.format, "hf-tokenizer");
  EXPECT_EQ(r.status, Status::safe) << findings(r);
  std::string dup = R"({"version": "1.0", "added_tokens": [], "model": {"type": "BPE", "vocab": {)" + vocab + ",\"tok7\":1}}}";
  auto bad = scan(dup, "tokenizer.json");
  EXPECT_EQ(bad.status, Status::refused);
  EXPECT_TRUE(has_rule(bad, "MG-JSON-MALFORMED"));
}

}  // namespace

}  // namespace hf_repo_test
