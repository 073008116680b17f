// The template verdict must hold for the weakest renderer (a plain jinja2.Environment): every
// generated template that reaches the canary under real Jinja must be flagged, rebinding a trusted
// name never keeps its trust, and every string the folder computes equals Python's.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "template/chat_template.h"
#include "template/fold.h"
#include "template/parser.h"
#include "template_report.h"
#include "test_util.h"

namespace template_soundness_test {

namespace {

using modelgate::ArtifactReport;
using modelgate::Status;

ArtifactReport analyse(const std::string& text) { return mgtest::template_report(text); }

std::string describe(const ArtifactReport& r) {
  return std::string(modelgate::to_string(r.status)) + "\n" + mgtest::findings_text(r);
}

}  // namespace

TEST(TemplateSoundness, DifferentialAgainstPlainJinja) {
  const auto& g = mgtest::generated_fixtures("template_differential.py");
  ASSERT_TRUE(g.ok) << g.log;
  std::size_t generated = 0, reached = 0, flagged = 0, reached_and_flagged = 0, reached_unsafe = 0;
  for (const auto& c : g.manifest["cases"]) {
    std::string t = c["template"];
    bool hit = c["reached"];
    auto r = analyse(t);
    bool f = r.status != Status::safe;
    ++generated;
    reached += hit;
    flagged += f;
    reached_and_flagged += hit && f;
    reached_unsafe += hit && r.status == Status::unsafe;
    if (hit) {
      EXPECT_TRUE(f) << "reaches the canary but is safe:\n" << t << "\n" << describe(r);
    }
  }
  std::cout << "[ differential ] generated " << generated << ", reached the canary " << reached << ", flagged "
            << flagged << " (of the reaching: flagged " << reached_and_flagged << ", unsafe " << reached_unsafe
            << ")\n";
  EXPECT_GT(reached, generated / 2);

  // The same run checks the folder: every string it computes equals what Jinja renders.
  const modelgate::Limits limits;
  std::size_t folded = 0, total = 0;
  for (const auto& c : g.manifest["folds"]) {
    std::string expr = c["expression"];
    auto parsed = modelgate::jinja::parse_template("{{ " + expr + " }}", modelgate::jinja::parse_limits(limits));
    ASSERT_TRUE(parsed.ok()) << expr;
    const auto& ast = *parsed;
    modelgate::jinja::NodeId print = ast.kid(ast.root, 0);
    ASSERT_NE(print, modelgate::jinja::kNoNode);
    modelgate::jinja::Folder folder(ast, limits);
    const auto* v = folder.fold(ast.kid(print, 0));
    ++total;
    if (v == nullptr) continue;
    auto text = modelgate::jinja::Folder::to_str(*v);
    if (!text) continue;  // a list: Jinja prints its repr
    ++folded;
    ASSERT_FALSE(c["value"].is_null()) << expr << " folds to '" << *text << "' but Jinja fails";
    EXPECT_EQ(*text, c["value"].get<std::string>()) << expr;
  }
  std::cout << "[ folding ] " << folded << " of " << total << " expressions folded, all equal to Jinja's\n";
  EXPECT_GT(folded, total / 2);
}

TEST(TemplateSoundness, RebindingATrustedNameMakesItUnknown) {
  const std::vector<std::string> rebound = {
      "{% set range = lipsum %}{{ range(1) }}",
      "{% set a, raise_exception = 1, x %}{{ raise_exception('y') }}",
      "{% for strftime_now in [x] %}{{ strftime_now('%Y') }}{% endfor %}",
      "{% macro m(dict) %}{{ dict(a=1) }}{% endmacro %}{{ m(x) }}",
      "{% macro m(namespace) %}{{ namespace(a=1) }}{% endmacro %}",
      "{% set ns = namespace(strip=x) %}{{ ns.strip() }}",
      "{% set d = {'items': x} %}{{ d.items() }}",
      "{% set loop = x %}{{ loop.cycle(1, 2) }}",
      "{% macro m() %}{{ caller() }}{% endmacro %}{% set caller = x %}{% call m() %}a{% endcall %}",
      "{% import 'x' as range %}{{ range(2) }}",
      "{% with dict = x %}{{ dict() }}{% endwith %}",
  };
  for (const auto& t : rebound) {
    auto r = analyse(t);
    EXPECT_NE(r.status, Status::safe) << t << "\n" << describe(r);
  }
}

TEST(TemplateSoundness, UnknownKeysAndComputedRoutes) {
  struct Case {
    std::string text;
    Status status;
  };
  const std::vector<Case> cases = {
      // Built with methods the folder now computes exactly: the dunder is seen.
      {"{{ x['globals'.center(11, '_')] }}", Status::unsafe},
      {"{{ x[('__' ~ 'class').ljust(9, '_')] }}", Status::unsafe},
      {"{{ x[('class__').rjust(9, '_')] }}", Status::unsafe},
      {"{{ x['class'.zfill(7).replace('0', '_') ~ '__'] }}", Status::unsafe},
      {"{{ x['GLOBALS'|lower|center(11)|replace(' ', '_')] }}", Status::unsafe},
      // Keys the template computes from values it cannot know: never safe.
      {"{{ x[(lipsum|string)[18] * 2 ~ 'class' ~ (lipsum|string)[18] * 2] }}", Status::unverified},
      {"{{ x[(raise_exception|string)[18] ~ 'y'] }}", Status::unverified},
      {"{% set ns = namespace(v='') %}{% for c in messages %}{% set ns.v = ns.v ~ c.content %}{% endfor %}"
       "{{ x[ns.v] }}",
       Status::unverified},
      {"{% macro k(p) %}{{ p }}{% endmacro %}{{ x[k('a')] }}", Status::unverified},
      {"{% set k %}a{{ y }}{% endset %}{{ x[k] }}", Status::unverified},
      {"{{ x|attr(messages[0].content) }}", Status::unverified},
      {"{% for k in ['a', '__cl' ~ y] %}{{ x[k] }}{% endfor %}", Status::unverified},
      // A later assignment reaches an earlier use in the next iteration.
      {"{% for i in range(2) %}{{ x[k] }}{% set k = '__class__' %}{% endfor %}", Status::unsafe},
      // Data keys and integer keys stay safe.
      {"{% for m in messages %}{{ messages[loop.index0 - 1]['content'] }}{% endfor %}", Status::safe},
      {"{% for k in tool.parameters.properties.keys() %}{{ tool.parameters.properties[k] }}{% endfor %}",
       Status::safe},
      {"{% set t = {'string': 'str'} %}{{ t[spec.type] }}", Status::safe},
  };
  for (const auto& c : cases) {
    auto r = analyse(c.text);
    EXPECT_EQ(r.status, c.status) << c.text << "\n" << describe(r);
  }
}

// A namespace field counted up from a number is a number (an integer key never reaches an
// attribute); one a string reaches, or that is built from another field's string, is not, also
// when the string is set through another name for the namespace.
TEST(TemplateSoundness, NamespaceCountersAreNumbers) {
  for (const char* t :
       {"{% set st = namespace(i=0) %}{% for m in messages %}{{ messages[st.i] }}{% set st.i = st.i + 1 %}{% endfor %}",
        "{% macro nx(state) %}{{ images[state.i] }}{% set state.i = state.i + 1 %}{% endmacro %}"
        "{% set state = namespace(i=0) %}{% for m in messages %}{{ nx(state) }}{% endfor %}",
        "{% set st = namespace(i=0, calls=none) %}{% set st.calls = messages %}{% set st.i = st.i + 1 %}"
        "{{ st.calls[st.i - 1] }}"}) {
    auto r = analyse(t);
    EXPECT_EQ(r.status, Status::safe) << t << "\n" << describe(r);
  }
  for (const char* t :
       {"{% set ns = namespace(k='') %}{% for c in messages %}{% set ns.k = ns.k + c.content %}{% endfor %}{{ x[ns.k] }}",
        "{% set ns = namespace(k='__cl') %}{% set ns.k = ns.k + 'ass__' %}{{ x[ns.k] }}",
        "{% set ns = namespace(k=0) %}{% for c in messages %}{% set ns.k = ns.k ~ 'a' %}{% endfor %}{{ x[ns.k] }}",
        "{% set b = namespace(k=0) %}{% set b.k = a.k * 2 %}{% set a = namespace(k='_') %}{{ x[b.k] }}",
        // Another name for the same namespace: a field is one whatever names the namespace.
        "{% set st = namespace(i=0) %}{% set s = st %}{% set s.i = '__cla' ~ y %}{{ x[st.i] }}",
        "{% set st = namespace(i=0) %}{% macro f(s) %}{% set s.i = '__cla' ~ y %}{% endmacro %}{{ f(st) }}"
        "{{ x[st.i] }}",
        "{% set st = namespace(i=0) %}{% set st.i = '__cla' ~ y %}{{ x[[st][0].i] }}"}) {
    auto r = analyse(t);
    EXPECT_NE(r.status, Status::safe) << t << "\n" << describe(r);
  }
}

TEST(TemplateSoundness, JinjaInAnyConfigValueIsFlagged) {
  mgtest::TempDir dir;
  mgtest::write_file(dir / "tokenizer_config.json",
                     R"({"tokenizer_class": "X", "custom_chat_template": "{{ cycler.__init__.__globals__.os.popen('id') }}"})");
  mgtest::write_file(dir / "config.json",
                     R"({"model_type": "llama", "notes": {"deep": ["{{ x['__cla' ~ 'ss__'] }}"]}})");
  mgtest::write_file(dir / "benign.json", R"({"model_type": "llama", "prompt": "Hello {{ name }}"})");
  modelgate::ScanOptions opts;
  for (const char* name : {"tokenizer_config.json", "config.json"}) {
    auto result = modelgate::scan_paths({dir / name}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u);
    EXPECT_EQ(result.artifacts[0].status, Status::unsafe) << name << "\n" << describe(result.artifacts[0]);
    EXPECT_TRUE(mgtest::has_rule(result.artifacts[0], "MG-TEMPLATE-IN-VALUE")) << name;
  }
  auto benign = modelgate::scan_paths({dir / "benign.json"}, opts);
  EXPECT_FALSE(mgtest::has_rule(benign.artifacts[0], "MG-TEMPLATE-IN-VALUE"));
}

// Files over 1 MiB are read shallow; string values in the parts left out of the DOM are still
// checked, escapes decoded. Entries of a chat_template list other than the template are values too.
TEST(TemplateSoundness, JinjaInValuesOfLargeAndListConfigsIsFlagged) {
  mgtest::TempDir dir;
  std::string vocab;
  for (int i = 0; i < 80000; ++i) vocab += (i ? ",\"" : "\"") + std::string("tok") + std::to_string(i) + "\": " + std::to_string(i);
  auto tokenizer = [&](const std::string& extra) {
    return R"({"version": "1.0", "added_tokens": [{"id": 0, "content": "{{", "special": false}], )"
           R"("model": {"type": "BPE", "vocab": {)" + vocab + R"(}, "merges": ["{ {", "{{ {", "{% -"]}, )" + extra + "}";
  };
  mgtest::write_file(dir / "tokenizer.json",
                     tokenizer(R"("post_processor": {"type": "TemplateProcessing", "single": [{"note": "{{ x.__class__.__mro__ }}"}]})"));
  mgtest::write_file(dir / "escaped.json",
                     tokenizer(R"("decoder": {"pattern": "\u007b\u007b cycler.__init__.__globals__.os \u007d\u007d"})"));
  mgtest::write_file(dir / "benign_large.json", tokenizer(R"("decoder": {"type": "ByteLevel", "note": "{{ name }}"})"));
  mgtest::write_file(dir / "tokenizer_config.json",
                     R"({"chat_template": [{"name": "default", "template": "{{ messages[0]['content'] }}", )"
                     R"("note": "{{ lipsum.__globals__.os.popen('id') }}"}]})");
  ASSERT_GT(std::filesystem::file_size(dir / "tokenizer.json"), 1u << 20);
  modelgate::ScanOptions opts;
  for (const char* name : {"tokenizer.json", "escaped.json", "tokenizer_config.json"}) {
    auto result = modelgate::scan_paths({dir / name}, opts);
    ASSERT_EQ(result.artifacts.size(), 1u);
    EXPECT_EQ(result.artifacts[0].status, Status::unsafe) << name << "\n" << describe(result.artifacts[0]);
    EXPECT_TRUE(mgtest::has_rule(result.artifacts[0], "MG-TEMPLATE-IN-VALUE")) << name;
  }
  auto benign = modelgate::scan_paths({dir / "benign_large.json"}, opts);
  EXPECT_EQ(benign.artifacts[0].status, Status::safe) << describe(benign.artifacts[0]);
}

// Repeating the empty string a huge number of times is the empty string at once: the folder once
// looped 10^16 times appending nothing (a 419-byte template found by the `jinja` fuzz target hung
// the scan; fuzz/corpus/jinja/regression-empty-string-repeat).
TEST(TemplateSoundness, RepeatingTheEmptyStringFoldsAtOnce) {
  const modelgate::Limits limits;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"'' * 11111111111111110", ""}, {"11111111111111110 * ''", ""}, {"('' * 9223372036854775807) ~ 'x'", "x"}};
  for (const auto& [expr, expected] : cases) {
    auto parsed = modelgate::jinja::parse_template("{{ " + expr + " }}", modelgate::jinja::parse_limits(limits));
    ASSERT_TRUE(parsed.ok()) << expr;
    const auto& ast = *parsed;
    modelgate::jinja::Folder folder(ast, limits);
    const auto* v = folder.fold(ast.kid(ast.kid(ast.root, 0), 0));
    ASSERT_NE(v, nullptr) << expr;
    EXPECT_EQ(modelgate::jinja::Folder::to_str(*v), expected) << expr;
  }
}

}  // namespace template_soundness_test
