// What may be called while loading is narrower than what may be referenced (session 22 red team):
// a profile's wildcard admits scikit-learn's functions and classes to be referenced, and only the
// reconstructions the library writes may run at load; allowlisted builtins asked for far more memory
// than the file holds are reported. Each fixture is also loaded by the real loader, which is shown to
// do what the file asks (harmlessly: consistent arguments, sizes of a few MB).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pickle/allowlist.h"
#include "pickle/machine.h"
#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_load_time_calls_test {

using mgtest::PickleBuilder;
using modelgate::Status;
using modelgate::pickle::Allowlist;

namespace {

std::string describe_report(const modelgate::ArtifactReport& r) {
  std::string s = std::string(modelgate::to_string(r.status)) + "\n";
  for (const auto* f : r.all_findings()) s += "  " + f->rule + " " + f->message + " [" + f->evidence + "]\n";
  return s;
}

modelgate::ArtifactReport scan_with(const std::string& bytes, std::vector<std::string> profiles) {
  modelgate::ScanOptions opts;
  if (!profiles.empty()) opts.policy.profiles = std::move(profiles);
  return modelgate::scan_bytes("p.pkl", reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), opts)
      .value();
}

}  // namespace

TEST(PickleLoadTimeCalls, GeneratedCallsAndSizesAgainstTheRealLoader) {
  const auto& g = mgtest::generated_fixtures("make_load_time_calls.py");
  ASSERT_TRUE(g.ok) << g.log;
  std::size_t files = 0;
  for (const auto& e : g.manifest["files"]) {
    const std::string file = e["file"], expect = e["expect"], rule = e["rule"], check = e["check"];
    modelgate::ScanOptions opts;
    for (const auto& p : e["profiles"]) opts.policy.profiles.push_back(p);
    const auto path = g.dir.path() / file;
    const auto r = modelgate::scan_paths({path}, opts).artifacts.at(0);
    EXPECT_EQ(std::string(modelgate::to_string(r.status)), expect) << file << "\n" << describe_report(r);
    if (!rule.empty()) {
      EXPECT_TRUE(mgtest::has_rule(r, rule)) << file << "\n" << describe_report(r);
    }
    // With vmem_kb the file asks for more than that address space: the loader must fail to allocate.
    const std::uint64_t vmem_kb = e.value("vmem_kb", 0);
    const std::string limit = vmem_kb ? "ulimit -v " + std::to_string(vmem_kb) + "; " : "";
    // torch's allocator reports a failed allocation as a RuntimeError.
    const bool torch = file.ends_with(".pt");
    const std::string load = torch ? "import torch; m = torch.load(sys.argv[1])" : "m = pickle.load(open(sys.argv[1], 'rb'))";
    auto loaded = mgtest::run(limit + mgtest::python() + " -c \"import pickle, sys\ntry:\n " + load + "; print(" + check +
                              ")\nexcept (MemoryError, RuntimeError) as e: print('MemoryError' if 'alloc' in str(e) or "
                              "isinstance(e, MemoryError) else repr(e))\" " + path.string());
    EXPECT_EQ(loaded.output, vmem_kb ? "MemoryError\n" : "True\n") << file << ": " << loaded.output;
    ++files;
  }
  EXPECT_EQ(files, 61u);
}

// The message names the callable; a function kept as a value, a class made by NEWOBJ without
// arguments and the listed reconstructions stay safe.
TEST(PickleLoadTimeCalls, WildcardNamesAreReferencedNotCalled) {
  const std::string call = PickleBuilder().proto(4)
                               .stack_global("sklearn.cluster._kmeans", "_labels_inertia").op(')').reduce().stop().done();
  auto r = scan_with(call, {"sklearn"});
  EXPECT_EQ(r.status, Status::unsafe) << describe_report(r);
  ASSERT_TRUE(mgtest::has_rule(r, "MG-PICKLE-CALL-REFERENCE-ONLY")) << describe_report(r);
  bool named = false;
  for (const auto* f : r.all_findings())
    named = named || f->message.find("sklearn.cluster._kmeans._labels_inertia") != std::string::npos;
  EXPECT_TRUE(named) << describe_report(r);

  const std::string value = PickleBuilder().proto(4).stack_global("sklearn.feature_selection._univariate_selection", "f_classif")
                                .op(0x85).stop().done();  // (f_classif,)
  EXPECT_EQ(scan_with(value, {"sklearn"}).status, Status::safe);
  const std::string newobj = PickleBuilder().proto(4).stack_global("sklearn.tree._classes", "DecisionTreeClassifier")
                                 .op(')').op(0x81).stop().done();
  EXPECT_EQ(scan_with(newobj, {"sklearn"}).status, Status::safe) << describe_report(scan_with(newobj, {"sklearn"}));
  // NEWOBJ with arguments runs the class's __new__ (a Cython __cinit__) with them.
  const std::string newobj_args = PickleBuilder().proto(4).stack_global("sklearn.ensemble._hist_gradient_boosting.grower", "TreeGrower")
                                      .binint1(5).op(0x85).op(0x81).stop().done();
  EXPECT_TRUE(mgtest::has_rule(scan_with(newobj_args, {"sklearn"}), "MG-PICKLE-CALL-REFERENCE-ONLY"));
  // OBJ with arguments calls the class.
  const std::string obj = PickleBuilder().proto(1).mark().global("sklearn.tree._criterion", "Gini").binint1(1)
                              .op('o').stop().done();
  EXPECT_TRUE(mgtest::has_rule(scan_with(obj, {"sklearn"}), "MG-PICKLE-CALL-REFERENCE-ONLY"));
  // Tree(n_features, n_classes, n_outputs) is what the library writes.
  const std::string tree = PickleBuilder().proto(4).stack_global("sklearn.tree._tree", "Tree").binint1(1)
                               .binint1(1).binint1(1).op(0x87).reduce().stop().done();
  EXPECT_FALSE(mgtest::has_rule(scan_with(tree, {"sklearn"}), "MG-PICKLE-CALL-REFERENCE-ONLY"));
}

TEST(PickleLoadTimeCalls, AdmissionOfProfilesAndPolicies) {
  auto a = Allowlist::from_profiles({"sklearn"}, {});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->admission("sklearn.pipeline", "_transform_one"), Allowlist::Admission::reference);
  EXPECT_EQ(a->admission("sklearn.tree._criterion", "Gini"), Allowlist::Admission::reference);
  EXPECT_EQ(a->admission("sklearn.tree._tree", "Tree"), Allowlist::Admission::call);
  EXPECT_EQ(a->admission("sklearn.metrics._dist_metrics", "newObj"), Allowlist::Admission::call);
  EXPECT_EQ(a->admission("builtins", "bytearray"), Allowlist::Admission::call);
  EXPECT_EQ(a->admission("sklearn.utils", "resample"), Allowlist::Admission::none);
  // A policy's wildcard is the user's decision: what it admits may be called.
  auto user = Allowlist::from_profiles({"sklearn"}, {"mypkg.*"});
  ASSERT_TRUE(user);
  EXPECT_EQ(user->admission("mypkg.layers", "Block"), Allowlist::Admission::call);
  EXPECT_EQ(user->admission("sklearn.pipeline", "_transform_one"), Allowlist::Admission::reference);
}

// bytearray(n) with n past max_compression_ratio bytes per byte of the stream; a big integer too.
TEST(PickleLoadTimeCalls, SizedBuiltinsAreBoundedByTheStream) {
  const std::string big = PickleBuilder().proto(2).global("__builtin__", "bytearray").binint(2000000000)
                              .op(0x85).reduce().stop().done();  // bytearray(2 * 10**9)
  auto r = scan_with(big, {});
  EXPECT_EQ(r.status, Status::unsafe) << describe_report(r);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-PICKLE-CALL-AMPLIFIES")) << describe_report(r);
  const std::string huge = PickleBuilder().proto(2).global("__builtin__", "bytes").op(0x8a).raw(std::string("\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01", 10))
                               .op(0x85).reduce().stop().done();  // bytes(2**64)
  EXPECT_TRUE(mgtest::has_rule(scan_with(huge, {}), "MG-PICKLE-CALL-AMPLIFIES")) << describe_report(scan_with(huge, {}));
  const std::string small = PickleBuilder().proto(2).global("__builtin__", "bytearray").binint1(16)
                                .op(0x85).reduce().stop().done();
  EXPECT_EQ(scan_with(small, {}).status, Status::safe) << describe_report(scan_with(small, {}));
}

// The same sizes reached another way: a memoised argument tuple, numpy's shapes and dtypes, sizes
// that are numpy scalars or calls; numpy's own (0,) start costs no second run.
TEST(PickleLoadTimeCalls, SizesThroughTheMemoNumpyAndCalls) {
  const std::string memoised = PickleBuilder().proto(2).global("__builtin__", "bytearray").binint(4000000)
                                   .tuple1().binput(0).op('0').binget(0).reduce().stop().done();
  EXPECT_TRUE(mgtest::has_rule(scan_with(memoised, {}), "MG-PICKLE-CALL-AMPLIFIES")) << describe_report(scan_with(memoised, {}));

  auto reconstruct = [](unsigned dim, const std::string& dtype) {
    return PickleBuilder().proto(2).global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray")
        .binint(static_cast<std::int32_t>(dim)).tuple1().op('C').op(static_cast<unsigned char>(dtype.size())).raw(dtype)
        .op(0x87).reduce().stop().done();
  };
  const auto before = modelgate::pickle::machine_runs();
  auto empty = scan_with(reconstruct(0, "b"), {"numpy"});
  EXPECT_EQ(modelgate::pickle::machine_runs() - before, 1u);
  EXPECT_EQ(empty.status, Status::safe) << describe_report(empty);
  EXPECT_EQ(scan_with(reconstruct(4, "V1000000000"), {"numpy"}).status, Status::unsafe);
  EXPECT_EQ(scan_with(reconstruct(100000000, "b"), {"numpy"}).status, Status::unsafe);
  EXPECT_EQ(scan_with(reconstruct(10, "f8"), {"numpy"}).status, Status::safe);
  // A dtype the scan cannot read with items to allocate is not proven bounded.
  auto named = scan_with(reconstruct(10, "float64"), {"numpy"});
  EXPECT_EQ(named.status, Status::unverified) << describe_report(named);
  EXPECT_TRUE(mgtest::has_rule(named, "MG-PICKLE-CALL-SIZE-UNKNOWN")) << describe_report(named);

  // bytearray(numpy.int64(b'...')) through scalar(dtype('i8'), bytes): 2**40 little-endian.
  const std::string scalar = PickleBuilder().proto(4).global("builtins", "bytearray")
                                 .global("numpy.core.multiarray", "scalar").global("numpy", "dtype")
                                 .str("i8").tuple1().reduce().op('C').op(8).raw(std::string("\0\0\0\0\0\1\0\0", 8))
                                 .tuple2().reduce().tuple1().reduce().stop().done();
  auto r = scan_with(scalar, {"sklearn"});
  EXPECT_TRUE(mgtest::has_rule(r, "MG-PICKLE-CALL-AMPLIFIES")) << describe_report(r);
  // bytearray(True), bytearray(int('16')): small.
  const std::string small = PickleBuilder().proto(4).global("builtins", "bytearray").global("builtins", "int")
                                .str("16").tuple1().reduce().tuple1().reduce().stop().done();
  EXPECT_EQ(scan_with(small, {}).status, Status::safe) << describe_report(scan_with(small, {}));
  const std::string big = PickleBuilder().proto(4).global("builtins", "bytearray").global("builtins", "int")
                              .str("4000000000").tuple1().reduce().tuple1().reduce().stop().done();
  EXPECT_TRUE(mgtest::has_rule(scan_with(big, {}), "MG-PICKLE-CALL-AMPLIFIES"));

  // torch's _rebuild_from_type_v2(func, type, args, state) calls func(*args): a quantized tensor
  // of 10**8 items made through it.
  auto qtensor = [](std::int32_t items) {
    return PickleBuilder().proto(2).global("torch._tensor", "_rebuild_from_type_v2")
        .mark().global("torch._utils", "_rebuild_qtensor").global("torch", "Tensor")
        .mark().none().binint1(0).binint(items).tuple1().binint1(0).tuple1().op(0x89).op('t')
        .op('}').op('t').reduce().stop().done();
  };
  auto through = scan_with(qtensor(100000000), {"torch"});
  EXPECT_TRUE(mgtest::has_rule(through, "MG-PICKLE-CALL-AMPLIFIES")) << describe_report(through);
  EXPECT_FALSE(mgtest::has_rule(scan_with(qtensor(4), {"torch"}), "MG-PICKLE-CALL-AMPLIFIES"));
}

}  // namespace pickle_load_time_calls_test
