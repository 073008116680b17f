// Allowlisted constructors asked for work out of proportion to the file (src/modelgate/pickle/
// costly_calls.h): huge Decimal/Fraction exponents and codecs other than the linear text codecs,
// each proven against the real unpickler (it does not finish within the time a control takes).
#include <gtest/gtest.h>

#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_costly_calls_test {

using namespace mgtest;

std::string call_of(const std::string& module, const std::string& name, PickleBuilder inner) {
  return PickleBuilder().proto(2).global(module, name).raw(inner.done()).tuple1().reduce().stop().done();
}
std::string one_string(const std::string& module, const std::string& name, const std::string& arg) {
  return PickleBuilder().proto(2).call1(module, name, arg).stop().done();
}
std::string two_strings(const std::string& module, const std::string& name, const std::string& a, const std::string& b) {
  return PickleBuilder().proto(2).global(module, name).str(a).str(b).tuple2().reduce().stop().done();
}

// Distinct non-ASCII code points: punycode's encoder scans the text once per distinct code point.
std::string many_code_points(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    const unsigned cp = 0x800 + static_cast<unsigned>(i);  // three UTF-8 bytes each, below the surrogates
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

struct Case {
  std::string name, bytes;
  bool costly;
};

std::vector<Case> cases() {
  const std::string huge = "1e999999999";
  const std::string text = many_code_points(40000);
  PickleBuilder decimal_tuple;  // Decimal((0, (1,), 999999999))
  decimal_tuple.global("decimal", "Decimal").binint1(0).binint1(1).tuple1().binint(999999999).op(0x87).tuple1().reduce();
  return {
      {"fraction_exponent", one_string("fractions", "Fraction", huge), true},
      {"int_of_decimal", call_of("builtins", "int", PickleBuilder().call1("decimal", "Decimal", huge)), true},
      {"int_of_decimal_tuple", call_of("builtins", "int", decimal_tuple), true},
      {"fraction_underscored", one_string("fractions", "Fraction", "1e9_999_999_9"), true},
      {"bytes_punycode", two_strings("builtins", "bytes", text, "punycode"), true},
      {"codecs_punycode", two_strings("_codecs", "encode", text, "PUNYCODE"), true},
      {"fraction_of_decimal", call_of("fractions", "Fraction", PickleBuilder().call1("decimal", "Decimal", "1.5")), true},
      {"fraction", one_string("fractions", "Fraction", "1/3"), false},
      {"decimal", one_string("decimal", "Decimal", "-3.14E-10"), false},
      {"int_of_decimal_small", call_of("builtins", "int", PickleBuilder().call1("decimal", "Decimal", "1e5000")), false},
      {"latin1", two_strings("_codecs", "encode", "caf\xc3\xa9", "latin1"), false},
      {"utf8", two_strings("builtins", "bytes", "caf\xc3\xa9", "UTF-8"), false},
  };
}

TEST(PickleCostlyCalls, HugeExponentsAndSlowCodecsAreReported) {
  for (const auto& c : cases()) {
    auto r = scan(c.bytes, c.name + ".pkl");
    EXPECT_EQ(has_rule(r, "MG-PICKLE-CALL-COSTLY"), c.costly) << c.name;
    if (c.costly) EXPECT_EQ(r.status, modelgate::Status::unsafe) << c.name;
    else EXPECT_EQ(r.status, modelgate::Status::safe) << c.name;
  }
}

// The real unpickler: each costly file is still loading after three seconds (the work is minutes
// or more), each control loads at once. A memory cap keeps the hostile loads harmless.
TEST(PickleCostlyCalls, TheRealUnpicklerSpendsTheTime) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "a proof about Python's unpickler alone, which runs no modelgate code: the normal build runs it";
#endif
  TempDir d;
  std::string list;
  for (const auto& c : cases()) {
    if (c.name == "fraction_of_decimal" || c.name == "fraction_underscored") continue;  // cost not the point
    write_file(d / (c.name + ".pkl"), c.bytes);
    list += c.name + (c.costly ? ":1 " : ":0 ");
  }
  const std::string driver =
      "import subprocess, sys\n"
      "bad = []\n"
      "for item in sys.argv[2:]:\n"
      "    name, costly = item.split(':')\n"
      "    cmd = ['/usr/bin/python3', '-c', 'import pickle,sys; pickle.load(open(sys.argv[1],\"rb\"))', sys.argv[1] + '/' + name + '.pkl']\n"
      "    try:\n"
      "        rc = subprocess.run(cmd, timeout=3, preexec_fn=lambda: __import__('resource').setrlimit(__import__('resource').RLIMIT_AS, (2 << 30, 2 << 30))).returncode\n"
      "        slow = False\n"
      "    except subprocess.TimeoutExpired:\n"
      "        slow, rc = True, None\n"
      "    if slow != (costly == '1') or (not slow and rc != 0):\n"
      "        bad.append((name, slow, rc))\n"
      "print('BAD', bad) if bad else print('OK')\n";
  write_file(d / "driver.py", driver);
  auto r = run(python() + " " + (d / "driver.py").string() + " " + d.path().string() + " " + list);
  EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;
}

}  // namespace pickle_costly_calls_test
