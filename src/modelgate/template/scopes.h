#pragma once
// Which binding a name refers to, by Jinja's scoping rules rather than by its spelling: a macro's
// parameters and the names it sets are its own, a loop's target and the names its body sets are
// the loop's (they do not leak out), a call block's parameters and a `with` block's names are
// theirs; `if` does not open a scope. A template often reuses a spelling (`content` as a macro
// parameter and as a top-level `set`), and one spelling for both would make every use of one take
// the other's values too.
//
// A variable is named by its spelling at the template's top level and "name@scope" elsewhere. A
// read may see several: a name a scope only `set`s may be read before the `set` runs and then
// resolves outward (Jinja aliases the outer value), so every enclosing binding of the spelling up
// to the first definitive one (a loop target, a macro, call-block or `with` parameter) is a
// candidate. Bodies whose scoping is not modelled (set blocks, filter blocks, blocks, a loop's
// else) are taken as part of the enclosing scope: more candidates, never fewer.
#include <string>
#include <unordered_map>
#include <vector>

#include "template/ast.h"

namespace modelgate::jinja {

class Scopes {
 public:
  explicit Scopes(const Ast& ast);

  struct Read {
    std::vector<std::string> variables;  // innermost first
    bool open = true;  // no definitive binding on the way: may be a context variable or global
  };
  // The variable a binding node binds: a name target, a macro or call-block parameter (a name or
  // keyword node), a macro or import alias (its node).
  std::string variable(NodeId binding) const;
  // What a name node refers to (a binding target refers to its own variable).
  const Read& read(NodeId name) const;

 private:
  struct Scope {
    int parent = -1;
    std::unordered_map<std::string, bool> binds;  // spelling -> definitive
  };
  void walk(NodeId id, int scope, unsigned depth);
  void target(NodeId id, int scope, bool definitive, unsigned depth);
  void bind(NodeId binding, const std::string& spelling, int scope, bool definitive);
  int open_scope(int parent);
  std::string key(const std::string& spelling, int scope) const;

  const Ast& ast_;
  std::vector<Scope> scopes_;
  std::unordered_map<NodeId, std::string> variables_;  // binding node -> variable
  std::unordered_map<NodeId, int> reads_at_;            // name node read -> its scope
  std::unordered_map<NodeId, Read> reads_;
  Read unknown_;
};

}  // namespace modelgate::jinja
