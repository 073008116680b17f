// MG-TEMPLATE-RESOURCE for rendering work that multiplies although no literal is large
// (template/render_growth.cpp): every class of recursion with fan-out over one and of a value grown
// from itself in a loop, each proven with the real Jinja2 on small sizes, and benign shapes of real
// chat templates that must stay safe.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "template/chat_template.h"
#include "template_report.h"
#include "test_util.h"

namespace template_growth_test {

namespace {

using modelgate::ArtifactReport;
using modelgate::Status;

ArtifactReport analyse(const std::string& text) { return mgtest::template_report(text); }

std::string describe(const ArtifactReport& r) { return mgtest::findings_text(r); }

std::string with_n(std::string text, const std::string& n) {
  for (auto at = text.find("@N@"); at != std::string::npos; at = text.find("@N@", at)) text.replace(at, 3, n);
  return text;
}

struct Case {
  std::string text;  // "@N@" is the size: 40 for the analysis, 4 and 8 for the proof
  std::string what;
};

// Each prints something per call or pass, so that the length of the output shows the work.
const std::vector<Case>& growing() {
  static const std::vector<Case> c = {
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = ns.s * 2 %}{% endfor %}{{ ns.s }})",
       "str * int, one read"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = ns.s|replace('a', 'aa')|replace('b', 'bb') %}{% endfor %}{{ ns.s }})",
       "a filter that lengthens (replace), one read"},
      {R"({% for x in [@N@] recursive %}x{% if x > 0 %}{{ loop([x - 1, x - 1]) }}{% endif %}{% endfor %})",
       "recursive loop, loop() twice"},
      {R"({% macro f(n) %}x{% if n > 0 %}{% for c in 'ab' %}{{ f(n - 1) }}{% endfor %}{% endif %}{% endmacro %}{{ f(@N@) }})",
       "macro in a loop over a string literal"},
      {R"({% macro f(n) %}x{% if n > 0 %}{% for c in range(1 + 1) %}{{ f(n - 1) }}{% endfor %}{% endif %}{% endmacro %}{{ f(@N@) }})",
       "macro in range() of a constant expression"},
      {R"({% macro f(s) %}x{% if s %}{{ f(s[1:]) }}{{ f(s[1:]) }}{% endif %}{% endmacro %}{{ f('a' * @N@) }})",
       "slices are not parts (2^length)"},
      {R"({% macro d(x) %}{{ x }}{{ x }}{% endmacro %}{% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = d(ns.s) %}{% endfor %}{{ ns.s }})",
       "a macro that outputs its argument twice"},
      {R"({% macro f(n) %}x{% if n > 0 %}{{ caller(n - 1) }}{{ caller(n - 1) }}{% endif %}{% endmacro %}{% macro g(n) %}{% call(m) f(n) %}{{ g(m) }}{% endcall %}{% endmacro %}{{ g(@N@) }})",
       "recursion through caller() and a call block"},
      {R"({% macro f(n) %}x{% if n > 0 %}{% set g = f %}{{ g(n - 1) }}{{ g(n - 1) }}{% endif %}{% endmacro %}{{ f(@N@) }})",
       "a macro called through an alias"},
      {R"({% set ns = namespace(d=0) %}{% macro f(s) %}x{% if ns.d < @N@ %}{% set ns.d = ns.d + 1 %}{{ f(s[0]) }}{{ f(s[0]) }}{% set ns.d = ns.d - 1 %}{% endif %}{% endmacro %}{{ f(messages[0].content) }})",
       "a namespace counter bounds the depth, not the data"},
      {R"({% set ns = namespace(d=0) %}{% macro f(s) %}x{% if s is none %}{% set ns = namespace(d=0) %}{% endif %}{% if ns.d < @N@ %}{% set ns.d = ns.d + 1 %}{{ f(s[0]) }}{{ f(s[0]) }}{% set ns.d = ns.d - 1 %}{% endif %}{% endmacro %}{{ f(messages[0].content) }})",
       "a namespace counter behind a namespace the run makes only on a branch not taken"},
      {R"({% macro f(s, n) %}x{% if n > 0 %}{{ f(s|first, n - 1) }}{{ f(s|first, n - 1) }}{% endif %}{% endmacro %}{{ f(messages[0].content, @N@) }})",
       "first of a string is that string (weak part, counter)"},
      {R"({% macro f(x, n) %}x{% if n > 0 %}{{ f({'type': x.type}, n - 1) }}{{ f({'type': x.type}, n - 1) }}{% endif %}{% endmacro %}{{ f(tools[0], @N@) }})",
       "a literal dict of a part is as deep as the value (weak part, counter)"},
      {R"({% set d = {'a': {'a': {'a': {'a': {'a': {'a': {'a': {'a': {'a': 1}}}}}}}}} %}{% macro f(x, n) %}x{% if n > 0 and x.a is defined %}{{ f(x.a, n - 1) }}{{ f(x.a, n - 1) }}{% endif %}{% endmacro %}{{ f(d, @N@) }})",
       "a structure the template built is not context data"},
      {R"({% for x in [@N@] recursive %}x{% set l = loop %}{% if x > 0 %}{{ l([x - 1, x - 1]) }}{% endif %}{% endfor %})",
       "loop() through an alias"},
      {R"({% macro h(fn, n) %}{{ fn(n) }}{{ fn(n) }}{% endmacro %}{% macro f(n) %}x{% if n > 0 %}{{ h(f, n - 1) }}{% endif %}{% endmacro %}{{ f(@N@) }})",
       "a macro passed as an argument"},
      {R"({% macro f(n) %}x{% if n > 0 %}{% for m in messages + messages %}{{ f(n - 1) }}{% endfor %}{% endif %}{% endmacro %}{{ f(@N@) }})",
       "a loop over a computed list counts as unbounded"},
      {R"({% macro f(s) %}x{% if s %}{{ f(s.replace(s[0], '', 1)) }}{{ f(s.replace(s[0], '', 1)) }}{% endif %}{% endmacro %}{{ f('a' * @N@) }})",
       "a string method that shortens by one"},
      {R"({% macro f(xs) %}x{% if xs %}{{ f(xs|reject('eq', xs|first)|list) }}{{ f(xs|reject('eq', xs|first)|list) }}{% endif %}{% endmacro %}{{ f(range(@N@)|list) }})",
       "a selection that drops one element"},
      {R"({% macro f(n) %}x{% if n > 0 %}{% set a %}{{ f(n - 1) }}{% endset %}{{ a }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(@N@) }})",
       "recursion inside a block set"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s %}{{ ns.s }}{{ ns.s }}{% endset %}{% endfor %}{{ ns.s }})",
       "block set reading the value twice"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s %}{% for j in range(2) %}{{ ns.s }}{% endfor %}{% endset %}{% endfor %}{{ ns.s }})",
       "block set with a loop inside"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set t = ns.s %}{% set ns.s = ns.s ~ t %}{% endfor %}{{ ns.s }})",
       "a plain name set from the value"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = '-'.join(ns.s) %}{% endfor %}{{ ns.s }})",
       "str.join with a separator"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = ns.s|join('-') %}{% endfor %}{{ ns.s }})",
       "|join with a separator"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = ns.s|center(ns.s|length * 2) %}{% endfor %}{{ ns.s }})",
       "center to twice the length"},
      {R"({% set ns = namespace(s='"') %}{% for i in range(@N@) %}{% set ns.s = ns.s|tojson %}{% endfor %}{{ ns.s }})",
       "tojson escapes grow"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = '{0}{0}'.format(ns.s) %}{% endfor %}{{ ns.s }})",
       "'{0}{0}'.format"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = '%(a)s%(a)s' % {'a': ns.s} %}{% endfor %}{{ ns.s }})",
       "% formatting with a dict"},
      {R"({% set ns = namespace(s='ab') %}{% set n2 = ns %}{% for i in range(@N@) %}{% set ns.s = n2.s ~ n2['s'] %}{% endfor %}{{ ns.s }})",
       "namespace alias and subscript"},
      {R"({% set ns = namespace(s='ab') %}{% macro d() %}{% set ns.s = ns.s ~ ns.s %}{% endmacro %}{% for i in range(@N@) %}{{ d() }}{% endfor %}{{ ns.s }})",
       "a macro that sets the value, called in a loop"},
      {R"({% set ns = namespace(s='ab') %}{% macro d() %}{{ ns.s }}{% endmacro %}{% for i in range(@N@) %}{% set ns.s = ns.s ~ d() %}{% endfor %}{{ ns.s }})",
       "a macro that outputs the value"},
      {R"({% set ns = namespace(s='ab') %}{% macro add(x) %}{% set ns.s = ns.s ~ x %}{% endmacro %}{% for i in range(@N@) %}{{ add(ns.s) }}{% endfor %}{{ ns.s }})",
       "a macro parameter given the value"},
      {R"({% set ns = namespace(n=3) %}{% for i in range(@N@) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }})",
       "squaring a number"},
      {R"({% set ns = namespace(n=3) %}{% for i in range(@N@) %}{% set ns.n = ns.n ** 2 %}{% endfor %}{{ ns.n }})",
       "a power of a number"},
      {R"({% set ns = namespace(s=0) %}{% set ns.s = 'ab' %}{% for i in range(@N@) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }})",
       "a number field that becomes a string"},
      {R"({% set ns = namespace(s='a') %}{% for i in range(@N@) %}{% set ns.s = [ns.s, ns.s]|join %}{% endfor %}{{ ns.s }})",
       "a list literal of two reads"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set ns.s = ns.s ~ (ns.s|upper) %}{% endfor %}{{ ns.s }})",
       "the value and a filtered copy"},
      {R"({% set ns = namespace(s='ab') %}{% macro w() %}{{ caller() }}{{ caller() }}{% endmacro %}{% for i in range(@N@) %}{% call w() %}{% set ns.s = ns.s ~ ns.s %}{% endcall %}{% endfor %}{{ ns.s }})",
       "a call block body run twice per pass"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% with t = ns.s %}{% set ns.s = ns.s ~ t %}{% endwith %}{% endfor %}{{ ns.s }})",
       "with alias"},
      {R"({% set ns = namespace(s='a') %}{% for i in range(@N@) %}{% set ns.s = [ns.s]|string %}{% endfor %}{{ ns.s }})",
       "repr (|string) of a list"},
      {R"({% macro f(s, n) %}x{% if n > 0 %}{{ f(messages[0].content, n - 1) }}{{ f(messages[0].content, n - 1) }}{% endif %}{% endmacro %}{{ f(messages[0], @N@) }})",
       "an attribute of other data than the macro was given is the same value on every level"},
      {R"({% macro f(x, n) %}x{% if n > 0 %}{% for m in messages + messages %}{{ f(m.content, n - 1) }}{% endfor %}{% endif %}{% endmacro %}{{ f(messages[0], @N@) }})",
       "an element of other data than the macro was given"},
      {R"({% for m in messages + messages recursive %}x{% if loop.depth < @N@ %}{{ loop(messages + messages) }}{% endif %}{% endfor %})",
       "loop() over other data than the item, loop.depth as the counter"},
      {R"({% macro f(s, n) %}{% if n > 0 %}{{ f(s ~ s, n - 1) }}{% else %}{{ s }}{% endif %}{% endmacro %}{{ f('ab', @N@) }})",
       "one run per level, the argument doubled per level"},
      {R"({% for x in [['ab', @N@]] recursive %}{% if x[1] > 0 %}{{ loop([[x[0] ~ x[0], x[1] - 1]]) }}{% else %}{{ x[0] }}{% endif %}{% endfor %})",
       "loop() handed a doubled part of its item"},
      {R"({% macro f(s, n) %}{% if n > 0 %}{{ caller(s * 2, n - 1) }}{% else %}{{ s }}{% endif %}{% endmacro %}{% macro g(s, n) %}{% call(t, m) f(s, n) %}{{ g(t, m) }}{% endcall %}{% endmacro %}{{ g('ab', @N@) }})",
       "caller() handed a repeated value"},
      {R"({% macro f(s, n) %}{% if n > 0 %}{{ f(s|replace('a', 'aa')|replace('b', 'bb'), n - 1) }}{% else %}{{ s }}{% endif %}{% endmacro %}{{ f('ab', @N@) }})",
       "a lengthening filter on the argument"},
      {R"({% macro p(content) %}{% set ns = namespace(r='') %}{% for item in content %}{% set ns.r = ns.r + item %}{% endfor %}{{ ns.r }}{% endmacro %}{% set g = namespace(s='ab') %}{% for i in range(@N@) %}{% set g.s = g.s ~ p(g.s) %}{% endfor %}{{ g.s }})",
       "scopes: a macro parameter given a carried value, its loop variable appended"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(@N@) %}{% set x = ns.s %}{% set ns.s = ns.s ~ x %}{% endfor %}{{ ns.s }})",
       "scopes: a name set in the loop body from the carried value"},
      {R"({% set ns = namespace(s='ab') %}{% for item in messages %}{{ item.content }}{% endfor %}{% for i in range(@N@) %}{% for item in [ns.s] %}{% set ns.s = ns.s ~ item %}{% endfor %}{% endfor %}{{ ns.s }})",
       "scopes: one spelling a loop over data and a loop over the carried value"},
      {R"({% macro f(x, n) %}x{% set x = {'a': x, 'b': x} %}{% if n > 0 %}{{ f(x, n - 1) }}{{ f(x, n - 1) }}{% endif %}{% endmacro %}{% set x = messages[0] %}{{ f(messages[0], @N@) }})",
       "scopes: a macro's own set rebinds its parameter to a structure"},
      {R"({% set ns = namespace(all='ab') %}{% set other = namespace(y='') %}{% for i in range(@N@) %}{% set other.y = ns.all %}{% set ns.all = ns.all ~ other.y %}{% endfor %}{{ ns.all }})",
       "another attribute set from the carried value"},
      {R"({% set ns = namespace(all=['ab']) %}{% for i in range(@N@) %}{% set part = namespace(lines=[ns.all|join]) %}{% set part.lines = part.lines + ['x'] %}{% set ns.all = ns.all + [part.lines|join] %}{% endfor %}{{ ns.all|join }})",
       "a namespace made in the loop from the carried value"},
      {R"({% set ns = namespace(s='ab', n=1) %}{% for i in range(@N@) %}{% set ns.n = ns.n * 2 %}{% set ns.s = ns.s ~ ('x' * ns.n) %}{% endfor %}{{ ns.s }})",
       "repetition by another attribute that doubles"},
      {R"({% set ns = namespace(y='ab') %}{% for i in range(@N@) %}{% set t = ns.y ~ ns.y %}{% set ns.y = t %}{% endfor %}{{ ns.y }})",
       "a doubling in a name of the loop body, copied into the attribute"},
      {R"({% set st = namespace(d=messages[0]) %}{% if messages %}{% set st.d = {'a': {'a': {'a': {'a': {'a': {'a': {'a': {'a': {'a': 1}}}}}}}}} %}{% endif %}{% macro f(x, n) %}x{% if n > 0 and x.a is defined %}{{ f(x.a, n - 1) }}{{ f(x.a, n - 1) }}{% endif %}{% endmacro %}{{ f(st.d, @N@) }})",
       "a namespace field set once to a structure the template built"},
      {R"({% set st = namespace({'d': {'a': {'a': {'a': {'a': {'a': {'a': {'a': {'a': {'a': 1}}}}}}}}}}) %}{% macro f(x, n) %}x{% if n > 0 and x.a is defined %}{{ f(x.a, n - 1) }}{{ f(x.a, n - 1) }}{% endif %}{% endmacro %}{{ f(st.d, @N@) }})",
       "a namespace made from a dict: fields not seen"},
      // Sizes computed instead of written: each factor is small, the product is not.
      {R"({{ 'a' * (range(@N@)|sum) * (range(@N@)|sum) * (range(@N@)|sum) }})",
       "a repetition count from |sum over a literal range"},
      {R"({{ 'a' * (range(@N@)|length) * (range(@N@)|length) * (range(@N@)|length) * (range(@N@)|length) }})",
       "a repetition count from |length of literal ranges"},
      {R"({{ 'x'|center((range(@N@)|sum) * (range(@N@)|last) * (range(@N@)|sum)) }})",
       "a |center() width computed from literal ranges"},
      {R"({{ '%*s'|format((range(@N@)|sum) ** 3, 'x') }})", "a '%*s' width through |format()"},
      {R"({{ '%*s' % ((range(@N@)|sum) * (range(@N@)|sum) * (range(@N@)|sum), 'x') }})",
       "a '%*s' width through the % operator"},
      {R"({{ '{:>{}}'.format('x', (range(@N@)|sum) * (range(@N@)|sum) * (range(@N@)|sum)) }})",
       "a width nested in a str.format field"},
      {R"({% for i in range(@N@ * @N@) %}{% for j in range(@N@) %}{{ 'a' * (@N@ * @N@ * @N@) }}{% endfor %}{% endfor %})",
       "a long value printed in every pass of known loops"},
      {R"({% for m in messages %}{{ ' ' * (range(@N@)|sum) * (range(@N@)|sum) * (range(@N@)|sum) if m['role'] == 'user' }}{% endfor %})",
       "a computed repetition behind a condition on the message (GGUF chat templates)"},
      // Loops whose count is computed.
      {R"({% for a in range(messages|length * 0 + @N@) %}{% for b in range(messages|length * 0 + @N@) %}{% for c in range(messages|length * 0 + @N@) %}{% for d in range(messages|length * 0 + @N@) %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %})",
       "nested range() of a count that only looks like data"},
      {R"({% for a in range(messages|length + @N@) %}{% for b in range(messages|length + @N@) %}{% for c in range(messages|length + @N@) %}{% for d in range(messages|length + @N@) %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %})",
       "loops over data nested four deep"},
      {R"({% for a in range(messages|length * @N@ * @N@ * @N@) %}x{% endfor %})",
       "range() of a data count times constants"},
      // Lengthening operations other than '*', in straight-line code.
      {R"({% set s = 'a' * @N@ %}{{ s|replace('a', s)|replace('a', s)|replace('a', s) }})",
       "|replace() by the subject itself"},
      {R"({% set s = 'ab' * @N@ %}{{ s|replace('a', s)|replace('a', s)|replace('a', s) }})",
       "|replace() chains on a repeated literal"},
      {R"({% set s = 'ab' * @N@ %}{{ s.replace('a', s).replace('a', s).replace('a', s) }})", "str.replace() by the subject"},
      {R"({{ ([('x' * @N@) * @N@] * @N@ * @N@)|join }})", "|join over a repeated list"},
      {R"({{ ('a
' * @N@)|indent(@N@ * @N@ * @N@) }})", "|indent() by a computed width"},
      {R"({{ ('a ' * @N@)|wordwrap(1, true, 'b' * @N@ * @N@ * @N@) }})", "|wordwrap() with a long wrapstring"},
      // A literal size behind something the folder does not evaluate is that size, not data.
      {R"({% for k in [@N@ ** 4] %}{{ bos_token * k }}{% endfor %})", "a loop target over a literal list"},
      {R"({% for k, v in {'a': @N@ ** 4}.items() %}{{ bos_token * v }}{% endfor %})", "loop targets over a dict's items"},
      {R"({% set d = {'a': @N@ ** 4} %}{{ bos_token * d.a }})", "an attribute of a dict literal"},
      {R"({{ bos_token * ({'a': @N@ ** 4}.get('a')) }})", "dict.get()"},
      {R"({{ bos_token * ({'a': @N@ ** 4}.values()|list|first) }})", "values()|list|first"},
      {R"({{ bos_token * ({'a': @N@ ** 4}|dictsort|first|last) }})", "dictsort|first|last"},
      {R"({{ bos_token * ({'k': @N@ ** 4}['k']) }})", "a subscript of a dict literal"},
      {R"({{ bos_token * dict(k=@N@ ** 4).k }})", "an attribute of dict()"},
      {R"({{ bos_token * ([5, @N@ ** 4]|max) }})", "|max"},
      {R"({{ bos_token * ((@N@ ** 4)|abs) }})", "|abs"},
      {R"({{ bos_token * ((@N@ ** 4)|round|int) }})", "|round|int"},
      {R"({{ bos_token * ((@N@ ** 4)|float|int) }})", "|float|int"},
      {R"({{ bos_token * ([@N@ ** 4]|sum) }})", "|sum of a list"},
      {R"({% set a, b = 1, @N@ ** 4 %}{{ bos_token * b }})", "a tuple set"},
      {R"({{ bos_token * -(-(@N@ ** 4)) }})", "double unary minus"},
      {R"({{ bos_token * ({'a': {'b': @N@ ** 4}}.a.b) }})", "an attribute of a nested dict literal"},
      {R"({{ bos_token * ([@N@ ** 4]|batch(1)|first|first) }})", "an item of a batch"},
      {R"({% macro f(n) %}{{ bos_token * n }}{% endmacro %}{% for k in [@N@ ** 4] %}{{ f(k) }}{% endfor %})",
       "a macro parameter given a loop target over a literal"},
      {R"({% macro f() %}{{ bos_token * varargs[0] }}{% endmacro %}{{ f([@N@ ** 4]|first) }})", "varargs"},
      {R"({{ bos_token * ((@N@ ** 4) if messages else 1) }})", "a conditional with a data test"},
      {R"({% for n in [@N@] %}{% for a in range(n) %}{% for b in range(n) %}{% for c in range(n) %}{% for d in range(n) %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %})",
       "range() of a loop target over a literal list"},
      {R"({% set r = [range(@N@)] %}{% for a in r[0] %}{% for b in r[0] %}{% for c in r[0] %}{% for d in r[0] %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %})",
       "loops over an item of a literal list of ranges"},
      // Data times small constants, step by step: the factors multiply.
      {R"({{ bos_token * @N@ * @N@ * @N@ * @N@ }})", "a special token times constants"},
      {R"({% for m in messages %}{{ m.content * @N@ * @N@ * @N@ * @N@ }}{% endfor %})", "a message times constants"},
      {R"({{ messages * @N@ * @N@ * @N@ * @N@ }})", "a list of data times constants"},
      {R"({{ ([bos_token * @N@] * @N@ * @N@ * @N@)|join }})", "a list of scaled data, repeated and joined"},
      {R"({{ [bos_token * @N@] * (@N@ * @N@ * @N@) }})", "a list of scaled data, repeated"},
      {R"({% for i in range(@N@ * @N@ * @N@) %}{% for m in messages %}{{ m.content * @N@ }}{% endfor %}{% endfor %})",
       "scaled data built in every pass of a known loop"},
      {R"({% set a = bos_token * @N@ %}{% set b = a * @N@ %}{% set c = b * @N@ %}{% set d = c * @N@ %}{{ d }})",
       "names set from each other"},
      {R"({% set ns = namespace(s=bos_token) %}{% set ns.s = ns.s * @N@ %}{% set ns.s = ns.s * @N@ %}{% set ns.s = ns.s * @N@ %}{% set ns.s = ns.s * @N@ %}{{ ns.s }})",
       "a namespace attribute set from itself in straight-line code"},
      {R"({% macro f(x) %}{{ x * @N@ }}{% endmacro %}{{ f(f(f(f(bos_token)))) }})", "nested macro calls"},
      {R"({% macro f(x, k=@N@) %}{% if x %}{{ x * k }}{% endif %}{% endmacro %}{% set a = f(bos_token) %}{{ f(f(f(a))) }})",
       "nested macro calls through a default and a name"},
      {R"({% set s = (bos_token * @N@)|list %}{% for x in s %}{% for y in s %}{% for z in s %}x{% endfor %}{% endfor %}{% endfor %})",
       "loops over data scaled by a constant"},
      {R"({{ 2 ** (bos_token|length * @N@ * @N@ * @N@ * @N@) }})", "'**' with a computed exponent"},
  };
  return c;
}

// Shapes of real chat templates: linear in the data.
const std::vector<Case>& benign() {
  static const std::vector<Case> c = {
      {R"({% set ns = namespace(s='') %}{% for m in range(@N@) %}{% set ns.s = ns.s ~ 'x' %}{% endfor %}{{ ns.s }})",
       "appending data to a history"},
      {R"({% set ns = namespace(s='') %}{% for m in range(@N@) %}{% set ns.s = ns.s + '\n\n' + 'ab' if ns.s else 'ab' %}{% endfor %}{{ ns.s }})",
       "appending with + and a separator"},
      {R"({% set ns = namespace(i=0, n=1) %}{% for m in range(@N@) %}{% set ns.i = ns.i + ns.n %}{% set ns.n = loop.index %}{% endfor %}{{ ns.i }}{% for i in range(ns.n) %}x{% endfor %})",
       "counters and sums"},
      {R"({% for item in tools recursive %}{{ item.name }}{% if item.children %}{{ loop(item.children) }}{% endif %}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "a recursive loop over the data"},
      {R"({% macro t(s, req) %}{% for k, v in s.properties|items %}{{ k }}{{ t(v, s.required or []) }}{% endfor %}{% for v in s.anyOf %}{{ t(v, req) }}{% endfor %}{% if s['items'] %}{{ t(s['items'], req) }}{% endif %}{% endmacro %}{% for tool in tools %}{{ t(tool.parameters, []) }}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "a schema walk handing down parts and its own parameter"},
      {R"({% macro t(spec) %}{% if spec.type is string %}{{ spec.type }}{% else %}{% for x in spec.type %}{{ t({'type': x}) }}{% endfor %}{% endif %}{% endmacro %}{% for tool in tools %}{{ t(tool.parameters) }}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "a union walk with a literal dict of an element"},
      {R"({% set ns = namespace(s='') %}{% macro m(x) %}[{{ x }}]{% endmacro %}{% for i in range(@N@) %}{% set ns.s = ns.s ~ m(i) %}{% endfor %}{{ ns.s }})",
       "a macro that does not read the value"},
      {R"({% macro w() %}<{{ caller() }}>{% endmacro %}{% for i in range(@N@) %}{% call w() %}{{ i }}{% endcall %}{% endfor %})",
       "a call block run once per message"},
      {R"({% set ns = namespace(found=false, idx=-1, text='') %}{% for m in range(@N@) %}{% set ns.found = true %}{% set ns.idx = loop.index0 %}{% set ns.text = (ns.text ~ 'x')|trim %}{% endfor %}{{ ns.text }})",
       "flags, indexes and a trimmed copy"},
      {R"({% set ns = namespace(s='ab') %}{% for i in range(2) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{% for i in range(@N@) %}{{ ns.s }}{% endfor %})",
       "doubling over a literal loop of two"},
      {R"({% macro a(x) %}{% if x is mapping %}{% set ns = namespace(first=true) %}{% for k, v in x|dictsort %}{% if not ns.first %},{% endif %}{% set ns.first = false %}{{ k }}:{{ a(v) }}{% endfor %}{% elif x is string %}{{ x }}{% else %}{% for i in x %}{{ a(i) }}{% endfor %}{% endif %}{% endmacro %}{% macro p(props, req) %}{% for k, v in props|dictsort %}{{ k }}{{ b(v) }}{% if v.properties is defined %}{{ p(v.properties, v.required|default([])) }}{% endif %}{% endfor %}{% endmacro %}{% macro b(v) %}{{ a(v) }}{% endmacro %}{% for tool in tools %}{{ p(tool.parameters.properties, tool.parameters.required|default([])) }}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "schema walks with namespaces of their own, a default([]) argument and a macro defined after its caller"},
      {R"({% macro t(s, indent) %}{{ indent }}{{ s.name }}{% for c in s.children %}{{ t(c, indent ~ '  ') }}{% endfor %}{% endmacro %}{% for tool in tools %}{{ t(tool, '') }}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "an indentation that grows by a constant per level"},
      {R"({% macro p(content) %}{% set ns = namespace(r='') %}{% for item in content %}{% set ns.r = ns.r + item['content'] %}{% set ns.r = ns.r + item|tojson %}{% endfor %}{{ ns.r }}{% endmacro %}{% for i in range(@N@) %}{% set content = p(messages) %}{{ content }}{% endfor %})",
       "scopes: a macro parameter and a loop's set of one spelling (LFM2.5)"},
      {R"({% macro p(content) %}{% set ns = namespace(r='') %}{% for item in content %}{% set ns.r = ns.r + item['content'] %}{% endfor %}{{ ns.r }}{% endmacro %}{% set content = p(messages) %}{% for i in range(@N@) %}{{ p(messages) }}{% endfor %}{{ content }})",
       "scopes: a macro parameter and a top-level set of one spelling"},
      {R"({% set ns = namespace(s='') %}{% for i in range(@N@) %}{% for item in messages %}{% set ns.s = ns.s ~ item.content %}{% endfor %}{% set item = ns.s ~ ns.s %}{{ item|length }}{% endfor %})",
       "scopes: a loop variable over data and a set of one spelling"},
      {R"({% macro t(s, n) %}{{ s.name }}{% for c in s.children %}{{ t(c, n) }}{% endfor %}{% endmacro %}{% set s = [tools, tools] %}{% for i in range(@N@) %}{{ t(tools[0], 1) }}{% endfor %}{{ s|length }})",
       "scopes: a schema walk's parameter and a top-level structure of one spelling"},
      {R"({% set ns = namespace(all=[]) %}{% for i in range(@N@) %}{% set part = namespace(lines=[]) %}{% for m in messages %}{% set part.lines = part.lines + [m.content] %}{% endfor %}{% set ns.all = ns.all + [part.lines|join(', ')] %}{% endfor %}{{ ns.all|join(';') }})",
       "a fresh namespace's lines joined into an accumulator (GigaChat, LFM2.5)"},
      {R"({% set ns = namespace(ids=[]) %}{% set state = namespace(calls=none) %}{% set state.calls = messages %}{% for i in range(@N@) %}{% for c in state.calls %}{% if c.content|string not in ns.ids %}{% set ns.ids = ns.ids + [c.content|string] %}{% endif %}{% endfor %}{{ i }}{% endfor %}{{ ns.ids|join }})",
       "an item of a loop over another attribute, through string (Kimi K3)"},
      {R"({% macro j(v) %}{% if v is mapping %}{% for k, x in v|dictsort %}{{ k }}:{{ j(x) }}{% endfor %}{% elif v is string or v is none %}{{ v }}{% else %}{% for x in v %}{{ j(x) }}{% endfor %}{% endif %}{% endmacro %}{% set st = namespace(schema=none) %}{% if tools %}{% set st.schema = tools[0] %}{% endif %}{% for i in range(@N@) %}{{ j(st.schema) }}{% endfor %})",
       "a schema walk from a namespace field set only to context data (Kimi K3)"},
      {R"({% for m in messages %}{% for c in m.content %}{% for t in c.tool_calls %}{{ t }}{% endfor %}{% endfor %}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "three loops over data: messages, their parts, their tool calls"},
      {R"({% for i in range(messages|length - 1, -1, -1) %}{% for j in range(i) %}{{ '  ' * loop.depth }}{% endfor %}{% endfor %}{% for i in range(@N@) %}{{ ('x' * 10)|center(20) }}{% endfor %})",
       "range() over the data's size, padding by constants"},
      {R"({% for m in messages %}{{ '  ' * loop.index }}{{ '=' * (messages|length * 80) }}{% for k, v in {'a': 1, 'b': 2}.items() %}{{ m.content * v }}{% endfor %}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "repetition by loop counters, data lengths and small literals"},
      {R"({% macro f(x) %}{{ x * 2 }}{% endmacro %}{% macro r(m) %}{% for c in m.content %}{% for t in c.tool_calls %}{{ t }}{% endfor %}{% endfor %}{% endmacro %}{% for m in messages %}{{ r(m) }}{{ f(f(m.content)) }}{% endfor %}{% for i in range(@N@) %}x{% endfor %})",
       "macros with data loops called from a data loop, a doubling macro called twice"},
      {R"({% for m in messages %}{{ m.content|replace('<image>', '')|replace('/think', '') }}{{ m.content.expandtabs(4) }}{% endfor %}{% for i in range(@N@) %}{{ '<b>x</b>'|striptags }}{% endfor %})",
       "constant replacements, tabs of four, striptags of a constant"},
      {R"({% for m in messages %}{{ m.content|replace('
', '
  ')|indent(2) }}{{ m.content|wordwrap(80) }}{{ (m.content ~ '-' * 80)|replace('a', 'b') }}{% endfor %}{% for i in range(@N@) %}{{ '%-10s'|format(i) }}{{ [i, i]|join(', ') }}{% endfor %})",
       "replacements and paddings of data by constants"},
  };
  return c;
}

TEST(TemplateGrowth, EveryClassIsResource) {
  for (const auto& c : growing()) {
    auto r = analyse(with_n(c.text, "40"));
    EXPECT_EQ(r.status, Status::unverified) << c.what << "\n" << c.text << "\n" << describe(r);
    EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << c.what << "\n" << c.text << "\n" << describe(r);
  }
}

// Chains without any loop: each statement doubles a value the template set before; forty of them
// make 2^40 (the proof above covers the doubling of one statement).
TEST(TemplateGrowth, StraightLineChainsAreResource) {
  std::string same = "{% set s = 'ab' %}", distinct = "{% set v0 = 'ab' %}", ns = "{% set ns = namespace(s='ab') %}",
              repeat = "{% set s = 'ab' %}", part = "{% set a = {'x': 'ab'} %}";
  for (int i = 0; i < 40; ++i) {
    part += "{% set a = {'x': a.x ~ a.x} %}";
    same += "{% set s = s ~ s %}";
    distinct += "{% set v" + std::to_string(i + 1) + " = v" + std::to_string(i) + " ~ v" + std::to_string(i) + " %}";
    ns += "{% set ns.s = ns.s ~ ns.s %}";
    repeat += "{% set s = s * 2 %}";
  }
  for (const std::string& t : {same, distinct, ns, repeat, part}) {
    auto r = analyse(t);
    EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << t << "\n" << describe(r);
  }
  // Parts of values and appended data do not double anything.
  std::string parts = "{% set m = messages[0] %}";
  for (int i = 0; i < 40; ++i) parts += "{% set s = m.role ~ m.content %}{% set t = (t or '') ~ m.content %}";
  auto r = analyse(parts);
  EXPECT_EQ(r.status, Status::safe) << describe(r);
}

// Work that grows with the data to the fourth power or more: real templates nest three loops
// over data at most.
TEST(TemplateGrowth, DeepDataLoopsAreResource) {
  std::string deep, three;
  for (int i = 0; i < 6; ++i) deep += "{% for x" + std::to_string(i) + " in messages %}";
  deep += "{% if x0 == 0 %}x{% endif %}";
  for (int i = 0; i < 6; ++i) deep += "{% endfor %}";
  three = "{% for a in messages %}{% for b in messages %}{% for c in range(messages|length) %}{{ c }}{% endfor %}{% endfor %}{% endfor %}";
  auto r = analyse(deep);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << deep << "\n" << describe(r);
  r = analyse(three);
  EXPECT_EQ(r.status, Status::safe) << three << "\n" << describe(r);
  // Data loops nested through macros count at the call (six levels split over two macros; five
  // over three). Real templates reach four that way.
  const std::string through_macros =
      "{% macro l3() %}{% for a in messages %}{% for b in messages %}{% for c in messages %}x{% endfor %}{% endfor %}{% endfor %}{% endmacro %}"
      "{% macro l6() %}{% for a in messages %}{% for b in messages %}{% for c in messages %}{{ l3() }}{% endfor %}{% endfor %}{% endfor %}{% endmacro %}{{ l6() }}";
  r = analyse(through_macros);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << through_macros << "\n" << describe(r);
  const std::string two_and_two =
      "{% macro inner() %}{% for a in messages %}{% for b in messages %}{% for c in messages %}x{% endfor %}{% endfor %}{% endfor %}{% endmacro %}"
      "{% macro outer() %}{% for m in messages %}{{ inner() }}{% endfor %}{% endmacro %}"
      "{% for m in messages %}{{ outer() }}{% endfor %}";
  r = analyse(two_and_two);
  EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << two_and_two << "\n" << describe(r);
  // A count of data scaled by a large constant is no longer the data alone.
  r = analyse("{% for i in range(messages|length * 99999) %}{% for j in range(messages|length * 99999) %}x{% endfor %}{% endfor %}");
  EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << describe(r);
}

// Work quadratic in one message: striptags' regular expression, and data grown by data through
// replace, expandtabs, indent and wordwrap. Proven below with the real Jinja2.
const std::vector<Case>& quadratic() {
  static const std::vector<Case> c = {
      {R"({% for m in messages %}{{ m.content|striptags }}{% endfor %})", "|striptags of a message"},
      {R"({% for m in messages %}{{ m.content|replace(' ', messages[0].content) }}{% endfor %})",
       "|replace() by another value of the data"},
      {R"({% for m in messages %}{{ m.content.replace(' ', bos_token ~ m.role ~ messages[0].content) }}{% endfor %})",
       "str.replace() by text built from data"},
      {R"({% for m in messages %}{{ m.content.expandtabs(m.content|length) }}{% endfor %})", "expandtabs(data)"},
      {R"({% for m in messages %}{{ m.content|indent(m.content, true) }}{% endfor %})", "|indent() by a data string"},
      {R"({% for m in messages %}{{ m.content|wordwrap(1, true, m.content) }}{% endfor %})", "|wordwrap() with a data wrapstring"},
  };
  return c;
}

TEST(TemplateGrowth, QuadraticFiltersAreResource) {
  for (const auto& c : quadratic()) {
    auto r = analyse(c.text);
    EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << c.what << "\n" << c.text << "\n" << describe(r);
  }
  // A constant too long for a quadratic pass, one in a loop, and tabs of scaled data (a message
  // times 1000 times 1000 columns).
  for (const std::string t : {"{{ ('<' * 99999)|striptags }}", "{% for i in range(1000) %}{{ ('<' * 9999)|striptags }}{% endfor %}",
                              "{% for m in messages %}{{ (m.content * 1000).expandtabs(1000) }}{% endfor %}"}) {
    auto r = analyse(t);
    EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << t << "\n" << describe(r);
  }
}

// From a message of n to one of 2n characters the output (for striptags, the time) grows about four
// times: quadratic (tests/fixtures/templates/jinja_quadratic.py).
TEST(TemplateGrowth, Jinja2ProvesQuadraticFilters) {
  if (mgtest::run(mgtest::python() + " -c 'import jinja2'").exit_code != 0) GTEST_SKIP() << "python3-jinja2 missing";
  mgtest::TempDir dir;
  std::string args;
  for (std::size_t i = 0; i < quadratic().size(); ++i) {
    const std::string name = (dir / (std::to_string(i) + ".jinja")).string();
    mgtest::write_file(name, quadratic()[i].text);
    args += " '" + name + "'";
  }
  auto out = mgtest::run("timeout 120 " + mgtest::python() + " " +
                         (mgtest::source_dir() / "tests/fixtures/templates/jinja_quadratic.py").string() + args);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  std::istringstream lines(out.output);
  std::size_t i = 0;
  for (std::string path, small, large; lines >> path >> small >> large; ++i) {
    ASSERT_LT(i, quadratic().size());
    ASSERT_NE(small, "error") << quadratic()[i].text << "\n" << out.output;
    // Times are noisier than lengths.
    const double least = quadratic()[i].text.find("striptags") != std::string::npos ? 2.5 : 3;
    EXPECT_GE(std::stod(large) / std::stod(small), least) << quadratic()[i].what << "\n" << out.output;
  }
  EXPECT_EQ(i, quadratic().size()) << out.output;
}

// Allocations whose result is thrown away print nothing, so the proof above cannot show them: the
// red team's Llama 3 template allocates 10^9 end-of-turn tokens in the generation prompt and slices
// them to nothing (MemoryError in Jinja2 under a 4 GB cap).
TEST(TemplateGrowth, DiscardedAllocationsAreResource) {
  for (const std::string t : {
           "{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}{{ (eos_token * 1000 * 1000 * 1000)[:0] }}{% endif %}",
           "{{ ((bos_token|length) ** (bos_token|length * 1000 * 1000 * 1000)) > 0 }}",
           "{{ (messages * 1000 * 1000)|length }}",
           "{% set k = [1000000000] %}{% for n in k %}{{ (bos_token * n)|length }}{% endfor %}",
       }) {
    auto r = analyse(t);
    EXPECT_TRUE(mgtest::has_rule(r, "MG-TEMPLATE-RESOURCE")) << t << "\n" << describe(r);
  }
}

TEST(TemplateGrowth, BenignShapesAreSafe) {
  for (const auto& c : benign()) {
    auto r = analyse(with_n(c.text, "40"));
    EXPECT_EQ(r.status, Status::safe) << c.what << "\n" << c.text << "\n" << describe(r);
  }
}

// The real Jinja2, as transformers renders chat templates (tests/fixtures/templates/jinja_growth.py):
// from size 4 to size 8 the output of every growing case grows at least 8 times (2^4 = 16 for one
// doubling per level), that of every benign case less than 4 times.
TEST(TemplateGrowth, Jinja2ProvesTheGrowth) {
  if (mgtest::run(mgtest::python() + " -c 'import jinja2'").exit_code != 0) GTEST_SKIP() << "python3-jinja2 missing";
  mgtest::TempDir dir;
  std::string args;
  std::vector<std::pair<std::string, const Case*>> files;
  for (const auto* list : {&growing(), &benign()})
    for (const auto& c : *list) {
      const std::string name = (dir / (std::to_string(files.size()) + ".jinja")).string();
      mgtest::write_file(name, c.text);
      files.emplace_back(name, &c);
      args += " '" + name + "'";
    }
  auto out = mgtest::run(mgtest::python() + " " +
                         (mgtest::source_dir() / "tests/fixtures/templates/jinja_growth.py").string() + args);
  ASSERT_EQ(out.exit_code, 0) << out.output;
  std::istringstream lines(out.output);
  std::size_t i = 0;
  for (std::string path, small, large; lines >> path >> small >> large; ++i) {
    ASSERT_LT(i, files.size());
    ASSERT_EQ(path, files[i].first);
    ASSERT_NE(small, "error") << files[i].second->text << "\n" << out.output;
    const double ratio = std::stod(large) / std::stod(small);
    if (i < growing().size()) {
      EXPECT_GE(ratio, 8) << files[i].second->what << "\n" << files[i].second->text;
    } else {
      EXPECT_LT(ratio, 4) << files[i].second->what << "\n" << files[i].second->text;
    }
  }
  EXPECT_EQ(i, files.size()) << out.output;
}

}  // namespace

}  // namespace template_growth_test
