// The SavedModel op check: TensorFlow's op registry as a table (every op classified, unknown ops
// unverified) and checkpoint ops whose path is fixed in the file. Fixtures from
// tests/fixtures/make_savedmodel_ops.py.
#include <gtest/gtest.h>

#include <set>

#include "core/parsed_facts_json.h"
#include "format/tensorflow_ops.h"
#include "modelgate/scan.h"
#include "test_util.h"

namespace savedmodel_ops_test {

using namespace mgtest;
using modelgate::Status;
using modelgate::TensorflowOpClass;

namespace {

class SavedModelOps : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& f = generated_fixtures("make_savedmodel_ops.py");
    ASSERT_TRUE(f.ok) << f.log;
    dir_ = &f.dir;
  }

  static modelgate::ArtifactReport scan_fixture(const std::string& name) {
    modelgate::ScanOptions opts;
    opts.threads = 1;
    opts.sandbox = modelgate::SandboxMode::off;
    auto result = modelgate::scan_paths({dir_->path() / name / "saved_model.pb"}, opts);
    EXPECT_TRUE(result.errors.empty()) << name;
    EXPECT_EQ(result.artifacts.size(), 1u) << name;
    return result.artifacts.empty() ? modelgate::ArtifactReport{} : result.artifacts[0];
  }

  static std::string describe(const modelgate::ArtifactReport& r) {
    std::string s;
    for (const auto* f : r.all_findings()) s += "[" + f->rule + ": " + f->message + "] ";
    return s;
  }

  // The report of `name`, checked for its status and rules.
  static modelgate::ArtifactReport expect(const std::string& name, Status status,
                                          const std::vector<std::string>& rules = {}) {
    auto r = scan_fixture(name);
    EXPECT_EQ(r.format, "tf-savedmodel") << name;
    EXPECT_EQ(r.status, status) << name << ": got " << modelgate::to_string(r.status) << " " << describe(r);
    for (const auto& id : rules) EXPECT_TRUE(has_rule(r, id)) << name << " lacks " << id << ": " << describe(r);
    return r;
  }

  static bool message_has(const modelgate::ArtifactReport& r, const std::string& rule, const std::string& text) {
    for (const auto* f : r.all_findings())
      if (f->rule == rule && f->message.find(text) != std::string::npos) return true;
    return false;
  }

  static const GeneratedFixtures::Dir* dir_;
};

const GeneratedFixtures::Dir* SavedModelOps::dir_ = nullptr;

}  // namespace

TEST(TensorflowOpTable, SortedUniqueAndClassified) {
  auto ops = modelgate::tensorflow_ops();
  ASSERT_GT(ops.size(), 1500u);
  std::set<TensorflowOpClass> classes;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(ops[i - 1].name, ops[i].name);
    }
    classes.insert(ops[i].cls);
    EXPECT_EQ(ops[i].cls == TensorflowOpClass::inert, ops[i].what.empty()) << ops[i].name;
  }
  EXPECT_EQ(classes.size(), 8u);
  for (const char* inert : {"StatefulPartitionedCall", "PartitionedCall", "VarHandleOp", "ReadVariableOp",
                            "AssignVariableOp", "StringJoin", "ShardedFilename", "StaticRegexFullMatch", "Select",
                            "NoOp", "Const", "Identity", "Placeholder", "MatMul", "While", "If"}) {
    const auto* op = modelgate::find_tensorflow_op(inert);
    ASSERT_NE(op, nullptr) << inert;
    EXPECT_EQ(op->cls, TensorflowOpClass::inert) << inert;
  }
  struct Expected {
    const char* op;
    TensorflowOpClass cls;
  };
  for (auto [op, cls] : {Expected{"PyFunc", TensorflowOpClass::python}, Expected{"WriteFile", TensorflowOpClass::file},
                         Expected{"CacheDatasetV2", TensorflowOpClass::file},
                         Expected{"CreateSummaryDbWriter", TensorflowOpClass::file},
                         Expected{"WriteScalarSummary", TensorflowOpClass::file},
                         Expected{"DataServiceDatasetV4", TensorflowOpClass::network},
                         Expected{"CollectiveReduceV2", TensorflowOpClass::network},
                         Expected{"InitializeTableFromTextFileV2", TensorflowOpClass::asset},
                         Expected{"SaveV2", TensorflowOpClass::checkpoint},
                         Expected{"MergeV2Checkpoints", TensorflowOpClass::checkpoint},
                         Expected{"PrintV2", TensorflowOpClass::print},
                         Expected{"XlaCallModule", TensorflowOpClass::opaque},
                         Expected{"Abort", TensorflowOpClass::opaque},
                         Expected{"DatasetFromGraph", TensorflowOpClass::opaque},
                         Expected{"ExperimentalFunctionBufferingResource", TensorflowOpClass::network}}) {
    const auto* found = modelgate::find_tensorflow_op(op);
    ASSERT_NE(found, nullptr) << op;
    EXPECT_EQ(found->cls, cls) << op;
  }
  EXPECT_EQ(modelgate::find_tensorflow_op("TotallyInertOp"), nullptr);
}

TEST_F(SavedModelOps, SaversTheLoaderFeedsAreClean) {
  auto tf2 = expect("saver_tf2", Status::safe);
  EXPECT_FALSE(has_rule(tf2, "MG-SAVEDMODEL-CHECKPOINT-PATH")) << describe(tf2);
  expect("saver_tf1", Status::safe);
}

TEST_F(SavedModelOps, CheckpointOpsWithAConstantPathWriteWhereTheFileSays) {
  auto init = expect("init_save_const", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(init, "MG-SAVEDMODEL-FILE-OP", "/tmp/modelgate-evil/ckpt")) << describe(init);
  auto merge = expect("merge_const", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(merge, "MG-SAVEDMODEL-FILE-OP", "/home/user/.ssh/authorized_keys")) << describe(merge);
  // A TF1 saver's default path counts only when the SaverDef does not name the tensor as fed.
  auto unfed = expect("saver_tf1_unfed", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(unfed, "MG-SAVEDMODEL-FILE-OP", "'model'")) << describe(unfed);
  auto absolute = expect("saver_tf1_absolute_default", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(absolute, "MG-SAVEDMODEL-FILE-OP", "/etc/cron.d/job")) << describe(absolute);
  // The loader's prefix joined with a constant that climbs out of its directory.
  auto climbing = expect("save_climbing", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(climbing, "MG-SAVEDMODEL-FILE-OP", "/../../../.bashrc")) << describe(climbing);
}

TEST_F(SavedModelOps, ACheckpointPathNotTracedIsUnverified) {
  expect("restore_unresolved", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
}

TEST_F(SavedModelOps, EachEffectClassIsReported) {
  expect("python_op", Status::unsafe, {"MG-SAVEDMODEL-PYTHON-OP"});
  auto file = expect("file_op", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(file, "MG-SAVEDMODEL-FILE-OP", "FixedUnigramCandidateSampler")) << describe(file);
  expect("proto_file", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  expect("proto_linked", Status::safe);
  expect("network_op", Status::unsafe, {"MG-SAVEDMODEL-NETWORK-OP"});
  expect("asset_op", Status::unverified, {"MG-SAVEDMODEL-ASSET-OP"});
  expect("print_op", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  expect("opaque_op", Status::unverified, {"MG-SAVEDMODEL-UNKNOWN-OP"});
}

TEST_F(SavedModelOps, UnknownOpsAreUnverifiedFunctionCallsAreNot) {
  auto r = expect("unknown_op", Status::unverified, {"MG-SAVEDMODEL-UNKNOWN-OP"});
  EXPECT_TRUE(message_has(r, "MG-SAVEDMODEL-UNKNOWN-OP", "Addons>ImageProjectiveTransform")) << describe(r);
  EXPECT_TRUE(message_has(r, "MG-SAVEDMODEL-UNKNOWN-OP", "TotallyInertOp")) << describe(r);
  auto calls = expect("function_calls", Status::safe);
  EXPECT_EQ(modelgate::facts_json(calls)["op_types"]["__inference_fn_12"], 1) << describe(calls);
  expect("control_ret_entry", Status::safe);
}

TEST_F(SavedModelOps, AGraphDeserializedFromATensorIsNotInert) {
  auto decoded = expect("dataset_from_graph_decoded", Status::unverified, {"MG-SAVEDMODEL-UNKNOWN-OP"});
  EXPECT_TRUE(message_has(decoded, "MG-SAVEDMODEL-UNKNOWN-OP", "DatasetFromGraph")) << describe(decoded);
  // Verbatim in a Const, the graph's ops are walked as well.
  auto verbatim = expect("dataset_from_graph_const", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP", "MG-SAVEDMODEL-UNKNOWN-OP"});
  EXPECT_TRUE(message_has(verbatim, "MG-SAVEDMODEL-FILE-OP", "WriteFile")) << describe(verbatim);
}

TEST_F(SavedModelOps, OnlyTheSaversPathShapesKeepTheLoadersPath) {
  expect("save_saver_shape", Status::safe);
  // Rewrites that are not evaluated, a Const not written as strings, a placeholder the loader does
  // not feed with the variables' path.
  for (const char* name : {"save_static_regex", "save_regex_const", "save_tensor_content", "save_other_placeholder"}) {
    auto r = expect(name, Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
    EXPECT_FALSE(has_rule(r, "MG-SAVEDMODEL-FILE-OP")) << name << ": " << describe(r);
  }
  auto regex = expect("save_static_regex", Status::unverified);
  EXPECT_TRUE(message_has(regex, "MG-SAVEDMODEL-CHECKPOINT-PATH", "StaticRegexReplace")) << describe(regex);
  // The loader's path after a constant, or followed by a suffix that climbs once its parts (a
  // separator, several constants, any element of a vector) are put together.
  auto first = expect("save_constant_first", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(first, "MG-SAVEDMODEL-FILE-OP", "/tmp/modelgate-evil<the loader's path>")) << describe(first);
  auto separator = expect("save_join_separator", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(separator, "MG-SAVEDMODEL-FILE-OP", "/../../../tmp/modelgate-evil/x")) << describe(separator);
  auto split = expect("save_split_climb", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(split, "MG-SAVEDMODEL-FILE-OP", "/../../x")) << describe(split);
  expect("save_vector_suffix", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  // Fields protobuf merges are read merged.
  auto merged = expect("save_separator_merged", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(merged, "MG-SAVEDMODEL-FILE-OP", "/../../../tmp/modelgate-evil/x")) << describe(merged);
  expect("save_const_merged", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  expect("save_saverdef_merged", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
  auto untraced = expect("saver_tf1_untraced_default", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
  EXPECT_TRUE(message_has(untraced, "MG-SAVEDMODEL-CHECKPOINT-PATH", "ReadVariableOp")) << describe(untraced);
}

TEST_F(SavedModelOps, AFunctionArgumentIsWhatEveryCallerPasses) {
  expect("save_fn_nested", Status::safe);
  auto constant = expect("save_fn_constant_caller", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(constant, "MG-SAVEDMODEL-FILE-OP", "/tmp/modelgate-evil/x")) << describe(constant);
  expect("save_fn_second_caller", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  auto nested = expect("save_fn_nested_constant", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(nested, "MG-SAVEDMODEL-FILE-OP", "/tmp/modelgate-evil/x-registered")) << describe(nested);
  auto uncalled = expect("save_fn_no_caller", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
  EXPECT_TRUE(message_has(uncalled, "MG-SAVEDMODEL-CHECKPOINT-PATH", "no node of the file calls")) << describe(uncalled);
  auto other = expect("save_fn_other_reference", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
  EXPECT_TRUE(message_has(other, "MG-SAVEDMODEL-CHECKPOINT-PATH", "named where")) << describe(other);
  auto recursive = expect("save_fn_recursive", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
  EXPECT_TRUE(message_has(recursive, "MG-SAVEDMODEL-CHECKPOINT-PATH", "recursive")) << describe(recursive);
  expect("save_fn_many_callers", Status::safe);
  auto deep = expect("save_fn_deep_chain", Status::unverified, {"MG-SAVEDMODEL-CHECKPOINT-PATH"});
  EXPECT_TRUE(message_has(deep, "MG-SAVEDMODEL-CHECKPOINT-PATH", "longer than the scanner follows")) << describe(deep);
}

TEST_F(SavedModelOps, AnOpInAGraphInsideAnAttributeIsFound) {
  auto r = expect("nested_attr_graph", Status::unsafe, {"MG-SAVEDMODEL-FILE-OP"});
  EXPECT_TRUE(message_has(r, "MG-SAVEDMODEL-FILE-OP", "WriteFile")) << describe(r);
}

}  // namespace savedmodel_ops_test
