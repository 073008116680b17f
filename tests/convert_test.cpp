// Unit tests of the convert module: header layout, atomic writes, state dict reconstruction from
// hand-built pickles (keys, metadata, aliases, refusals), tensor copies, and the CLI's --force.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>

#include "convert/checkpoint_conversion.h"
#include "convert/checkpoint_index.h"
#include "convert/conversion_plan_codec.h"
#include "convert/directory_conversion.h"
#include "container/python_repr.h"
#include "convert/safetensors_writer.h"
#include "convert/shared_views.h"
#include "container/state_dict_reconstruction.h"
#include "convert/tensor_copy.h"
#include "core/regular_file.h"
#include "pickle/machine.h"
#include "report/json_report.h"
#include "convert_test_util.h"
#include "fault_test_util.h"
#include "pickle_builder.h"
#include "test_util.h"
#include "zip_builder.h"

namespace convert_test {

namespace {

using namespace mgtest;
using namespace modelgate;
using namespace modelgate::convert;
using safetensors::Dtype;

// ------------------------------------------------------------------ header layout

TEST(ConvertHeader, MatchesTheReferenceWriterByteForByte) {
  // The reference writer's own test vectors (safetensors tensor.rs).
  auto l = layout_header({{"attn.0", Dtype::F32, {1, 2, 3}, 24}}, {});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->bytes.substr(0, 8), std::string("\x40\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(l->bytes.substr(8), R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})");
  auto padded = layout_header({{"attn0", Dtype::F32, {1, 1, 2, 3}, 24}}, {});
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->bytes.size(), 8u + 72u);
  EXPECT_EQ(padded->bytes.substr(padded->bytes.size() - 7), std::string(7, ' '));
  auto empty = layout_header({}, {{"framework", "pt"}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->bytes.substr(8), std::string(R"({"__metadata__":{"framework":"pt"}})") + "     ");
}

TEST(ConvertHeader, OrdersByDtypeDescendingThenNameAndAligns) {
  std::vector<HeaderEntry> e = {{"b", Dtype::F16, {2}, 4},  {"a", Dtype::F32, {1}, 4}, {"c", Dtype::F32, {3}, 12},
                                {"z", Dtype::BOOL, {3}, 3}, {"y", Dtype::I64, {1}, 8}, {"x\"\n", Dtype::U8, {1}, 1}};
  auto l = layout_header(e, {{"z", "1"}, {"a", "2"}});
  ASSERT_TRUE(l);
  std::vector<std::string> names;
  for (auto i : l->order) names.push_back(e[i].name);
  EXPECT_EQ(names, (std::vector<std::string>{"y", "a", "c", "b", "x\"\n", "z"}));
  EXPECT_EQ(l->bytes.size() % 8, 0u);
  EXPECT_EQ(l->begin[4], 0u);   // y
  EXPECT_EQ(l->begin[1], 8u);   // a
  EXPECT_EQ(l->begin[2], 12u);  // c
  EXPECT_EQ(l->data_size, 32u);
  std::string json = l->bytes.substr(8);
  EXPECT_EQ(json.find(R"({"__metadata__":{"a":"2","z":"1"},"y":)"), 0u) << json;
  EXPECT_NE(json.find(R"("x\"\n")"), std::string::npos) << json;
  EXPECT_FALSE(layout_header({{"\xff", Dtype::U8, {1}, 1}}, {}));
}

// ------------------------------------------------------------------ atomic files

TEST(ConvertAtomicFile, TempFileDisappearsUnlessCommitted) {
  TempDir d;
  {
    auto f = AtomicFile::create(d / "out.safetensors", false);
    ASSERT_TRUE(f);
    ASSERT_TRUE(write_all(f->fd(), "abc", 3));
  }
  EXPECT_TRUE(fs::is_empty(d.path()));
  auto f = AtomicFile::create(d / "out.safetensors", false);
  ASSERT_TRUE(f);
  ASSERT_TRUE(write_all(f->fd(), "abc", 3));
  ASSERT_TRUE(f->commit());
  EXPECT_EQ(read_file(d / "out.safetensors"), "abc");
  EXPECT_FALSE(AtomicFile::create(d / "out.safetensors", false));  // exists, no --force
  auto g = AtomicFile::create(d / "out.safetensors", true);
  ASSERT_TRUE(g);
  ASSERT_TRUE(write_all(g->fd(), "xy", 2));
  ASSERT_TRUE(g->commit());
  EXPECT_EQ(read_file(d / "out.safetensors"), "xy");
}

TEST(ConvertAtomicFile, ATargetThatAppearsMeanwhileIsNotReplaced) {
  TempDir d;
  auto f = AtomicFile::create(d / "out", false);
  ASSERT_TRUE(f);
  write_file(d / "out", "theirs");
  EXPECT_FALSE(f->commit());
  EXPECT_EQ(read_file(d / "out"), "theirs");
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d.path())) ++n;
  EXPECT_EQ(n, 1u);
}

// ------------------------------------------------------------------ reconstruction

std::string ints(const std::vector<int>& v) {
  PickleBuilder b;
  b.mark();
  for (int x : v) b.binint(x);
  return b.op('t').done();
}

std::string storage(const std::string& type, const std::string& key, int numel) {
  return PickleBuilder().mark().str("storage").global("torch", type).str(key).str("cpu").binint(numel).op('t').op('Q').done();
}

std::string tensor_v2(const std::string& type, const std::string& key, int numel, int offset,
                      const std::vector<int>& shape, const std::vector<int>& stride) {
  return PickleBuilder()
      .global("torch._utils", "_rebuild_tensor_v2")
      .mark()
      .raw(storage(type, key, numel))
      .binint(offset)
      .raw(ints(shape))
      .raw(ints(stride))
      .op(0x89)
      .global("collections", "OrderedDict")
      .op(')')
      .reduce()
      .op('t')
      .reduce()
      .done();
}

// An OrderedDict (as torch's state_dict) of key/value pickles.
std::string ordered_dict(const std::vector<std::pair<std::string, std::string>>& items) {
  PickleBuilder b;
  b.global("collections", "OrderedDict").op(')').reduce().mark();
  for (const auto& [k, v] : items) b.str(k).raw(v);
  return b.op('u').done();
}

std::string dict(const std::vector<std::pair<std::string, std::string>>& items) {
  PickleBuilder b;
  b.op('}').mark();
  for (const auto& [k, v] : items) b.str(k).raw(v);
  return b.op('u').done();
}

struct Rebuilt {
  std::string bytes;
  pickle::StreamResult stream;
  Expected<StateDict> state = parse_error(0, "not run");
};

Rebuilt rebuild(const std::string& body, const std::string& key = "") {
  static const Limits limits;
  static const auto allowlist = pickle::Allowlist::from_profiles({"torch"}, {});
  Rebuilt r;
  r.bytes = PickleBuilder().proto(2).raw(body).stop().done();
  pickle::MachineOptions o;
  o.allowlist = &*allowlist;
  o.limits = &limits;
  o.retain_data = true;
  o.loader_has_persistent_load = true;
  r.stream = pickle::run_machine(ByteView(reinterpret_cast<const std::uint8_t*>(r.bytes.data()), r.bytes.size()), 0,
                                 "test", o);
  ReconstructOptions ro;
  ro.key = key;
  r.state = reconstruct_state_dict(r.stream, ro);
  return r;
}

std::string error_of(const Rebuilt& r) { return r.state ? std::string("(no error)") : r.state.error().reason; }

TEST(ConvertReconstruction, OrderedDictNestedDictsScalarsAndAliases) {
  auto r = rebuild(dict({{"model", ordered_dict({{"w", tensor_v2("FloatStorage", "0", 6, 0, {2, 3}, {3, 1})},
                                                 {"tied", tensor_v2("FloatStorage", "0", 6, 0, {2, 3}, {3, 1})},
                                                 {"row", tensor_v2("FloatStorage", "0", 6, 3, {3}, {1})},
                                                 {"t", tensor_v2("FloatStorage", "0", 6, 0, {3, 2}, {1, 3})}})},
                         {"epoch", PickleBuilder().binint(3).done()},
                         {"lr", PickleBuilder().op('G').raw(std::string("\x3f\x33\xa9\x2a\x30\x55\x32\x61", 8)).done()},
                         {"name", PickleBuilder().str("run").done()},
                         {"flag", PickleBuilder().op(0x88).done()},
                         {"none", PickleBuilder().none().done()},
                         {"groups", PickleBuilder().op(']').done()}}));
  ASSERT_TRUE(r.state) << error_of(r);
  const auto& s = *r.state;
  ASSERT_EQ(s.tensors.size(), 4u);
  EXPECT_EQ(s.tensors[0].name, "model.w");
  EXPECT_TRUE(s.tensors[0].contiguous);
  EXPECT_EQ(s.tensors[2].offset, 3u);
  EXPECT_FALSE(s.tensors[3].contiguous);
  EXPECT_EQ(s.metadata.at("epoch"), "3");
  EXPECT_EQ(s.metadata.at("lr"), "0.0003");
  EXPECT_EQ(s.metadata.at("name"), "run");
  EXPECT_EQ(s.metadata.at("flag"), "True");
  EXPECT_EQ(s.metadata.at("none"), "None");
  ASSERT_EQ(s.dropped.size(), 1u);
  EXPECT_EQ(s.dropped[0].substr(0, 7), "groups:");
  auto views = distinct_views(s.tensors);
  ASSERT_EQ(views.written.size(), 3u);
  ASSERT_EQ(views.aliases.size(), 1u);
  EXPECT_EQ(views.aliases[0], (std::pair<std::string, std::string>{"model.w", "model.tied"}));
}

TEST(ConvertReconstruction, KeySelectsASubDict) {
  std::string body = dict({{"state_dict", dict({{"inner", ordered_dict({{"w", tensor_v2("HalfStorage", "k", 4, 0, {4}, {1})}})}})},
                           {"epoch", PickleBuilder().binint(1).done()}});
  auto r = rebuild(body, "state_dict.inner");
  ASSERT_TRUE(r.state) << error_of(r);
  ASSERT_EQ(r.state->tensors.size(), 1u);
  EXPECT_EQ(r.state->tensors[0].name, "w");
  EXPECT_EQ(r.state->tensors[0].dtype, Dtype::F16);
  EXPECT_TRUE(r.state->metadata.empty());
  auto missing = rebuild(body, "model");
  EXPECT_NE(error_of(missing).find("not in the checkpoint (keys: state_dict, epoch)"), std::string::npos) << error_of(missing);
  auto scalar = rebuild(body, "epoch");
  EXPECT_NE(error_of(scalar).find("not a state dict"), std::string::npos) << error_of(scalar);
}

TEST(ConvertReconstruction, ParametersWithStateAndV3Dtypes) {
  std::string param = PickleBuilder()
                          .global("torch._utils", "_rebuild_parameter_with_state")
                          .mark()
                          .raw(tensor_v2("BFloat16Storage", "0", 2, 0, {2}, {1}))
                          .op(0x88)
                          .global("collections", "OrderedDict")
                          .op(')')
                          .reduce()
                          .op('}')
                          .op('t')
                          .reduce()
                          .done();
  auto v3 = [](const std::vector<int>& shape, const std::vector<int>& stride) {
    return PickleBuilder()
        .global("torch._utils", "_rebuild_tensor_v3")
        .mark()
        .raw(storage("UntypedStorage", "1", 16))
        .binint(4)
        .raw(ints(shape))
        .raw(ints(stride))
        .op(0x89)
        .global("collections", "OrderedDict")
        .op(')')
        .reduce()
        .global("torch", "float8_e4m3fn")
        .op('t')
        .reduce()
        .done();
  };
  std::string f8 = v3({2, 4}, {4, 1});
  auto r = rebuild(dict({{"p", param}, {"f8", f8}}));
  ASSERT_TRUE(r.state) << error_of(r);
  ASSERT_EQ(r.state->tensors.size(), 2u);
  EXPECT_EQ(r.state->tensors[0].dtype, Dtype::BF16);
  EXPECT_EQ(r.state->tensors[1].dtype, Dtype::F8_E4M3);
  EXPECT_EQ(r.state->tensors[1].byte_size, 8u);
  // Offset 4 in a 16-byte untyped storage: a 3x4 view ends at byte 15, a 3x5 view at byte 18.
  EXPECT_TRUE(rebuild(dict({{"f8", v3({3, 4}, {4, 1})}})).state);
  EXPECT_NE(error_of(rebuild(dict({{"f8", v3({3, 5}, {5, 1})}}))).find("runs past the end"), std::string::npos);
}

TEST(ConvertReconstruction, RefusesWhatSafetensorsCannotHoldExactly) {
  auto reason = [](const std::string& body) { return error_of(rebuild(body)); };
  EXPECT_NE(reason(dict({{"w", tensor_v2("FloatStorage", "0", 6, 1, {2, 3}, {3, 1})}})).find("runs past the end"),
            std::string::npos);
  EXPECT_NE(reason(dict({{"w", tensor_v2("FloatStorage", "0", 6, 0, {2, 3}, {4, 1})}})).find("runs past the end"),
            std::string::npos);
  EXPECT_NE(reason(dict({{"w", tensor_v2("FloatStorage", "0", 6, 0, {1u << 30, 1u << 30}, {1u << 30, 1})}}))
                .find("runs past"),
            std::string::npos);
  EXPECT_NE(reason(dict({{"w", tensor_v2("ComplexFloatStorage", "0", 2, 0, {2}, {1})}})).find("complex"), std::string::npos);
  EXPECT_NE(reason(dict({{"w", tensor_v2("QInt8Storage", "0", 2, 0, {2}, {1})}})).find("quantized"), std::string::npos);
  std::string q = PickleBuilder().global("torch._utils", "_rebuild_qtensor").mark().op('t').reduce().done();
  EXPECT_NE(reason(dict({{"q", q}})).find("quantized"), std::string::npos);
  std::string sparse = PickleBuilder().global("torch._utils", "_rebuild_sparse_tensor").mark().op('t').reduce().done();
  EXPECT_NE(reason(dict({{"s", sparse}})).find("sparse"), std::string::npos);
  std::string meta = PickleBuilder().global("torch._utils", "_rebuild_meta_tensor_no_storage").mark().op('t').reduce().done();
  EXPECT_NE(reason(dict({{"m", meta}})).find("meta"), std::string::npos);
  // One storage key declared with two types.
  EXPECT_NE(reason(dict({{"a", tensor_v2("FloatStorage", "0", 6, 0, {6}, {1})},
                         {"b", tensor_v2("IntStorage", "0", 6, 0, {6}, {1})}}))
                .find("is declared as"),
            std::string::npos);
  // "a.b" twice once nested keys are joined.
  EXPECT_NE(reason(dict({{"a.b", tensor_v2("FloatStorage", "0", 6, 0, {6}, {1})},
                         {"a", dict({{"b", tensor_v2("FloatStorage", "1", 6, 0, {6}, {1})}})}}))
                .find("two tensors get the name 'a.b'"),
            std::string::npos);
  EXPECT_NE(reason(dict({{"epoch", PickleBuilder().binint(1).done()}})).find("holds no tensors"), std::string::npos);
  // {1: a, True: b}: Python keeps the key 1 with b, which is not the entry written under "1".
  const std::string equal_keys = PickleBuilder().op('}').mark().binint(1)
      .raw(tensor_v2("FloatStorage", "0", 2, 0, {2}, {1})).op(0x88)
      .raw(tensor_v2("FloatStorage", "1", 2, 0, {2}, {1})).op('u').done();
  EXPECT_NE(reason(equal_keys).find("two keys equal 1 in Python"), std::string::npos) << reason(equal_keys);
  // BUILD on a rebuilt tensor: Tensor.__setstate__ would replace its data (red team, session 18).
  const std::string built = PickleBuilder().raw(tensor_v2("FloatStorage", "0", 4, 0, {4}, {1})).mark()
      .raw(tensor_v2("FloatStorage", "1", 4, 0, {2, 2}, {2, 1})).op(0x89).none().op(0x89).op('t').op('b').done();
  EXPECT_NE(reason(dict({{"w", built}})).find("BUILD gives the tensor a state"), std::string::npos);
}

TEST(ConvertReconstruction, EmptyAndScalarTensors) {
  auto r = rebuild(dict({{"empty", tensor_v2("FloatStorage", "0", 0, 0, {0, 3}, {3, 1})},
                         {"scalar", tensor_v2("DoubleStorage", "1", 1, 0, {}, {})}}));
  ASSERT_TRUE(r.state) << error_of(r);
  EXPECT_EQ(r.state->tensors[0].byte_size, 0u);
  EXPECT_EQ(r.state->tensors[1].byte_size, 8u);
  EXPECT_TRUE(r.state->tensors[1].shape.empty());
}

// ------------------------------------------------------------------ tensor copies

std::string copy_to_file(const TensorRecord& t, const std::vector<std::uint8_t>& storage) {
  TempDir d;
  int fd = ::open((d / "out").c_str(), O_CREAT | O_RDWR | O_TRUNC, 0600);
  TensorCopier copier(-1, 16);  // a tiny chunk: flushes inside tensors
  StorageBytes s;
  s.bytes = ByteView(storage.data(), storage.size());
  auto ok = copier.copy(fd, t, s);
  ::close(fd);
  EXPECT_TRUE(ok) << (ok ? "" : ok.error().reason);
  return read_file(d / "out");
}

TEST(ConvertTensorCopy, GathersStridedViews) {
  std::vector<std::uint8_t> storage;
  for (std::uint16_t i = 0; i < 12; ++i) {  // 12 little-endian u16: 0..11
    storage.push_back(static_cast<std::uint8_t>(i));
    storage.push_back(0);
  }
  TensorRecord t;
  t.name = "t";
  t.element_size = 2;
  t.storage_bytes = 24;
  t.shape = {3, 4};
  t.strides = {1, 3};  // the transpose of a 4x3 matrix
  t.byte_size = 24;
  t.contiguous = false;
  std::string out = copy_to_file(t, storage);
  std::string want;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) want += std::string{static_cast<char>(r + 3 * c), '\0'};
  EXPECT_EQ(out, want);
  // Contiguous with an offset.
  t.shape = {10};
  t.strides = {1};
  t.offset = 2;
  t.byte_size = 20;
  t.contiguous = true;
  std::string c = copy_to_file(t, storage);
  ASSERT_EQ(c.size(), 20u);
  EXPECT_EQ(c[0], '\x02');
  EXPECT_EQ(c[1], '\0');
  EXPECT_EQ(c[18], '\x0b');
}

// ------------------------------------------------------------------ small pieces

TEST(ConvertNames, PythonFloatReprAndHuggingFaceFileNames) {
  EXPECT_EQ(python_repr(3.0), "3.0");
  EXPECT_EQ(python_repr(0.0003), "0.0003");
  EXPECT_EQ(python_repr(1e-05), "1e-05");
  EXPECT_EQ(python_repr(0.1), "0.1");
  EXPECT_EQ(python_repr(-2.5), "-2.5");
  EXPECT_EQ(python_repr(1e16), "1e+16");
  EXPECT_EQ(python_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_repr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(safetensors_name("pytorch_model.bin"), "model.safetensors");
  EXPECT_EQ(safetensors_name("pytorch_model-00002-of-00003.bin"), "model-00002-of-00003.safetensors");
  EXPECT_EQ(safetensors_name("optimizer.pt"), "optimizer.safetensors");
}

// ------------------------------------------------------------------ CLI

TEST(ConvertCli, ForceJsonAndExitCodes) {
  TempDir d;
  auto gen = run(python() + " -c \"import torch; torch.save({'w': torch.arange(6.).view(2, 3), 'epoch': 2}, '" +
                 (d / "ckpt.pt").string() + "')\"");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  std::string cmd = modelgate_binary() + " convert " + (d / "ckpt.pt").string() + " " + (d / "out.safetensors").string();
  auto first = run(cmd + " --json");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto report = nlohmann::json::parse(first.output);
  EXPECT_EQ(report["files"][0]["metadata"]["epoch"], "2");
  EXPECT_EQ(report["files"][0]["tensors"], 1);
  std::string before = read_file(d / "out.safetensors");
  auto again = run(cmd);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(d / "out.safetensors"), before);
  EXPECT_EQ(run(cmd + " --force").exit_code, 0);
  EXPECT_EQ(run(cmd + " --force --sync").exit_code, 0);  // durable write: same bytes
  EXPECT_EQ(read_file(d / "out.safetensors"), before);
  EXPECT_EQ(run(cmd + " --force --key nothing").exit_code, 1);
  EXPECT_EQ(read_file(d / "out.safetensors"), before);  // a refusal leaves the old output alone
  EXPECT_EQ(run(modelgate_binary() + " convert " + (d / "missing.pt").string() + " " + (d / "x").string()).exit_code, 2);
  auto scan = run(modelgate_binary() + " scan " + (d / "out.safetensors").string());
  EXPECT_EQ(scan.exit_code, 0) << scan.output;
}

}  // namespace

namespace {

TEST(ConvertReconstruction, SelfContainingAndExplodingDictsAreRefused) {
  // d = {}; d["self"] = d
  std::string cyclic = PickleBuilder().op('}').binput(0).mark().str("self").binget(0).op('u').done();
  EXPECT_NE(error_of(rebuild(cyclic)).find("contains itself"), std::string::npos) << error_of(rebuild(cyclic));
  // d0 = {"a": d1, "b": d1}, d1 = {"a": d2, "b": d2}, ... 40 levels: 2^40 paths over 40 dicts.
  PickleBuilder b;
  b.op('}').binput(0);
  for (unsigned i = 1; i < 40; ++i)
    b.op('}').binput(i).mark().str("a").binget(i - 1).str("b").binget(i - 1).op('u');
  std::string body = b.done();
  auto r = rebuild(body);
  EXPECT_FALSE(r.state);
}

// One 64 KiB key, memoised, at every one of 60 levels and then as the prefix of 5000 scalar entries:
// a 116 KB pickle whose joined names would take about 20 GB. The reading stops at max_convert_text,
// before it builds them, whether it keeps the scalars (convert) or only the tensors (the scan's list).
TEST(ConvertReconstruction, NamesBuiltFromAReusedLongKeyAreBounded) {
  PickleBuilder b;
  b.op('}').mark().str(std::string(64 * 1024, 'k')).binput(0);
  for (unsigned i = 1; i < 60; ++i) b.op('}').mark().binget(0);
  b.op('}').mark();
  for (unsigned i = 0; i < 5000; ++i) b.binint(static_cast<int>(i)).binint(static_cast<int>(i));
  b.op('u');
  for (unsigned i = 1; i < 60; ++i) b.op('u');
  b.op('u');
  std::string body = b.done();
  ASSERT_LT(body.size(), 120'000u);
  auto r = rebuild(body);
  ASSERT_FALSE(r.state);
  EXPECT_NE(error_of(r).find("max_convert_text"), std::string::npos) << error_of(r);
  ReconstructOptions tensors_only;
  tensors_only.keep_metadata = false;
  tensors_only.max_text = 1u << 20;
  auto listed = reconstruct_state_dict(r.stream, tensors_only);
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().reason.find("max_convert_text"), std::string::npos) << listed.error().reason;
}

}  // namespace

namespace {

// The pre-1.0 tar layout converts (ConvertInterop.TarCheckpointsConvertAndTricksAreRefused); one
// whose state dict is empty is refused like any other checkpoint without tensors.
TEST(ConvertCli, TarCheckpointWithoutTensorsIsRefused) {
  TempDir d;
  auto gen = run(python() + " -c \"import tarfile, io, pickle\nt = tarfile.open('" + (d / "old.tar").string() +
                 "', 'w')\nd = lambda o: pickle.dumps(o, 2)\n"
                 "m = {'sys_info': d({'protocol_version': 1001, 'little_endian': True}), 'pickle': d({}),\n"
                 "     'storages': d(0) + d([]), 'tensors': d(0)}\n"
                 "for n, b in m.items():\n"
                 "    ti = tarfile.TarInfo(n); ti.size = len(b); t.addfile(ti, io.BytesIO(b))\nt.close()\"");
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  auto r = run(modelgate_binary() + " convert " + (d / "old.tar").string() + " " + (d / "out.safetensors").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("holds no tensors"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(d / "out.safetensors"));
}

}  // namespace

// ------------------------------------------------------------------ writing (issue 10)
// Symlinks in the input, the same file as input and output, a full disk, SIGINT/SIGTERM at a known
// point and a killed run: each case checks the exit code, the outcome and that nothing exists
// outside the expected output.

namespace {

// A torch.save zip checkpoint holding one float tensor `name` of `numel` elements.
std::string torch_zip(const std::string& name, int numel) {
  std::string pkl = PickleBuilder()
                        .proto(2)
                        .raw(ordered_dict({{name, tensor_v2("FloatStorage", "0", numel, 0, {numel}, {1})}}))
                        .stop()
                        .done();
  return build_zip({{"archive/data.pkl", pkl},
                    {"archive/byteorder", "little"},
                    {"archive/data/0", std::string(static_cast<std::size_t>(numel) * 4, '\x01')},
                    {"archive/version", "3\n"}});
}

// Two shards with an index and a config; the second shard holds `big` floats.
void write_sharded_model(const fs::path& dir, int big = 4) {
  write_file(dir / "pytorch_model-00001-of-00002.bin", torch_zip("a", 4));
  write_file(dir / "pytorch_model-00002-of-00002.bin", torch_zip("b", big));
  write_file(dir / "pytorch_model.bin.index.json",
             R"({"metadata": {"total_size": 32}, "weight_map": {"a": "pytorch_model-00001-of-00002.bin", )"
             R"("b": "pytorch_model-00002-of-00002.bin"}})");
  write_file(dir / "config.json", R"({"model_type": "bert"})");
}

// Every entry under `root` (links not followed), relative.
std::set<std::string> tree(const fs::path& root) {
  std::set<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
    out.insert(it->path().lexically_relative(root).generic_string());
  return out;
}

std::set<std::string> with(std::set<std::string> s, std::initializer_list<const char*> more) {
  s.insert(more.begin(), more.end());
  return s;
}

// Runs `body` in a child process; returns its wait status.
template <class F>
int in_child(F body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(99);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

CommandResult convert_cli(const fs::path& in, const fs::path& out, const std::string& extra = "") {
  return run(modelgate_binary() + " convert '" + in.string() + "' '" + out.string() + "' " + extra);
}

TEST(ConvertWriting, TheCheckpointBuiltHereConverts) {
  TempDir d;
  write_sharded_model(d / "model");
  auto r = convert_cli(d / "model", d / "out", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(tree(d / "out"), (std::set<std::string>{"config.json", "model-00001-of-00002.safetensors",
                                                     "model-00002-of-00002.safetensors", "model.safetensors.index.json"}));
  // The command line's default: every file parsed in confined workers, and the report says how.
  auto report = nlohmann::json::parse(r.output);
  EXPECT_EQ(report["sandbox"]["mode"], "strict") << r.output;
  EXPECT_EQ(report["sandbox"]["layers"].size(), 5u) << r.output;
  EXPECT_TRUE(report["sandbox"]["missing"].empty()) << r.output;
}

// The scan that gates each file parses it in a confined worker (the command line's default is
// strict): the same outputs as unconfined, and a worker that fails refuses its file.
TEST(ConvertWriting, TheGateScanRunsConfined) {
  TempDir d;
  write_sharded_model(d / "model");
  ConvertOptions strict;
  strict.sandbox = SandboxMode::strict;
  auto confined = convert_path(d / "model", d / "confined", strict);
  ASSERT_EQ(confined.exit_code(), 0) << (confined.errors.empty() ? "" : confined.errors.front());
  ASSERT_EQ(convert_path(d / "model", d / "unconfined", {}).exit_code(), 0);
  ASSERT_EQ(tree(d / "confined"), tree(d / "unconfined"));
  for (const auto& rel : tree(d / "confined"))
    EXPECT_EQ(read_file(d / "confined" / rel), read_file(d / "unconfined" / rel)) << rel;
  ConvertOptions hung = strict;
  hung.limits.worker_timeout_ms = 0;  // no answer is in time
  auto refused = convert_path(d / "model/pytorch_model-00001-of-00002.bin", d / "one.safetensors", hung);
  EXPECT_EQ(refused.exit_code(), 1);
  ASSERT_EQ(refused.files.size(), 1u);
  EXPECT_EQ(refused.files[0].outcome, FileOutcome::refused);
  ASSERT_FALSE(refused.files[0].findings.empty());
  EXPECT_EQ(refused.files[0].findings[0].rfind("MG-SANDBOX-TIMEOUT", 0), 0u) << refused.files[0].findings[0];
  EXPECT_FALSE(fs::exists(d / "one.safetensors"));
}

// pytorch_model.bin.index.json is scanned and read in a worker like every other input; the
// converting process only decodes what the worker says (convert/checkpoint_index.h). An index the
// scan does not pass, or that does not read as a weight_map of file names, stops the directory.
TEST(ConvertWriting, TheCheckpointIndexIsReadInTheWorker) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::pair<const char*, std::string> bad[] = {
      {"not JSON", "{\"weight_map\": "},
      {"nested deeper than any index", R"({"metadata": )" + deep + R"(, "weight_map": {}})"},
      {"a key given twice", R"({"weight_map": {"a": "x.bin"}, "weight_map": {}})"},
      {"a file that is not a name", R"({"weight_map": {"a": ["pytorch_model-00001-of-00002.bin"]}})"},
      {"no weight_map", R"({"metadata": {}})"},
      {"a file outside the directory",
       R"({"weight_map": {"a": "pytorch_model-00001-of-00002.bin", "b": "../outside/pytorch_model.bin"}})"},
      {"a file that is not there", R"({"weight_map": {"a": "pytorch_model-00001-of-00002.bin", "b": "gone.bin"}})"},
      {"metadata that is not an object", R"({"metadata": 3, "weight_map": {}})"},
      {"a template in a value", R"({"metadata": {"note": "{{ cycler.__init__.__globals__.os.popen('id') }}"}, "weight_map": {}})"}};
  for (const char* sandbox : {"strict", "off"}) {
    for (const auto& [what, text] : bad) {
      TempDir d;
      write_sharded_model(d / "model");
      write_file(d / "model/pytorch_model.bin.index.json", text);
      auto r = convert_cli(d / "model", d / "out", std::string("--json --sandbox ") + sandbox);
      EXPECT_EQ(r.exit_code, 1) << what << " (" << sandbox << "): " << r.output.substr(0, 2000);
      EXPECT_FALSE(fs::exists(d / "out")) << what;
      EXPECT_NE(r.output.find("checkpoint index"), std::string::npos) << what << ": " << r.output.substr(0, 2000);
    }
  }
  // A checkpoint that happens to carry the index's name is converted as the checkpoint it is.
  for (const char* sandbox : {"strict", "off"}) {
    TempDir d;
    write_file(d / "pytorch_model.bin.index.json", torch_zip("w", 4));
    auto r = convert_cli(d / "pytorch_model.bin.index.json", d / "w.safetensors", std::string("--sandbox ") + sandbox);
    EXPECT_EQ(r.exit_code, 0) << sandbox << ": " << r.output;
    EXPECT_TRUE(fs::exists(d / "w.safetensors")) << sandbox;
  }
  // Its metadata is carried into the new index as the worker read it.
  TempDir d;
  write_sharded_model(d / "model");
  write_file(d / "model/pytorch_model.bin.index.json",
             R"({"metadata": {"total_size": 32, "format": "pt", "nested": {"k": [1, 2.5, null]}}, )"
             R"("weight_map": {"a": "pytorch_model-00001-of-00002.bin", "b": "pytorch_model-00002-of-00002.bin"}})");
  auto r = convert_cli(d / "model", d / "out");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto index = nlohmann::json::parse(read_file(d / "out/model.safetensors.index.json"));
  EXPECT_EQ(index["metadata"]["format"], "pt");
  EXPECT_EQ(index["metadata"]["nested"]["k"][1], 2.5);
  EXPECT_EQ(index["metadata"]["total_size"], 32);
}

// The index is taken from the scan's own reading of it (the JSON scanner's document), which reads
// a file over 1 MiB shallow: its metadata is still read whole and carried into the new index.
TEST(ConvertWriting, TheMetadataOfAnIndexOverAMebibyteIsCarriedWhole) {
  for (const char* sandbox : {"strict", "off"}) {
    TempDir d;
    write_sharded_model(d / "model");
    const std::string pad(1100000, 'p');
    write_file(d / "model/pytorch_model.bin.index.json",
               R"({"metadata": {"total_size": 32, "pad": ")" + pad + R"(", "nested": {"k": [1, null]}}, )"
               R"("weight_map": {"a": "pytorch_model-00001-of-00002.bin", "b": "pytorch_model-00002-of-00002.bin"}})");
    auto r = convert_cli(d / "model", d / "out", std::string("--sandbox ") + sandbox);
    ASSERT_EQ(r.exit_code, 0) << sandbox << ": " << r.output.substr(0, 2000);
    auto index = nlohmann::json::parse(read_file(d / "out/model.safetensors.index.json"));
    EXPECT_EQ(index["metadata"]["total_size"], 32) << sandbox;
    EXPECT_EQ(index["metadata"]["pad"], pad) << sandbox;
    EXPECT_EQ(index["metadata"]["nested"]["k"][0], 1) << sandbox;
  }
}

TEST(ConvertPlan, TheCheckpointIndexAttachmentRefusesEveryMalformation) {
  Limits limits;
  CheckpointIndex index;
  index.weight_files = {"a.bin", "b.bin"};
  index.metadata = {{"total_size", 10}};
  auto good = encode_index_attachment(index);
  auto back = decode_index_attachment(good, limits);
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(back->weight_files, index.weight_files);
  EXPECT_EQ(back->metadata, index.metadata);
  auto refusal = decode_index_attachment(encode_index_attachment(parse_error(0, "no weight_map")), limits);
  ASSERT_FALSE(refusal);
  EXPECT_EQ(refusal.error().reason, "no weight_map");
  // Every truncation and every single-byte change either fails or decodes to a well-formed index.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto cut = good;
    cut.resize(n);
    EXPECT_FALSE(decode_index_attachment(cut, limits)) << n;
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto flipped = good;
    flipped[i] ^= 0x41;
    auto r = decode_index_attachment(flipped, limits);
    if (r) {
      EXPECT_TRUE(r->metadata.is_object()) << i;
    }
  }
  auto unsorted = good;
  std::swap(unsorted[14], unsorted[23]);  // "a.bin" and "b.bin" change places
  auto r = decode_index_attachment(unsorted, limits);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("sorted"), std::string::npos) << r.error().reason;
}

TEST(ConvertWriting, SymlinksInTheInputAreNeverFollowed) {
  TempDir d;
  write_file(d / "model/pytorch_model.bin", torch_zip("w", 4));
  write_file(d / "x", "outside");
  fs::create_symlink("../x", d / "model/up");
  fs::create_symlink("/etc/hostname", d / "model/hostname");
  fs::create_directories(d / "model/sub");
  fs::create_symlink("../../x", d / "model/sub/deeper");
  fs::create_directory_symlink("/etc", d / "model/etc");
  const auto before = tree(d.path());
  auto r = convert_cli(d / "model", d / "out", "--json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto report = nlohmann::json::parse(r.output);
  for (const auto& f : report["files"]) {
    if (f["input"] != "pytorch_model.bin") {
      EXPECT_EQ(f["outcome"], "skipped") << f.dump();
    }
  }
  EXPECT_EQ(tree(d.path()), with(before, {"out", "out/model.safetensors"}));
  EXPECT_EQ(read_file(d / "x"), "outside");
  // A link as OUT is not written through.
  fs::create_directories(d / "elsewhere");
  fs::create_directory_symlink(d / "elsewhere", d / "linked_out");
  EXPECT_EQ(convert_cli(d / "model", d / "linked_out", "--force").exit_code, 2);
  EXPECT_TRUE(fs::is_empty(d / "elsewhere"));
}

TEST(ConvertWriting, TheInputIsNeverTheOutputEvenWithForce) {
  TempDir d;
  const std::string ckpt = torch_zip("w", 4);
  write_file(d / "x.pt", ckpt);
  auto same = convert_cli(d / "x.pt", d / "x.pt", "--force");
  EXPECT_EQ(same.exit_code, 2) << same.output;
  EXPECT_NE(same.output.find("same device and inode"), std::string::npos) << same.output;
  fs::create_hard_link(d / "x.pt", d / "hard.pt");
  EXPECT_EQ(convert_cli(d / "x.pt", d / "hard.pt", "--force").exit_code, 2);
  EXPECT_EQ(read_file(d / "x.pt"), ckpt);
  write_sharded_model(d / "model");
  const auto before = tree(d.path());
  EXPECT_EQ(convert_cli(d / "model", d / "model", "--force").exit_code, 2);
  EXPECT_EQ(convert_cli(d / "model", d.path(), "--force").exit_code, 2);  // OUT contains the input
  EXPECT_EQ(tree(d.path()), before);
  // OUT inside the input is fine: it is not read as input.
  auto inside = convert_cli(d / "model", d / "model/st");
  EXPECT_EQ(inside.exit_code, 0) << inside.output;
  EXPECT_EQ(convert_cli(d / "model", d / "model/st", "--force").exit_code, 0);
  EXPECT_EQ(tree(d / "model/st").size(), 4u);
}

TEST(ConvertWriting, AFullDiskLeavesNothingBehind) {
  TempDir d;
  write_sharded_model(d / "model", 64 * 1024);  // the second shard's output is 256 KiB
  write_file(d / "single.pt", torch_zip("w", 64 * 1024));
  const auto before = tree(d.path());
  for (const char* in : {"model", "single.pt"}) {
    int status = in_child([&] {
      ::signal(SIGXFSZ, SIG_IGN);
      rlimit fsize{64 * 1024, 64 * 1024};
      ::setrlimit(RLIMIT_FSIZE, &fsize);
      auto r = convert_path(d / in, d / "out", {});
      bool said = !r.errors.empty() && r.errors[0].find("too large") != std::string::npos;
      ::_exit(said ? r.exit_code() : 98);
    });
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << in;
    EXPECT_EQ(tree(d.path()), before) << in;
  }
}

TEST(ConvertWriting, SigintAndSigtermMidConversionLeaveNothingBehind) {
  TempDir d;
  write_sharded_model(d / "model");
  const auto before = tree(d.path());
  for (int sig : {SIGINT, SIGTERM}) {
    int status = in_child([&] {
      InterruptSignals signals;
      ConvertOptions o;
      o.interrupted = signals.flag();
      o.on_file_written = [&](const FileConversion&) { ::raise(sig); };  // after the first file
      auto r = convert_path(d / "model", d / "out", o);
      signals.reraise();
      ::_exit(r.exit_code());
    });
    ASSERT_TRUE(WIFSIGNALED(status)) << sig;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_EQ(tree(d.path()), before) << sig;
  }
  // A single file stops between tensors.
  write_file(d / "single.pt", torch_zip("w", 4));
  volatile std::sig_atomic_t stop = SIGTERM;
  ConvertOptions o;
  o.interrupted = &stop;
  auto r = convert_path(d / "single.pt", d / "single.safetensors", o);
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_FALSE(fs::exists(d / "single.safetensors"));
  EXPECT_EQ(tree(d.path()), with(before, {"single.pt"}));
}

TEST(ConvertWriting, AnInputThatChangesDuringConversionIsNeverWritten) {
  TempDir d;
  write_sharded_model(d / "model", 64 * 1024);  // the second shard maps several pages
  write_file(d / "single.pt", torch_zip("w", 64 * 1024));
  struct Case {
    const char* name;
    std::function<void(const std::string&)> change;
    int exit_code;  // truncated: the zip no longer reads (refused); rewritten: the outputs are dropped
  };
  std::vector<Case> cases = {
      {"truncated under the mapping", [](const std::string& p) { ASSERT_EQ(::truncate(p.c_str(), 4096), 0); }, 1},
      {"rewritten in place, same size",
       [](const std::string& p) {
         std::string same = read_file(p);
         same[same.size() / 2] ^= 1;  // a tensor byte: the structure still reads
         write_file(p, same);
         struct timespec later[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
         ::utimensat(AT_FDCWD, p.c_str(), later, 0);
       },
       2},
  };
  for (const auto& c : cases) {
    for (const char* in : {"single.pt", "model"}) {
      SCOPED_TRACE(std::string(c.name) + " " + in);
      write_sharded_model(d / "model", 64 * 1024);
      write_file(d / "single.pt", torch_zip("w", 64 * 1024));
      struct timespec old_times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
      ::utimensat(AT_FDCWD, (d / "single.pt").c_str(), old_times, 0);
      ::utimensat(AT_FDCWD, (d / "model/pytorch_model-00002-of-00002.bin").c_str(), old_times, 0);
      const auto before = tree(d.path());
      set_after_open_action([c, done = std::make_shared<bool>(false)](const std::string& path) {
        std::string name = fs::path(path).filename().string();
        if (*done || (name != "single.pt" && name != "pytorch_model-00002-of-00002.bin")) return;
        *done = true;
        c.change(path);
      });
      auto r = convert_path(d / in, d / "out", {});
      set_after_open_action(nullptr);
      EXPECT_EQ(r.exit_code(), c.exit_code) << render_conversion_text(r);
      if (c.exit_code == 2) {
        EXPECT_NE(render_conversion_text(r).find("changed during conversion"), std::string::npos)
            << render_conversion_text(r);
      }
      EXPECT_EQ(tree(d.path()), before);
    }
  }
}

TEST(ConvertWriting, TempsOfAKilledRunAreRemovedUnlessStillInUse) {
  TempDir d;
  write_sharded_model(d / "model");
  const auto before = tree(d.path());
  int status = in_child([&] {
    ConvertOptions o;
    o.on_file_written = [](const FileConversion&) { ::raise(SIGKILL); };
    (void)convert_path(d / "model", d / "out", o);
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  auto left = tree(d.path());
  ASSERT_EQ(left.size(), before.size() + 2) << "a staging directory with one file";
  // A temp that a live run holds locked is left alone.
  fs::create_directories(d / ".out.modelgate-LiveRn");
  int live = ::open((d / ".out.modelgate-LiveRn").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);
  auto r = convert_cli(d / "model", d / "out", "--json");
  ::close(live);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto report = nlohmann::json::parse(r.output);
  ASSERT_EQ(report["removed_temps"].size(), 1u) << r.output;
  auto after = tree(d.path());
  for (const auto& e : after)
    EXPECT_TRUE(before.count(e) || e.rfind("out", 0) == 0 || e == ".out.modelgate-LiveRn") << e;
}

// ------------------------------------------------------------------ the conversion plan
// The reading a confined worker does for `convert` travels to the writing process as a plan, which
// that process decodes and checks as untrusted input before it copies a byte.

// Two names of one tensor, a strided view of another storage, a scalar, and a deflated record.
std::string planned_checkpoint() {
  std::string pkl = PickleBuilder()
                        .proto(2)
                        .raw(ordered_dict({{"w", tensor_v2("FloatStorage", "0", 6, 0, {2, 3}, {3, 1})},
                                           {"w_tied", tensor_v2("FloatStorage", "0", 6, 0, {2, 3}, {3, 1})},
                                           {"t", tensor_v2("HalfStorage", "1", 6, 1, {2, 2}, {1, 2})},
                                           {"epoch", PickleBuilder().binint(7).done()}}))
                        .stop()
                        .done();
  return build_zip({{"archive/data.pkl", pkl},
                    {"archive/byteorder", "little"},
                    {"archive/data/0", std::string(24, '\x01')},
                    {"archive/data/1", std::string(12, '\x02'), "", 0, 8},
                    {"archive/version", "3\n"}});
}

TEST(ConvertPlan, TravelsThroughTheWorkerEncodingUnchanged) {
  const std::string file = planned_checkpoint();
  auto plan = plan_of(file);
  ASSERT_TRUE(plan) << plan.error().reason;
  ASSERT_TRUE(check_plan(*plan, file.size(), Limits{}));
  ASSERT_EQ(plan->tensors.size(), 2u);
  ASSERT_EQ(plan->aliases.size(), 1u);
  EXPECT_EQ(plan->metadata.at("epoch"), "7");
  EXPECT_TRUE(plan->storages.at("1").owner) << "the deflated record travels inflated";
  EXPECT_FALSE(plan->storages.at("0").owner);
  auto bytes = encode_plan_attachment(plan, 1u << 20);
  auto back = decode_plan_attachment(bytes, Limits{});
  ASSERT_TRUE(back) << back.error().reason;
  EXPECT_EQ(encode_plan_attachment(back, 1u << 20), bytes);
  EXPECT_TRUE(check_plan(*back, file.size(), Limits{}));
  EXPECT_EQ(as_chars(back->storages.at("1").inflated), std::string(12, '\x02'));
  // Past the worker's bound, the inflated bytes are not sent: the file is refused instead.
  auto refused = decode_plan_attachment(encode_plan_attachment(plan, 11), Limits{});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().reason.find("inflate to 12 bytes"), std::string::npos) << refused.error().reason;
  // A reading that failed in the worker comes back as its refusal, offset and reason.
  auto why = decode_plan_attachment(encode_plan_attachment(parse_error(42, "data.pkl at offset 42: no"), 0), Limits{});
  ASSERT_FALSE(why);
  EXPECT_EQ(why.error().offset, 42u);
  EXPECT_EQ(why.error().reason, "data.pkl at offset 42: no");
}

TEST(ConvertPlan, TheDecoderRefusesEveryMalformation) {
  const std::string file = planned_checkpoint();
  const auto good = encode_plan_attachment(plan_of(file), 1u << 20);
  // Every truncation, and every single-byte change that decodes, is either refused here or by the check.
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto cut = decode_plan_attachment(ByteView(good.data(), n), Limits{});
    ASSERT_FALSE(cut) << "cut at " << n;
    EXPECT_NE(cut.error().reason.find("conversion plan at byte"), std::string::npos) << cut.error().reason;
  }
  auto more = good;
  more.push_back(0);
  auto trailing = decode_plan_attachment(more, Limits{});
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().reason.find("bytes after the plan"), std::string::npos);
  auto magic = good;
  magic[0] = 'X';
  EXPECT_FALSE(decode_plan_attachment(magic, Limits{}));
  auto version = good;
  version[4] = 9;
  EXPECT_FALSE(decode_plan_attachment(version, Limits{}));
  Limits few;
  few.max_tensors = 1;
  EXPECT_FALSE(decode_plan_attachment(good, few));
  FileDescriptor sink(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ASSERT_TRUE(sink.ok());
  for (std::size_t i = 6; i < good.size(); ++i) {
    auto flipped = good;
    flipped[i] ^= 0xff;
    auto p = decode_plan_attachment(flipped, Limits{});
    if (!p || !check_plan(*p, file.size(), Limits{})) continue;
    // What still passes reads only inside the input and inside each storage: every tensor copies
    // (under the sanitizers, a byte outside would be reported).
    TensorCopier copier(-1, 4096);
    for (const auto& t : p->tensors) {
      const PlannedStorage& planned = p->storages.at(t.storage_key);
      StorageBytes s;
      s.bytes = planned.owner ? planned.inflated : view_of(file).subspan(planned.file_offset, planned.size);
      EXPECT_TRUE(copier.copy(sink.get(), t, s)) << "byte " << i << ": " << t.name;
    }
  }
}

TEST(ConvertPlan, TheCheckRefusesPlansThatReachOutsideTheirBytes) {
  const std::string file = planned_checkpoint();
  auto good = plan_of(file);
  ASSERT_TRUE(good) << good.error().reason;
  auto refused = [&](const char* label, auto mutate, const std::string& why) {
    ConversionPlan p = *good;
    mutate(p);
    auto r = check_plan(p, file.size(), Limits{});
    ASSERT_FALSE(r) << label;
    EXPECT_NE(r.error().reason.find(why), std::string::npos) << label << ": " << r.error().reason;
  };
  refused("storage past the end", [](ConversionPlan& p) { p.storages.at("0").file_offset = 1u << 20; }, "not inside the input");
  refused("storage size wraps", [](ConversionPlan& p) { p.storages.at("0").size = UINT64_MAX; }, "not inside the input");
  refused("view past its storage", [](ConversionPlan& p) { p.tensors[0].offset = 5; }, "runs past the end of storage");
  refused("storage shorter than declared", [](ConversionPlan& p) { p.tensors[0].storage_bytes = 1u << 20; }, "runs past the end");
  refused("unknown storage", [](ConversionPlan& p) { p.tensors[0].storage_key = "9"; }, "not in the plan");
  refused("element size", [](ConversionPlan& p) { p.tensors[0].element_size = 1; }, "element size does not match");
  refused("byte size", [](ConversionPlan& p) { p.tensors[0].byte_size = 4; }, "does not follow from its shape");
  refused("layout", [](ConversionPlan& p) { p.tensors[1].contiguous = true; }, "does not follow from its shape");
  refused("rank", [](ConversionPlan& p) { p.tensors[0].strides.pop_back(); }, "do not describe a view");
  refused("same name", [](ConversionPlan& p) { p.tensors[1].name = p.tensors[0].name; }, "given twice");
  refused("no name", [](ConversionPlan& p) { p.tensors[1].name.clear(); }, "has no name");
  refused("alias of nothing", [](ConversionPlan& p) { p.aliases[0].second = "nope"; }, "alias");
  refused("alias shadows a tensor", [](ConversionPlan& p) { p.aliases[0].first = p.tensors[0].name; }, "alias");
  refused("unread storage", [](ConversionPlan& p) { p.storages["extra"] = {}; }, "no tensor reads it");
  refused("inflated size", [](ConversionPlan& p) { p.storages.at("1").size = 99; }, "not inside the input");
  Limits few;
  few.max_tensors = 1;
  EXPECT_FALSE(check_plan(*good, file.size(), few));
}

// ------------------------------------------------------------------ the plan comes from the scan's reading
// `convert` reads each checkpoint once: the scan keeps the container's directory and the data pickle's
// stream (retained) and the plan is built from them, in a worker and in this process alike.

TEST(ConvertReading, ConvertingRunsNoPickleBeyondTheScan) {
  const std::string file = planned_checkpoint();
  TorchScan torch;
  Artifact a;
  a.origin = "in.pt";
  a.bytes = view_of(file);
  const auto before_scan = pickle::machine_runs();
  const ArtifactReport plain = torch.ctx.scan(a);
  const auto scan_runs = pickle::machine_runs() - before_scan;
  const auto before = pickle::machine_runs();
  ScannedInput scanned = scan_for_conversion(torch.ctx, a, "");
  const auto convert_runs = pickle::machine_runs() - before;
  ASSERT_EQ(scanned.report.status, Status::safe);
  ASSERT_TRUE(scanned.plan && *scanned.plan) << (scanned.plan ? scanned.plan->error().reason : "no plan");
  EXPECT_EQ((*scanned.plan)->tensors.size(), 2u);
  EXPECT_EQ(report_json_text(scanned.report), report_json_text(plain));
  // The scan runs the machine once over data.pkl, and probes what pickle.load would do with the first
  // bytes of the file and of its records `byteorder` and `version`: planning adds no run.
  EXPECT_EQ(convert_runs, scan_runs);
  EXPECT_EQ(convert_runs, 4u);
}

TEST(ConvertReading, APlanIsNeverMadeFromAReadingThatDoesNotMatchTheFile) {
  const std::string file = planned_checkpoint();
  auto refused = [&](const char* label, const CheckpointReadingSlot& read, const std::string& why) {
    auto plan = plan_conversion(view_of(file), read, "", Limits{});
    ASSERT_FALSE(plan) << label;
    EXPECT_NE(plan.error().reason.find(why), std::string::npos) << label << ": " << plan.error().reason;
  };
  TorchScan torch;
  auto read = std::make_shared<CheckpointReadingSlot>();
  torch.scan(view_of(file), read);
  ASSERT_TRUE(read->zip());
  EXPECT_TRUE(plan_conversion(view_of(file), *read, "", Limits{}));

  refused("nothing kept", CheckpointReadingSlot{}, "the scan kept no zip reading");
  const std::string copy = file;  // the same contents in other memory
  auto of_copy = std::make_shared<CheckpointReadingSlot>();
  torch.scan(view_of(copy), of_copy);
  refused("a reading of other bytes", *of_copy, "is of other bytes");
  auto twice = std::make_shared<CheckpointReadingSlot>();
  torch.scan(view_of(file), twice);
  torch.scan(view_of(file), twice);
  refused("two readings of one layout", *twice, "read this checkpoint twice");

  auto kept_as = [&](TorchZipReading r) {
    CheckpointReadingSlot slot;
    slot.keep(view_of(file), std::move(r));
    return slot;
  };
  TorchZipReading other_record = *read->zip();
  other_record.data_member = *other_record.data_member + 1;
  refused("another record's stream", kept_as(other_record), "the scan did not read 'archive/data.pkl'");
  TorchZipReading other_bytes = *read->zip();
  other_bytes.data.graph = std::make_shared<pickle::ValueGraph>(view_of(copy));
  refused("a stream over other bytes", kept_as(other_bytes), "is not the bytes of 'archive/data.pkl'");
  TorchZipReading plain = *read->zip();
  plain.data.retained_data = false;
  refused("a stream without its data", kept_as(plain), "the scan kept no data of the data pickle");
  TorchZipReading cut = *read->zip();
  cut.data.complete = false;
  refused("an incomplete stream", kept_as(cut), "the data pickle cannot be read");
}

// Retaining every container has a limit a plain scan does not have (max_pickle_nodes): whatever the
// limit, the scan `convert` runs gives the plain scan's report, and a checkpoint whose data the
// limit cut is refused with the limit named, never planned from partial data.
TEST(ConvertReading, TheRetainedValueLimitNeverChangesTheVerdict) {
  const std::string file = planned_checkpoint();
  bool cut_by_retaining = false;
  for (std::uint32_t nodes = 1; nodes <= 64; ++nodes) {
    Limits limits;
    limits.max_pickle_nodes = nodes;
    TorchScan torch(limits);
    Artifact a;
    a.origin = "in.pt";
    a.bytes = view_of(file);
    const ArtifactReport plain = torch.ctx.scan(a);
    ScannedInput scanned = scan_for_conversion(torch.ctx, a, "");
    EXPECT_EQ(report_json_text(scanned.report), report_json_text(plain)) << nodes;
    if (plain.status != Status::safe) continue;
    ASSERT_TRUE(scanned.plan) << nodes;
    if (*scanned.plan) continue;
    cut_by_retaining = true;
    EXPECT_NE(scanned.plan->error().reason.find("retained value count limit reached"), std::string::npos)
        << nodes << ": " << scanned.plan->error().reason;
  }
  EXPECT_TRUE(cut_by_retaining) << "no limit lets the plain scan pass and stops the retained run";
}

// The writing process refuses a file whose plan does not hold, even when its scan says safe.
TEST(ConvertPlan, AHostilePlanIsRefusedAndNothingIsWritten) {
  TempDir d;
  const std::string file = planned_checkpoint();
  write_file(d / "in.pt", file);
  auto opened = InputFile::open(d / "in.pt");
  ASSERT_TRUE(opened) << opened.error().message();
  const std::shared_ptr<InputFile>& input = *opened;
  auto plan = plan_of(file);
  ASSERT_TRUE(plan);
  plan->storages.at("0").file_offset = file.size();
  ScannedInput scanned;
  scanned.report.origin = "in.pt";
  scanned.report.format = "pytorch-zip";
  scanned.report.finalize();
  ASSERT_EQ(scanned.report.status, Status::safe);
  scanned.plan = std::move(plan);
  FileConversion fc;
  EXPECT_EQ(prepare_checkpoint(input, std::move(scanned), ConvertOptions{}, fc), nullptr);
  EXPECT_EQ(fc.outcome, FileOutcome::refused);
  EXPECT_NE(fc.reason.find("the conversion plan does not hold"), std::string::npos) << fc.reason;
}

}  // namespace

namespace {

// A directory's other files are copied when their scan passes. An ONNX model's external data is
// looked up beside it by the converting process (as `scan` does), in both sandbox modes: a model
// whose data file is missing is refused and not copied; one with its data is copied.
TEST(ConvertWriting, OnnxExternalDataIsLookedUpBeforeAModelIsCopied) {
  const auto& onnx = generated_fixtures("make_onnx_keras.py");
  ASSERT_TRUE(onnx.ok) << onnx.log;
  for (const char* sandbox : {"strict", "off"}) {
    for (bool with_data : {true, false}) {
      TempDir d;
      write_file(d / "model/pytorch_model.bin", torch_zip("w", 4));
      fs::copy(onnx.dir.path() / "onnx/ext/model.onnx", d / "model/model.onnx");
      if (with_data) fs::copy(onnx.dir.path() / "onnx/ext/weights.bin", d / "model/weights.bin");
      auto r = convert_cli(d / "model", d / "out", std::string("--json --sandbox ") + sandbox);
      const std::string what = std::string(sandbox) + (with_data ? ", with its data" : ", without its data");
      EXPECT_EQ(r.exit_code, 0) << what << ": " << r.output.substr(0, 2000);
      EXPECT_EQ(fs::exists(d / "out/model.onnx"), with_data) << what << ": " << r.output.substr(0, 2000);
      if (!with_data) {
        EXPECT_NE(r.output.find("MG-ONNX-EXTERNAL-DATA-MISSING"), std::string::npos) << what << ": " << r.output.substr(0, 2000);
      }
    }
  }
}

}  // namespace

}  // namespace convert_test
