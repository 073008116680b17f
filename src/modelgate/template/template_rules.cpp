#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> template_rules() {
  static const Rule rules[] = {
      {"MG-TEMPLATE-SYNTAX", Severity::high, Status::refused,
       "The chat template is not valid Jinja syntax.",
       "modelgate parses templates with its own Jinja parser and never renders them. A template it "
       "cannot parse cannot be checked, so it is refused; the message gives line and column. Jinja "
       "itself would also reject most of these, but a template that fails to parse here is never "
       "reported as clean."},
      {"MG-TEXT-TEMPLATE-LIKE", Severity::info, Status::safe,
       "A text file has Jinja-like braces but is not a Jinja template.",
       "Model cards and notes often show Go, Helm or Ollama templates ({{ .Prompt }}). Hugging Face "
       "loaders pick standalone chat templates by file name (chat_template.jinja, *.jinja), so a text "
       "file under another name that Jinja could not even compile is treated as text. Files named "
       "like templates are still refused when they do not parse (MG-TEMPLATE-SYNTAX)."},
      {"MG-TEMPLATE-DUNDER", Severity::critical, Status::unsafe,
       "The template reaches a double-underscore attribute (__class__, __globals__, __init__...).",
       "Dunder attributes lead from any object to Python's internals (class hierarchy, module "
       "globals, builtins, __import__): the core of CVE-2024-34359 and every Jinja server-side "
       "template injection since. Reached by .attr, |attr(), [...] subscripts, map/selectattr "
       "attribute paths, or identifiers. Chat templates never need them: do not load this template "
       "in an unsandboxed renderer."},
      {"MG-TEMPLATE-DUNDER-ASSEMBLED", Severity::critical, Status::unsafe,
       "The template assembles a double-underscore name from string pieces.",
       "Joining pieces ('__cla' ~ 'ss__'), formatting ('%c'|format(95)), replace, join, reverse, case "
       "changes or slicing spell a dunder name at render time, to hide it from scanners that look "
       "for literal text. modelgate folds such expressions and reports the result."},
      {"MG-TEMPLATE-IN-VALUE", Severity::critical, Status::unsafe,
       "A configuration or metadata value is a Jinja template with an injection primitive.",
       "A string under any key of config.json, a tokenizer or processor config, or GGUF metadata "
       "parses as Jinja and reaches Python internals (__globals__, __class__, __subclasses__, "
       "__builtins__, ...) when rendered. Loaders may not render that key today "
       "(custom_chat_template), but the file ships the payload to any tool that does."},
      {"MG-TEMPLATE-DUNDER-STRING", Severity::medium, Status::unverified,
       "A string literal in an expression mentions a dunder name.",
       "The literal is not seen reaching an attribute lookup, but payloads keep such names in "
       "strings to use them indirectly. Review the template."},
      {"MG-TEMPLATE-PRIVATE-ATTRIBUTE", Severity::high, Status::unsafe,
       "The template reaches a private attribute (_name) or a Python internal (f_globals, gi_frame...).",
       "Private and mangled attributes (self._TemplateReference__context) and frame/code attributes "
       "expose the renderer's internals. Jinja's sandbox blocks them; unsandboxed renderers do not."},
      {"MG-TEMPLATE-GADGET", Severity::high, Status::unsafe,
       "The template looks into an object known from template-injection payloads.",
       "cycler, joiner, lipsum, namespace, self, config, request, url_for, get_flashed_messages, g and "
       "session give access to Python functions or web-framework state; attribute access or "
       "subscripts on them (lipsum.__globals__, namespace.__init__, request.application) are the first "
       "step of known payloads."},
      {"MG-TEMPLATE-GADGET-REFERENCE", Severity::medium, Status::unverified,
       "The template names an object used in template-injection payloads.",
       "Real chat templates do not use cycler, joiner, lipsum, self, config, request and similar "
       "objects, and use namespace only as namespace(...). The reference alone does not execute "
       "anything, but the template is outside the vocabulary modelgate can vouch for."},
      {"MG-TEMPLATE-FORMAT-STRING", Severity::high, Status::unsafe,
       "str.format is called with a format string whose fields walk attributes or items.",
       "'{0.__class__}'.format(x) and '{0[key]}' read attributes through the format mini-language, "
       "bypassing checks on the template's own attribute syntax."},
      {"MG-TEMPLATE-DYNAMIC-ATTRIBUTE", Severity::high, Status::unverified,
       "An attribute or item name is computed at render time.",
       "|attr(x), map(attribute=x), selectattr(x) or a subscript x[k] selects an attribute by a "
       "string the template may compute at render time (from pieces modelgate cannot fold, a "
       "macro's output, a loop that accumulates, a global's string form). Under a plain "
       "jinja2.Environment a string subscript falls back to getattr, so such a name could be "
       "anything, including a dunder. Keys that are constants, numbers or values taken from the "
       "render context are fine."},
      {"MG-TEMPLATE-ATTR-FILTER", Severity::low, Status::unverified,
       "The template uses the |attr() filter.",
       "|attr() is how payloads reach attributes by string. Even with a harmless constant name it is "
       "not part of the chat-template vocabulary."},
      {"MG-TEMPLATE-UNKNOWN-CALLABLE", Severity::medium, Status::unverified,
       "The template calls a function or method outside the chat-template vocabulary.",
       "Chat pipelines provide raise_exception and strftime_now; Jinja provides range, dict and "
       "namespace; string and dict methods like strip, split, items are allowed. Trust goes to the "
       "binding, not the name: a trusted name the template rebinds (set, tuple set, for target, "
       "macro parameter, import) and a method name the template also stores a value under "
       "(namespace(strip=x), {'items': x}) may call anything. Other calls depend on what the "
       "renderer passes in and are not proven safe. docs/templates.md lists the vocabulary."},
      {"MG-TEMPLATE-UNKNOWN-FILTER", Severity::medium, Status::unverified,
       "The template uses a filter that is not one of Jinja's built-in filters or tojson.",
       "Custom filters run code supplied by the renderer; an unknown one cannot be vouched for."},
      {"MG-TEMPLATE-UNKNOWN-TEST", Severity::medium, Status::unverified,
       "The template uses a test that is not one of Jinja's built-in tests.",
       "Custom tests run code supplied by the renderer; an unknown one cannot be vouched for."},
      {"MG-TEMPLATE-EXTERNAL", Severity::medium, Status::unverified,
       "The template includes, imports or extends another template.",
       "{% include %}, {% import %}, {% from %} and {% extends %} pull in templates from the "
       "renderer's loader (the file system in some deployments). Their content is not part of this "
       "artifact and was not checked."},
      {"MG-TEMPLATE-RESOURCE", Severity::medium, Status::unverified,
       "The template builds something very large (range, repetition, power, recursion, doubling).",
       "range() over more than 100000 items, string or list repetition by a huge factor, large powers, "
       "a recursion (macros, caller() and call blocks, recursive loops and loop()) that runs itself two "
       "or more times per run without walking into the context's data, a namespace value that a loop, "
       "macro or call block sets from itself twice or through an operation that can lengthen it "
       "(ns.s ~ ns.s, ns.s * 2, |replace, a macro call), and chains of such sets exhaust memory or CPU "
       "when the template is rendered, although Jinja's sandbox is on."},
      {"MG-TEMPLATE-OPAQUE-STRING", Severity::medium, Status::unverified,
       "A string literal uses a \\N{...} escape that modelgate does not decode.",
       "Named Unicode escapes can spell identifiers character by character. Only a few names are "
       "decoded; the value of this literal is unknown."},
  };
  return rules;
}

}  // namespace modelgate
