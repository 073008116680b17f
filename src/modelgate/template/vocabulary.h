#pragma once
// The vocabulary of real chat templates: what a template may call, filter and test with and
// still be `safe`. Anything else is `unverified`; the gadget objects of known template-injection
// payloads are findings of their own. docs/templates.md lists the same sets for users.
#include <span>
#include <string_view>

namespace modelgate::jinja {

// Jinja's built-in filters plus Hugging Face's tojson.
bool is_known_filter(std::string_view name);
// Jinja's built-in tests.
bool is_known_test(std::string_view name);
// str/dict methods chat templates call (strip, split, items, ...). Mutators are not listed.
bool is_safe_method(std::string_view name);
// Functions a chat pipeline provides or Jinja defines harmlessly (raise_exception, strftime_now,
// namespace, range, dict).
bool is_known_global_function(std::string_view name);
// Objects that reach Python internals or web-framework state in SSTI payloads (cycler, joiner,
// lipsum, self, config, request, url_for, get_flashed_messages, g, session).
bool is_gadget_object(std::string_view name);
// loop.cycle(...) and loop.changed(...).
bool is_loop_method(std::string_view name);

enum class Vocabulary { filters, tests, methods, globals, gadgets };
// The sorted list behind each predicate above (for docs and tests).
std::span<const std::string_view> vocabulary_list(Vocabulary which);

// "__x__"-shaped: starts and ends with two underscores.
bool is_dunder(std::string_view name);
// A dunder or a mangled private name ("_Class__attr") anywhere in the text.
bool contains_dunder(std::string_view text);

}  // namespace modelgate::jinja
