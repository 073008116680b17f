// ONNX, Keras (.keras, .h5) and TensorFlow SavedModel: fixtures written by the real writers
// (python3-onnx, python3-h5py, zipfile) and hand-assembled protobufs from
// tests/fixtures/make_onnx_keras.py, plus unit tests of the readers underneath.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "core/parsed_facts_json.h"
#include "format/keras_config.h"
#include "gate/inventory_cache.h"
#include "modelgate/inventory.h"
#include "marshal/marshal_reader.h"
#include "modelgate/scan.h"
#include "protowire/node_walk.h"
#include "protowire/wire.h"
#include "identify/identify.h"
#include "test_util.h"

namespace code_formats_test {

using namespace mgtest;
using modelgate::Status;

namespace {

class CodeFormats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& f = generated_fixtures("make_onnx_keras.py");
    ASSERT_TRUE(f.ok) << f.log;
    dir_ = &f.dir;
  }

  static modelgate::ArtifactReport scan_fixture(const std::string& rel,
                                                modelgate::SandboxMode sandbox = modelgate::SandboxMode::off) {
    modelgate::ScanOptions opts;
    opts.threads = 1;
    opts.sandbox = sandbox;
    auto result = modelgate::scan_paths({dir_->path() / rel}, opts);
    EXPECT_TRUE(result.errors.empty()) << rel;
    EXPECT_EQ(result.artifacts.size(), 1u) << rel;
    return result.artifacts.empty() ? modelgate::ArtifactReport{} : result.artifacts[0];
  }

  static void expect(const std::string& rel, const std::string& format, Status status,
                     const std::vector<std::string>& rules = {},
                     modelgate::SandboxMode sandbox = modelgate::SandboxMode::off) {
    auto r = scan_fixture(rel, sandbox);
    EXPECT_EQ(r.format, format) << rel;
    EXPECT_EQ(r.status, status) << rel << ": got " << modelgate::to_string(r.status) << " " << describe(r);
    for (const auto& id : rules) EXPECT_TRUE(has_rule(r, id)) << rel << " lacks " << id << ": " << describe(r);
  }

  static std::string describe(const modelgate::ArtifactReport& r) {
    std::string s;
    for (const auto* f : r.all_findings()) s += "[" + f->rule + ": " + f->message + " | " + f->evidence + "] ";
    return s;
  }

  static const GeneratedFixtures::Dir* dir_;
};

const GeneratedFixtures::Dir* CodeFormats::dir_ = nullptr;

// ---------------------------------------------------------------- ONNX
TEST_F(CodeFormats, OnnxBenignModelsAreSafe) {
  expect("onnx/benign.onnx", "onnx", Status::safe);
  expect("onnx/ext/model.onnx", "onnx", Status::safe);
  expect("onnx/subgraph_benign.onnx", "onnx", Status::safe);
  expect("onnx/local_function.onnx", "onnx", Status::safe);
}

TEST_F(CodeFormats, OnnxFactsListOpsAndExternalFiles) {
  auto r = scan_fixture("onnx/ext/model.onnx");
  EXPECT_EQ(modelgate::facts_json(r)["op_types"]["Add"], 1);
  ASSERT_EQ(r.parsed.external_data_files.size(), 1u);
  EXPECT_EQ(r.parsed.external_data_files[0], "weights.bin");
  EXPECT_EQ(modelgate::facts_json(r)["opset_import"]["ai.onnx"], 13);
}

// The parse records which bytes of which file each tensor reads; the process that opened the
// model looks the files up. So a confined worker, which can open nothing, judges like the
// unconfined scan: a model with its data beside it is safe, an escape unsafe, a short file refused.
TEST_F(CodeFormats, OnnxExternalDataIsJudgedAlikeConfinedAndUnconfined) {
  for (auto mode : {modelgate::SandboxMode::off, modelgate::SandboxMode::strict}) {
    SCOPED_TRACE(modelgate::to_string(mode));
    expect("onnx/ext/model.onnx", "onnx", Status::safe, {}, mode);
    for (const char* f : {"onnx/ext_absolute.onnx", "onnx/ext_dotdot.onnx", "onnx/ext_dotdot2.onnx", "onnx/link/model.onnx"})
      expect(f, "onnx", Status::unsafe, {"MG-ONNX-EXTERNAL-DATA-ESCAPE"}, mode);
    expect("onnx/ext_missing.onnx", "onnx", Status::refused, {"MG-ONNX-EXTERNAL-DATA-MISSING"}, mode);
    expect("onnx/short/model.onnx", "onnx", Status::refused, {"MG-ONNX-EXTERNAL-DATA-MISSING"}, mode);
    auto r = scan_fixture("onnx/ext/model.onnx", mode);
    ASSERT_EQ(r.parsed.external_data_reads.size(), 1u);
    EXPECT_EQ(r.parsed.external_data_reads[0].location, "weights.bin");
  }
}

// The external file is looked up on every scan, also when the verdict on the model's bytes comes
// from the result cache: data removed after the first scan is missing on the second.
TEST_F(CodeFormats, OnnxExternalDataIsLookedUpAgainBehindTheResultCache) {
  mgtest::TempDir t;
  std::filesystem::copy(dir_->path() / "onnx/ext", t.path() / "m");
  auto db = modelgate::open_inventory((t.path() / "inventory.db").string());
  ASSERT_TRUE(db) << db.error().message();
  modelgate::InventoryCache cache(**db);
  modelgate::ScanOptions opts;
  opts.threads = 1;
  opts.cache = &cache;
  for (auto mode : {modelgate::SandboxMode::off, modelgate::SandboxMode::strict}) {
    opts.sandbox = mode;
    auto first = modelgate::scan_paths({t.path() / "m/model.onnx"}, opts);
    ASSERT_EQ(first.artifacts.size(), 1u);
    EXPECT_EQ(first.artifacts[0].status, Status::safe) << describe(first.artifacts[0]);
  }
  std::filesystem::remove(t.path() / "m/weights.bin");
  for (auto mode : {modelgate::SandboxMode::off, modelgate::SandboxMode::strict}) {
    opts.sandbox = mode;
    auto second = modelgate::scan_paths({t.path() / "m/model.onnx"}, opts);
    EXPECT_GT(cache.hits(), 0u);
    ASSERT_EQ(second.artifacts.size(), 1u);
    EXPECT_EQ(second.artifacts[0].status, Status::refused) << describe(second.artifacts[0]);
    EXPECT_TRUE(has_rule(second.artifacts[0], "MG-ONNX-EXTERNAL-DATA-MISSING"));
  }
}

TEST_F(CodeFormats, OnnxExternalDataOfInMemoryModelCannotBeResolved) {
  auto r = scan(read_file(dir_->path() / "onnx/ext/model.onnx"));
  EXPECT_EQ(r.status, Status::refused);
  EXPECT_TRUE(has_rule(r, "MG-ONNX-EXTERNAL-DATA-MISSING"));
}

TEST_F(CodeFormats, OnnxCustomDomainIsUnverified) {
  expect("onnx/custom_domain.onnx", "onnx", Status::unverified, {"MG-ONNX-CUSTOM-DOMAIN"});
}

TEST_F(CodeFormats, OnnxPythonOpsAreUnsafeAlsoInSubgraphs) {
  expect("onnx/pyop.onnx", "onnx", Status::unsafe, {"MG-ONNX-PYTHON-OP"});
  expect("onnx/subgraph_pyop.onnx", "onnx", Status::unsafe, {"MG-ONNX-PYTHON-OP"});
}

TEST_F(CodeFormats, OnnxMalformedIsRefused) {
  expect("onnx/truncated.onnx", "onnx", Status::refused, {"MG-ONNX-MALFORMED"});
  expect("onnx/bad_node.onnx", "onnx", Status::refused, {"MG-ONNX-MALFORMED"});
  expect("onnx/bad_tensor.onnx", "onnx", Status::refused, {"MG-ONNX-MALFORMED"});
}

TEST_F(CodeFormats, OnnxSubgraphNestingIsLimited) {
  expect("onnx/deep_subgraphs.onnx", "onnx", Status::refused, {"MG-LIMIT-EXCEEDED"});
}

// ---------------------------------------------------------------- Keras v3
TEST_F(CodeFormats, KerasBenignArchiveIsSafe) {
  auto r = scan_fixture("keras/benign.keras");
  EXPECT_EQ(r.format, "keras");
  EXPECT_EQ(r.status, Status::safe) << describe(r);
  ASSERT_EQ(r.children.size(), 1u);
  EXPECT_EQ(r.children[0].format, "hdf5");
  EXPECT_EQ(modelgate::facts_json(r)["keras_version"], "3.9.0");
}

TEST_F(CodeFormats, KerasLambdaBytecodeIsUnsafeWhateverTheVersion) {
  expect("keras/lambda.keras", "keras", Status::unsafe, {"MG-KERAS-LAMBDA-BYTECODE"});
  expect("keras/old_version_lambda.keras", "keras", Status::unsafe, {"MG-KERAS-LAMBDA-BYTECODE"});
  auto r = scan_fixture("keras/lambda.keras");
  for (const auto* f : r.all_findings())
    if (f->rule == "MG-KERAS-LAMBDA-BYTECODE") {
      EXPECT_NE(f->evidence.find("system"), std::string::npos) << f->evidence;
    }
}

TEST_F(CodeFormats, KerasNamedLambdaAndCustomObjectsAreUnverified) {
  expect("keras/lambda_named.keras", "keras", Status::unverified, {"MG-KERAS-LAMBDA", "MG-KERAS-CUSTOM-OBJECT"});
  expect("keras/custom.keras", "keras", Status::unverified, {"MG-KERAS-CUSTOM-OBJECT"});
  expect("keras/vocab_path.keras", "keras", Status::unverified, {"MG-KERAS-EXTERNAL-REFERENCE"});
}

TEST_F(CodeFormats, KerasGadgetsAreUnsafe) {
  expect("keras/get_file.keras", "keras", Status::unsafe, {"MG-KERAS-DANGEROUS-REFERENCE"});
  expect("keras/builtins_exec.keras", "keras", Status::unsafe, {"MG-KERAS-DANGEROUS-REFERENCE"});
  expect("keras/os_system.keras", "keras", Status::unsafe, {"MG-KERAS-DANGEROUS-REFERENCE"});
  expect("keras/tfsm.keras", "keras", Status::unsafe, {"MG-KERAS-DANGEROUS-REFERENCE"});
  expect("keras/torch_wrapper.keras", "keras", Status::unsafe, {"MG-KERAS-TORCH-MODULE"});
}

TEST_F(CodeFormats, KerasMalformedArchivesAreRefused) {
  expect("keras/bad_json.keras", "keras", Status::refused, {"MG-KERAS-MALFORMED"});
  expect("keras/deep_json.keras", "keras", Status::refused, {"MG-KERAS-MALFORMED"});
  expect("keras/duplicate.keras", "keras", Status::refused, {"MG-ZIP-DUPLICATE-NAME"});
}

// ---------------------------------------------------------------- Keras 2 / HDF5
TEST_F(CodeFormats, Hdf5BenignFilesAreSafe) {
  expect("h5/benign.h5", "hdf5", Status::safe);
  expect("h5/benign_vlen.h5", "hdf5", Status::safe);
  expect("h5/weights_only.h5", "hdf5", Status::safe);
  EXPECT_EQ(modelgate::facts_json(scan_fixture("h5/benign.h5"))["keras_version"], "2.11.0");
}

TEST_F(CodeFormats, Keras2LambdaIsDecodedAndUnsafe) {
  auto r = scan_fixture("h5/lambda.h5");
  EXPECT_EQ(r.status, Status::unsafe);
  bool named = false;
  for (const auto* f : r.all_findings())
    named |= f->rule == "MG-KERAS-LAMBDA-BYTECODE" && f->evidence.find("__import__") != std::string::npos &&
             f->evidence.find("touch /tmp/modelgate-lambda-marker") != std::string::npos;
  EXPECT_TRUE(named) << describe(r);
  expect("h5/lambda_os.h5", "hdf5", Status::unsafe, {"MG-KERAS-DANGEROUS-REFERENCE"});
  expect("h5/custom.h5", "hdf5", Status::unverified, {"MG-KERAS-CUSTOM-OBJECT"});
}

TEST_F(CodeFormats, Hdf5ExternalReferencesAreUnverified) {
  expect("h5/external_link.h5", "hdf5", Status::unverified, {"MG-HDF5-EXTERNAL-LINK"});
  expect("h5/external_data.h5", "hdf5", Status::unverified, {"MG-HDF5-EXTERNAL-LINK"});
}

// PyTables (and pandas' HDFStore) unpickle every row of an object array when it is read.
TEST_F(CodeFormats, Hdf5ObjectRowsAreUnverified) {
  expect("h5/pytables_objects.h5", "hdf5", Status::unverified, {"MG-HDF5-OBJECT-ROWS"});
}

TEST_F(CodeFormats, Hdf5ErrorsAreRefused) {
  expect("h5/truncated.h5", "hdf5", Status::refused, {"MG-HDF5-MALFORMED"});
  expect("h5/config_not_string.h5", "hdf5", Status::refused, {"MG-HDF5-MALFORMED"});
  expect("h5/bad_config.h5", "hdf5", Status::refused, {"MG-KERAS-MALFORMED"});
}

// libhdf5 1.10 walks a global heap collection by the sizes its objects declare: a size that does not
// advance the walk hangs it, one that wraps the address crashes it. The first file is the fuzzer's;
// the others are h5py's vlen file with one object size changed. Each must end refused, from a path
// and from memory.
TEST_F(CodeFormats, Hdf5GlobalHeapWalksThatNeverEndAreRefused) {
  auto benign = read_file(dir_->path() / "h5/benign_vlen.h5");
  const auto collection = benign.find("GCOL");
  ASSERT_NE(collection, std::string::npos);
  const std::size_t first_object = collection + 16, free_space = first_object + 344;
  ASSERT_EQ(benign[free_space], 0) << "the fixture's free-space object moved";
  auto with_size = [&](std::size_t object, std::uint64_t size) {
    std::string b = benign;
    for (int i = 0; i < 8; ++i) b[object + 8 + i] = static_cast<char>(size >> (8 * i));
    return b;
  };
  std::string zero_first = with_size(first_object, 0);
  zero_first[first_object] = zero_first[first_object + 1] = 0;  // object 0: free space of size 0
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"fuzzer", read_file(source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_global_heap_spin.h5")},
      {"free space of size 0 first", zero_first},
      {"free space of size 0 last", with_size(free_space, 0)},
      {"object size that wraps", with_size(first_object, ~std::uint64_t{0} - 8)},
      {"collection longer than the file", with_size(collection, 4096 + (1 << 20))},
  };
  for (const auto& [name, bytes] : cases) {
    auto from_memory = scan(bytes);
    EXPECT_EQ(from_memory.status, Status::refused) << name << ": " << describe(from_memory);
    EXPECT_TRUE(has_rule(from_memory, "MG-HDF5-MALFORMED")) << name;
    TempDir dir;
    write_file(dir.path() / "model.h5", bytes);
    modelgate::ScanOptions opts;
    opts.threads = 1;
    auto from_path = modelgate::scan_paths({dir.path() / "model.h5"}, opts);
    ASSERT_EQ(from_path.artifacts.size(), 1u) << name;
    EXPECT_EQ(from_path.artifacts[0].status, Status::refused) << name;
    EXPECT_TRUE(has_rule(from_path.artifacts[0], "MG-HDF5-MALFORMED")) << name;
  }
}

// libhdf5 copies an attribute's values out of its message by the count the dataspace declares (16
// bytes a variable-length string here) without comparing them with the message's size. The
// fixture's root attribute "vlen_strings" holds two values; with its dataspace patched to declare
// three, it is refused (the check once walked the two the message holds and let the file through).
TEST_F(CodeFormats, Hdf5VlenAttributeDeclaringMoreValuesThanItsMessageHoldsIsRefused) {
  const std::string valid = read_file(dir_->path() / "h5/vlen_array_attribute.h5");
  const std::string name("vlen_strings\0", 13);
  const std::size_t name_at = valid.find(name);
  ASSERT_NE(name_at, std::string::npos);
  ASSERT_EQ(valid.find(name, name_at + 1), std::string::npos);
  auto le = [&](std::size_t at, int width) {
    std::uint64_t v = 0;
    for (int i = width; i-- > 0;) v = v << 8 | static_cast<std::uint8_t>(valid[at + i]);
    return v;
  };
  // h5py writes version 1 attribute messages: version, reserved, the name's, datatype's and
  // dataspace's sizes (2 bytes each), then the three, each padded to 8 bytes. A version 1
  // dataspace: version, rank, flags, 5 reserved bytes, the extents, then (flag 1) the maxima.
  const std::size_t message = name_at - 8;
  ASSERT_EQ(le(message, 1), 1u);
  ASSERT_EQ(le(message + 2, 2), name.size());
  const std::size_t space = name_at + 16 + (le(message + 4, 2) + 7) / 8 * 8;
  ASSERT_EQ(le(space, 4), 0x010101u) << "not a version 1 dataspace of rank 1 with maxima";
  ASSERT_EQ(le(space + 8, 8), 2u);
  ASSERT_EQ(le(space + 16, 8), 2u);
  std::string bytes = valid;
  bytes[space + 8] = bytes[space + 16] = 3;

  auto control = scan(valid);
  EXPECT_EQ(control.status, Status::safe) << describe(control);
  const std::string refusal = "MG-HDF5-MALFORMED: offset " + std::to_string(message) +
                              ": an attribute message declares more values than the message holds";
  auto from_memory = scan(bytes);
  EXPECT_EQ(from_memory.status, Status::refused) << describe(from_memory);
  EXPECT_NE(describe(from_memory).find(refusal), std::string::npos) << describe(from_memory);
  TempDir dir;
  write_file(dir.path() / "model.h5", bytes);
  auto from_path = scan_fixture((dir.path() / "model.h5").string());
  EXPECT_EQ(from_path.status, Status::refused) << describe(from_path);
  EXPECT_NE(describe(from_path).find(refusal), std::string::npos) << describe(from_path);
}

// libhdf5 1.10 allocates some metadata blocks by the length the file declares before comparing it
// with the end of the file (the fuzzer's file: 4 GiB for an 888-byte file), and frees unset
// pointers when a group's link message does not decode (the fuzzer's second file). Every declared block
// past the end is refused before libhdf5 runs, naming the declaring field's offset, wherever the
// block is reached from (the superblock, a symbol table, a link message in a dense group's heap);
// whole files that hold every structure the check walks (both object header versions,
// continuation blocks, symbol-table and dense groups, dense attributes) are not.
TEST_F(CodeFormats, Hdf5MetadataDeclaredPastTheEndIsRefused) {
  for (const char* whole : {"h5/earliest.h5", "h5/latest.h5", "h5/dense_links.h5"}) {
    auto r = scan_fixture(whole);
    EXPECT_EQ(r.format, "hdf5") << whole;
    EXPECT_FALSE(has_rule(r, "MG-HDF5-MALFORMED")) << whole << ": " << describe(r);
  }
  std::vector<std::pair<std::filesystem::path, std::uint64_t>> cases = {
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_declared_allocation.h5", 120},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_link_decode_wild_free.h5", 1976},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_vlen_attribute_length.h5", 888},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_global_heap_index.h5", 888},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_continuation_size_zero.h5", 120},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_enum_attribute_copy.h5", 992},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_vlen_declared_size.h5", 992},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_shared_continuation.h5", 120},
      {source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_attribute_data_past_message.h5", 840}};
  // The same attribute under a name the Keras reader does not read: H5Aexists still decodes it and
  // copies its 8-byte value from past the end of its message.
  mgtest::TempDir renamed;
  {
    std::string bytes = read_file(cases.back().first);
    const auto at = bytes.find(std::string("model_config\0", 13));
    ASSERT_NE(at, std::string::npos);
    bytes[at + 11] = 'X';
    write_file(renamed / "attribute_data_past_message_renamed.h5", bytes);
    cases.emplace_back(renamed / "attribute_data_past_message_renamed.h5", 840);
  }
  const auto declared = nlohmann::json::parse(read_file(dir_->path() / "h5/declared/declared.json"));
  for (const auto& [name, offset] : declared.items())
    cases.emplace_back(dir_->path() / "h5/declared" / name, offset.get<std::uint64_t>());
  ASSERT_EQ(cases.size(), 20u);
  for (const auto& [file, offset] : cases) {
    const auto name = file.filename().string();
    const std::string bytes = read_file(file);
    const std::string where = "offset " + std::to_string(offset) + ": ";
    auto from_memory = scan(bytes);
    EXPECT_EQ(from_memory.status, Status::refused) << name << ": " << describe(from_memory);
    EXPECT_NE(describe(from_memory).find("MG-HDF5-MALFORMED: " + where), std::string::npos)
        << name << ": " << describe(from_memory);
    auto from_path = scan_fixture(file.string());
    EXPECT_NE(describe(from_path).find("MG-HDF5-MALFORMED: " + where), std::string::npos)
        << name << ": " << describe(from_path);
  }
}

// libhdf5 1.10's H5Lvisit recurses into a group again unless the group's reference count says it
// has several links: a group linking back to itself with a count of 1 (the fuzzer's file) is
// walked without end, one path component deeper each time. Reached a second time, it stops the
// walk and refuses the file; a group that really has two links (h5py's `f["loop"] = f`, count 2)
// is walked once by libhdf5 and is not refused.
TEST_F(CodeFormats, Hdf5GroupCyclesAreRefused) {
  const auto file = source_dir() / "tests/fixtures/fuzz_regressions/keras_h5_group_cycle.h5";
  for (const auto& r : {scan(read_file(file)), scan_fixture(file.string())}) {
    EXPECT_EQ(r.status, Status::refused) << describe(r);
    EXPECT_NE(describe(r).find("reached again"), std::string::npos) << describe(r);
  }
  mgtest::TempDir dir;
  auto made = mgtest::run(mgtest::python() + " -c \"import h5py\nwith h5py.File('" + (dir / "loop.h5").string() +
                  "', 'w') as f:\n    f.create_group('g').create_dataset('w', data=[1.0, 2.0])\n    f['g']['up'] = f\"");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto loop = scan_fixture((dir / "loop.h5").string());
  EXPECT_FALSE(has_rule(loop, "MG-HDF5-MALFORMED")) << describe(loop);
  EXPECT_NE(loop.status, Status::refused) << describe(loop);
}

TEST_F(CodeFormats, Hdf5MemberIsReadFromMemory) {
  auto r = scan(read_file(dir_->path() / "h5/lambda.h5"));
  EXPECT_EQ(r.format, "hdf5");
  EXPECT_EQ(r.status, Status::unsafe);
}

// libhdf5 reads an in-memory image through modelgate's read-only driver, in place: no copy of the
// member is made, so none is charged, and a budget smaller than the member does not stop the scan.
TEST_F(CodeFormats, Hdf5ImageIsReadInPlace) {
  std::string h5 = read_file(dir_->path() / "h5/lambda.h5");
  modelgate::ScanOptions opts;
  opts.limits.max_unpacked_in_memory = h5.size() / 2;
  auto r = modelgate::scan_bytes("m.h5", reinterpret_cast<const unsigned char*>(h5.data()), h5.size(), opts).value();
  EXPECT_EQ(r.status, Status::unsafe) << describe(r);
  EXPECT_FALSE(has_rule(r, "MG-LIMIT-EXCEEDED")) << describe(r);
}

// ---------------------------------------------------------------- SavedModel
TEST_F(CodeFormats, SavedModelBenignIsSafe) {
  auto r = scan_fixture("savedmodel/benign/saved_model.pb");
  EXPECT_EQ(r.format, "tf-savedmodel");
  EXPECT_EQ(r.status, Status::safe) << describe(r);
  EXPECT_EQ(modelgate::facts_json(r)["op_types"]["MatMul"], 1);
  EXPECT_EQ(modelgate::facts_json(r)["op_types"]["AddV2"], 1);
  EXPECT_EQ(modelgate::facts_json(r)["checkpoint_ops"]["SaveV2"], 1);
  expect("savedmodel/keras_benign/keras_metadata.pb", "keras-metadata-pb", Status::safe);
  expect("savedmodel/benign/fingerprint.pb", "tf-fingerprint", Status::safe);
}

TEST_F(CodeFormats, SavedModelDangerousOpsNameTheNode) {
  expect("savedmodel/pyfunc/saved_model.pb", "tf-savedmodel", Status::unsafe, {"MG-SAVEDMODEL-PYTHON-OP"});
  expect("savedmodel/pyfunc_unknown_fields/saved_model.pb", "tf-savedmodel", Status::unsafe, {"MG-SAVEDMODEL-PYTHON-OP"});
  expect("savedmodel/readfile/saved_model.pb", "tf-savedmodel", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  expect("savedmodel/asset_table/saved_model.pb", "tf-savedmodel", Status::unverified, {"MG-SAVEDMODEL-ASSET-OP"});
  auto r = scan_fixture("savedmodel/pyfunc/saved_model.pb");
  bool named = false;
  for (const auto* f : r.all_findings()) named |= f->message.find("'py_call'") != std::string::npos;
  EXPECT_TRUE(named) << describe(r);
}

TEST_F(CodeFormats, SavedModelKerasMetadataIsAnalysed) {
  expect("savedmodel/keras_lambda/keras_metadata.pb", "keras-metadata-pb", Status::unsafe, {"MG-KERAS-LAMBDA-BYTECODE"});
  expect("savedmodel/keras_user_object/saved_model.pb", "tf-savedmodel", Status::unsafe, {"MG-KERAS-LAMBDA-BYTECODE"});
}

// PrintV2 appends to the file its output_stream names (file://...); the standard streams and the
// log are ordinary. The dataset caches and snapshots, CSV datasets and the summary database write or
// read files; the tf.data service connects to an address.
TEST_F(CodeFormats, SavedModelFileAndNetworkOps) {
  expect("savedmodel/print_file/saved_model.pb", "tf-savedmodel", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  expect("savedmodel/print_stderr/saved_model.pb", "tf-savedmodel", Status::safe);
  expect("savedmodel/other_io/saved_model.pb", "tf-savedmodel", Status::unsafe,
         {"MG-SAVEDMODEL-FILE-OP", "MG-SAVEDMODEL-NETWORK-OP"});
  auto r = scan_fixture("savedmodel/other_io/saved_model.pb");
  for (const char* op : {"CacheDatasetV2", "SnapshotDatasetV2", "CSVDatasetV2", "CreateSummaryDbWriter", "DataServiceDatasetV4"}) {
    bool named = false;
    for (const auto* f : r.all_findings()) named |= f->message.find(std::string("runs op ") + op) != std::string::npos;
    EXPECT_TRUE(named) << op << ": " << describe(r);
  }
}

// TensorFlow reads saved_model.pb by its name: bytes that are an ONNX model too are scanned as both,
// and the SavedModel reading's file op decides the verdict.
TEST_F(CodeFormats, SavedModelNameReadingOfAnOnnxPolyglot) {
  auto r = scan_fixture("savedmodel/onnx_polyglot/saved_model.pb");
  EXPECT_EQ(r.format, "onnx");
  EXPECT_EQ(r.status, Status::unsafe) << describe(r);
  EXPECT_TRUE(has_rule(r, "MG-SAVEDMODEL-FILE-OP")) << describe(r);
  EXPECT_TRUE(has_rule(r, "MG-FORMAT-POLYGLOT")) << describe(r);
  // The same bytes under another name are ONNX only; an ordinary SavedModel has no second reading.
  auto bytes = read_file(dir_->path() / "savedmodel/onnx_polyglot/saved_model.pb");
  auto renamed = modelgate::scan_bytes("model.onnx", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                       modelgate::ScanOptions{}).value();
  EXPECT_FALSE(has_rule(renamed, "MG-SAVEDMODEL-FILE-OP")) << describe(renamed);
  auto benign = scan_fixture("savedmodel/benign/saved_model.pb");
  EXPECT_TRUE(benign.children.empty()) << describe(benign);
}

TEST_F(CodeFormats, SavedModelTruncatedIsRefused) {
  expect("savedmodel/truncated/saved_model.pb", "tf-savedmodel", Status::refused, {"MG-SAVEDMODEL-MALFORMED"});
}

// ---------------------------------------------------------------- marshal reader
TEST_F(CodeFormats, MarshalReaderNamesWhatCodeReferences) {
  auto data = read_file(dir_->path() / "marshal/nested.bin");
  const modelgate::Limits limits;
  auto r = modelgate::marshal::read_code_object(
      modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), limits);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r->codes[0].name, "sample");
  auto& names = r->codes[0].names;
  EXPECT_NE(std::find(names.begin(), names.end(), "call"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "str"), names.end());
  // A prefix is refused, or (the stream has no version) read as a different code-object layout.
  for (std::size_t n = 0; n < data.size(); ++n) {
    auto cut = modelgate::marshal::read_code_object(
        modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), n), limits);
    if (cut.ok()) {
      EXPECT_NE(cut->layout, r->layout) << n;
    }
  }
}

}  // namespace

// ---------------------------------------------------------------- unit tests without fixtures
namespace {

modelgate::ByteView view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

modelgate::ArtifactReport analyse(const std::string& json) {
  modelgate::ArtifactReport r;
  modelgate::analyse_keras_config(json, "cfg", modelgate::Limits{}, r);
  r.finalize();
  return r;
}

}  // namespace

TEST(KerasConfig, VocabularyOfRealModelsIsSafe) {
  auto r = analyse(R"({"class_name":"Functional","config":{"layers":[{"class_name":"Dense","config":{"units":3}}]}})");
  EXPECT_EQ(r.status, Status::safe);
}

TEST(KerasConfig, FunctionReferencesAreCheckedByModuleAndName) {
  EXPECT_EQ(analyse(R"({"a":{"module":"keras.activations","class_name":"function","config":"relu"}})").status, Status::safe);
  EXPECT_EQ(analyse(R"({"a":{"module":"subprocess","class_name":"function","config":"run"}})").status, Status::unsafe);
  EXPECT_EQ(analyse(R"({"a":{"module":"keras.src.saving.saving_api","class_name":"function","config":"load_model"}})").status,
            Status::unsafe);
  EXPECT_EQ(analyse(R"({"a":{"module":"mylib","class_name":"function","config":"f"}})").status, Status::unverified);
  // A module name that merely starts like a Keras module is not Keras.
  EXPECT_EQ(analyse(R"({"a":{"module":"kerasx.layers","class_name":"Dense","config":{}}})").status, Status::unverified);
  // The os module is dangerous under any class name; "osx" is not the os module.
  EXPECT_EQ(analyse(R"({"a":{"module":"os.path","class_name":"join","config":{}}})").status, Status::unsafe);
  EXPECT_EQ(analyse(R"({"a":{"module":"osx","class_name":"X","config":{}}})").status, Status::unverified);
}

TEST(KerasConfig, LambdaWithUndecodablePayloadIsStillUnsafe) {
  auto r = analyse(R"({"class_name":"Lambda","config":{"function":["!!notbase64",null,null],"function_type":"lambda"}})");
  EXPECT_EQ(r.status, Status::unsafe);
  auto r2 = analyse(R"({"class_name":"__lambda__","config":{"value":["AAAA",null,null]}})");
  EXPECT_EQ(r2.status, Status::unsafe);
}

// Keras 2 / tf.keras architectures (`model.to_json()`, no `module` keys) and TensorFlow.js layers
// models (`modelTopology`) are Keras configurations too: model_from_json rebuilds a Lambda's bytecode.
TEST(KerasConfig, ArchitecturesWithoutModuleKeysAreKerasConfigurations) {
  const std::string lambda = R"({"class_name":"Lambda","config":{"function":["!!notbase64",null,null],"function_type":"lambda"}})";
  const std::string keras2 = R"({"class_name":"Sequential","config":{"layers":[)" + lambda + R"(]},"keras_version":"2.11.0","backend":"tensorflow"})";
  const std::string tfjs = R"({"format":"layers-model","modelTopology":{"model_config":)" + keras2 + R"(},"weightsManifest":[]})";
  for (const auto& [name, text] : {std::pair{"model.json", keras2}, std::pair{"model.json", tfjs}}) {
    auto r = modelgate::scan_bytes(name, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                                   modelgate::ScanOptions{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, Status::unsafe) << text;
  }
  EXPECT_FALSE(modelgate::looks_like_keras_object(nlohmann::json::parse(R"({"class_name":"X","config":"relu"})")));
}

TEST(KerasConfig, MalformedAndOversizedTextIsRefused) {
  EXPECT_EQ(analyse("[1,2]").status, Status::refused);
  EXPECT_EQ(analyse("{\"a\":").status, Status::refused);
  EXPECT_EQ(analyse("\xff\xfe").status, Status::refused);
  modelgate::ArtifactReport r;
  modelgate::Limits limits;
  limits.max_keras_config_bytes = 8;
  EXPECT_FALSE(modelgate::analyse_keras_config(R"({"a":"0123456789"})", "cfg", limits, r));
  // Brackets inside strings do not count as nesting.
  EXPECT_EQ(analyse("{\"a\":\"" + std::string(1000, '[') + "\"}").status, Status::safe);
}

TEST(ProtoWire, VarintsAndGroups) {
  using namespace modelgate::protowire;
  std::size_t pos = 0;
  std::uint64_t v = 0;
  std::string ten = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  EXPECT_TRUE(read_varint(view(ten), pos, v));
  EXPECT_EQ(v, UINT64_MAX);
  pos = 0;
  std::string eleven = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  EXPECT_FALSE(read_varint(view(eleven), pos, v));
  // field 1 group containing field 2 varint, then field 3 string.
  std::string msg = std::string("\x0b\x10\x05\x0c\x1a\x02hi", 8);
  MessageReader r(view(msg));
  Field f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.type, WireType::group);
  EXPECT_EQ(f.bytes.size(), 2u);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f.number, 3u);
  EXPECT_FALSE(r.next(f));
  EXPECT_FALSE(r.error());
  EXPECT_FALSE(is_flat_message(view(std::string("\x0b\x10\x05\x14", 4))));  // mismatched end group
  EXPECT_FALSE(is_flat_message(view(std::string("\x0a\x05hi", 4))));         // length past the end
  EXPECT_FALSE(is_flat_message(view(std::string("\x0f", 1))));               // wire type 7
}

// Groups nest up to Limits::max_protobuf_group_depth (protobuf's recursion limit, 100), settable,
// and are skipped without recursion: a million open groups cost no stack.
TEST(ProtoWire, GroupDepthIsTheLimitsFieldAndIterative) {
  using namespace modelgate::protowire;
  auto nested = [](std::size_t depth) {
    return std::string(depth, '\x0b') + std::string(depth, '\x0c');  // field 1 start ... end
  };
  auto reads = [](const std::string& m, std::optional<std::uint32_t> limit) {
    MessageReader r(view(m));
    if (limit) r.limit_group_depth(*limit);
    Field f;
    while (r.next(f)) {
    }
    return r.error() ? r.error()->reason : std::string("ok");
  };
  EXPECT_EQ(modelgate::Limits{}.max_protobuf_group_depth, 100u);
  EXPECT_EQ(reads(nested(100), std::nullopt), "ok");
  EXPECT_NE(reads(nested(101), std::nullopt).find("max_protobuf_group_depth (100)"), std::string::npos);
  EXPECT_EQ(reads(nested(101), 200), "ok");
  EXPECT_NE(reads(nested(11), 10).find("max_protobuf_group_depth (10)"), std::string::npos);
  EXPECT_EQ(reads(nested(1'000'000), 2'000'000), "ok");
}

TEST(ProtoWire, DeepNestingIsBoundedNotRecursedForever) {
  std::string m = "\x12\x02\x0a\x00";
  // 10000 levels of field 1 wrapping: the walker stops at its depth limit without failing.
  std::string nested;
  for (int i = 0; i < 10000; ++i) {
    std::string len;
    std::size_t n = nested.size();
    do {
      len += static_cast<char>((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>= 7;
    } while (n);
    nested = "\x0a" + len + nested;
  }
  auto r = modelgate::protowire::walk_for_nodes(view(nested), modelgate::Limits{});
  EXPECT_TRUE(r.ok());
}

TEST(CodeFormatIdentify, RandomBytesAreNotClaimed) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string s(static_cast<std::size_t>(rng() % 512 + 1), '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    auto f = modelgate::identify(view(s));
    EXPECT_NE(f, modelgate::Format::onnx);
    EXPECT_NE(f, modelgate::Format::tf_savedmodel);
    EXPECT_NE(f, modelgate::Format::keras_metadata_pb);
    EXPECT_NE(f, modelgate::Format::tf_fingerprint);
  }
  // A short valid protobuf is not an ONNX model without a graph.
  EXPECT_NE(modelgate::identify(view(std::string("\x08\x07\x12\x03" "abc", 7))), modelgate::Format::onnx);
}

// ---------------------------------------------------------------- data files named by a model
TEST_F(CodeFormats, OnnxDirectoryWithExternalDataIsSafe) {
  auto r = scan_fixture("onnx/ext");
  EXPECT_EQ(r.format, "directory");
  EXPECT_EQ(r.status, Status::safe) << describe(r);
  bool found = false;
  for (const auto& c : r.children)
    if (c.origin.size() >= 11 && c.origin.substr(c.origin.size() - 11) == "weights.bin") {
      EXPECT_EQ(c.format, "onnx-external-data");
      found = true;
    }
  EXPECT_TRUE(found);
}

TEST_F(CodeFormats, SavedModelVariablesAreItsData) {
  TempDir d;
  fs::copy(dir_->path() / "savedmodel/benign", d.path(), fs::copy_options::recursive);
  std::string index(64, '\x01');
  index.replace(56, 8, std::string("\x57\xfb\x80\x8b\x24\x75\x47\xdb", 8));
  write_file(d / "variables/variables.index", index);
  write_file(d / "variables/variables.data-00000-of-00001", std::string("\x00\x11\xfe\x7f\x80", 5));
  modelgate::ScanOptions opts;
  auto result = modelgate::scan_paths({d.path()}, opts);
  ASSERT_EQ(result.artifacts.size(), 1u);
  EXPECT_EQ(result.artifacts[0].status, Status::safe) << describe(result.artifacts[0]);
  // Without a valid table footer the same files stay unrecognised.
  write_file(d / "variables/variables.index", std::string(64, '\x01'));
  result = modelgate::scan_paths({d.path()}, opts);
  EXPECT_EQ(result.artifacts[0].status, Status::unverified);
}

}  // namespace code_formats_test
