// `modelgate bom`, `scan --format cyclonedx` and `convert --bom`: every BOM written here is
// validated by ajv (against the vendored CycloneDX schemas) and by the CycloneDX library's strict
// validator; hashes are checked with sha256sum, components against an independent walk and bsdtar's
// member lists, references for resolution, and the model cards against the generated facts.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "bom/finding_cwe.h"
#include "bom/spdx_expression.h"
#include "bom/spdx_license.h"
#include "modelgate/rules.h"
#include "modelgate/version.h"
#include "sign_test_util.h"
#include "test_util.h"

namespace bom_test {

namespace {

using namespace mgtest;
using nlohmann::json;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

constexpr const char* kEpoch = "1700000000";  // 2023-11-14T22:13:20Z

// Every command of the suite runs once, in a copy of the fixture directory (origins are relative
// paths; the signed model is added to it).
struct BomRuns {
  const GeneratedFixtures& fx = generated_fixtures("make_bom_fixtures.py");
  TempDir work;
  fs::path dir = work / "fixtures";
  TempDir out;
  std::map<std::string, CommandResult> runs;
  std::vector<fs::path> boms;  // every BOM written

  CommandResult in_dir(const std::string& args) const {
    return run("cd " + q(dir) + " && SOURCE_DATE_EPOCH=" + kEpoch + " " + modelgate_binary() + " " + args);
  }
  void bom(const std::string& name, const std::string& args) {
    fs::path file = out / (name + ".json");
    runs[name] = in_dir(args + " -o " + q(file));
    boms.push_back(file);
  }

  BomRuns() {
    if (!fx.ok) return;
    fs::copy(fx.dir.path(), dir, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    bom("hf", "bom hf");
    bom("hf-again", "bom hf");
    runs["scan"] = in_dir("scan --format cyclonedx hf -o " + q(out / "scan.json"));
    boms.push_back(out / "scan.json");
    bom("all-1.7", "bom --spec 1.7 hf model.gguf card-other card-dual onnx keras.h5");
    bom("gguf", "bom model.gguf");
    bom("sha512", "bom --sha512 hf/pytorch_model.bin");
    bom("cache", "bom --hf-cache hfcache");
    runs["lineage"] = in_dir("convert ckpt.pt " + q(out / "converted.safetensors") + " --bom " + q(out / "lineage.json"));
    boms.push_back(out / "lineage.json");
    // A signed model: model.sig is found and referenced; verified with the right key, not with another.
    fs::create_directories(dir / "signed");
    write_file(dir / "signed/config.json", "{\"model_type\": \"bert\"}\n");
    write_file(dir / "signed/weights.bin", std::string(1000, 'w'));
    auto key = generate_ec_key("P-256");
    auto other = generate_ec_key("P-256");
    write_file(out / "key.pem", private_key_pem(key.get()));
    write_file(out / "key.pub", public_key_pem_of(key.get()));
    write_file(out / "other.pub", public_key_pem_of(other.get()));
    runs["sign"] = in_dir("sign key --private-key " + q(out / "key.pem") + " --signature signed/model.sig signed </dev/null");
    bom("signed", "bom signed");
    bom("signed-verified", "bom signed --public-key " + q(out / "key.pub"));
    bom("signed-other-key", "bom signed --public-key " + q(out / "other.pub"));
  }
};

const BomRuns& runs() {
  static BomRuns r;
  return r;
}

json load(const std::string& name) { return json::parse(read_file(runs().out / (name + ".json"))); }

// Every component of a BOM (nested ones too), depth first.
void flatten(const json& components, std::vector<const json*>& out) {
  for (const auto& c : components) {
    out.push_back(&c);
    if (c.contains("components")) flatten(c["components"], out);
  }
}
std::vector<const json*> all_components(const json& bom) {
  std::vector<const json*> out;
  flatten(bom["components"], out);
  return out;
}

std::string prop(const json& item, const std::string& name) {
  for (const auto& p : item.value("properties", json::array()))
    if (p["name"] == name) return p["value"];
  return {};
}
std::vector<std::string> props(const json& item, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& p : item.value("properties", json::array()))
    if (p["name"] == name) out.push_back(p["value"]);
  return out;
}

const json* by_origin(const json& bom, const std::string& origin) {
  for (const json* c : all_components(bom))
    if (prop(*c, "modelgate:origin") == origin) return c;
  return nullptr;
}

std::string sha256sum(const std::string& shell_input) {
  auto r = run(shell_input + " | sha256sum");
  return r.output.substr(0, 64);
}

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.back() != '/') out.insert(line);
  return out;
}

std::set<std::string> child_names(const json& c) {
  std::set<std::string> out;
  for (const auto& n : c.value("components", json::array())) out.insert(n["name"].get<std::string>());
  return out;
}

void CommandsSucceedWhateverTheVerdicts() {
  for (const auto& [name, r] : runs().runs) {
    int expected = name == "scan" ? 1 : 0;  // scan exits by the policy (evil.pkl is unsafe); bom does not
    EXPECT_EQ(r.exit_code, expected) << name << ": " << r.output;
  }
  EXPECT_EQ(runs().in_dir("bom no-such-path").exit_code, 2);
  EXPECT_EQ(runs().in_dir("bom --spec 1.5 hf").exit_code, 2);
  EXPECT_EQ(runs().in_dir("bom hf --public-key /dev/null").exit_code, 2);  // material but no signature
}

void EveryBomValidatesWithAjvAndTheCycloneDxLibrary() {
  fs::path tools = source_dir() / "tools/node_modules";
  ASSERT_TRUE(fs::exists(tools / ".bin/ajv") && fs::exists(tools / "@cyclonedx/cyclonedx-library"))
      << "run scripts/setup to install the CycloneDX validators";
  std::map<std::string, std::string> files_by_spec;
  std::string all;
  for (const auto& f : runs().boms) {
    ASSERT_TRUE(fs::exists(f)) << f;
    files_by_spec[json::parse(read_file(f))["specVersion"]] += " -d " + q(f);
    all += " " + q(f);
  }
  ASSERT_EQ(files_by_spec.size(), 2u);  // 1.6 and 1.7 both written
  fs::path schemas = source_dir() / "data/cyclonedx";
  for (const auto& [spec, files] : files_by_spec) {
    auto v = run("cd " + q(source_dir() / "tools") + " && node_modules/.bin/ajv validate --spec=draft7 --strict=false "
                 "--all-errors -c ajv-formats -c ajv-formats-draft2019 -s " + q(schemas / ("bom-" + spec + ".schema.json")) +
                 " -r " + q(schemas / "spdx.schema.json") + " -r " + q(schemas / "jsf-0.82.schema.json") + " -r " +
                 q(schemas / "cryptography-defs.schema.json") + files);
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_EQ(v.output.find("invalid"), std::string::npos) << v.output;
  }
  auto lib = run("node " + q(source_dir() / "tests/validate_cyclonedx.js") + " " + q(tools) + all);
  EXPECT_EQ(lib.exit_code, 0) << lib.output;
}

void EveryFileAndMemberOnceWithHashesThatSha256sumConfirms() {
  const fs::path& dir = runs().dir;
  json bom = load("hf");
  ASSERT_EQ(bom["components"].size(), 1u);
  const json& root = bom["components"][0];
  // The directory's children are exactly the files an independent walk finds.
  std::set<std::string> walked;
  for (const auto& e : fs::recursive_directory_iterator(dir / "hf"))
    if (e.is_regular_file()) walked.insert(fs::relative(e.path(), dir / "hf").string());
  EXPECT_EQ(child_names(root), walked);
  std::size_t expected = 1 + walked.size();
  for (const auto& rel : walked) {
    const json* c = by_origin(bom, "hf/" + rel);
    ASSERT_NE(c, nullptr) << rel;
    EXPECT_EQ((*c)["hashes"][0]["content"], sha256sum("cat " + q(dir / "hf" / rel))) << rel;
    EXPECT_EQ(prop(*c, "modelgate:size"), std::to_string(fs::file_size(dir / "hf" / rel))) << rel;
    EXPECT_FALSE(prop(*c, "modelgate:status").empty());
    EXPECT_FALSE(prop(*c, "modelgate:format").empty());
  }
  // Archive members, nested in their container, as bsdtar lists them; a zip inside the tar too.
  auto tar_members = lines(run("bsdtar -tf " + q(dir / "hf/extras.tar.gz")).output);
  const json* tar = by_origin(bom, "hf/extras.tar.gz");
  ASSERT_NE(tar, nullptr);
  EXPECT_EQ(child_names(*tar), tar_members);
  expected += tar_members.size();
  run("bsdtar -xOf " + q(dir / "hf/extras.tar.gz") + " bundle.zip > " + q(runs().out / "bundle.zip"));
  auto zip_members = lines(run("bsdtar -tf " + q(runs().out / "bundle.zip")).output);
  const json* zip = by_origin(bom, "hf/extras.tar.gz!/bundle.zip");
  ASSERT_NE(zip, nullptr);
  EXPECT_EQ(child_names(*zip), zip_members);
  expected += zip_members.size();
  EXPECT_EQ((*zip)["hashes"][0]["content"], sha256sum("cat " + q(runs().out / "bundle.zip")));
  const json* one = by_origin(bom, "hf/extras.tar.gz!/bundle.zip!/inner/one.txt");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ((*one)["hashes"][0]["content"], sha256sum("printf 'one\\n'"));
  auto torch_members = lines(run("bsdtar -tf " + q(dir / "hf/pytorch_model.bin")).output);
  const json* torch_zip = by_origin(bom, "hf/pytorch_model.bin");
  ASSERT_NE(torch_zip, nullptr);
  EXPECT_EQ(child_names(*torch_zip), torch_members);
  expected += torch_members.size();
  for (const auto& m : torch_members) {
    const json* c = by_origin(bom, "hf/pytorch_model.bin!/" + m);
    ASSERT_NE(c, nullptr) << m;
    EXPECT_EQ((*c)["hashes"][0]["content"], sha256sum("bsdtar -xOf " + q(dir / "hf/pytorch_model.bin") + " " + q(m))) << m;
  }
  // Nothing else: each origin once, and no component that is not a file or a member.
  auto all = all_components(bom);
  EXPECT_EQ(all.size(), expected);
  std::set<std::string> origins;
  for (const json* c : all) EXPECT_TRUE(origins.insert(prop(*c, "modelgate:origin")).second) << prop(*c, "modelgate:origin");
}

void Sha512OnRequestForEveryFileAndMember() {
  const fs::path ckpt = runs().dir / "hf/pytorch_model.bin";
  json bom = load("sha512");
  auto all = all_components(bom);
  ASSERT_GT(all.size(), 1u);
  for (const json* c : all) {
    std::string origin = prop(*c, "modelgate:origin");
    auto at = origin.find("!/");
    std::string content = at == std::string::npos ? "cat " + q(ckpt) : "bsdtar -xOf " + q(ckpt) + " " + q(origin.substr(at + 2));
    ASSERT_EQ((*c)["hashes"].size(), 2u) << origin;
    EXPECT_EQ((*c)["hashes"][0]["alg"], "SHA-256");
    EXPECT_EQ((*c)["hashes"][1]["alg"], "SHA-512");
    EXPECT_EQ((*c)["hashes"][1]["content"], run(content + " | sha512sum").output.substr(0, 128)) << origin;
  }
}

void EveryReferenceResolvesAndContainersDependOnTheirMembers() {
  for (const auto& f : runs().boms) {
    json bom = json::parse(read_file(f));
    std::set<std::string> refs;
    for (const json* c : all_components(bom)) EXPECT_TRUE(refs.insert((*c)["bom-ref"].get<std::string>()).second) << f;
    std::set<std::string> with_dependency;
    for (const auto& d : bom["dependencies"]) {
      EXPECT_TRUE(refs.count(d["ref"])) << f << ": " << d["ref"];
      with_dependency.insert(d["ref"].get<std::string>());
      for (const auto& on : d.value("dependsOn", json::array())) EXPECT_TRUE(refs.count(on)) << f << ": " << on;
    }
    EXPECT_EQ(with_dependency, refs) << f;
    for (const auto& v : bom.value("vulnerabilities", json::array())) {
      for (const auto& a : v["affects"]) EXPECT_TRUE(refs.count(a["ref"])) << f << ": " << a["ref"];
    }
    for (const json* c : all_components(bom)) {
      std::set<std::string> members, depends;
      for (const auto& n : c->value("components", json::array())) members.insert(n["bom-ref"].get<std::string>());
      for (const auto& d : bom["dependencies"])
        if (d["ref"] == (*c)["bom-ref"])
          for (const auto& on : d.value("dependsOn", json::array())) depends.insert(on.get<std::string>());
      EXPECT_EQ(members, depends) << f << ": " << (*c)["bom-ref"];
    }
  }
}

void ByteIdenticalForTheSameInputWithSourceDateEpoch() {
  std::string first = read_file(runs().out / "hf.json");
  EXPECT_EQ(first, read_file(runs().out / "hf-again.json"));
  EXPECT_EQ(first, read_file(runs().out / "scan.json"));  // scan --format cyclonedx writes the same document
  json bom = json::parse(first);
  EXPECT_EQ(bom["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(bom["specVersion"], "1.6");
  EXPECT_NE(bom["serialNumber"], load("gguf")["serialNumber"]);  // derived from the content
  const json& tool = bom["metadata"]["tools"]["components"][0];
  EXPECT_EQ(tool["name"], "modelgate");
  EXPECT_EQ(tool["version"], modelgate::kVersion);
  EXPECT_EQ(prop(tool, "modelgate:rule-set.sha256").size(), 64u);
  EXPECT_EQ(prop(tool, "modelgate:policy.sha256").size(), 64u);
  EXPECT_EQ(load("all-1.7")["specVersion"], "1.7");
}

void TypeComesFromTheParsedFormat() {
  json bom = load("hf");
  auto type = [&](const std::string& origin) {
    const json* c = by_origin(bom, origin);
    return c == nullptr ? std::string("(missing)") : (*c)["type"].get<std::string>();
  };
  EXPECT_EQ(type("hf"), "machine-learning-model");
  EXPECT_EQ(type("hf/model-00001-of-00002.safetensors"), "machine-learning-model");
  EXPECT_EQ(type("hf/evil.pkl"), "machine-learning-model");
  // A .bin that is a zip with a pickle inside: a container whose pickle is the model.
  EXPECT_EQ(type("hf/pytorch_model.bin"), "container");
  EXPECT_EQ(type("hf/pytorch_model.bin!/pytorch_model/data.pkl"), "machine-learning-model");
  EXPECT_EQ(type("hf/extras.tar.gz"), "container");
  EXPECT_EQ(type("hf/extras.tar.gz!/bundle.zip"), "container");
  EXPECT_EQ(type("hf/odd name.txt"), "file");
  EXPECT_EQ(type("hf/README.md"), "file");
  for (const char* config : {"hf/config.json", "hf/tokenizer_config.json", "hf/model.safetensors.index.json"}) {
    EXPECT_EQ(type(config), "data") << config;
    const json* c = by_origin(bom, config);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ((*c)["data"][0]["type"], "configuration");
  }
  // The chat template inside tokenizer_config.json is a value of that file, not a component.
  EXPECT_EQ(by_origin(bom, "hf/tokenizer_config.json!/chat_template"), nullptr);
}

void ModelCardsHoldOnlyParsedFacts() {
  const json& m = runs().fx.manifest;
  json bom = load("all-1.7");
  for (const json* c : all_components(bom)) {
    if (c->contains("modelCard")) {
      EXPECT_FALSE((*c)["modelCard"].empty()) << (*c)["name"];
    }
  }

  // The HF directory: config.json, the card's front matter and the tensors of the sharded checkpoint.
  const json* hf = by_origin(bom, "hf");
  ASSERT_NE(hf, nullptr);
  const json& card = (*hf)["modelCard"];
  EXPECT_EQ(card["modelParameters"]["architectureFamily"], "llama");
  EXPECT_EQ(card["modelParameters"]["modelArchitecture"], "LlamaForCausalLM");
  EXPECT_EQ(card["modelParameters"]["task"], "text-generation");
  EXPECT_EQ(card["modelParameters"]["inputs"][0]["format"], "text");
  EXPECT_EQ(card["modelParameters"]["datasets"][0]["name"], "wikitext");
  EXPECT_EQ(prop(card, "modelgate:model.parameters"), std::to_string(m["hf"]["parameters"].get<int>()));
  EXPECT_EQ(prop(card, "modelgate:model.tensor-dtypes"), "F16:2,F32:2");
  EXPECT_EQ(prop(card, "modelgate:model.context-length"), "4096");
  EXPECT_EQ(props(card, "modelgate:model.language"), (std::vector<std::string>{"en", "fr"}));
  EXPECT_EQ(prop(card, "modelgate:model.base-model"), "org/base-7b");
  EXPECT_EQ((*hf)["licenses"][0]["license"]["id"], "Apache-2.0");  // the card's apache-2.0, as the SPDX list spells it
  const json* shard = by_origin(bom, "hf/model-00001-of-00002.safetensors");
  ASSERT_NE(shard, nullptr);
  EXPECT_EQ(prop((*shard)["modelCard"], "modelgate:model.parameters"), "28");
  EXPECT_EQ(prop((*shard)["modelCard"], "modelgate:model.tensor-dtypes"), "F16:2");

  // A GGUF file: its metadata and tensor infos.
  const json* gguf = by_origin(bom, "model.gguf");
  ASSERT_NE(gguf, nullptr);
  EXPECT_EQ((*gguf)["type"], "machine-learning-model");
  const json& g = (*gguf)["modelCard"];
  EXPECT_EQ(g["modelParameters"]["architectureFamily"], "llama");
  EXPECT_EQ(prop(g, "modelgate:model.quantization"), "Q4_K_M");
  EXPECT_EQ(prop(g, "modelgate:model.context-length"), "2048");
  EXPECT_EQ(prop(g, "modelgate:model.parameters"), std::to_string(m["gguf"]["parameters"].get<int>()));
  EXPECT_EQ(prop(g, "modelgate:model.name"), "tiny gguf");
  EXPECT_EQ((*gguf)["licenses"][0]["license"]["id"], "MIT");

  // A torch.save checkpoint: the archive is a container, its data.pkl the model, whose storages
  // are its tensors.
  const json* pickle = by_origin(bom, "hf/pytorch_model.bin!/pytorch_model/data.pkl");
  ASSERT_NE(pickle, nullptr);
  EXPECT_EQ(prop((*pickle)["modelCard"], "modelgate:model.parameters"), "4");
  EXPECT_EQ(prop((*pickle)["modelCard"], "modelgate:model.tensor-dtypes"), "F32:1");

  // An ONNX model: weights from its initializers, inputs and outputs as its graph declares them (the
  // initializers listed among the graph inputs are not inputs); the directory takes them over.
  for (const char* origin : {"onnx/model.onnx", "onnx"}) {
    const json* onnx = by_origin(bom, origin);
    ASSERT_NE(onnx, nullptr) << origin;
    const json& o = (*onnx)["modelCard"];
    EXPECT_EQ(prop(o, "modelgate:model.parameters"), std::to_string(m["onnx"]["parameters"].get<int>())) << origin;
    EXPECT_EQ(prop(o, "modelgate:model.tensor-dtypes"), "F32:2") << origin;
    std::vector<std::string> inputs, outputs;
    for (const auto& i : o["modelParameters"]["inputs"]) inputs.push_back(i["format"]);
    for (const auto& i : o["modelParameters"]["outputs"]) outputs.push_back(i["format"]);
    EXPECT_EQ(json(inputs), m["onnx"]["inputs"]) << origin;
    EXPECT_EQ(json(outputs), m["onnx"]["outputs"]) << origin;
  }

  // A Keras HDF5 file: its weight datasets by their dataspaces; the optimizer's state is no weight.
  const json* keras = by_origin(bom, "keras.h5");
  ASSERT_NE(keras, nullptr);
  EXPECT_EQ(prop((*keras)["modelCard"], "modelgate:model.parameters"), std::to_string(m["keras"]["parameters"].get<int>()));
  EXPECT_EQ(prop((*keras)["modelCard"], "modelgate:model.tensor-dtypes"), "F16:1,F32:2");

  // A licence that is not on the SPDX list is a name; a directory without weights has no model card.
  const json* other = by_origin(bom, "card-other");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ((*other)["licenses"][0]["license"]["name"], "llama2");
  EXPECT_FALSE((*other)["licenses"][0]["license"].contains("id"));
  EXPECT_FALSE(other->contains("modelCard"));
  const json* dual = by_origin(bom, "card-dual");
  ASSERT_NE(dual, nullptr);
  EXPECT_EQ((*dual)["licenses"], json::parse(R"([{"expression": "MIT OR Apache-2.0"}])"));
  const json* txt = by_origin(bom, "hf/odd name.txt");
  ASSERT_NE(txt, nullptr);
  EXPECT_FALSE(txt->contains("modelCard"));
}

void FindingsAreVulnerabilitiesOfTheirComponent() {
  json bom = load("hf");
  const json* evil = by_origin(bom, "hf/evil.pkl");
  ASSERT_NE(evil, nullptr);
  EXPECT_EQ(prop(*evil, "modelgate:status"), "unsafe");
  bool found = false;
  for (const auto& v : bom["vulnerabilities"]) {
    EXPECT_EQ(v["source"]["name"], "modelgate");
    EXPECT_TRUE(modelgate::find_rule(v["id"].get<std::string>()) != nullptr) << v["id"];
    if (v["id"] != "MG-PICKLE-GLOBAL-DANGEROUS") continue;
    found = true;
    EXPECT_EQ(v["affects"][0]["ref"], (*evil)["bom-ref"]);
    EXPECT_EQ(v["cwes"], json::array({502}));
    EXPECT_EQ(v["ratings"][0]["severity"], "critical");
    EXPECT_FALSE(v["description"].get<std::string>().empty());
    EXPECT_NE(prop(v, "modelgate:evidence").find("system"), std::string::npos) << v.dump();
  }
  EXPECT_TRUE(found) << bom["vulnerabilities"].dump();
  EXPECT_EQ(bom["metadata"]["properties"][0]["value"], "deny");
}

void HubCacheSnapshotIsIdentifiedByPurl() {
  json bom = load("cache");
  std::string commit = runs().fx.manifest["hfcache"]["commit"];
  const json* snap = nullptr;
  for (const json* c : all_components(bom))
    if (c->contains("purl")) snap = c;
  ASSERT_NE(snap, nullptr) << bom.dump();
  EXPECT_EQ((*snap)["purl"], "pkg:huggingface/tiny-org/tiny-model@" + commit);
  EXPECT_EQ(props(*snap, "modelgate:hub.ref"), std::vector<std::string>{"main"});
  EXPECT_EQ((*snap)["modelCard"]["modelParameters"]["architectureFamily"], "gpt2");
  EXPECT_EQ(prop((*snap)["modelCard"], "modelgate:model.context-length"), "1024");
  ASSERT_EQ((*snap)["components"].size(), 1u);
  EXPECT_EQ((*snap)["components"][0]["hashes"][0]["content"],
            sha256sum("cat " + q(runs().dir / "hfcache/models--tiny-org--tiny-model/blobs/c0nf1g")));
}

void ConvertRecordsTheCheckpointAsPedigree() {
  json bom = load("lineage");
  ASSERT_EQ(bom["components"].size(), 1u);
  const json& out = bom["components"][0];
  EXPECT_EQ(out["type"], "machine-learning-model");
  EXPECT_EQ(out["hashes"][0]["content"], sha256sum("cat " + q(runs().out / "converted.safetensors")));
  const json& ancestor = out["pedigree"]["ancestors"][0];
  EXPECT_EQ(ancestor["name"], "ckpt.pt");
  EXPECT_EQ(ancestor["hashes"][0]["content"], sha256sum("cat " + q(runs().dir / "ckpt.pt")));
  EXPECT_EQ(prop(ancestor, "modelgate:format"), "pytorch-zip");
}

void SignatureIsReferencedAndVerifiedWithTheMaterialGiven() {
  ASSERT_EQ(runs().runs.at("sign").exit_code, 0) << runs().runs.at("sign").output;
  const json plain = load("signed")["components"][0];
  EXPECT_EQ(plain["externalReferences"][0]["type"], "digital-signature");
  EXPECT_EQ(plain["externalReferences"][0]["url"], "signed/model.sig");
  EXPECT_EQ(prop(plain, "modelgate:signature.verified"), "");  // no material, no claim
  const json good = load("signed-verified")["components"][0];
  EXPECT_EQ(prop(good, "modelgate:signature.verified"), "true");
  EXPECT_EQ(prop(good, "modelgate:signature.method"), "key");
  EXPECT_EQ(prop(good, "modelgate:signature.identity").rfind("public key ", 0), 0u);
  const json bad = load("signed-other-key")["components"][0];
  EXPECT_EQ(prop(bad, "modelgate:signature.verified"), "false");
  EXPECT_FALSE(prop(bad, "modelgate:signature.failure").empty());
}

// One test: every command runs once per process (ctest runs each test in its own process).
TEST(Bom, WrittenBomsAreValidCompleteResolvableAndDeterministic) {
  ASSERT_TRUE(runs().fx.ok) << runs().fx.log;
  {
    SCOPED_TRACE("CommandsSucceedWhateverTheVerdicts");
    CommandsSucceedWhateverTheVerdicts();
  }
  {
    SCOPED_TRACE("EveryBomValidatesWithAjvAndTheCycloneDxLibrary");
    EveryBomValidatesWithAjvAndTheCycloneDxLibrary();
  }
  {
    SCOPED_TRACE("EveryFileAndMemberOnceWithHashesThatSha256sumConfirms");
    EveryFileAndMemberOnceWithHashesThatSha256sumConfirms();
  }
  {
    SCOPED_TRACE("Sha512OnRequestForEveryFileAndMember");
    Sha512OnRequestForEveryFileAndMember();
  }
  {
    SCOPED_TRACE("EveryReferenceResolvesAndContainersDependOnTheirMembers");
    EveryReferenceResolvesAndContainersDependOnTheirMembers();
  }
  {
    SCOPED_TRACE("ByteIdenticalForTheSameInputWithSourceDateEpoch");
    ByteIdenticalForTheSameInputWithSourceDateEpoch();
  }
  {
    SCOPED_TRACE("TypeComesFromTheParsedFormat");
    TypeComesFromTheParsedFormat();
  }
  {
    SCOPED_TRACE("ModelCardsHoldOnlyParsedFacts");
    ModelCardsHoldOnlyParsedFacts();
  }
  {
    SCOPED_TRACE("FindingsAreVulnerabilitiesOfTheirComponent");
    FindingsAreVulnerabilitiesOfTheirComponent();
  }
  {
    SCOPED_TRACE("HubCacheSnapshotIsIdentifiedByPurl");
    HubCacheSnapshotIsIdentifiedByPurl();
  }
  {
    SCOPED_TRACE("ConvertRecordsTheCheckpointAsPedigree");
    ConvertRecordsTheCheckpointAsPedigree();
  }
  {
    SCOPED_TRACE("SignatureIsReferencedAndVerifiedWithTheMaterialGiven");
    SignatureIsReferencedAndVerifiedWithTheMaterialGiven();
  }
}

TEST(Bom, SpdxIdsOnlyFromTheListAndCwesOnlyForKnownRules) {
  EXPECT_EQ(modelgate::bom::spdx_license_id("apache-2.0"), "Apache-2.0");
  EXPECT_EQ(modelgate::bom::spdx_license_id("MIT"), "MIT");
  EXPECT_EQ(modelgate::bom::spdx_license_id("llama2"), std::nullopt);
  EXPECT_EQ(modelgate::bom::spdx_license_id("cc-by-nc-4.0"), "CC-BY-NC-4.0");
  EXPECT_EQ(modelgate::bom::spdx_license_id("other"), std::nullopt);
  using modelgate::bom::spdx_expression;
  EXPECT_EQ(spdx_expression("mit OR apache-2.0"), "MIT OR Apache-2.0");
  EXPECT_EQ(spdx_expression("(GPL-2.0-only WITH classpath-exception-2.0) AND  BSD-3-Clause"),
            "(GPL-2.0-only WITH Classpath-exception-2.0) AND BSD-3-Clause");
  EXPECT_EQ(spdx_expression("LicenseRef-my-terms OR MIT"), "LicenseRef-my-terms OR MIT");
  EXPECT_EQ(spdx_expression("LicenseRef-my-terms"), "LicenseRef-my-terms");
  EXPECT_EQ(spdx_expression("MIT"), std::nullopt);                // an identifier, not an expression
  EXPECT_EQ(spdx_expression("mit or apache-2.0"), std::nullopt);  // operators are upper case
  EXPECT_EQ(spdx_expression("MIT OR llama2"), std::nullopt);      // not on the list
  EXPECT_EQ(spdx_expression("(MIT OR Apache-2.0"), std::nullopt);
  EXPECT_EQ(spdx_expression("MIT OR"), std::nullopt);
  EXPECT_EQ(spdx_expression(std::string(40, '(') + "MIT" + std::string(40, ')')), std::nullopt);
  for (const auto& r : modelgate::bom::rule_cwes()) {
    EXPECT_NE(modelgate::find_rule(r.rule), nullptr) << r.rule;
    EXPECT_TRUE(r.cwe == 502 || r.cwe == 94 || r.cwe == 22) << r.rule;
  }
}

}  // namespace

}  // namespace bom_test
