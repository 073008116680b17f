// Allowlist matching: wildcards admit only what their modules define, the denylist runs on every
// name and wins, and every profile still admits what the real libraries write.
#include <gtest/gtest.h>

#include <algorithm>

#include <iostream>
#include <string>
#include <vector>

#include "pickle/allowlist.h"
#include "pickle/definition_catalog.h"
#include "pickle/embedded_profiles.h"
#include "pickle_builder.h"
#include "test_util.h"

namespace pickle_allowlist_test {

using modelgate::Status;
using modelgate::pickle::Allowlist;
using modelgate::pickle::Denylist;
using mgtest::PickleBuilder;

namespace {

const Allowlist& every_profile() {
  static const auto a = Allowlist::from_profiles(Allowlist::available_profiles(), {});
  return *a;
}

// Every entry of every profile, as (module or wildcard prefix, name or "*").
std::vector<std::pair<std::string, std::string>> profile_entries() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : modelgate::pickle::embedded_profiles()) {
    if (p.name.substr(0, 6) != "allow-") continue;
    std::string_view text = p.text;
    while (!text.empty()) {
      auto nl = text.find('\n');
      std::string line(text.substr(0, nl));
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
      if (line.empty() || line[0] == '!' || line[0] == '@') continue;
      auto dot = line.rfind('.');
      out.emplace_back(line.substr(0, dot), line.substr(dot + 1));
    }
  }
  return out;
}

// Common module aliases and re-exported primitives that real modules import.
const std::vector<std::string> kForeign = {
    "np", "numpy", "os", "sys", "platform", "inspect", "re", "subprocess", "builtins", "importlib", "pickle",
    "torch", "scipy", "sp", "joblib", "warnings", "functools", "operator", "numbers", "copy", "math", "io",
    "types", "ctypes", "shutil", "socket", "codecs", "typing", "collections", "itertools", "contextlib",
    "threading", "tempfile", "Parallel", "delayed", "system", "popen", "load", "loads", "eval", "getattr"};
const std::vector<std::string> kTails = {"", ".system", ".popen", ".load", ".modules", ".path.os.system",
                                         ".__init__.__globals__", ".os.system", ".sys.modules"};

std::string scan_text(const modelgate::ArtifactReport& r) {
  std::string s = std::string(modelgate::to_string(r.status)) + "\n";
  for (const auto* f : r.all_findings()) s += f->rule + ": " + f->message + "\n";
  return s;
}

}  // namespace

TEST(PickleAllowlist, PropertyNamesThroughModuleAliasesAreNeverAllowed) {
  const auto& allow = every_profile();
  const auto& deny = Denylist::builtin();
  std::size_t generated = 0, denied_as_dangerous = 0;
  auto check = [&](const std::string& module, const std::string& name) {
    ++generated;
    EXPECT_FALSE(allow.allows(module, name)) << module << " + " << name;
    std::string path = "." + name;
    bool dangerous = path.find(".os.system") != std::string::npos || path.find(".sys.modules") != std::string::npos ||
                     path.find(".__globals__") != std::string::npos;
    if (dangerous) {
      EXPECT_TRUE(deny.match(module, name).has_value()) << module << " + " << name;
      ++denied_as_dangerous;
    }
  };
  for (const auto& [module, name] : profile_entries()) {
    for (const auto& alias : kForeign) {
      for (const auto& tail : kTails) {
        if (name == "*") {
          // Directly under the wildcard's module, and under a class the catalog lists there.
          check(module, alias + tail);
          check(module, "_base." + alias + tail);
        } else {
          check(module, name + "." + alias + tail);
          check(module + "." + name, alias + tail);
        }
      }
    }
  }
  std::cout << "[ property ] " << generated << " generated names, " << denied_as_dangerous
            << " of them also graded dangerous\n";
  EXPECT_GT(generated, 50000u);
}

// Trees, SVCs and csr matrices as the libraries write them are safe; with a child, feature, column
// index or row pointer out of range, a path deeper than max_depth, a node that two splits share,
// support counts that do not add up to the support vectors or a precomputed-kernel SVC's support
// index outside the kernel row (which the libraries take as they are, proven by reading the index
// back after loading) they are unsafe, in plain pickles of protocols 2 and 5 and in joblib. So are
// the same objects under re-exported names, array data given as a str (read as latin-1), index
// arrays given to a constructor, a list or dtype changed after the check, and the indices kept in
// vectorizers' dicts, a one-hot encoder's column counts, neighbours' _fit_X and gradient boosting's
// estimator columns; objects no BUILD gives a state, and states whose feature bound sklearn skips,
// are unverified.
TEST(PickleAllowlist, TreeAndSparseIndicesAreChecked) {
  const auto& g = mgtest::generated_fixtures("make_index_states.py");
  ASSERT_TRUE(g.ok) << g.log;
  modelgate::ScanOptions opts;
  opts.policy.profiles = {"sklearn"};
  std::size_t files = 0;
  nlohmann::json loads = nlohmann::json::array();
  for (const auto& e : g.manifest["files"]) {
    const std::string file = e["file"], expect = e["expect"], check = e["check"];
    const auto path = g.dir.path() / file;
    const auto r = modelgate::scan_paths({path}, opts).artifacts.at(0);
    EXPECT_EQ(std::string(modelgate::to_string(r.status)), expect) << file << "\n" << scan_text(r);
    if (expect == "unsafe") {
      const std::string rule = e.value("rule", std::string("MG-PICKLE-INDEX-OUT-OF-RANGE"));
      EXPECT_TRUE(mgtest::has_rule(r, rule)) << file << " lacks " << rule;
    } else if (expect == "unverified") {
      EXPECT_TRUE(mgtest::has_rule(r, "MG-PICKLE-STATE-UNCHECKED")) << file;
    }
    loads.push_back({path.string(), check});
    ++files;
  }
  EXPECT_EQ(files, 124u);
  // What the loader reads back, in one Python process (importing sklearn once per file took
  // minutes): each file's check, or the error its load or check raised.
  mgtest::TempDir t;
  mgtest::write_file(t / "loads.json", loads.dump());
  mgtest::write_file(t / "check.py",
                     "import json, joblib, pickle, sys\n"
                     "for path, check in json.load(open(sys.argv[1])):\n"
                     "    try:\n"
                     "        m = joblib.load(path) if path.endswith('.joblib') else pickle.load(open(path, 'rb'))\n"
                     "        m = getattr(m, 'tree_', m)\n"
                     "        print(path, eval(check))\n"
                     "    except Exception as e:\n"
                     "        print(path, 'raised', repr(e)[:200])\n");
  auto loaded = mgtest::run(mgtest::python() + " " + (t / "check.py").string() + " " + (t / "loads.json").string());
  for (const auto& l : loads) {
    const std::string path = l[0];
    EXPECT_NE(loaded.output.find(path + " True\n"), std::string::npos) << path << ":\n" << loaded.output.substr(0, 4000);
  }
}

// Estimator states sklearn uses after load without checking them (red team 23a): fitted arrays
// narrower than the X predict validates, reference-only callables kept as parameters, norms
// trusted for length, scalar parameters sklearn checks only in fit(). Each hostile file is proven
// to crash the real library when the model is used (in a child with a memory cap and a timeout:
// SIGSEGV or SIGFPE), and its control to work.
TEST(PickleAllowlist, EstimatorStatesUsedAfterLoadAreChecked) {
  const auto& g = mgtest::generated_fixtures("make_index_states.py");
  ASSERT_TRUE(g.ok) << g.log;
  modelgate::ScanOptions opts;
  opts.policy.profiles = {"sklearn"};
  nlohmann::json works = nlohmann::json::array();
  std::vector<std::string> crashes;
  mgtest::TempDir t;
  const std::string load = "import joblib, pickle, sys\nimport numpy as np, scipy.sparse as sp\n"
                           "texts = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]))\n"
                           "def load(path):\n"
                           "    return joblib.load(path) if path.endswith('.joblib') else pickle.load(open(path, 'rb'))\n";
  for (const auto& e : g.manifest["uses"]) {
    const std::string file = e["file"], expect = e["expect"], use = e["use"];
    const auto path = (g.dir.path() / file).string();
    const auto r = modelgate::scan_paths({path}, opts).artifacts.at(0);
    EXPECT_EQ(std::string(modelgate::to_string(r.status)), expect) << file << "\n" << scan_text(r);
    if (expect == "unsafe") {
      const std::string rule = e.value("rule", std::string("MG-PICKLE-INDEX-OUT-OF-RANGE"));
      EXPECT_TRUE(mgtest::has_rule(r, rule)) << file << " lacks " << rule << "\n" << scan_text(r);
    }
    if (e["crash"].get<bool>()) crashes.push_back(path + "\t" + use);
    else works.push_back({path, use});
  }
  EXPECT_EQ(g.manifest["uses"].size(), 24u);
  // The files that must not crash, in one process: each use is true, or prints what it raised.
  mgtest::write_file(t / "works.json", works.dump());
  mgtest::write_file(t / "works.py", load + "import json\n"
                                            "for path, use in json.load(open(sys.argv[1])):\n"
                                            "    m = load(path)\n"
                                            "    print(path, eval(use), flush=True)\n");
  auto worked = mgtest::run("sh -c 'ulimit -v 4000000; timeout 300 " + mgtest::python() + " " +
                            (t / "works.py").string() + " " + (t / "works.json").string() + "' 2>&1");
  for (const auto& w : works)
    EXPECT_NE(worked.output.find(w[0].get<std::string>() + " True\n"), std::string::npos)
        << w[0] << ":\n" << worked.output.substr(0, 4000);
  // Each hostile file in a child of its own: it loads, and its use ends the process with SIGSEGV
  // (exit 139 through timeout) or SIGFPE (136).
  mgtest::write_file(t / "crash.py", load + "m = load(sys.argv[1])\n"
                                            "print('loaded', flush=True)\n"
                                            "print('used', eval(open(sys.argv[2]).read()), flush=True)\n");
  for (const std::string& c : crashes) {
    const std::string path = c.substr(0, c.find('\t')), use = c.substr(c.find('\t') + 1);
    mgtest::write_file(t / "use.txt", use);
    auto crashed = mgtest::run("sh -c 'ulimit -v 4000000; timeout 120 " + mgtest::python() + " " +
                               (t / "crash.py").string() + " " + path + " " + (t / "use.txt").string() +
                               "; echo status $?' 2>&1");
    EXPECT_NE(crashed.output.find("loaded\n"), std::string::npos) << path << ":\n" << crashed.output.substr(0, 2000);
    EXPECT_TRUE(crashed.output.find("status 139\n") != std::string::npos ||
                crashed.output.find("status 136\n") != std::string::npos)
        << path << " did not end with SIGSEGV or SIGFPE:\n" << crashed.output.substr(0, 2000);
  }
}

// Protocols 0-2 write bytes as _codecs.encode(str, 'latin1') under Python 3: the numpy and scipy
// profiles on their own admit the arrays and matrices numpy and scipy write that way.
TEST(PickleAllowlist, NumpyAndScipyProfilesReadProtocolTwo) {
  mgtest::TempDir t;
  auto made = mgtest::run(mgtest::python() + " -c \"import pickle, sys, numpy as np, scipy.sparse as sp\n"
                          "pickle.dump(np.arange(3), open(sys.argv[1], 'wb'), protocol=2)\n"
                          "pickle.dump(sp.csr_matrix(np.eye(3)), open(sys.argv[2], 'wb'), protocol=2)\" " +
                          (t / "array.pkl").string() + " " + (t / "csr.pkl").string() + " 2>&1");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  for (const std::string profile : {"numpy", "scipy"})
    for (const std::string file : {"array.pkl", "csr.pkl"}) {
      if (profile == "numpy" && file == "csr.pkl") continue;
      modelgate::ScanOptions opts;
      opts.policy.profiles = {profile};
      const auto r = modelgate::scan_paths({t / file}, opts).artifacts.at(0);
      EXPECT_EQ(r.status, Status::safe) << profile << " " << file << "\n" << scan_text(r);
    }
}

// One generator run: the real imported/re-exported names of scikit-learn modules are never
// allowed...
TEST(PickleAllowlist, RealSklearnNamesAndFiles) {
  const auto& g = mgtest::generated_fixtures("make_sklearn_models.py");
  ASSERT_TRUE(g.ok) << g.log;
  const auto& allow = every_profile();
  std::size_t n = 0;
  for (const auto& pair : g.manifest["foreign"]) {
    std::string module = pair[0], name = pair[1];
    ++n;
    EXPECT_FALSE(allow.allows(module, name)) << module << " + " << name;
    EXPECT_FALSE(allow.allows(module, name + ".system")) << module << " + " << name;
  }
  std::cout << "[ property ] " << n << " real imported/re-exported names of scikit-learn modules\n";
  EXPECT_GT(n, 500u);

  // ... while every file the real library writes stays safe under --profile sklearn alone, or,
  // where it holds index arrays whose values modelgate does not check yet (trees, neighbour
  // structures, sparse matrices), unverified for that reason alone.
  modelgate::ScanOptions opts;
  opts.policy.profiles = {"sklearn"};
  std::size_t files = 0, unchecked = 0;
  for (const auto& e : g.manifest["files"]) {
    std::string file = e["file"];
    auto result = modelgate::scan_paths({g.dir.path() / file}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u);
    const auto& r = result.artifacts[0];
    const auto findings = r.all_findings();
    const bool only_unchecked = !findings.empty() && std::all_of(findings.begin(), findings.end(), [](const auto* f) {
      return f->rule == "MG-PICKLE-STATE-UNCHECKED";
    });
    if (r.status == Status::unverified && only_unchecked) {
      ++unchecked;
    } else {
      EXPECT_EQ(r.status, Status::safe) << file << " (" << e["how"] << ")\n" << scan_text(r);
    }
    ++files;
  }
  std::cout << "[ sklearn  ] " << g.manifest["models"] << " estimators, " << files << " files, " << unchecked
            << " with unchecked index arrays\n";
  EXPECT_LT(unchecked, files);
  EXPECT_GE(g.manifest["models"].get<int>(), 30);
  // Names of other releases: what Debian's 1.2.1 cannot resolve is not admitted (unverified, never
  // unsafe); Bunch's pre-1.2 home resolves to the same class and is admitted.
  for (const auto& [dotted, resolved] : g.manifest["moved"].items()) {
    std::size_t dot = dotted.rfind('.');
    std::string p = PickleBuilder().proto(4).stack_global(dotted.substr(0, dot), dotted.substr(dot + 1)).stop().done();
    auto r = modelgate::scan_bytes("m", reinterpret_cast<const unsigned char*>(p.data()), p.size(), opts).value();
    if (resolved.get<std::string>().rfind("sklearn.", 0) == 0) {
      EXPECT_EQ(r.status, Status::safe) << dotted << "\n" << scan_text(r);
    } else {
      EXPECT_EQ(resolved, "ModuleNotFoundError") << dotted;
      EXPECT_EQ(r.status, Status::unverified) << dotted << "\n" << scan_text(r);
    }
  }
}

TEST(PickleAllowlist, WildcardAdmitsWhatTheModuleDefinesOnly) {
  auto a = Allowlist::from_profiles({"sklearn"}, {});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->allows("sklearn.linear_model._logistic", "LogisticRegression"));
  EXPECT_TRUE(a->allows("sklearn.linear_model", "LogisticRegression"));               // own re-export
  EXPECT_TRUE(a->allows("sklearn.linear_model", "_logistic.LogisticRegression"));     // via submodule
  EXPECT_TRUE(a->allows("sklearn.tree._tree", "Tree"));
  EXPECT_TRUE(a->allows("numpy", "float64"));                                          // @include numpy
  EXPECT_TRUE(a->allows("scipy.sparse._csr", "csr_matrix"));                           // @include scipy
  EXPECT_FALSE(a->allows("sklearn.linear_model._logistic", "np"));
  EXPECT_FALSE(a->allows("sklearn.linear_model._logistic", "np.load"));
  EXPECT_FALSE(a->allows("sklearn.base", "inspect"));
  EXPECT_FALSE(a->allows("sklearn.base", "platform.popen"));
  EXPECT_FALSE(a->allows("sklearn.tree._export", "export_graphviz"));  // writes files
  EXPECT_FALSE(a->allows("sklearn.utils", "resample"));                // not under a wildcard
  // A wildcard from a policy has no catalog: single names only, never usual module aliases.
  auto user = Allowlist::from_profiles({}, {"mypkg.*"});
  ASSERT_TRUE(user);
  EXPECT_TRUE(user->allows("mypkg.layers", "Block"));
  EXPECT_FALSE(user->allows("mypkg.layers", "os"));
  EXPECT_FALSE(user->allows("mypkg.layers", "Block.np"));
  EXPECT_FALSE(user->allows("mypkg.layers", "torch.load"));
  // A re-export is admitted only when its defining module is.
  auto calibration_only = Allowlist::from_profiles({}, {"sklearn.calibration.*"});
  ASSERT_TRUE(calibration_only);
  EXPECT_TRUE(calibration_only->allows("sklearn.calibration", "CalibratedClassifierCV"));
  EXPECT_FALSE(calibration_only->allows("sklearn.calibration", "LinearSVC"));
}

TEST(PickleAllowlist, DenyAlwaysWins) {
  modelgate::ScanOptions opts;
  opts.policy.extra_allowed_globals = {"os.system", "sklearn.*"};
  std::string p = PickleBuilder().proto(2).global("os", "system").str("id").tuple1().reduce().stop().done();
  auto r = modelgate::scan_bytes("m", reinterpret_cast<const unsigned char*>(p.data()), p.size(), opts).value();
  EXPECT_EQ(r.status, Status::unsafe) << scan_text(r);
  // Through an allowlisted module's attribute path.
  std::string q = PickleBuilder().proto(4).stack_global("sklearn.base", "inspect.sys.modules").stop().done();
  auto rq = modelgate::scan_bytes("m", reinterpret_cast<const unsigned char*>(q.data()), q.size(), opts).value();
  EXPECT_EQ(rq.status, Status::unsafe) << scan_text(rq);
}

TEST(PickleAllowlist, UserClassesAreUnlistedNotDangerous) {
  for (const auto& [module, name] : std::vector<std::pair<std::string, std::string>>{
           {"__main__", "Net"}, {"mypkg.layers", "X"}, {"mypkg.code", "Encoder"}, {"mypkg.test.models", "Net"},
           {"__main__", "Net.Inner"}}) {
    auto r = mgtest::scan(PickleBuilder().proto(4).stack_global(module, name).op(')').op('\x81').stop().done());
    EXPECT_EQ(r.status, Status::unverified) << module << "." << name << "\n" << scan_text(r);
    EXPECT_TRUE(mgtest::has_rule(r, "MG-PICKLE-GLOBAL-UNLISTED")) << module << "." << name;
  }
  // Allowlisted names with dunders of their own stay allowed (protocol 0-1 reconstruction).
  auto a = Allowlist::from_profiles({"python-data"}, {});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->allows("copyreg", "__newobj__"));
  EXPECT_FALSE(Denylist::builtin().match("copyreg", "__newobj__").has_value());
  EXPECT_TRUE(Denylist::builtin().match("__main__", "Net.__init__.__globals__").has_value());
}

}  // namespace pickle_allowlist_test
