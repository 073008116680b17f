#include "template/vocabulary.h"

#include <algorithm>
#include <array>

namespace modelgate::jinja {

namespace {

template <std::size_t N>
bool in(const std::array<std::string_view, N>& sorted, std::string_view v) {
  return std::binary_search(sorted.begin(), sorted.end(), v);
}

// Each list is kept sorted (checked by a unit test).
constexpr std::array<std::string_view, 52> kFilters = {
    "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e",
    "escape", "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent",
    "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "pprint",
    "random", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
    "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "tojson", "trim",
    "truncate", "unique", "upper", "urlencode", "wordcount", "wordwrap"};

constexpr std::array<std::string_view, 33> kTests = {
    "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even",
    "false", "filter", "float", "ge", "greaterthan", "gt", "in", "integer", "iterable", "le",
    "lessthan", "lower", "lt", "mapping", "ne", "none", "number", "odd", "sameas", "sequence",
    "string", "test", "true", "undefined", "upper"};

constexpr std::array<std::string_view, 43> kMethods = {
    "capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "get",
    "index", "isalnum", "isalpha", "isdecimal", "isdigit", "islower", "isnumeric", "isspace",
    "istitle", "isupper", "items", "join", "keys", "ljust", "lower", "lstrip", "partition",
    "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
    "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title",
    "upper", "values", "zfill"};

constexpr std::array<std::string_view, 5> kGlobals = {"dict", "namespace", "raise_exception",
                                                      "range", "strftime_now"};

constexpr std::array<std::string_view, 10> kGadgets = {
    "config", "cycler", "g", "get_flashed_messages", "joiner", "lipsum", "request", "self",
    "session", "url_for"};

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::span<const std::string_view> vocabulary_list(Vocabulary which) {
  switch (which) {
    case Vocabulary::filters: return kFilters;
    case Vocabulary::tests: return kTests;
    case Vocabulary::methods: return kMethods;
    case Vocabulary::globals: return kGlobals;
    case Vocabulary::gadgets: return kGadgets;
  }
  return {};
}

bool is_known_filter(std::string_view n) { return in(kFilters, n); }
bool is_known_test(std::string_view n) { return in(kTests, n); }
bool is_safe_method(std::string_view n) { return in(kMethods, n); }
bool is_known_global_function(std::string_view n) { return in(kGlobals, n); }
bool is_gadget_object(std::string_view n) { return in(kGadgets, n); }
bool is_loop_method(std::string_view n) { return n == "cycle" || n == "changed"; }

bool is_dunder(std::string_view n) {
  return n.size() >= 4 && n.substr(0, 2) == "__" && n.substr(n.size() - 2) == "__";
}

bool contains_dunder(std::string_view t) {
  for (std::size_t p = t.find("__"); p != std::string_view::npos; p = t.find("__", p + 1)) {
    // "__name__": identifier characters up to a closing "__".
    std::size_t q = p + 2;
    while (q < t.size() && ident_char(t[q]) && !(t[q] == '_' && q + 1 < t.size() && t[q + 1] == '_')) ++q;
    if (q > p + 2 && q + 1 < t.size() && t[q] == '_' && t[q + 1] == '_') return true;
    // "_Class__attr": a mangled private name.
    std::size_t b = p;
    while (b > 0 && ident_char(t[b - 1])) --b;
    if (b < p && t[b] == '_' && b + 1 < p && t[b + 1] != '_' && q > p + 2) return true;
  }
  return false;
}

}  // namespace modelgate::jinja
