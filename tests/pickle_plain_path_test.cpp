// The machine's plain path (the fast run over the common opcodes) must be invisible: run_machine()
// and the reference run without it agree field for field on every input — valid pickles written by
// CPython, hand-made edge cases at every boundary the plain path stops at, and mutations of both,
// under default and tiny limits.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "support/machine_reference.h"
#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_plain_path_test {

using modelgate::Limits;
using namespace modelgate::pickle;
using mgtest::PickleBuilder;

namespace {

const Allowlist& default_allowlist() {
  static const auto a = Allowlist::from_profiles({"torch", "python-data", "numpy"}, {});
  return *a;
}

Limits tiny_limits() {
  Limits l;
  l.max_pickle_opcodes = 40;
  l.max_pickle_stack = 6;
  l.max_pickle_marks = 3;
  l.max_pickle_memo = 4;
  l.max_pickle_nodes = 8;
  return l;
}

// Empty when both runs agree, under default and tiny limits.
std::string plain_vs_reference(const std::string& input) {
  auto view = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  for (const Limits& limits : {Limits{}, tiny_limits()}) {
    MachineOptions o;
    o.allowlist = &default_allowlist();
    o.limits = &limits;
    std::string d = result_difference(run_machine(view, 0, "t.pkl", o), run_machine_reference(view, 0, "t.pkl", o));
    if (!d.empty()) return (limits.max_pickle_stack == 6 ? "tiny limits: " : "default limits: ") + d;
  }
  return {};
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s.substr(0, 200)) out += {digits[c >> 4], digits[c & 15], ' '};
  return out;
}

// Hand-made streams that sit on the plain path's boundaries.
std::vector<std::string> edge_cases() {
  std::vector<std::string> v;
  auto framed = [](const std::string& body, std::uint64_t frame_len) {
    return PickleBuilder().proto(4).op(0x95).u64(frame_len).raw(body).done();
  };
  std::string body = PickleBuilder().op(']').op(0x94).mark().binint1(7).binint(-3).op('M').raw("\x01\x02")
                         .op('G').raw("\x3f\xf0\0\0\0\0\0\0").op('N').op(0x88).op(0x89).op('e').stop().done();
  // A frame that ends exactly between opcodes, inside every operand, and after the data.
  for (std::uint64_t len = 0; len <= body.size() + 2; ++len) v.push_back(framed(body, len));
  // Two frames in a row; a frame inside a frame.
  v.push_back(PickleBuilder().proto(4).op(0x95).u64(3).op(']').op(0x94).mark().op(0x95).u64(4).binint1(1)
                  .op('e').stop().done());
  v.push_back(PickleBuilder().proto(4).op(0x95).u64(20).op(']').op(0x95).u64(2).op(0x94).op('.').done());
  // Memo: holes, sparse keys, overwrites, misses, MEMOIZE after BINPUT, payload entries.
  v.push_back(PickleBuilder().proto(4).op(']').binput(5).op(0x94).binget(5).binget(6).tuple2().stop().done());
  v.push_back(PickleBuilder().proto(4).op(']').binput(0).op('}').binput(0).binget(0).tuple2().stop().done());
  v.push_back(PickleBuilder().proto(4).op(']').op('r').u32(1u << 20).op(']').op(0x94).op('j').u32(1u << 20)
                  .tuple2().stop().done());
  v.push_back(PickleBuilder().proto(4).str("k").op(0x94).op(']').op(0x94).binget(0).binget(1).binget(2).stop().done());
  v.push_back(PickleBuilder().proto(4).binget(0).stop().done());
  v.push_back(PickleBuilder().proto(4).op(0x94).stop().done());
  v.push_back(PickleBuilder().proto(4).mark().op(0x94).stop().done());
  // Containers: mismatched targets, odd SETITEMS, empty APPENDS, no mark, underflow across a mark.
  v.push_back(PickleBuilder().proto(2).op('}').binint1(1).op('a').stop().done());
  v.push_back(PickleBuilder().proto(2).op(']').binint1(1).binint1(2).op('s').stop().done());
  v.push_back(PickleBuilder().proto(2).op('}').mark().binint1(1).op('u').stop().done());
  v.push_back(PickleBuilder().proto(2).op(']').mark().op('e').stop().done());
  v.push_back(PickleBuilder().proto(2).op(']').op('e').stop().done());
  v.push_back(PickleBuilder().proto(2).mark().op(']').mark().mark().binint1(1).op('e').op('e').stop().done());
  v.push_back(PickleBuilder().proto(2).op(']').mark().binint1(1).op('a').stop().done());
  v.push_back(PickleBuilder().proto(4).op(0x8f).mark().binint1(1).op(0x90).stop().done());
  v.push_back(PickleBuilder().proto(4).op(']').mark().binint1(1).op(0x90).stop().done());
  v.push_back(PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').reduce().mark().str("a")
                  .binint1(1).op('u').stop().done());
  // Tuples of scalars stay inline; of anything else they become nodes.
  v.push_back(PickleBuilder().proto(2).binint1(1).op('N').op(0x88).op(0x87).tuple1().stop().done());
  v.push_back(PickleBuilder().proto(2).str("a").binint1(1).tuple2().stop().done());
  v.push_back(PickleBuilder().proto(2).mark().binint1(1).tuple2().stop().done());
  v.push_back(PickleBuilder().proto(1).mark().binint1(1).op('N').op('G').raw("\x3f\xf0\0\0\0\0\0\0").op('t').stop().done());
  v.push_back(PickleBuilder().proto(1).mark().str("a").op('t').stop().done());
  v.push_back(PickleBuilder().proto(1).mark().op('t').stop().done());
  v.push_back(PickleBuilder().proto(1).binint1(1).op('t').stop().done());
  v.push_back(PickleBuilder().proto(1).mark().mark().binint1(1).op('t').op(')').op('t').stop().done());
  v.push_back(PickleBuilder().proto(1).op(']').mark().mark().binint1(1).op('t').op('e').stop().done());
  // Strings: ASCII, non-ASCII, invalid UTF-8, lengths at and past the end, long ones.
  v.push_back(PickleBuilder().proto(4).str("plain").str("caf\xc3\xa9").str(std::string(300, 'x') + "\xe2\x82\xac")
                  .bytes("\xff\xfe").op(0x87).stop().done());
  v.push_back(PickleBuilder().proto(4).op(0x8c).op(2).raw("\xc3\x28").stop().done());
  v.push_back(PickleBuilder().proto(4).op(0x8c).op(9).raw("abc").done());
  v.push_back(PickleBuilder().proto(4).op('X').u32(0xffffffffu).raw("abc").done());
  v.push_back(PickleBuilder().proto(4).op('B').u32(3).raw("abc").op('C').op(0).stop().done());
  // Stack and mark growth past the first allocation; deep nesting.
  {
    PickleBuilder b;
    b.proto(4).op(']').mark();
    for (int i = 0; i < 5000; ++i) b.binint1(static_cast<unsigned>(i & 0xff));
    v.push_back(b.op('e').stop().done());
    PickleBuilder m;
    m.proto(4);
    for (int i = 0; i < 300; ++i) m.op(']').op(0x94).mark();
    for (int i = 0; i < 300; ++i) m.op('e');
    v.push_back(m.stop().done());
  }
  // Opcodes the plain path leaves to the loop, between plain ones.
  v.push_back(PickleBuilder().proto(2).global("os", "system").str("id").tuple1().reduce().op(']').op('a').stop().done());
  v.push_back(PickleBuilder().proto(2).binint1(1).op('0').binint1(2).op('2').op(0x85).stop().done());
  // Truncated in the middle of every plain opcode.
  std::string full = PickleBuilder().proto(4).op(']').op(0x94).mark().binint1(1).op('M').raw("\x01\x02")
                         .binint(5).op('G').raw("\x3f\xf0\0\0\0\0\0\0").str("s").binget(0).op('j').u32(0)
                         .op('q').op(9).op('r').u32(10).op('e').stop().done();
  for (std::size_t n = 0; n <= full.size(); ++n) v.push_back(full.substr(0, n));
  return v;
}

void mutate(std::string& s, std::mt19937& rng) {
  static const unsigned char plain_ops[] = {'(', 'K', 'M', 'J', 'G', 'N', 0x88, 0x89, ']', '}', ')', 0x8f, 0x8c,
                                             'C', 'X', 'B', 'h', 'j', 0x94, 'q', 'r', 'a', 's', 'e', 'u', 0x90,
                                             0x85, 0x86, 0x87, 0x95, '.'};
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  switch (pick(4)) {
    case 0:
      if (!s.empty()) s[pick(s.size())] = static_cast<char>(plain_ops[pick(sizeof plain_ops)]);
      break;
    case 1:
      if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
      break;
    case 2: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), static_cast<char>(plain_ops[pick(sizeof plain_ops)])); break;
    default:
      if (!s.empty()) s.erase(pick(s.size()), 1 + pick(4));
  }
}

}  // namespace

TEST(PicklePlainPath, AgreesWithTheReferenceOnEdgeCases) {
  for (const std::string& input : edge_cases()) EXPECT_EQ(plain_vs_reference(input), "") << hex(input);
}

TEST(PicklePlainPath, AgreesWithTheReferenceOnMutatedEdgeCases) {
  std::mt19937 rng(20261128);
  for (const std::string& seed : edge_cases()) {
    if (seed.size() > 2000) continue;
    for (int i = 0; i < 40; ++i) {
      std::string s = seed;
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) mutate(s, rng);
      ASSERT_EQ(plain_vs_reference(s), "") << hex(s);
    }
  }
}

TEST(PicklePlainPath, AgreesWithTheReferenceOnCPythonPickles) {
  mgtest::TempDir dir;
  auto gen = mgtest::run(mgtest::python() + " " + (mgtest::source_dir() / "tests/fixtures/make_pickles.py").string() +
                         " " + dir.path().string());
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  auto dense = mgtest::run(mgtest::python() + " " + (mgtest::source_dir() / "bench/make_dense_pickle.py").string() +
                           " " + (dir.path() / "dense.pkl").string() + " 0");
  ASSERT_EQ(dense.exit_code, 0) << dense.output;
  std::mt19937 rng(7);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename() == "manifest.json") continue;
    std::string bytes = mgtest::read_file(entry.path());
    ++files;
    EXPECT_EQ(plain_vs_reference(bytes), "") << entry.path();
    if (bytes.size() > 100000) continue;
    for (int i = 0; i < 20; ++i) {
      std::string s = bytes;
      mutate(s, rng);
      ASSERT_EQ(plain_vs_reference(s), "") << entry.path() << " mutated: " << hex(s);
    }
  }
  EXPECT_GT(files, 20);
}

// Past the sizes where the memo's slots become a mapping of their own and node chunks come from
// huge pages, with every string memoized (packed slots) and objects built by calls (each import's
// call target worked out once); the reference keeps every memo entry unpacked and works every call
// target out again.
TEST(PicklePlainPath, AgreesWithTheReferenceOnLargeMemosAndObjectGraphs) {
  mgtest::TempDir dir;
  const std::string script = dir.path() / "make.py";
  {
    std::ofstream(script) << "import collections, datetime, decimal, pickle, sys\n"
                             "recs = [{'id': 'u%x' % i, 'tags': ['a%x' % i, 'b%x' % i]} for i in range(150000)]\n"
                             "rows = [collections.OrderedDict([('d', datetime.date(2020, 1, 1 + i % 28)),\n"
                             "    ('z', complex(i, -i)), ('p', decimal.Decimal(i)), ('f', frozenset({i % 7})),\n"
                             "    ('b', bytearray(b'%d' % i))]) for i in range(30000)]\n"
                             "pickle.dump(recs, open(sys.argv[1] + '/unique.pkl', 'wb'), protocol=4)\n"
                             "pickle.dump(rows, open(sys.argv[1] + '/objects.pkl', 'wb'), protocol=4)\n";
  }
  auto gen = mgtest::run(mgtest::python() + " " + script + " " + dir.path().string());
  ASSERT_EQ(gen.exit_code, 0) << gen.output;
  for (const char* name : {"unique.pkl", "objects.pkl"}) {
    std::string bytes = mgtest::read_file(dir.path() / name);
    EXPECT_EQ(plain_vs_reference(bytes), "") << name;
    auto view = modelgate::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    Limits limits;
    MachineOptions o;
    o.allowlist = &default_allowlist();
    o.limits = &limits;
    auto r = run_machine(view, 0, name, o);
    EXPECT_TRUE(r.complete) << name;
    EXPECT_EQ(r.end, bytes.size()) << name;
  }
}

}  // namespace pickle_plain_path_test
