// One test per pickle rule, through the public scan entry point.
#include <gtest/gtest.h>

#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_rules_test {

using modelgate::Status;
using mgtest::has_rule;
using mgtest::PickleBuilder;
using mgtest::scan;

namespace {

std::string os_system_call(const std::string& cmd = "id") {
  return PickleBuilder().proto(2).global("os", "system").str(cmd).tuple1().reduce().stop().done();
}

std::string findings_text(const modelgate::ArtifactReport& r) {
  std::string s;
  for (const auto* f : r.all_findings()) s += f->rule + ": " + f->message + " [" + f->evidence + "]\n";
  return s;
}

}  // namespace

TEST(PickleRules, BenignIsSafe) {
  auto r = scan(PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').reduce()
                    .str("w").binint1(1).op('s').stop().done());
  EXPECT_EQ(r.status, Status::safe) << findings_text(r);
  EXPECT_EQ(r.format, "pickle");
}

TEST(PickleRules, GlobalDangerousAndCallDangerous) {
  auto r = scan(os_system_call());
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-GLOBAL-DANGEROUS"));
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-DANGEROUS"));
  EXPECT_NE(findings_text(r).find("os.system('id')"), std::string::npos);
}

TEST(PickleRules, UnlistedGlobalIsUnverified) {
  auto r = scan(PickleBuilder().proto(2).global("mypkg.models", "Net").op(')').reduce().stop().done());
  EXPECT_EQ(r.status, Status::unverified) << findings_text(r);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-GLOBAL-UNLISTED"));
}

TEST(PickleRules, AllowlistIsExtendedByPolicy) {
  modelgate::ScanOptions opts;
  opts.policy.extra_allowed_globals = {"mypkg.models.Net"};
  std::string p = PickleBuilder().proto(2).global("mypkg.models", "Net").op(')').reduce().stop().done();
  auto r = modelgate::scan_bytes("m", reinterpret_cast<const unsigned char*>(p.data()), p.size(), opts).value();
  EXPECT_EQ(r.status, Status::safe);
}

TEST(PickleRules, DottedNameThroughAnotherModuleIsSeenThrough) {
  // STACK_GLOBAL('pathlib', 'os.system') reaches os.system through pathlib's attribute.
  auto r = scan(PickleBuilder().proto(4).stack_global("pathlib", "os.system").str("id").tuple1().reduce()
                    .stop().done());
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_NE(findings_text(r).find("pathlib.os.system"), std::string::npos);
}

TEST(PickleRules, Python2NamesAreMappedForOldProtocols) {
  auto r = scan(PickleBuilder().proto(2).global("__builtin__", "eval").str("1").tuple1().reduce().stop().done());
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_NE(findings_text(r).find("builtins.eval"), std::string::npos) << findings_text(r);
}

TEST(PickleRules, GetattrIndirectionIsResolved) {
  // getattr(__import__('os'), 'system')('id')
  auto p = PickleBuilder().proto(2).global("builtins", "getattr").global("builtins", "__import__").str("os")
               .tuple1().reduce().str("system").tuple2().reduce().str("id").tuple1().reduce().stop().done();
  auto r = scan(p);
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_NE(findings_text(r).find("calls os.system"), std::string::npos) << findings_text(r);
}

TEST(PickleRules, IndirectCallOfUnknownResultIsReported) {
  auto p = PickleBuilder().proto(2).global("mypkg", "factory").op(')').reduce().op(')').reduce().stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-INDIRECT"));
}

TEST(PickleRules, MemoIndirectionKeepsTheTarget) {
  auto p = PickleBuilder().proto(2).global("os", "system").binput(1).op('0').binget(1).str("id").tuple1().reduce()
               .stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-DANGEROUS"));
}

TEST(PickleRules, EveryCallingOpcodeIsChecked) {
  std::vector<std::string> routes = {
      // INST
      PickleBuilder().mark().str("id").inst("os", "system").stop().done(),
      // OBJ
      PickleBuilder().mark().global("os", "system").str("id").op('o').stop().done(),
      // NEWOBJ
      PickleBuilder().proto(2).global("subprocess", "Popen").str("id").tuple1().op(0x81).stop().done(),
      // NEWOBJ_EX
      PickleBuilder().proto(4).global("subprocess", "Popen").str("id").tuple1().op('}').op(0x92).stop().done(),
  };
  for (const auto& p : routes) {
    auto r = scan(p);
    EXPECT_EQ(r.status, Status::unsafe) << findings_text(r);
    EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-DANGEROUS")) << findings_text(r);
  }
}

TEST(PickleRules, BuildOnAGlobalMutatesIt) {
  auto p = PickleBuilder().proto(2).global("collections", "OrderedDict").none().op('}').str("__reduce__")
               .global("os", "system").op('s').tuple2().op('b').stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-BUILD-GLOBAL")) << findings_text(r);
  EXPECT_EQ(r.status, Status::unsafe);
}

TEST(PickleRules, SetitemOnAGlobalCallsItsMethods) {
  auto p = PickleBuilder().proto(2).global("copyreg", "_inverted_registry").binint1(5).str("x").op('s').stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-MUTATE-NONCONTAINER")) << findings_text(r);
}

TEST(PickleRules, AppendsOnAllowlistedContainerClassesIsFine) {
  auto p = PickleBuilder().proto(2).global("collections", "OrderedDict").op(')').reduce().mark().str("a")
               .binint1(1).op('u').stop().done();
  EXPECT_EQ(scan(p).status, Status::safe);
}

TEST(PickleRules, ExtensionRegisteredInStreamIsResolved) {
  auto p = PickleBuilder().proto(2).global("copyreg", "add_extension").str("os").str("system").binint1(42)
               .op(0x87).reduce().op('0').op(0x82).op(42).str("id").tuple1().reduce().stop().done();
  auto r = scan(p);
  EXPECT_NE(findings_text(r).find("imports os.system"), std::string::npos) << findings_text(r);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-DANGEROUS"));
}

TEST(PickleRules, UnregisteredExtensionIsRefused) {
  auto r = scan(PickleBuilder().proto(2).op(0x82).op(9).op(')').reduce().stop().done());
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-EXT-UNRESOLVED"));
  EXPECT_GE(r.status, Status::refused);
}

TEST(PickleRules, NestedPickleIsAnalysed) {
  std::string inner = os_system_call("touch x");
  auto p = PickleBuilder().proto(2).global("pickle", "loads").bytes(inner).tuple1().reduce().stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-NESTED-PAYLOAD"));
  ASSERT_EQ(r.children.size(), 1u);
  EXPECT_EQ(r.children[0].status, Status::unsafe);
  EXPECT_NE(r.children[0].origin.find("!/pickle.loads"), std::string::npos);
}

TEST(PickleRules, NestedPickleThroughBase64AndZlibIsAnalysed) {
  // zlib.compress(pickle.dumps(os.system-call)) base64-encoded, generated here by Python's zlib format.
  std::string inner = os_system_call("touch x");
  auto res = mgtest::run(mgtest::python() + " -c \"import sys,zlib,base64;sys.stdout.write(base64.b64encode(zlib.compress(bytes.fromhex('" +
                         [&] {
                           std::string hex;
                           const char* d = "0123456789abcdef";
                           for (unsigned char c : inner) hex += d[c >> 4], hex += d[c & 15];
                           return hex;
                         }() + "'))).decode())\"");
  ASSERT_EQ(res.exit_code, 0) << res.output;
  auto p = PickleBuilder().proto(2).global("pickle", "loads").global("zlib", "decompress")
               .global("base64", "b64decode").str(res.output).tuple1().reduce().tuple1().reduce().tuple1().reduce()
               .stop().done();
  auto r = scan(p);
  ASSERT_EQ(r.children.size(), 1u) << findings_text(r);
  EXPECT_EQ(r.children[0].status, Status::unsafe);
}

TEST(PickleRules, OpaqueNestedPayloadIsRefused) {
  auto p = PickleBuilder().proto(2).global("pickle", "loads").global("mypkg", "fetch").op(')').reduce().tuple1()
               .reduce().stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-NESTED-OPAQUE"));
}

TEST(PickleRules, BrokenStreamKeepsEarlierFindings) {
  // nullifAI: the payload runs, then the stream breaks.
  std::string p = os_system_call();
  p.pop_back();  // no STOP
  p += "\xff\xfe garbage";
  auto r = scan(p);
  EXPECT_EQ(r.status, Status::unsafe);
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-MALFORMED"));
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-CALL-DANGEROUS"));
}

TEST(PickleRules, TrailingDataIsReported) {
  auto r = scan(PickleBuilder().proto(2).none().stop().raw("\x01\x02\x03").done());
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-TRAILING-DATA"));
  EXPECT_EQ(r.status, Status::unverified);
}

TEST(PickleRules, PayloadAfterFirstStopIsAnalysed) {
  auto r = scan(PickleBuilder().proto(2).none().stop().raw(os_system_call()).done());
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-MULTIPLE-STREAMS"));
  EXPECT_EQ(r.status, Status::unsafe);
}

TEST(PickleRules, BrokenPayloadAfterStopIsStillReported) {
  std::string tail = os_system_call();
  tail.pop_back();
  auto r = scan(PickleBuilder().proto(2).none().stop().raw(tail).done());
  EXPECT_TRUE(has_rule(r, "MG-PICKLE-TRAILING-DATA"));
  EXPECT_EQ(r.status, Status::unsafe);
}

TEST(PickleRules, Protocol0PickleWithoutMagicIsIdentified) {
  auto r = scan("cos\nsystem\n(S'id'\ntR.");
  EXPECT_EQ(r.format, "pickle");
  EXPECT_EQ(r.status, Status::unsafe);
}

TEST(PickleRules, DunderAttributeTraversalIsDangerous) {
  auto r = scan(PickleBuilder().proto(4).stack_global("builtins", "object.__subclasses__").op(')').reduce()
                    .stop().done());
  EXPECT_EQ(r.status, Status::unsafe) << findings_text(r);
}

TEST(PickleRules, PlainTextIsNotAPickle) {
  EXPECT_EQ(scan("copyright 2024 someone\nall rights reserved\n").format, "text");
  EXPECT_EQ(scan("Some README text\n").format, "text");
}

TEST(PickleRules, EncodingDependentNameIsADivergence) {
  auto p = PickleBuilder().proto(4).op('U').op(2).raw("os").op('U').op(3).raw("sy\xe9").op(0x93).stop().done();
  EXPECT_TRUE(has_rule(scan(p), "MG-PICKLE-LOADER-DIVERGENCE"));
}

TEST(PickleLimitsEngine, NestedPayloadDepthIsBounded) {
  // pickle.loads(pickle.loads(...(os.system call))) nested deeper than the limit
  std::string p = os_system_call();
  for (int i = 0; i < 12; ++i)
    p = PickleBuilder().proto(2).global("pickle", "loads").bytes(p).tuple1().reduce().stop().done();
  auto r = scan(p);
  EXPECT_TRUE(has_rule(r, "MG-LIMIT-EXCEEDED")) << findings_text(r);
  EXPECT_EQ(r.status, Status::unsafe);  // pickle.loads itself is already dangerous
}

TEST(PickleLimitsEngine, TrailingPicklesAreBounded) {
  PickleBuilder b;
  for (int i = 0; i < 40; ++i) b.proto(2).none().stop();
  auto r = scan(b.done());
  EXPECT_TRUE(has_rule(r, "MG-LIMIT-EXCEEDED")) << findings_text(r);
  EXPECT_GE(r.status, Status::refused);
}

}  // namespace pickle_rules_test
