// Chat-template analysis: parser coverage, the benign corpus (all safe) and injection variants of
// every benign template (all unsafe).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "template/chat_template.h"
#include "template/parser.h"
#include "template/vocabulary.h"
#include "template_report.h"
#include "test_util.h"

namespace template_test {

namespace {

using modelgate::ArtifactReport;
using modelgate::Status;

ArtifactReport analyse(const std::string& text) { return mgtest::template_report(text); }

std::string describe(const ArtifactReport& r) { return mgtest::findings_text(r); }

std::vector<std::pair<std::string, std::string>> corpus(const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : mgtest::fs::directory_iterator(mgtest::source_dir() / "tests/fixtures/templates" / dir))
    out.emplace_back(e.path().filename().string(), mgtest::read_file(e.path()));
  std::sort(out.begin(), out.end());
  return out;
}

// Payload shapes of CVE-2024-34359 and later Jinja SSTI write-ups. All of them must be unsafe on
// their own and spliced into every benign template.
const std::vector<std::string>& payloads() {
  static const std::vector<std::string> p = {
      R"({% for x in ().__class__.__base__.__subclasses__() %}{% if "warning" in x.__name__ %}{{ x()._module.__builtins__['__import__']('os').popen('true') }}{% endif %}{% endfor %})",
      R"({{ cycler.__init__.__globals__.os.popen('id').read() }})",
      R"({{ joiner.__init__.__globals__.os.popen('id').read() }})",
      R"({{ namespace.__init__.__globals__.os.popen('id').read() }})",
      R"({{ lipsum.__globals__['os'].popen('id').read() }})",
      R"({{ lipsum.__globals__.__builtins__.__import__('os').system('true') }})",
      R"({{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }})",
      R"({{ ''|attr('__class__')|attr('__mro__') }})",
      R"({{ lipsum|attr('\x5f\x5fglobals\x5f\x5f') }})",
      R"({{ lipsum|attr('\u005f\u005fglobals\u005f\u005f') }})",
      R"({{ lipsum|attr('\137\137globals\137\137') }})",
      R"({{ lipsum['__glo' ~ 'bals__'] }})",
      R"({{ lipsum|attr('__glo' + 'bals__') }})",
      R"({% set a = '__glo' %}{% set b = a ~ 'bals__' %}{{ lipsum|attr(b) }})",
      R"({{ lipsum|attr(['_','_','globals','_','_']|join) }})",
      R"({{ lipsum|attr(('__glo', 'bals__')|join) }})",
      R"({{ lipsum|attr(''.join(['__', 'globals', '__'])) }})",
      R"({{ lipsum|attr('%c%cglobals%c%c'|format(95,95,95,95)) }})",
      R"({{ lipsum|attr('__%s__' % 'globals') }})",
      R"({{ lipsum|attr('{}globals{}'.format('__','__')) }})",
      R"({{ lipsum|attr('XXglobalsXX'|replace('X','_')) }})",
      R"({{ lipsum|attr('__GLOBALS__'|lower) }})",
      R"({{ lipsum|attr('__slabolg__'|reverse) }})",
      R"({{ lipsum|attr('__slabolg__'[::-1]) }})",
      R"({% set n %}__globals__{% endset %}{{ lipsum|attr(n) }})",
      R"({% macro n() %}__globals__{% endmacro %}{{ lipsum|attr(n()) }})",
      R"({{ messages|map(attribute='__class__')|list }})",
      R"({{ messages|map('attr', '__class__')|list }})",
      R"({{ messages|selectattr('__class__')|list }})",
      R"({{ '{0.__class__.__mro__}'.format(messages) }})",
      R"({{ '{0.role}'.format(messages[0]) }})",
      R"({{ messages|attr('_' * 2 ~ 'class' ~ '_' * 2) }})",
      R"({% set x = '_' %}{{ messages|attr(x * 2 ~ 'class' ~ x * 2) }})",
      R"({% set ns = namespace(p='__cla') %}{% set ns.p = ns.p ~ 'ss__' %}{{ messages|attr(ns.p) }})",
      R"({{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }})",
      R"({{ request|attr('application') }})",
      R"({{ config.items() }})",
      R"({{ url_for.__globals__['current_app'].config }})",
      R"({{ get_flashed_messages.__globals__.__builtins__.open('/etc/hostname').read() }})",
      R"({{ messages["\N{LOW LINE}\N{LOW LINE}class\N{LOW LINE}\N{LOW LINE}"] }})",
      R"({{ dict(__cl=1, ass__=2)|join }})",
      R"({% with a = '__class__' %}{{ messages[a] }}{% endwith %})",
      R"({{ messages["__cla" "ss__"] }})",
      R"({{ ""["__class__"] }})",
      R"({{ lipsum|attr('__GlObAlS__'|lower) }})",
      R"({{ messages.pop.__self__ }})",
      R"({{ (messages|first).gi_frame.f_globals }})",
      R"({{ lipsum|attr('__glo' ~ 'bals__' if true else 'x') }})",
      R"({{ lipsum|attr('__globals__'.strip()) }})",
      R"({% set p = "__class__" %}{% if false %}{% set p = "role" %}{% endif %}{{ messages[0][p] }})",
      R"({% from 'x' import y as __builtins__ %})",
      R"({{ x|__class__ }})",
      R"({% set s | attr('__class__') %}x{% endset %})",
      R"({% filter attr('__class__') %}x{% endfilter %})",
      R"({% macro m(a=lipsum.__globals__) %}{% endmacro %})",
      R"({% for x in messages if x.__class__ %}{% endfor %})",
  };
  return p;
}

TEST(TemplateVocabulary, ListsAreSortedAndUnique) {
  using modelgate::jinja::Vocabulary;
  for (auto which : {Vocabulary::filters, Vocabulary::tests, Vocabulary::methods, Vocabulary::globals,
                     Vocabulary::gadgets}) {
    auto list = modelgate::jinja::vocabulary_list(which);
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1], list[i]);
  }
}

TEST(TemplateCorpus, BenignTemplatesAreSafe) {
  auto files = corpus("benign");
  ASSERT_GE(files.size(), 8u);
  for (const auto& [name, text] : files) {
    auto r = analyse(text);
    EXPECT_EQ(r.status, Status::safe) << name << "\n" << describe(r);
  }
}

TEST(TemplateCorpus, PayloadsAloneAreUnsafe) {
  for (const auto& p : payloads()) {
    auto r = analyse(p);
    EXPECT_EQ(r.status, Status::unsafe) << p << "\n" << describe(r);
  }
}

TEST(TemplateCorpus, InjectedVariantsOfEveryBenignTemplateAreUnsafe) {
  for (const auto& [name, text] : corpus("benign")) {
    for (const auto& p : payloads()) {
      for (const std::string& variant : {p + text, text + p}) {
        auto r = analyse(variant);
        EXPECT_EQ(r.status, Status::unsafe) << name << " + " << p << "\n" << describe(r);
      }
    }
  }
}

TEST(TemplateCorpus, CommittedInjectionFixturesAreUnsafe) {
  auto files = corpus("injection");
  ASSERT_GE(files.size(), 2u);
  for (const auto& [name, text] : files) {
    auto r = analyse(text);
    EXPECT_EQ(r.status, Status::unsafe) << name << "\n" << describe(r);
  }
}

struct Case {
  std::string text;
  Status status;
  std::string rule;  // expected among the findings ("" when none)
};

TEST(TemplateAnalysis, Verdicts) {
  const std::vector<Case> cases = {
      {"{{ messages[0]['content'] }}", Status::safe, ""},
      {"{{ message.content|trim|title }}", Status::safe, ""},
      {"{{ tools|tojson(indent=2) }}{{ x|items|list }}", Status::safe, ""},
      {"{% set ns = namespace(found=false) %}{% set ns.found = true %}{{ ns.found }}", Status::safe, ""},
      {"{{ raise_exception('bad role') }}", Status::safe, ""},
      {"{{ strftime_now('%Y-%m-%d') }}", Status::safe, ""},
      {"{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}", Status::safe, ""},
      {"{{ '%s: %s'|format(a, b) }}", Status::safe, ""},
      {"{{ '{} {}'.format(a, b) }}", Status::safe, ""},
      {"{% generation %}{{ content }}{% endgeneration %}", Status::safe, ""},
      {"{% raw %}{{ __class__ }}{% endraw %}", Status::safe, ""},
      {"{# {{ ''.__class__ }} #}hello", Status::safe, ""},
      {"{{ x if y else z }}{{ a is not none and b is defined }}{{ -1 ** 2 // 3 }}", Status::safe, ""},
      {"{% for g in groups %}{{ g.name }}{% endfor %}", Status::safe, ""},
      {"{{ messages[loop.index0 + 1] }}", Status::safe, ""},
      {"{{ foo(1) }}", Status::unverified, "MG-TEMPLATE-UNKNOWN-CALLABLE"},
      {"{{ x.append(1) }}", Status::unverified, "MG-TEMPLATE-UNKNOWN-CALLABLE"},
      {"{{ x|frobnicate }}", Status::unverified, "MG-TEMPLATE-UNKNOWN-FILTER"},
      {"{{ x is frob }}", Status::unverified, "MG-TEMPLATE-UNKNOWN-TEST"},
      {"{{ x|attr(y) }}", Status::unverified, "MG-TEMPLATE-DYNAMIC-ATTRIBUTE"},
      {"{{ x|attr('role') }}", Status::unverified, "MG-TEMPLATE-ATTR-FILTER"},
      {"{{ x[a ~ b] }}", Status::unverified, "MG-TEMPLATE-DYNAMIC-ATTRIBUTE"},
      {"{{ lipsum(2) }}", Status::unverified, "MG-TEMPLATE-GADGET-REFERENCE"},
      {"{{ cycler('a', 'b').next() }}", Status::unverified, "MG-TEMPLATE-GADGET-REFERENCE"},
      {"{% include 'other.jinja' %}", Status::unverified, "MG-TEMPLATE-EXTERNAL"},
      {"{% extends 'base' %}", Status::unverified, "MG-TEMPLATE-EXTERNAL"},
      {"{% from 'm' import f %}{{ f() }}", Status::unverified, "MG-TEMPLATE-EXTERNAL"},
      {"{% for i in range(10**9) %}{% endfor %}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{{ 'x' * 100000000 }}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      // Each factor small, the product not; sizes passed to filters; format widths.
      {"{{ ('x' * 100000) * 100000 }}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}", Status::unverified,
       "MG-TEMPLATE-RESOURCE"},
      {"{{ 'x'|center(2000000000) }}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{{ messages|tojson(indent=2000000000) }}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{{ '%2000000000s'|format('x') }}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{{ '{:>2000000000}'.format('x') }}", Status::unverified, "MG-TEMPLATE-RESOURCE"},
      // Growth with no large literal: a macro that calls itself twice per call (or in a loop of a
      // constant count, or through another macro), and a value doubled on every pass of a loop.
      {"{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}",
       Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{% macro f(n) %}{% if n %}{% for i in range(9) %}{{ f(n-1) }}{% endfor %}{% endif %}{% endmacro %}{{ f(9) }}",
       Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{% macro f(n) %}{{ g(n) }}{{ g(n) }}{% endmacro %}{% macro g(n) %}{% if n %}{{ f(n-1) }}{% endif %}"
       "{% endmacro %}{{ f(40) }}",
       Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{% set ns = namespace(s='a') %}{% for m in messages %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
       Status::unverified, "MG-TEMPLATE-RESOURCE"},
      {"{% set ns = namespace(a='x', b='y') %}{% for m in messages %}{% set ns.a = ns.a ~ ns.b %}"
       "{% set ns.b = ns.a %}{% endfor %}{{ ns.a }}",
       Status::unverified, "MG-TEMPLATE-RESOURCE"},
      // Recursion that hands down parts of its data, accumulation of one value, sums of numbers.
      {"{% macro t(s) %}{% for k, v in s.properties|items %}{{ t(v) }}{% endfor %}{{ t(s.items) }}"
       "{{ t({'type': s.type}) }}{% endmacro %}{{ t(tools[0]) }}",
       Status::safe, ""},
      {"{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(3) }}", Status::safe, ""},
      {"{% set ns = namespace(s='') %}{% for m in messages %}{% set ns.s = ns.s ~ m.content %}{% endfor %}",
       Status::safe, ""},
      {"{% set ns = namespace(i=0, n=1) %}{% for m in messages %}{% set ns.i = ns.i + ns.n %}{% endfor %}",
       Status::safe, ""},
      {"{{ x == '__init__' }}", Status::unverified, "MG-TEMPLATE-DUNDER-STRING"},
      {"{{ '\\N{BLACK STAR}' }}", Status::unverified, "MG-TEMPLATE-OPAQUE-STRING"},
      {"{{ ''.__class__ }}", Status::unsafe, "MG-TEMPLATE-DUNDER"},
      {"{{ x._private }}", Status::unsafe, "MG-TEMPLATE-PRIVATE-ATTRIBUTE"},
      {"{{ lipsum.x }}", Status::unsafe, "MG-TEMPLATE-GADGET"},
      {"{{ '{0.x}'.format(m) }}", Status::unsafe, "MG-TEMPLATE-FORMAT-STRING"},
      {"{{ x|attr('%c%c'|format(95, 95) ~ 'class__') }}", Status::unsafe, "MG-TEMPLATE-DUNDER-ASSEMBLED"},
      {"{{ 'a' }", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{% if x %}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{% endif %}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{% frobnicate %}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{{ }}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{{ 'abc }}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{# unterminated", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{% raw %}never closed", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{{ '\\xZZ' }}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{{ a ) }}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{{ x is y is z }}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{% set 1 = x %}", Status::refused, "MG-TEMPLATE-SYNTAX"},
      {"{% block a %}{% endblock b %}", Status::refused, "MG-TEMPLATE-SYNTAX"},
  };
  for (const auto& c : cases) {
    auto r = analyse(c.text);
    EXPECT_EQ(r.status, c.status) << c.text << "\n" << describe(r);
    if (!c.rule.empty()) {
      EXPECT_TRUE(mgtest::has_rule(r, c.rule)) << c.text << "\n" << describe(r);
    }
  }
}

TEST(TemplateParser, SyntaxErrorsNameLineAndColumn) {
  auto r = analyse("line one\n{{ ok }}\n  {% if %}");
  ASSERT_EQ(r.status, Status::refused);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_NE(r.findings[0].message.find("line 3, column"), std::string::npos) << r.findings[0].message;
}

TEST(TemplateParser, FullSyntaxParses) {
  const char* text = R"({%- macro m(a, b=2) -%}{{ a ~ b }}{{ caller() if caller is defined }}{%- endmacro %}
{%- call(x) m(1, b=3) %}{{ x }}{% endcall %}
{%- filter upper %}shout{% endfilter %}
{%- set block_var | trim %}  text  {% endset %}
{%- with a = 1, b = [1, 2, (3, 4)] %}{{ a + b[0] }}{% endwith %}
{%- for k, v in {'a': 1, 'b': {'c': 2}}|dictsort if v recursive %}{{ loop.depth }}{% else %}none{% endfor %}
{%- for x in [1,2,3] %}{% if x == 2 %}{% continue %}{% elif x > 2 %}{% break %}{% else %}{% do x %}{% endif %}{% endfor %}
{{ x[1:2] }}{{ x[::2] }}{{ x[:-1] }}{{ x.0 }}{{ not a or b and c }}{{ a in b }}{{ a not in b }}
{{ 1 < 2 <= 3 > 0 >= -1 != 5 == 5 }}{{ 2 ** 3 * 4 / 5 // 6 % 7 - +8 }}{{ 0x1F + 0o17 + 0b1 + 1_000 + 1.5e3 }}
{{ f(*args, **kwargs) if f is defined else none }}{{ x is divisibleby 3 }}{{ x is sameas none }}
{%+ autoescape true +%}{{ 'a' 'b' }}{% endautoescape %}
{%- block body scoped %}{{ super() }}{% endblock body %})";
  auto r = modelgate::jinja::parse_template(text, modelgate::jinja::parse_limits({}));
  EXPECT_TRUE(r.ok()) << r.error().reason << " at " << r.error().offset;
}

TEST(TemplateParser, EndMarkersInsideBracketsAndStrings) {
  // '}}' inside a dict literal and '%}' inside a string do not close the tag.
  auto r = modelgate::jinja::parse_template("{{ {'a': {'b': '%}'}} }}{% set x = '}}' %}",
                                            modelgate::jinja::parse_limits({}));
  EXPECT_TRUE(r.ok()) << r.error().reason;
}

TEST(TemplateLimits, DeepNestingAndSizeAreRefusedNotCrashed) {
  modelgate::Limits limits;
  std::string deep(100000, '(');
  auto r1 = modelgate::chat_template_report("{{ " + deep + " }}", "t", limits);
  EXPECT_EQ(r1.status, Status::refused);
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "not ";
  auto r2 = modelgate::chat_template_report("{{ " + nots + "x }}", "t", limits);
  EXPECT_EQ(r2.status, Status::refused);
  std::string chain = "{{ x";
  for (int i = 0; i < 50000; ++i) chain += ".a";
  auto r3 = modelgate::chat_template_report(chain + " }}", "t", limits);
  EXPECT_EQ(r3.status, Status::refused);
  EXPECT_TRUE(mgtest::has_rule(r3, "MG-LIMIT-EXCEEDED"));
  limits.max_template_bytes = 10;
  auto r4 = modelgate::chat_template_report("{{ messages }}{{ more }}", "t", limits);
  EXPECT_TRUE(mgtest::has_rule(r4, "MG-LIMIT-EXCEEDED"));
  limits = {};
  limits.max_template_tokens = 5;
  auto r5 = modelgate::chat_template_report("{{ a + b + c + d }}", "t", limits);
  EXPECT_TRUE(mgtest::has_rule(r5, "MG-LIMIT-EXCEEDED"));
  // Long but flat chains of sets fold without deep recursion.
  std::string sets = "{% set a0 = '_' %}";
  for (int i = 1; i < 3000; ++i)
    sets += "{% set a" + std::to_string(i) + " = a" + std::to_string(i - 1) + " ~ '' %}";
  auto r6 = modelgate::chat_template_report(sets + "{{ x|attr(a2999 ~ '_class__') }}", "t", {});
  EXPECT_EQ(r6.status, Status::unsafe) << describe(r6);
  // Many assignments naming each other: the computed-name test has a work budget.
  std::string web;
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 60; ++j) web += "{% set a" + std::to_string(i) + " = a" + std::to_string(i + 1) + " %}";
  auto r7 = modelgate::chat_template_report(web + "{{ x[a0] }}", "t", {});
  EXPECT_NE(r7.status, Status::refused) << describe(r7);
}

}  // namespace

namespace {
TEST(TemplateFacts, RecordedTemplatesGetChildReports) {
  modelgate::ArtifactReport r;
  r.origin = "model.gguf";
  r.format = "gguf";
  r.parsed.chat_templates = {{"tokenizer.chat_template", "{{ messages[0].content }}"},
                              {"tokenizer.chat_template.rag", "{{ joiner.__init__.__globals__ }}"}};
  modelgate::analyse_recorded_chat_templates(r, modelgate::Limits{});
  r.finalize();
  ASSERT_EQ(r.children.size(), 2u);
  EXPECT_EQ(r.children[0].origin, "model.gguf!/tokenizer.chat_template");
  EXPECT_EQ(r.children[0].status, Status::safe);
  EXPECT_EQ(r.children[1].status, Status::unsafe);
  EXPECT_EQ(r.status, Status::unsafe);
  // Already analysed: nothing is added twice.
  modelgate::analyse_recorded_chat_templates(r, modelgate::Limits{});
  EXPECT_EQ(r.children.size(), 2u);
}
}  // namespace

namespace {

// Differential check against the real Jinja2 parser (python3-jinja2): every template of the
// corpus, every injected variant and every syntax case is parsed (never rendered) by both, and
// both must agree on whether it is valid Jinja.
TEST(TemplateDifferential, AgreesWithJinja2OnValidity) {
  if (mgtest::run(mgtest::python() + " -c 'import jinja2'").exit_code != 0) GTEST_SKIP() << "python3-jinja2 missing";
  mgtest::TempDir dir;
  std::vector<std::pair<std::string, std::string>> all;
  for (const auto& [name, text] : corpus("benign")) all.emplace_back("benign_" + name, text);
  for (const auto& [name, text] : corpus("injection")) all.emplace_back("injection_" + name, text);
  for (std::size_t i = 0; i < payloads().size(); ++i) all.emplace_back("payload_" + std::to_string(i), payloads()[i]);
  const char* syntax[] = {"{{ 'a' }", "{% if x %}", "{% endif %}", "{% frobnicate %}", "{{ }}", "{{ 'abc }}",
                          "{# unterminated", "{% raw %}never closed", "{{ '\\xZZ' }}", "{{ a ) }}",
                          "{{ x is y is z }}", "{% set 1 = x %}", "{% block a %}{% endblock b %}",
                          "{{ {'a': {'b': '%}'}} }}{% set x = '}}' %}", "{{ x.0.1 }}", "{{ a if b }}",
                          "{% for a, b in c if a recursive %}{% endfor %}", "{{ [1,2,][0] }}", "{{ (1,) }}"};
  for (std::size_t i = 0; i < std::size(syntax); ++i) all.emplace_back("syntax_" + std::to_string(i), syntax[i]);
  std::string args;
  for (const auto& [name, text] : all) {
    mgtest::write_file(dir / name, text);
    args += " '" + (dir / name).string() + "'";
  }
  auto out = mgtest::run(mgtest::python() + " " + (mgtest::source_dir() / "tests/fixtures/templates/jinja_parse.py").string() + args);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  for (const auto& [name, text] : all) {
    bool jinja_ok = out.output.find("ok " + (dir / name).string() + "\n") != std::string::npos;
    auto r = analyse(text);
    bool ours_ok = !mgtest::has_rule(r, "MG-TEMPLATE-SYNTAX");
    EXPECT_EQ(ours_ok, jinja_ok) << name << ": " << text.substr(0, 200) << "\n" << describe(r);
  }
}

}  // namespace

// Text that merely shows other template languages is not a chat template; a file named like one is.
TEST(TemplateFiles, BracesInProseAreTextUnlessNamedLikeATemplate) {
  const std::string card = "# Model\n\nOllama: `{{ .Prompt }}`, Helm: `{{- if .Values.x }}`.\n";
  auto readme = mgtest::scan(card, "README.md");
  EXPECT_EQ(readme.status, Status::safe);
  EXPECT_EQ(readme.format, "text");
  EXPECT_TRUE(mgtest::has_rule(readme, "MG-TEXT-TEMPLATE-LIKE"));
  for (const char* name : {"chat_template.jinja", "additional_chat_templates/tool_use.jinja"}) {
    auto tmpl = mgtest::scan(card, name);
    EXPECT_EQ(tmpl.status, Status::refused) << name;
    EXPECT_TRUE(mgtest::has_rule(tmpl, "MG-TEMPLATE-SYNTAX")) << name;
  }
  // A valid template with a payload is unsafe under any name.
  auto notes = mgtest::scan("see {{ cycler.__init__.__globals__.os.popen('id').read() }}\n", "notes.md");
  EXPECT_EQ(notes.status, Status::unsafe);
}

}  // namespace template_test
