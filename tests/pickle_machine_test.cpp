// Opcode-level tests of the pickle machine: each opcode's semantics, every malformation, every limit.
#include <gtest/gtest.h>

#include <tuple>
#include <zlib.h>

#include "pickle/machine.h"
#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_machine_test {

using modelgate::Limits;
using modelgate::Status;
using namespace modelgate::pickle;
using mgtest::PickleBuilder;

namespace {

const Allowlist& default_allowlist() {
  static const auto a = Allowlist::from_profiles({"torch", "python-data", "numpy"}, {});
  return *a;
}

// Results keep views into their input: the inputs stay alive for the whole test program.
StreamResult run(const std::string& input, const Limits& limits = Limits{}, bool retain = true) {
  static std::vector<std::unique_ptr<std::string>> inputs;
  inputs.push_back(std::make_unique<std::string>(input));
  const std::string& bytes = *inputs.back();
  MachineOptions o;
  o.allowlist = &default_allowlist();
  o.limits = &limits;
  o.retain_data = retain;
  auto view = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return run_machine(view, 0, "t.pkl", o);
}

bool has(const StreamResult& r, const std::string& rule) {
  for (const auto& f : r.findings)
    if (f.rule == rule) return true;
  return false;
}

std::string root_text(const StreamResult& r) { return r.graph->describe(r.root, 400); }

}  // namespace

TEST(PickleMachine, ScalarsAndContainers) {
  auto r = run(PickleBuilder().proto(2).op(']').binint1(1).op('a').op('}').str("k").binint(-5).op('s')
                   .tuple2().stop().done());
  ASSERT_TRUE(r.complete) << (r.error ? r.error->reason : "");
  EXPECT_EQ(root_text(r), "([1], {'k': -5})");
  EXPECT_TRUE(r.findings.empty());
}

// DUP pushes the top of the stack onto the stack itself: when that push grows the stack, the value
// pushed must be the one on top before the growth, not a read of the buffer the growth freed
// (a heap use-after-free the pickle fuzz target found; the sanitizer suite runs this test).
TEST(PickleMachine, DupThatGrowsTheStackPushesTheValueItDuplicates) {
  for (bool retain : {true, false}) {
    for (std::size_t dups : {63u, 64u, 65u, 1023u, 1024u, 1025u, 5000u}) {
      PickleBuilder b;
      b.proto(2).op(']').op('(').binint1(7);
      for (std::size_t i = 0; i < dups; ++i) b.op('2');
      auto r = run(b.op('e').stop().done(), Limits{}, retain);
      ASSERT_TRUE(r.complete) << dups << ": " << (r.error ? r.error->reason : "");
      if (!retain) continue;
      const std::string text = root_text(r);
      ASSERT_EQ(text.rfind("[7, 7, 7", 0), 0u) << dups << ": " << text;
      EXPECT_EQ(text.find_first_not_of("[7, ]."), std::string::npos) << dups << ": " << text;
    }
  }
}

TEST(PickleMachine, TextOpcodesOfProtocol0) {
  std::string p = "(I1\nI00\nL12L\nF2.5\nS'a\\x41'\nVb\\u00e9\np0\ng0\nNt.";
  auto r = run(p);
  ASSERT_TRUE(r.complete) << (r.error ? r.error->reason : "");
  EXPECT_EQ(root_text(r), "(1, False, 12, 2.5, 'aA', 'b\\xc3\\xa9', 'b\\xc3\\xa9', None)");
}

TEST(PickleMachine, BinaryStringsBytesAndProtocol5) {
  auto r = run(PickleBuilder().proto(5).op('U').op(2).raw("hi").bytes("xy").op(0x96).u64(1).raw("z")
                   .op(0x8d).u64(2).raw("ok").op(0x8e).u64(1).raw("q").op(0x87).op(0x86).stop().done());
  ASSERT_TRUE(r.complete) << (r.error ? r.error->reason : "");
  EXPECT_EQ(root_text(r), "(b'xy', (bytearray('z'), 'ok', b'q'))");
}

TEST(PickleMachine, Long1AndLong4) {
  auto r = run(PickleBuilder().proto(2).op(0x8a).op(2).raw("\xff\x7f").op(0x8a).op(1).raw("\xff")
                   .op(0x8b).u32(0).op(0x87).stop().done());
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(root_text(r), "(32767, -1, 0)");
}

TEST(PickleMachine, SetsFrozensetsAndAdditems) {
  auto r = run(PickleBuilder().proto(4).op(0x8f).mark().binint1(1).binint1(2).op(0x90)
                   .mark().binint1(3).op(0x91).tuple2().stop().done());
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(root_text(r), "({1, 2}, frozenset({3}))");
}

TEST(PickleMachine, MemoizeAndGetVariants) {
  auto r = run(PickleBuilder().proto(4).str("a").op(0x94).str("b").op('r').u32(7).op(0x30).op('j').u32(7)
                   .op('h').op(0).tuple2().stop().done());
  ASSERT_TRUE(r.complete) << (r.error ? r.error->reason : "");
  EXPECT_EQ(root_text(r), "('b', 'a')");
}

TEST(PickleMachine, PopOnTopOfMarkPopsTheMark) {
  // _pickle.c: POP with a mark on top removes the mark, so TUPLE below finds no mark.
  auto r = run(PickleBuilder().proto(2).binint1(1).mark().op('0').tuple1().stop().done());
  ASSERT_TRUE(r.complete) << (r.error ? r.error->reason : "");
  EXPECT_EQ(root_text(r), "(1,)");
}

TEST(PickleMachine, PopMarkAndDup) {
  auto r = run(PickleBuilder().proto(2).binint1(7).op('2').mark().binint1(1).binint1(2).op('1').tuple2()
                   .stop().done());
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(root_text(r), "(7, 7)");
}

TEST(PickleMachine, ProtoCanRepeatAndRejectsUnknownVersions) {
  EXPECT_TRUE(run(PickleBuilder().proto(2).none().proto(4).stop().done()).complete);
  auto r = run(PickleBuilder().proto(6).none().stop().done());
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(has(r, "MG-PICKLE-MALFORMED"));
}

TEST(PickleMachine, FramesAreTransparentToTheCUnpickler) {
  auto body = PickleBuilder().binint1(1).stop().done();
  auto r = run(PickleBuilder().proto(4).op(0x95).u64(body.size()).raw(body).done());
  ASSERT_TRUE(r.complete);
  EXPECT_FALSE(has(r, "MG-PICKLE-LOADER-DIVERGENCE"));
}

TEST(PickleMachine, BinbytesLongerThanItsFrameIsADivergence) {
  // FRAME of 4 bytes; the BINBYTES operand runs past it. _pickle.c loads it, pickle.py refuses.
  auto r = run(PickleBuilder().proto(4).op(0x95).u64(4).bytes("0123456789").stop().done());
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(has(r, "MG-PICKLE-LOADER-DIVERGENCE"));
}

TEST(PickleMachine, NewFrameInsideFrameIsADivergence) {
  auto r = run(PickleBuilder().proto(4).op(0x95).u64(30).none().op(0x95).u64(2).op('0').none().stop().done());
  EXPECT_TRUE(has(r, "MG-PICKLE-LOADER-DIVERGENCE"));
}

TEST(PickleMachine, FrameLongerThanDataIsADivergenceButStillAnalysed) {
  auto payload = PickleBuilder().global("os", "system").str("id").tuple1().reduce().stop().done();
  auto r = run(PickleBuilder().proto(4).op(0x95).u64(1000).raw(payload).done());
  EXPECT_TRUE(has(r, "MG-PICKLE-LOADER-DIVERGENCE"));
  EXPECT_TRUE(has(r, "MG-PICKLE-CALL-DANGEROUS"));
}

// The Pickler ends every frame with STOP. Bytes of the frame left after STOP move where a loader that
// reads on (legacy torch.load, joblib) starts its next read: right after STOP or after the frame.
TEST(PickleMachine, StopBeforeTheEndOfItsFrameIsADivergence) {
  auto body = PickleBuilder().binint1(1).stop().done();
  auto ends_there = run(PickleBuilder().proto(4).op(0x95).u64(body.size()).raw(body).done());
  EXPECT_FALSE(has(ends_there, "MG-PICKLE-LOADER-DIVERGENCE"));
  auto r = run(PickleBuilder().proto(4).op(0x95).u64(body.size() + 3).raw(body).raw("N0.").done());
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.end, 2u + 9u + body.size());
  EXPECT_TRUE(has(r, "MG-PICKLE-LOADER-DIVERGENCE"));
}

// joblib reads an array's raw bytes after BUILD, from the end of the frame pickle.py has read whole:
// data taken from right after BUILD with frame bytes still ahead is not what joblib reads.
TEST(PickleMachine, DataReadAfterBuildInsideAFrameIsRefused) {
  auto build = PickleBuilder().global("collections", "OrderedDict").op(')').op('R').op('}').op('b').done();
  auto run_with_hook = [](const std::string& input) {
    static std::vector<std::unique_ptr<std::string>> inputs;
    inputs.push_back(std::make_unique<std::string>(input));
    const std::string& bytes = *inputs.back();
    static const Limits limits;
    MachineOptions o;
    o.allowlist = &default_allowlist();
    o.limits = &limits;
    o.after_build = [](const ValueGraph&, const Value&, const Value&, std::size_t offset) -> std::optional<std::size_t> {
      return offset + 4;  // four bytes of raw data follow BUILD
    };
    auto view = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return run_machine(view, 0, "t.joblib", o);
  };
  // The frame ends at BUILD, as joblib writes it: the data follows, then the rest of the stream.
  auto framed = PickleBuilder().proto(4).op(0x95).u64(build.size()).raw(build).raw("DATA").op('.').done();
  auto ok = run_with_hook(framed);
  EXPECT_TRUE(ok.complete) << (ok.error ? ok.error->reason : "");
  // Two more bytes of the frame follow BUILD.
  auto inside = PickleBuilder().proto(4).op(0x95).u64(build.size() + 2).raw(build).raw("N0").raw("DATA").op('.').done();
  auto r = run_with_hook(inside);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(has(r, "MG-PICKLE-MALFORMED"));
}

// numpy keeps the flags a dtype's pickled state gives it: an object dtype told it holds no objects
// reads raw bytes as object pointers. A state must say what the type code says.
TEST(PickleMachine, NumpyDtypeFlagsMustMatchTheTypeCode) {
  auto dtype = [](const std::string& code, int flags) {
    return PickleBuilder().proto(2).global("numpy", "dtype").str(code).op(0x89).op(0x88).op(0x87).reduce()
        .mark().binint1(3).str("|").none().none().none().binint(-1).binint(-1).binint(flags).op('t')
        .op('b').stop().done();
  };
  EXPECT_FALSE(has(run(dtype("O8", 63)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  EXPECT_FALSE(has(run(dtype("<f4", 0)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  auto forged = run(dtype("O8", 0));
  EXPECT_TRUE(has(forged, "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  EXPECT_TRUE(has(run(dtype("<f8", 63)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  // A structured dtype with an object field carries the object bits. Whether or not the scan keeps
  // the fields' dict, that is no contradiction.
  auto field = [](const std::string& code) {
    return PickleBuilder().global("numpy", "dtype").str(code).op(0x89).op(0x88).op(0x87).reduce().str_value();
  };
  const std::string structured = PickleBuilder().proto(2).global("numpy", "dtype").str("V12").op(0x89).op(0x88)
      .op(0x87).reduce().mark().binint1(3).str("|").none().str("a").str("b").op(0x86).op('}')
      .str("a").raw(field("<f4")).binint1(0).op(0x86).op('s').str("b").raw(field("O8")).binint1(4).op(0x86).op('s')
      .binint1(12).binint1(1).binint1(27).op('t').op('b').stop().done();
  for (bool retain : {true, false})
    EXPECT_FALSE(has(run(structured, Limits{}, retain), "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
}

namespace numpy_states {

// numpy.dtype(code, False, True), as numpy's __reduce__ writes it.
std::string dtype_call(const std::string& code) {
  return PickleBuilder().global("numpy", "dtype").str(code).op(0x89).op(0x88).op(0x87).reduce().str_value();
}
// A BUILD state (3, '|', subarray, names, fields, elsize, 1, flags) around the given parts.
std::string dtype_build(const std::string& subarray, const std::string& fields, int elsize, int flags) {
  return PickleBuilder().mark().binint1(3).str("|").raw(subarray).none().raw(fields).binint(elsize).binint1(1)
      .binint(flags).op('t').op('b').str_value();
}
// {name: (dtype(code), offset), ...}
std::string fields(const std::vector<std::tuple<std::string, std::string, int>>& list) {
  PickleBuilder b;
  b.op('}');
  for (const auto& [name, code, offset] : list) b.str(name).raw(dtype_call(code)).binint(offset).op(0x86).op('s');
  return b.str_value();
}
StreamResult structured(const std::string& code, const std::string& subarray, const std::string& f, int elsize,
                        int flags, bool retain = true) {
  return run(PickleBuilder().proto(2).raw(dtype_call(code)).raw(dtype_build(subarray, f, elsize, flags)).stop().done(),
             Limits{}, retain);
}

}  // namespace numpy_states

// numpy copies a dtype's item size, layout and flags from its state unchecked: whatever numpy's
// writer would not produce reads outside the array or forges objects (red team, session 19).
TEST(PickleMachine, NumpyDtypeLayoutMustFitTheItem) {
  using namespace numpy_states;
  const std::string none = PickleBuilder().none().str_value();
  for (bool retain : {true, false}) {
    // What numpy writes: plain, with an object field, titled (listed twice), a subarray.
    EXPECT_FALSE(has(structured("V12", none, fields({{"a", "<f4", 0}, {"b", "O8", 4}}), 12, 27, retain),
                     "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    EXPECT_FALSE(has(structured("V8", none, fields({{"a", "<f8", 0}, {"A", "<f8", 0}}), 8, 16, retain),
                     "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    const std::string sub = PickleBuilder().raw(dtype_call("<f4")).binint1(2).binint1(3).op(0x86).op(0x86).str_value();
    EXPECT_FALSE(has(structured("V24", sub, none, 24, 0, retain), "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    // A field that starts inside the item and runs past it; a subarray larger than the item.
    EXPECT_TRUE(has(structured("V8", none, fields({{"a", "V67108864", 0}}), 8, 16, retain),
                    "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    const std::string big = PickleBuilder().raw(dtype_call("<f8")).binint(8388608).op(0x85).op(0x86).str_value();
    EXPECT_TRUE(has(structured("V8", big, none, 8, 0, retain), "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    // An object field overlapping another: writing one forges the other's pointer.
    EXPECT_TRUE(has(structured("V8", none, fields({{"a", "O8", 0}, {"b", "<i8", 0}}), 8, 27, retain),
                    "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    // An object field without NPY_LIST_PICKLE: scalar() and ndarray take raw bytes as its items.
    EXPECT_TRUE(has(structured("V12", none, fields({{"a", "<f4", 0}, {"b", "O8", 4}}), 12, 25, retain),
                    "MG-PICKLE-NUMPY-DTYPE-FLAGS")) << retain;
    // Fields given to a numeric dtype, whose item size numpy takes from its code.
    EXPECT_TRUE(has(structured("<f8", none, fields({{"a", "<f8", 64}}), 72, 16, retain), "MG-PICKLE-NUMPY-DTYPE-FLAGS"))
        << retain;
  }
}

TEST(PickleMachine, NumpyDtypeStateMustBeWhatNumpyWrites) {
  using namespace numpy_states;
  auto plain = [](const std::string& code, const std::string& elsize_and_flags) {
    return run(PickleBuilder().proto(2).raw(dtype_call(code)).mark().binint1(3).str("|").none().none().none()
                   .raw(elsize_and_flags).op('t').op('b').stop().done());
  };
  auto numbers = [](int elsize, int flags) { return PickleBuilder().binint(elsize).binint1(1).binint(flags).str_value(); };
  EXPECT_FALSE(has(plain("O8", numbers(-1, 63)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  EXPECT_FALSE(has(plain("S5", numbers(5, 0)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  EXPECT_FALSE(has(plain("<U2", numbers(8, 8)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  // An object dtype without NPY_NEEDS_INIT: numpy releases references it never wrote.
  EXPECT_TRUE(has(plain("O8", numbers(-1, 55)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  // A flexible dtype told a larger item than its code.
  EXPECT_TRUE(has(plain("S5", numbers(100, 0)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  // Codes numpy does not write ('object', a class) and flags computed at load time.
  EXPECT_TRUE(has(plain("object", numbers(-1, 0)), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  const std::string int_call = PickleBuilder().binint(-1).binint1(1).global("builtins", "int").str("0").op(0x85)
      .reduce().str_value();
  EXPECT_TRUE(has(plain("O8", int_call), "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  // Through copyreg.__newobj__ rather than the NEWOBJ opcode.
  auto via_newobj = run(PickleBuilder().proto(2).global("copyreg", "__newobj__").global("numpy", "dtype").str("O8")
                            .op(0x86).reduce().mark().binint1(3).str("|").none().none().none().raw(numbers(-1, 0))
                            .op('t').op('b').stop().done());
  EXPECT_TRUE(has(via_newobj, "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
}

// numpy keeps a reference to the fields dict, and the layout of a dtype already used is the one
// its arrays were made with: changing either afterwards bypasses the check at BUILD.
TEST(PickleMachine, NumpyDtypeLayoutCannotChangeAfterBuild) {
  using namespace numpy_states;
  const std::string none = PickleBuilder().none().str_value();
  // The fields dict is memoised (index 9), BUILD checks it, then SETITEM moves a field out of the item.
  std::string f = PickleBuilder().op('}').binput(9).str("a").raw(dtype_call("<f8")).binint1(0).op(0x86).op('s').str_value();
  auto later = run(PickleBuilder().proto(2).raw(dtype_call("V8")).raw(dtype_build(none, f, 8, 16)).op('0')
                       .binget(9).str("b").raw(dtype_call("<f8")).binint(1 << 26).op(0x86).op('s').stop().done());
  EXPECT_TRUE(has(later, "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
  // A void dtype referenced again (memo GET) before a BUILD gives it a layout.
  auto used = run(PickleBuilder().proto(2).raw(dtype_call("V8")).binput(7).op('0').binget(7)
                      .raw(dtype_build(none, fields({{"a", "<f8", 0}}), 8, 16)).stop().done());
  EXPECT_TRUE(has(used, "MG-PICKLE-NUMPY-DTYPE-FLAGS"));
}

TEST(PickleMachine, NumpyRandomPositionsMustBeInRange) {
  auto legacy = [](int pos) {
    return run(PickleBuilder().proto(2).global("numpy.random.mtrand", "RandomState").op(')').reduce().mark()
                   .str("MT19937").none().binint(pos).binint1(0).none().op('t').op('b').stop().done());
  };
  EXPECT_FALSE(has(legacy(624), "MG-PICKLE-NUMPY-RANDOM-STATE"));
  EXPECT_TRUE(has(legacy(-2000000000), "MG-PICKLE-NUMPY-RANDOM-STATE"));
  EXPECT_TRUE(has(legacy(625), "MG-PICKLE-NUMPY-RANDOM-STATE"));
  auto philox = [](int buffer_pos, bool retain) {
    return run(PickleBuilder().proto(2).global("numpy.random._pickle", "__bit_generator_ctor").str("Philox").op(0x85)
                   .reduce().op('}').str("bit_generator").str("Philox").op('s').str("buffer_pos").binint(buffer_pos)
                   .op('s').op('b').stop().done(), Limits{}, retain);
  };
  for (bool retain : {true, false}) {
    EXPECT_FALSE(has(philox(4, retain), "MG-PICKLE-NUMPY-RANDOM-STATE")) << retain;
    EXPECT_TRUE(has(philox(-1, retain), "MG-PICKLE-NUMPY-RANDOM-STATE")) << retain;
  }
  auto nested = run(PickleBuilder().proto(2).global("numpy.random._pickle", "__randomstate_ctor").str("MT19937")
                        .op(0x85).reduce().op('}').str("state").op('}').str("pos").binint(100000).op('s').op('s')
                        .op('b').stop().done(), Limits{}, false);
  EXPECT_TRUE(has(nested, "MG-PICKLE-NUMPY-RANDOM-STATE"));
  // A bit generator made without its constructor has no state to point at.
  auto bare = run(PickleBuilder().proto(2).global("numpy.random._pcg64", "PCG64").op(')').op(0x81).stop().done());
  EXPECT_TRUE(has(bare, "MG-PICKLE-NUMPY-RANDOM-STATE"));
}

// BUILD's slot state is applied with setattr: __class__ there makes the object another class.
TEST(PickleMachine, BuildSettingClassIsUnsafe) {
  auto slots = [](const std::string& key, bool retain) {
    return run(PickleBuilder().proto(2).global("argparse", "Namespace").op(')').reduce().none().op('}').str(key)
                   .global("joblib.numpy_pickle", "NumpyArrayWrapper").op('s').op(0x86).op('b').stop().done(),
               Limits{}, retain);
  };
  for (bool retain : {true, false}) {
    EXPECT_TRUE(has(slots("__class__", retain), "MG-PICKLE-BUILD-SETATTR")) << retain;
    EXPECT_FALSE(has(slots("weight", retain), "MG-PICKLE-BUILD-SETATTR")) << retain;
  }
}

// Objects change only while they are built: a second BUILD, SETITEM on an instance that is not a
// mapping (ndarray and Tensor __setitem__) and a ufunc's out argument write into checked objects.
TEST(PickleMachine, ChangingABuiltObjectIsUnsafe) {
  auto namespace_then = [](PickleBuilder tail) {
    return PickleBuilder().proto(2).global("argparse", "Namespace").op(')').reduce().op('}').op('b').raw(tail.done());
  };
  for (bool retain : {true, false}) {
    EXPECT_TRUE(has(run(namespace_then(PickleBuilder().op('}').op('b').stop()).done(), Limits{}, retain),
                    "MG-PICKLE-INPLACE-WRITE"));
    EXPECT_TRUE(has(run(namespace_then(PickleBuilder().str("k").str("v").op('s').stop()).done(), Limits{}, retain),
                    "MG-PICKLE-INPLACE-WRITE"));
    EXPECT_FALSE(has(run(namespace_then(PickleBuilder().stop()).done(), Limits{}, retain), "MG-PICKLE-INPLACE-WRITE"));
    // A dict subclass is filled with SETITEMS after it is built.
    EXPECT_FALSE(has(run(PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').reduce().mark()
                             .str("k").str("v").op('u').stop().done(), Limits{}, retain),
                     "MG-PICKLE-INPLACE-WRITE"));
    auto square = [&](PickleBuilder args) {
      return run(PickleBuilder().proto(2).global("numpy.core._multiarray_umath", "square").raw(args.done())
                     .reduce().stop().done(), Limits{}, retain);
    };
    EXPECT_TRUE(has(square(PickleBuilder().binint1(3).binint1(4).tuple2()), "MG-PICKLE-INPLACE-WRITE"));
    EXPECT_FALSE(has(square(PickleBuilder().binint1(3).tuple1()), "MG-PICKLE-INPLACE-WRITE"));
  }
}

TEST(PickleMachine, PersistentIdsAreRecorded) {
  auto r = run(PickleBuilder().proto(2).str("storage").str("0").tuple2().op('Q').op('P').line("abc").tuple2()
                   .stop().done());
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(r.persistent_ids.size(), 2u);
  EXPECT_TRUE(has(r, "MG-PICKLE-PERSISTENT-ID"));
}

TEST(PickleMachine, NonAsciiPersidIsRejected) {
  auto r = run(std::string("P\xc3\xa9\n.", 5));
  EXPECT_FALSE(r.complete);
}

TEST(PickleMachine, NextBufferNeedsOutOfBandData) {
  auto r = run(PickleBuilder().proto(5).op(0x97).op(0x98).stop().done());
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(has(r, "MG-PICKLE-OUT-OF-BAND"));
}

// ---- malformations: each refuses with offset and reason

struct Bad {
  const char* name;
  std::string bytes;
  const char* reason_part;
};
// ctest lists parameters by name, not as a raw byte dump.
void PrintTo(const Bad& b, std::ostream* os) { *os << b.name; }

class Malformed : public ::testing::TestWithParam<Bad> {};

TEST_P(Malformed, IsRefusedWithReason) {
  auto r = run(GetParam().bytes);
  EXPECT_FALSE(r.complete);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->reason.find(GetParam().reason_part), std::string::npos) << r.error->reason;
  EXPECT_TRUE(has(r, "MG-PICKLE-MALFORMED"));
}

INSTANTIATE_TEST_SUITE_P(
    Pickle, Malformed,
    ::testing::Values(
        Bad{"empty", "", "empty stream"}, Bad{"no_stop", PickleBuilder().proto(2).none().done(), "before STOP"},
        Bad{"unknown_opcode", std::string("\x80\x02\xff", 3), "invalid load key"},
        Bad{"underflow", PickleBuilder().proto(2).op('a').stop().done(), "underflow"},
        Bad{"stop_on_empty", ".", "underflow"},
        Bad{"memo_miss", PickleBuilder().proto(2).binget(3).stop().done(), "memo value not found"},
        Bad{"mark_missing", PickleBuilder().proto(2).none().op('t').stop().done(), "MARK"},
        Bad{"below_fence", PickleBuilder().proto(2).none().mark().op(0x85).stop().done(), "MARK"},
        Bad{"truncated_binunicode", PickleBuilder().proto(2).op('X').u32(100).raw("ab").done(), "truncated"},
        Bad{"huge_binbytes8", PickleBuilder().proto(4).op(0x8e).u64(~0ull).done(), "truncated"},
        Bad{"negative_long4", PickleBuilder().proto(2).op(0x8b).u32(0xffffffffu).stop().done(), "negative"},
        Bad{"odd_dict", PickleBuilder().proto(2).mark().none().op('d').stop().done(), "odd number"},
        Bad{"odd_setitems", PickleBuilder().proto(2).op('}').mark().none().op('u').stop().done(), "odd number"},
        Bad{"bad_utf8", PickleBuilder().proto(2).op(0x8c).op(2).raw("\xc3\x28").stop().done(), "UTF-8"},
        Bad{"stack_global_types", PickleBuilder().proto(4).binint1(1).str("x").op(0x93).stop().done(),
            "requires str"},
        Bad{"unquoted_string", "Sabc\n.", "quoted"}, Bad{"bad_escape", "S'\\x4'\n.", "quoted"},
        Bad{"bad_int", "Iabc\n.", "convert"}, Bad{"bad_float", "Fnope\n.", "float"},
        Bad{"newline_missing", "I12", "newline"},
        Bad{"negative_put", PickleBuilder().proto(2).none().op('p').line("-1").stop().done(), "negative PUT"},
        Bad{"newobj_args", PickleBuilder().proto(2).global("collections", "OrderedDict").none().op(0x81).stop().done(),
            "arg tuple"},
        Bad{"call_non_callable", PickleBuilder().proto(2).binint1(1).op(')').reduce().stop().done(), "not callable"},
        Bad{"ext_zero", PickleBuilder().proto(2).op(0x84).u32(0).stop().done(), "code <= 0"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PickleMachine, EveryTruncationOfAValidPickleIsRefused) {
  std::string full = PickleBuilder().proto(4).op(0x95).u64(20).op('}').str("w").op(0x94).bytes("abc")
                         .op('s').mark().binint1(1).op('l').tuple2().stop().done();
  ASSERT_TRUE(run(full).complete);
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = run(full.substr(0, n));
    EXPECT_FALSE(r.complete) << "prefix " << n;
    EXPECT_TRUE(r.error.has_value());
  }
}

// ---- limits: each one refuses instead of growing without bound

TEST(PickleLimits, Opcodes) {
  Limits l;
  l.max_pickle_opcodes = 10;
  PickleBuilder b;
  b.proto(2);
  for (int i = 0; i < 20; ++i) b.none().op('0');
  auto r = run(b.none().stop().done(), l);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(has(r, "MG-LIMIT-EXCEEDED"));
}

TEST(PickleLimits, StackDepth) {
  Limits l;
  l.max_pickle_stack = 100;
  PickleBuilder b;
  for (int i = 0; i < 200; ++i) b.none();
  auto r = run(b.stop().done(), l);
  EXPECT_TRUE(has(r, "MG-LIMIT-EXCEEDED"));
}

TEST(PickleLimits, MarkNesting) {
  Limits l;
  l.max_pickle_marks = 50;
  auto r = run(std::string(100, '(') + "N.", l);
  EXPECT_TRUE(has(r, "MG-LIMIT-EXCEEDED"));
}

TEST(PickleLimits, MemoSize) {
  Limits l;
  l.max_pickle_memo = 10;
  PickleBuilder b;
  b.proto(4).none();
  for (int i = 0; i < 20; ++i) b.op(0x94);
  auto r = run(b.stop().done(), l);
  EXPECT_TRUE(has(r, "MG-LIMIT-EXCEEDED"));
}

TEST(PickleLimits, RetainedNodes) {
  Limits l;
  l.max_pickle_nodes = 10;
  PickleBuilder b;
  b.proto(2);
  for (int i = 0; i < 20; ++i) b.str("s").tuple1().op('0');
  auto r = run(b.none().stop().done(), l, false);
  EXPECT_TRUE(has(r, "MG-LIMIT-EXCEEDED"));
}

TEST(PickleLimits, RetainedContainerPastTheLimitRightBeforeStopIsNotComplete) {
  // With data retained (conversion), an empty container created past the limit has no node; the
  // stream must not come out complete with that container silently missing.
  Limits l;
  l.max_pickle_nodes = 3;
  PickleBuilder b;
  b.proto(2).op(']').op(']').op(']').op(']').op(']');
  auto r = run(b.stop().done(), l, true);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(has(r, "MG-LIMIT-EXCEEDED"));
}

TEST(PickleLimits, SparseMemoKeysDoNotAllocate) {
  // A LONG_BINPUT at 4 billion must not allocate a 4-billion-entry table.
  auto r = run(PickleBuilder().proto(2).none().op('r').u32(0xfffffff0u).op('j').u32(0xfffffff0u).tuple2().stop().done());
  EXPECT_TRUE(r.complete);
}

TEST(PickleScanMode, NumericContainersAreNotRetained) {
  PickleBuilder b;
  b.proto(2).op(']');
  for (int i = 0; i < 1000; ++i) b.mark().binint1(1).binint1(2).op('l').op('a');
  auto r = run(b.stop().done(), Limits{}, false);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.graph->node_count(), 0u);
}

// The memo lets a stream name one long string in every opcode: each imported module and name, and
// each attribute path, is bounded on its own (max_pickle_name) and in all (max_pickle_name_bytes),
// before it is copied. The run stops with MG-LIMIT-EXCEEDED, so the stream is refused, not passed.
TEST(PickleLimits, ImportedNamesAreBoundedOneByOneAndInAll) {
  auto imports = [](std::size_t module_length, int count) {
    PickleBuilder b;
    b.proto(4).str(std::string(module_length, 'm')).binput(0).str("name").binput(1).op('0').op('0').op(']').mark();
    for (int i = 0; i < count; ++i) b.binget(0).binget(1).op(0x93);
    return b.op('e').stop().done();
  };
  auto long_name = run(imports(4096, 1));
  EXPECT_TRUE(has(long_name, "MG-LIMIT-EXCEEDED"));
  EXPECT_FALSE(long_name.complete);
  EXPECT_TRUE(long_name.imports.empty());  // refused before anything was copied
  auto within = run(imports(1000, 10));
  EXPECT_TRUE(within.complete);
  EXPECT_EQ(within.imports.size(), 10u);
  Limits small;
  small.max_pickle_name_bytes = 5000;
  auto many = run(imports(1000, 10), small);
  EXPECT_TRUE(has(many, "MG-LIMIT-EXCEEDED"));
  EXPECT_EQ(many.imports.size(), 4u);
  // getattr(getattr(getattr(object, L), L), L)...: the attribute path grows by L at every call.
  PickleBuilder chain;
  chain.proto(4).global("builtins", "getattr").binput(0).str(std::string(300, 'a')).binput(1).op('0').op('0');
  auto getattr_chain = [&](int calls) {
    PickleBuilder c = chain;
    for (int i = 0; i < calls; ++i) c.binget(0);
    c.global("builtins", "object");
    for (int i = 0; i < calls; ++i) c.binget(1).tuple2().op('R');
    return run(c.stop().done());
  };
  EXPECT_TRUE(getattr_chain(3).complete);  // "object" and three times 301 bytes: 909
  auto attributes = getattr_chain(5);
  EXPECT_FALSE(attributes.complete);
  ASSERT_TRUE(attributes.error);
  EXPECT_NE(attributes.error->reason.find("name of 1210 bytes"), std::string::npos) << attributes.error->reason;
}

// A payload passed to pickle.loads again and again (the same memoised bytes, or the same bytes
// rebuilt through io.BytesIO each time) is one nested artifact, not one per call.
TEST(PickleLimits, APayloadPassedAgainIsAnalysedOnce) {
  const std::string inner = PickleBuilder().proto(2).op(']').binint1(7).op('a').stop().done();
  auto calls = [&](bool through_bytes_io, int count, bool second_payload) {
    PickleBuilder b;
    b.proto(4).global("pickle", "loads").binput(0).global("io", "BytesIO").binput(2).op('0').op('0');
    b.bytes(inner).binput(1).op('0').op(']').mark();
    for (int i = 0; i < count; ++i) {
      b.binget(0);
      if (through_bytes_io) b.binget(2);
      b.binget(1).op(0x85).op('R');
      if (through_bytes_io) b.op(0x85).op('R');
    }
    if (second_payload) b.binget(0).bytes(inner + " ").op(0x85).op('R');
    return run(b.op('e').stop().done());
  };
  for (bool bytes_io : {false, true}) {
    auto r = calls(bytes_io, 1000, false);
    ASSERT_TRUE(r.complete) << (r.error ? r.error->reason : "");
    EXPECT_EQ(r.nested.size(), 1u) << bytes_io;
    EXPECT_EQ(calls(bytes_io, 1000, true).nested.size(), 2u) << bytes_io;
  }
}

// A wrapper built again around one memoised blob (zlib.decompress(X) passed again and again) makes
// each pass recover the payload anew before it can be known as a repeat; a blob that inflates past
// max_nested_payload is recovered in vain each time. The stream may waste max_nested_payload bytes
// of such work, then it is refused and nothing more is recovered.
TEST(PickleLimits, RecoveryThatAddsNothingNewIsBounded) {
  Limits limits;
  limits.max_nested_payload = 1u << 20;
  auto deflate = [](const std::string& raw) {
    uLongf n = compressBound(static_cast<uLong>(raw.size()));
    std::string out(n, '\0');
    EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(raw.data()),
                        static_cast<uLong>(raw.size()), 9),
              Z_OK);
    out.resize(n);
    return out;
  };
  auto passes = [&](const std::string& blob, int count) {
    PickleBuilder b;
    b.proto(4).global("pickle", "loads").binput(0).global("zlib", "decompress").binput(1).op('0').op('0');
    b.bytes(blob).binput(2).op('0').op(']').mark();
    for (int i = 0; i < count; ++i) b.binget(0).binget(1).binget(2).op(0x85).op('R').op(0x85).op('R');
    return run(b.op('e').stop().done(), limits);
  };
  auto occurrences = [](const StreamResult& r, const std::string& rule) {
    for (const auto& f : r.findings)
      if (f.rule == rule) return f.message.find("occurrences") == std::string::npos ? std::string("1") : f.message;
    return std::string("0");
  };
  const std::string payload = PickleBuilder().proto(2).bytes(std::string(400u << 10, 'a')).stop().done();
  auto repeated = passes(deflate(payload), 100);
  ASSERT_TRUE(repeated.complete);
  EXPECT_EQ(repeated.nested.size(), 1u);
  EXPECT_TRUE(has(repeated, "MG-LIMIT-EXCEEDED"));
  EXPECT_FALSE(has(passes(deflate(payload), 3), "MG-LIMIT-EXCEEDED"));  // 2 x 400 KiB wasted: under 1 MiB

  auto opaque = passes(deflate(std::string(2u << 20, '\0')), 100);
  ASSERT_TRUE(opaque.complete);
  EXPECT_TRUE(opaque.nested.empty());
  EXPECT_EQ(occurrences(opaque, "MG-PICKLE-NESTED-OPAQUE"), "1");  // recovered once, not 100 times
  EXPECT_TRUE(has(opaque, "MG-LIMIT-EXCEEDED"));
}

// codecs.encode(payload, name) reads `name` on every pass: a long memoised name passed again and
// again is work like the payload's bytes, and counts against the same bound.
TEST(PickleLimits, ALongCodecNamePassedAgainIsWorkToo) {
  Limits limits;
  limits.max_nested_payload = 1u << 20;
  auto passes = [&](std::size_t name_size, int count) {
    PickleBuilder b;
    b.proto(4).global("pickle", "loads").binput(0).global("_codecs", "encode").binput(1).op('0').op('0');
    b.bytes(PickleBuilder().proto(2).op('N').stop().done()).binput(2).op('0');
    b.str(std::string(name_size, 'a')).binput(3).op('0').op(']').mark();
    for (int i = 0; i < count; ++i) b.binget(0).binget(1).binget(2).binget(3).op(0x86).op('R').op(0x85).op('R');
    return run(b.op('e').stop().done(), limits);
  };
  auto long_name = passes(64u << 10, 100);  // 6.4 MiB of names read
  ASSERT_TRUE(long_name.complete);
  EXPECT_EQ(long_name.nested.size(), 1u);
  EXPECT_TRUE(has(long_name, "MG-LIMIT-EXCEEDED"));
  auto short_name = passes(5, 100);
  EXPECT_EQ(short_name.nested.size(), 1u);
  EXPECT_FALSE(has(short_name, "MG-LIMIT-EXCEEDED"));
}

}  // namespace pickle_machine_test
