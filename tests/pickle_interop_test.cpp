// Interop with the real CPython loaders: benign pickles written by CPython/numpy are `safe` and
// load; payload pickles through every opcode route are `unsafe` and the loader really runs them.
#include <gtest/gtest.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_interop_test {

using namespace mgtest;
using modelgate::Status;

namespace {

struct InteropCorpus {
  TempDir dir;
  nlohmann::json manifest;
  InteropCorpus() {
    auto r = run(python() + " " + (source_dir() / "tests/fixtures/make_pickles.py").string() + " " + dir.path().string());
    if (r.exit_code != 0) throw std::runtime_error("fixture generator failed: " + r.output);
    manifest = nlohmann::json::parse(read_file(dir / "manifest.json"));
  }
};

InteropCorpus& corpus() {
  static InteropCorpus c;
  return c;
}

modelgate::ArtifactReport scan_file(const fs::path& p) {
  modelgate::ScanOptions opts;
  auto result = modelgate::scan_paths({p}, opts);
  return result.artifacts.at(0);
}

std::string describe(const modelgate::ArtifactReport& r) {
  std::string s = std::string(modelgate::to_string(r.status)) + "\n";
  for (const auto* f : r.all_findings()) s += "  " + f->rule + " " + f->message + " [" + f->evidence + "]\n";
  return s;
}

}  // namespace

TEST(PickleInterop, BenignPicklesAreSafeAndLoad) {
  int count = 0;
  for (const auto& item : corpus().manifest) {
    if (item["expect"] != "safe") continue;
    auto path = corpus().dir / item["file"].get<std::string>();
    auto r = scan_file(path);
    EXPECT_EQ(r.status, Status::safe) << item["file"] << "\n" << describe(r);
    ++count;
  }
  EXPECT_GE(count, 40);
  // And Python loads every one of them (they were written by Python; this proves the files are real).
  auto check = run(python() + " -c \"import pickle,glob,sys; [pickle.load(open(f,'rb')) for f in glob.glob(sys.argv[1]+'/benign_*')]; print('ok')\" " +
                   corpus().dir.path().string());
  EXPECT_EQ(check.output, "ok\n");
}

TEST(PickleInterop, PayloadsAreUnsafeAndTheLoaderRunsThem) {
  int count = 0;
  for (const auto& item : corpus().manifest) {
    if (item["expect"] != "unsafe") continue;
    ++count;
    std::string file = item["file"];
    auto r = scan_file(corpus().dir / file);
    EXPECT_EQ(r.status, Status::unsafe) << file << "\n" << describe(r);

    // Prove it: load deliberately, inside a fresh temp dir, and observe the harmless effect.
    TempDir sandbox;
    fs::copy_file(corpus().dir / file, sandbox / file);
    fs::remove(corpus().dir / "MARKER");
    auto loaded = run("cd " + sandbox.path().string() + " && " + python() + " " +
                      (source_dir() / "tests/fixtures/load_pickle.py").string() + " " + file + " " +
                      item["load"].get<std::string>());
    std::string proves = item["proves"];
    if (proves == "marker") {
      EXPECT_TRUE(fs::exists(corpus().dir / "MARKER")) << file << " did not run its payload: " << loaded.output;
    } else {
      EXPECT_NE(loaded.output.find(proves.substr(5)), std::string::npos) << file << ": " << loaded.output;
    }
  }
  EXPECT_GE(count, 15);
}

// ---- _pickle.c vs pickle.py vs pickletools: each divergence, proven against the real readers

namespace {

nlohmann::json readers(const std::string& bytes) {
  TempDir d;
  write_file(d / "p.pkl", bytes);
  auto r = run(python() + " " + (source_dir() / "tests/fixtures/pickle_readers.py").string() + " " + (d / "p.pkl").string());
  return nlohmann::json::parse(r.output);
}

struct DivergenceCase {
  const char* name;
  std::string bytes;
  const char* c;      // expected _pickle.c outcome: "ok" or "error"
  const char* py;     // pickle.py
  const char* tools;  // pickletools (genops, or dis for memo checks)
};
void PrintTo(const DivergenceCase& c, std::ostream* os) { *os << c.name; }

class Divergence : public ::testing::TestWithParam<DivergenceCase> {};

std::string outcome(const nlohmann::json& j) { return j["ok"].get<bool>() ? "ok" : "error"; }

}  // namespace

TEST_P(Divergence, RealReadersDisagreeAndModelgateSaysSo) {
  const auto& tc = GetParam();
  auto j = readers(tc.bytes);
  EXPECT_EQ(outcome(j["c"]), tc.c) << j.dump();
  EXPECT_EQ(outcome(j["py"]), tc.py) << j.dump();
  // Cases named dis_* are about pickletools.dis, whose checks genops does not make.
  std::string tools_key = std::string(tc.name).rfind("dis_", 0) == 0 ? "dis" : "genops";
  EXPECT_EQ(outcome(j[tools_key]), tc.tools) << j.dump();
  auto r = scan(tc.bytes);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-LOADER-DIVERGENCE")) << describe(r);
  EXPECT_GE(r.status, Status::refused);
}

INSTANTIATE_TEST_SUITE_P(
    Pickle, Divergence,
    ::testing::Values(
        // strtol reads a leading 0 as octal: _pickle.c gives 8, pickle.py fails, pickletools gives 10
        DivergenceCase{"int_octal", "I010\n.", "ok", "error", "ok"},
        // hexadecimal INT: both unpicklers accept, pickletools (base 10) fails
        DivergenceCase{"int_hex", "I0x10\n.", "ok", "ok", "error"},
        // "+1" is True for _pickle.c (two characters, value 1) and 1 for pickle.py
        DivergenceCase{"int_bool", "I+1\n.", "ok", "ok", "ok"},
        DivergenceCase{"long_hex", "L0x10L\n.", "ok", "ok", "error"},
        // underscores and blanks: Python's float() accepts them, PyOS_string_to_double does not
        DivergenceCase{"float_underscore", "F1_0.5\n.", "error", "ok", "ok"},
        DivergenceCase{"float_blank", "F 1.5\n.", "error", "ok", "ok"},
        DivergenceCase{"float_overflow", "F1e999\n.", "error", "ok", "ok"},
        // a lone quote: pickletools strips it to an empty string, the unpicklers refuse
        DivergenceCase{"string_lone_quote", "\x80\x02S'\n.", "error", "error", "ok"},
        // writing the same memo slot twice: unpicklers overwrite, pickletools.dis rejects
        DivergenceCase{"dis_memo_rewrite", PickleBuilder().proto(2).binint1(1).binput(0).binint1(2).binput(0).tuple2().stop().done(),
                       "ok", "ok", "error"},
        // leftovers at STOP: the unpicklers return the top, pickletools.dis rejects
        DivergenceCase{"dis_stack_left_at_stop", "\x80\x02K\x01K\x02.", "ok", "ok", "error"},
        // BINBYTES running past its FRAME: _pickle.c ignores frames, pickle.py enforces them
        DivergenceCase{"frame_overrun",
                       PickleBuilder().proto(4).op(0x95).u64(4).bytes("0123456789").stop().done(), "ok", "error", "ok"},
        DivergenceCase{"frame_in_frame",
                       PickleBuilder().proto(4).op(0x95).u64(12).binint1(1).op(0x95).u64(1).op('.').done(), "ok",
                       "error", "ok"},
        // a FRAME longer than the data: _pickle.c needs all of it up front, pickle.py reads on
        DivergenceCase{"frame_too_long", PickleBuilder().proto(4).op(0x95).u64(64).binint1(7).stop().done(), "error",
                       "ok", "ok"}),
    [](const auto& info) { return std::string(info.param.name); });

// numpy takes these states as they are (red team, session 19): the loader reports the item size,
// flags, field offset and read positions the pickle gave it, which its own writer never produces.
// Only the dtype and the generator state are read back; the out-of-range memory is not touched.
TEST(PickleInterop, NumpyTakesInconsistentStatesAndModelgateRefusesThem) {
  auto dtype = [](const std::string& code) {
    return PickleBuilder().global("numpy", "dtype").str(code).op(0x89).op(0x88).op(0x87).reduce().str_value();
  };
  auto state = [](const std::string& fields, int elsize, int flags) {
    PickleBuilder b;
    b.mark().binint1(3).str("|").none();
    if (fields.empty()) b.none().none();
    else b.str("a").op(0x85).raw(fields);
    return b.binint(elsize).binint1(1).binint(flags).op('t').op('b').str_value();
  };
  struct Case {
    std::string name, bytes, check, rule;
  };
  const std::string far_field = PickleBuilder().op('}').str("a").raw(dtype("<f8")).binint(1 << 26).op(0x86).op('s').str_value();
  const std::vector<Case> cases = {
      {"bytes item size", PickleBuilder().proto(2).raw(dtype("S5")).raw(state("", 100, 0)).stop().done(),
       "r.itemsize == 100", "MG-PICKLE-NUMPY-DTYPE-FLAGS"},
      {"object flags", PickleBuilder().proto(2).raw(dtype("O8")).raw(state("", -1, 55)).stop().done(),
       "r.flags == 55", "MG-PICKLE-NUMPY-DTYPE-FLAGS"},
      {"field offset", PickleBuilder().proto(2).raw(dtype("V8")).raw(state(far_field, 8, 16)).stop().done(),
       "r.fields['a'][1] == 1 << 26 and r.itemsize == 8", "MG-PICKLE-NUMPY-DTYPE-FLAGS"},
      {"philox buffer_pos",
       PickleBuilder().proto(2).global("numpy.random._pickle", "__bit_generator_ctor").str("Philox").op(0x85).reduce()
           .op('}').str("bit_generator").str("Philox").op('s').str("state").op('}').str("counter")
           .raw(PickleBuilder().global("builtins", "list").op(']').binint1(0).op('a').binint1(0).op('a').binint1(0)
                    .op('a').binint1(0).op('a').op(0x85).reduce().str_value())
           .op('s').str("key").raw(PickleBuilder().global("builtins", "list").op(']').binint1(1).op('a').binint1(2)
                                        .op('a').op(0x85).reduce().str_value())
           .op('s').op('s').str("buffer").raw(PickleBuilder().global("builtins", "list").op(']').binint1(0).op('a')
                                                  .binint1(0).op('a').binint1(0).op('a').binint1(0).op('a').op(0x85)
                                                  .reduce().str_value())
           .op('s').str("buffer_pos").binint(-1000000).op('s').str("has_uint32").binint1(0).op('s').str("uinteger")
           .binint1(0).op('s').op('b').stop().done(),
       "r.state['buffer_pos'] == -1000000", "MG-PICKLE-NUMPY-RANDOM-STATE"},
  };
  for (const auto& c : cases) {
    TempDir d;
    write_file(d / "p.pkl", c.bytes);
    auto loaded = run(python() + " -c \"import pickle,sys; r = pickle.load(open(sys.argv[1], 'rb')); print(" + c.check +
                      ")\" " + (d / "p.pkl").string());
    EXPECT_EQ(loaded.output, "True\n") << c.name << ": " << loaded.output;
    modelgate::ScanOptions opts;
    auto r = modelgate::scan_paths({d / "p.pkl"}, opts).artifacts.at(0);
    EXPECT_EQ(r.status, Status::unsafe) << c.name << "\n" << describe(r);
    EXPECT_TRUE(has_rule(r, c.rule)) << c.name << "\n" << describe(r);
  }
}

}  // namespace pickle_interop_test
