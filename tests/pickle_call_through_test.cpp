// Calls the scan cannot see at the opcode level (session 20 red team): allowlisted callables that
// call or instantiate an argument, torch classes constructed with pointer-typed arguments, objects
// made without __init__ by OBJ/INST/_mareconstruct, compressed sparse torch tensors outside
// torch.load, and datetime byte states. Each case is scanned, and where the loader is installed
// the real loader is shown to do what the file asks (harmlessly: values read back, or a child
// process that crashes).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_call_through_test {

using namespace mgtest;
using modelgate::Status;

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

// GLOBAL module\nname\n, the argument tuple's items, TUPLE, REDUCE.
PickleBuilder& rebuild_from_type(PickleBuilder& b, const std::string& func_module, const std::string& func,
                                 const std::string& arg_items) {
  return b.global("torch._tensor", "_rebuild_from_type_v2").mark().global(func_module, func)
      .global("torch", "Tensor").mark().raw(arg_items).op('t').none().op('t').reduce();
}

// numpy.dtype's BUILD state with the given flags (the session 18/19 object dtype forgery).
std::string dtype_state(int flags) {
  return PickleBuilder().mark().binint1(3).str("|").none().none().none().binint(-1).binint1(1).binint(flags)
      .op('t').op('b').str_value();
}

// Runs `check` (a Python expression over r, the loaded object) after pickle.load in a child.
std::string python_check(const std::string& bytes, const std::string& check) {
  TempDir d;
  write_file(d / "p.pkl", bytes);
  return run(python() + " -W ignore -c \"import pickle,sys; r = pickle.load(open(sys.argv[1], 'rb')); print(" + check + ")\" " +
             (d / "p.pkl").string())
      .output;
}

// The signal a child loading the file dies of (0 when it does not).
std::string child_signal(const std::string& bytes) {
  TempDir d;
  write_file(d / "p.pkl", bytes);
  return run(python() + " -c \"import subprocess,sys; print(-subprocess.run([sys.executable, '-c', "
             "'import pickle,sys,torch; pickle.load(open(sys.argv[1], \\\"rb\\\"))', sys.argv[1]], "
             "stderr=subprocess.DEVNULL).returncode)\" " + (d / "p.pkl").string())
      .output;
}

}  // namespace

// _rebuild_from_type_v2(func, Tensor, args, state) is func(*args): numpy.dtype called this way is
// the dtype forgery the direct call is refused for.
TEST(PickleCallThrough, RebuildFromTypeCallsOnlyTorchRebuildFunctions) {
  PickleBuilder b;
  b.proto(2);
  rebuild_from_type(b, "numpy", "dtype", PickleBuilder().str("O8").op(0x89).op(0x88).str_value());
  const std::string forged = b.raw(dtype_state(0)).stop().done();
  auto r = scan(forged);
  EXPECT_EQ(r.status, Status::unsafe) << describe_report(r);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-THROUGH")) << describe_report(r);
  EXPECT_EQ(python_check(forged, "r.kind, r.flags"), "O 0\n");  // an object dtype without its object flags

  // Nested: the outer call's func is _rebuild_from_type_v2 itself.
  PickleBuilder inner;
  rebuild_from_type(inner, "numpy.random._mt19937", "MT19937", "");
  PickleBuilder nested;
  nested.proto(2).global("torch._tensor", "_rebuild_from_type_v2").mark().global("torch._tensor", "_rebuild_from_type_v2")
      .global("torch", "Tensor").mark().global("numpy.random._mt19937", "MT19937").global("torch", "Tensor").op(')')
      .none().op('t').none().op('t').reduce().stop();
  auto n = scan(nested.done());
  EXPECT_TRUE(has_rule(n, "MG-PICKLE-CALL-THROUGH")) << describe_report(n);

  // What torch writes: a torch._utils._rebuild_* function.
  PickleBuilder ok;
  ok.proto(2);
  rebuild_from_type(ok, "torch._utils", "_rebuild_meta_tensor_no_storage",
                    PickleBuilder().global("torch", "float32").str_value());
  auto fine = scan(ok.stop().done());
  EXPECT_FALSE(has_rule(fine, "MG-PICKLE-CALL-THROUGH")) << describe_report(fine);
}

// _rebuild_from_type_v2's state is set on the rebuilt tensor with setattr: a subclass's own
// attribute is what torch writes there; one of Tensor's own attributes changes the tensor. (torch
// 1.13 applies the state to subclasses only: the proof rebuilds a Parameter.)
TEST(PickleCallThrough, RebuildFromTypeStateSetsOnlyNewAttributes) {
  auto with_state = [](const std::string& key) {
    PickleBuilder b;
    b.proto(2).global("torch._tensor", "_rebuild_from_type_v2").mark()
        .global("torch._utils", "_rebuild_meta_tensor_no_storage").global("torch.nn.parameter", "Parameter")
        .mark().global("torch", "float32").binint1(2).tuple1().binint1(1).tuple1().op(0x89).op('t')
        .op('}').str(key).op(0x88).op('s').op('t').reduce().stop();
    return b.done();
  };
  const std::string own = with_state("quantized_flag"), grad = with_state("requires_grad");
  auto ok = scan(own);
  EXPECT_FALSE(has_rule(ok, "MG-PICKLE-INPLACE-WRITE")) << describe_report(ok);
  auto bad = scan(grad);
  EXPECT_EQ(bad.status, Status::unsafe) << describe_report(bad);
  EXPECT_TRUE(has_rule(bad, "MG-PICKLE-INPLACE-WRITE")) << describe_report(bad);
  EXPECT_TRUE(has_rule(scan(with_state("__class__")), "MG-PICKLE-INPLACE-WRITE"));
  // torch sets both: the own attribute is there, and requires_grad changed the tensor.
  EXPECT_EQ(python_check(own, "r.quantized_flag, r.requires_grad"), "True False\n");
  EXPECT_EQ(python_check(grad, "r.requires_grad"), "True\n");
}

// numpy's pickle helpers call the bit generator constructor they are given.
TEST(PickleCallThrough, NumpyRandomHelpersCallOnlyTheirOwnConstructor) {
  auto hidden = scan(PickleBuilder().proto(2).global("numpy.random._pickle", "__randomstate_ctor")
                         .global("numpy.random._pcg64", "PCG64").global("copyreg", "__newobj__").op(0x86).reduce()
                         .stop().done());
  EXPECT_TRUE(has_rule(hidden, "MG-PICKLE-CALL-THROUGH")) << describe_report(hidden);
  auto written = scan(PickleBuilder().proto(2).global("numpy.random._pickle", "__randomstate_ctor").str("MT19937")
                          .global("numpy.random._pickle", "__bit_generator_ctor").op(0x86).reduce().stop().done());
  EXPECT_FALSE(has_rule(written, "MG-PICKLE-CALL-THROUGH")) << describe_report(written);
}

// sklearn's text._analyze(doc, analyzer) is analyzer(doc): refused by the sklearn profile.
TEST(PickleCallThrough, SklearnFunctionsThatCallArgumentsAreNotAllowed) {
  auto r = scan_with(PickleBuilder().proto(2).global("sklearn.feature_extraction.text", "_analyze").str("O8")
                         .global("numpy", "dtype").op(0x86).reduce().stop().done(),
                     {"sklearn"});
  EXPECT_NE(r.status, Status::safe) << describe_report(r);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-GLOBAL-UNLISTED")) << describe_report(r);
}

// torch.UntypedStorage(16, allocator=<int>) and torch.Tensor(cdata=<int>) use the integers as C++
// pointers; torch's own pickles never construct these classes.
TEST(PickleCallThrough, TorchStoragesAndTensorsAreNeverConstructedByThePickle) {
  auto kwargs = [] { return PickleBuilder().op('}').str("allocator").binint(0x41414141).op('s').str_value(); };
  const std::string newobj_ex = PickleBuilder().proto(4).stack_global("torch", "UntypedStorage").binint1(16).op(0x85)
                                    .raw(kwargs()).op(0x92).stop().done();
  auto a = scan(newobj_ex);
  EXPECT_EQ(a.status, Status::unsafe) << describe_report(a);
  EXPECT_TRUE(has_rule(a, "MG-PICKLE-TORCH-CONSTRUCTED"));
  EXPECT_TRUE(has_rule(a, "MG-PICKLE-CONSTRUCT-KEYWORDS"));
  EXPECT_EQ(child_signal(newobj_ex), "11\n");  // the allocator's vtable is read at 0x41414141

  auto via_copyreg = scan(PickleBuilder().proto(2).global("copyreg", "__newobj_ex__").global("torch", "FloatTensor")
                              .op(')').op('}').str("cdata").binint(0x41414141).op('s').op(0x87).reduce().stop().done());
  EXPECT_TRUE(has_rule(via_copyreg, "MG-PICKLE-TORCH-CONSTRUCTED")) << describe_report(via_copyreg);
  EXPECT_EQ(via_copyreg.status, Status::unsafe);
  for (const std::string& how :
       {PickleBuilder().proto(2).global("torch", "LongTensor").op(']').binint1(1).op('a').op(0x85).reduce().stop().done(),
        PickleBuilder().proto(2).global("torch", "FloatStorage").binint1(4).op(0x85).op(0x81).stop().done(),
        PickleBuilder().proto(2).mark().global("torch", "Tensor").op('o').stop().done(),
        PickleBuilder().proto(2).mark().inst("torch.storage", "UntypedStorage").stop().done(),
        PickleBuilder().proto(2).global("copyreg", "__newobj__").global("torch", "Tensor").op(0x85).reduce().stop().done()}) {
    auto r = scan(how);
    EXPECT_TRUE(has_rule(r, "MG-PICKLE-TORCH-CONSTRUCTED")) << describe_report(r);
  }
  // torch.Size and torch.device are constructed by torch's own pickles.
  auto size = scan(PickleBuilder().proto(2).global("torch", "Size").op(']').binint1(2).op('a').op(0x85).reduce().stop().done());
  EXPECT_EQ(size.status, Status::safe) << describe_report(size);
}

// Inside a torch.save zip the same construction is unsafe, and convert refuses the checkpoint
// (it had written the real tensor and reported "dropped extra: torch.UntypedStorage(16)").
// torch's own tensor subclass states (_rebuild_from_type_v2 of a _rebuild_* function) stay safe.
TEST(PickleCallThrough, TorchCheckpointsWithConstructedStoragesAreNotConverted) {
  TempDir d;
  const std::string storage = PickleBuilder().proto(2).op('}').str("extra").global("copyreg", "__newobj_ex__")
                                  .global("torch", "UntypedStorage").binint1(16).op(0x85).op('}').str("allocator")
                                  .binint(0x41414141).op('s').op(0x87).reduce().op('s').stop().done();
  write_file(d / "data.pkl", storage);
  auto made = run(python() + " -c \"import sys, torch, zipfile\n"
                  "torch.save({'w': torch.arange(4.), 'sub': torch.nn.Parameter(torch.ones(2))}, sys.argv[1] + '/real.pt')\n"
                  "t = torch.zeros(3); t.note = 'kept in __dict__'; torch.save({'t': t}, sys.argv[1] + '/state.pt')\n"
                  "z = zipfile.ZipFile(sys.argv[1] + '/bad.pt', 'w')\n"
                  "z.writestr('archive/data.pkl', open(sys.argv[1] + '/data.pkl', 'rb').read())\n"
                  "z.writestr('archive/version', '3\\n'); z.close()\" " + d.path().string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  modelgate::ScanOptions opts;
  auto bad = modelgate::scan_paths({d / "bad.pt"}, opts).artifacts.at(0);
  EXPECT_EQ(bad.status, Status::unsafe) << describe_report(bad);
  EXPECT_TRUE(has_rule(bad, "MG-PICKLE-TORCH-CONSTRUCTED")) << describe_report(bad);
  for (const char* good : {"real.pt", "state.pt"}) {
    auto r = modelgate::scan_paths({d / good}, opts).artifacts.at(0);
    EXPECT_EQ(r.status, Status::safe) << good << "\n" << describe_report(r);
  }
  auto converted = run(modelgate_binary() + " convert " + (d / "bad.pt").string() + " " + (d / "bad.safetensors").string());
  EXPECT_NE(converted.exit_code, 0) << converted.output;
  EXPECT_NE(converted.output.find("MG-PICKLE-TORCH-CONSTRUCTED"), std::string::npos) << converted.output;
  EXPECT_FALSE(fs::exists(d / "bad.safetensors"));
}

// NEWOBJ_EX keyword arguments on any class are not modelled.
TEST(PickleCallThrough, ConstructorKeywordArgumentsAreNotSafe) {
  auto r = scan(PickleBuilder().proto(4).stack_global("collections", "OrderedDict").op(')').op('}').op(0x92).stop().done());
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CONSTRUCT-KEYWORDS")) << describe_report(r);
  EXPECT_NE(r.status, Status::safe);
}

// OBJ/INST with no arguments and numpy.ma.core._mareconstruct call cls.__new__ without __init__.
TEST(PickleCallThrough, ObjInstAndMareconstructMakeObjectsWithoutConstructor) {
  const std::string obj = PickleBuilder().proto(2).mark().global("numpy.random._pcg64", "PCG64").op('o').stop().done();
  const std::string inst = PickleBuilder().proto(2).mark().inst("numpy.random._pcg64", "PCG64").stop().done();
  const std::string ma = PickleBuilder().proto(2).global("numpy.ma.core", "_mareconstruct").mark()
                             .global("numpy.random._pcg64", "PCG64").global("numpy", "ndarray").binint1(0).op(0x85)
                             .str("f8").op('t').reduce().stop().done();
  for (const auto& bytes : {obj, inst, ma}) {
    auto r = scan(bytes);
    EXPECT_TRUE(has_rule(r, "MG-PICKLE-NUMPY-RANDOM-STATE")) << describe_report(r);
    EXPECT_EQ(r.status, Status::unsafe);
  }
  // The loader really skips __init__: the generator's lock is never set.
  EXPECT_EQ(python_check(obj, "type(r).__name__, r.lock is None"), "PCG64 True\n");
  EXPECT_EQ(python_check(inst, "type(r).__name__, r.lock is None"), "PCG64 True\n");
  // With arguments, OBJ calls the class: the constructor runs.
  auto with_args = scan(PickleBuilder().proto(2).mark().global("numpy.random._pcg64", "PCG64").binint1(1).op('o').stop().done());
  EXPECT_FALSE(has_rule(with_args, "MG-PICKLE-NUMPY-RANDOM-STATE")) << describe_report(with_args);
}

// torch checks sparse indices (COO as well as compressed) only at the end of torch.load: a COO
// tensor whose indices pass its size crashes in to_dense() under pickle.load and joblib.load.
TEST(PickleCallThrough, SparseTensorsOutsideTorchLoadAreUnchecked) {
  auto layout = [](const std::string& name) {
    return PickleBuilder().global("torch.serialization", "_get_layout").str(name).op(0x85).reduce().str_value();
  };
  auto csr = scan(PickleBuilder().proto(2).global("torch._utils", "_rebuild_sparse_csr_tensor").raw(layout("torch.sparse_csr"))
                      .none().op(0x86).reduce().stop().done());
  EXPECT_TRUE(has_rule(csr, "MG-PICKLE-TORCH-SPARSE-UNCHECKED")) << describe_report(csr);
  EXPECT_NE(csr.status, Status::safe);
  auto bsr = scan(PickleBuilder().proto(2).global("torch._utils", "_rebuild_sparse_tensor").raw(layout("torch.sparse_bsr"))
                      .none().op(0x86).reduce().stop().done());
  EXPECT_TRUE(has_rule(bsr, "MG-PICKLE-TORCH-SPARSE-UNCHECKED")) << describe_report(bsr);
  for (const std::string& coo : {layout("torch.sparse_coo"), PickleBuilder().global("torch", "sparse_coo").str_value()}) {
    auto r = scan(PickleBuilder().proto(2).global("torch._utils", "_rebuild_sparse_tensor").raw(coo).none().op(0x86)
                      .reduce().stop().done());
    EXPECT_TRUE(has_rule(r, "MG-PICKLE-TORCH-SPARSE-UNCHECKED")) << describe_report(r);
    EXPECT_NE(r.status, Status::safe);
  }
  // pickle.load hands an out-of-range csr tensor over (built the way torch writes one, indices
  // from plain lists, which is itself refused: MG-PICKLE-TORCH-CONSTRUCTED).
  auto tensor = [](const char* cls, std::vector<int> items) {
    PickleBuilder b;
    b.global("torch", cls).op(']');
    for (int i : items) b.binint(i).op('a');
    return b.op(0x85).reduce().str_value();
  };
  const std::string oob = PickleBuilder().proto(2).global("torch._utils", "_rebuild_sparse_csr_tensor")
                              .raw(layout("torch.sparse_csr")).mark().raw(tensor("LongTensor", {0, 1, 2}))
                              .raw(tensor("LongTensor", {0, 50000000})).raw(tensor("FloatTensor", {1, 2}))
                              .raw(tensor("Size", {2, 2})).op('t').op(0x86).reduce().stop().done();
  EXPECT_NE(scan(oob).status, Status::safe);
  EXPECT_EQ(python_check(oob, "r.col_indices().tolist()"), "[0, 50000000]\n");
}

// CPython checks only the month (date, datetime) or hour (time) of a byte state.
TEST(PickleCallThrough, DatetimeByteStatesAreCheckedField_by_field) {
  auto date = [](const std::string& cls, const std::string& state) {
    return PickleBuilder().proto(3).global("datetime", cls).bytes(state).op(0x85).reduce().stop().done();
  };
  const std::string year0 = date("date", std::string("\x00\x00\x01\x01", 4));
  auto r = scan(year0);
  EXPECT_EQ(r.status, Status::unsafe) << describe_report(r);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-DATETIME-STATE"));
  EXPECT_EQ(python_check(year0, "r.year"), "0\n");  // CPython keeps year 0
  EXPECT_EQ(python_check(date("date", std::string("\x07\xe3\x02\x1e", 4)), "r.day"), "30\n");  // 30 February
  struct Case {
    std::string cls, state;
    bool bad;
  };
  const std::vector<Case> cases = {
      {"date", std::string("\x07\xe4\x02\x1d", 4), false},                       // 2020-02-29
      {"date", std::string("\x07\xe3\x02\x1d", 4), true},                        // 2019-02-29
      {"date", std::string("\x27\x10\x01\x01", 4), true},                        // year 10000
      {"date", std::string("\x07\xe4\x0d\x01", 4), true},                        // month 13
      {"datetime", std::string("\x07\xe4\x81\x01\x17\x3b\x3b\x0f\x42\x3f", 10), false},  // fold, 23:59:59.999999
      {"datetime", std::string("\x07\xe4\x01\x01\x18\x00\x00\x00\x00\x00", 10), true},   // hour 24
      {"datetime", std::string("\x07\xe4\x01\x01\x00\x00\x00\x0f\x42\x40", 10), true},   // 1000000 us
      {"time", std::string("\x97\x3b\x00\x00\x00\x00", 6), false},               // fold, 23:59
      {"time", std::string("\x01\x3c\x00\x00\x00\x00", 6), true},                // minute 60
      {"time", std::string("\x01\x00\xc8\x00\x00\x00", 6), true},                // second 200
  };
  for (const auto& c : cases) {
    auto s = scan(date(c.cls, c.state));
    EXPECT_EQ(has_rule(s, "MG-PICKLE-DATETIME-STATE"), c.bad) << c.cls << "\n" << describe_report(s);
  }
  // Protocols 0 to 2 write the state as _codecs.encode(str, 'latin1'): checked the same way.
  auto encoded = [](const std::string& text) {
    return PickleBuilder().proto(2).global("datetime", "date").global("_codecs", "encode").str(text).str("latin1")
        .op(0x86).reduce().op(0x85).reduce().stop().done();
  };
  EXPECT_EQ(scan(encoded("\x07\xc3\xa4\x01\x01")).status, Status::safe);  // 2020-01-01, as Python writes it
  auto encoded0 = scan(encoded(std::string("\x00\x00\x01\x01", 4)));
  EXPECT_TRUE(has_rule(encoded0, "MG-PICKLE-DATETIME-STATE")) << describe_report(encoded0);
  // Integers go to the ordinary constructor, which checks them.
  auto ints = scan(PickleBuilder().proto(2).global("datetime", "date").binint(2020).binint1(1).binint1(1).op(0x87)
                       .reduce().stop().done());
  EXPECT_EQ(ints.status, Status::safe) << describe_report(ints);
}

}  // namespace pickle_call_through_test
