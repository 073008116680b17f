#include "regex/backtracking_cost.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace modelgate::regex {

namespace {

using State = std::uint32_t;

// The Glushkov automaton: a state per character-class occurrence (state 0 starts and reads
// nothing); `next` repeats a transition once per way the pattern makes it.
struct Automaton {
  std::vector<CharSet> chars{CharSet::none()};
  std::vector<std::vector<State>> next{{}};
  std::vector<bool> accepting{false};  // the match surely succeeds on reaching the state
};

// Bounds on the automaton one pattern may make: more states or transitions is "too complex".
constexpr std::size_t kMaxStates = 1024;
constexpr std::size_t kMaxTransitions = 1'000'000;
// A bounded repetition {n,m} with more optional copies than this is read as {n,}: a superset.
constexpr std::uint32_t kMaxOptionalCopies = 32;

class GlushkovBuilder {
 public:
  explicit GlushkovBuilder(Automaton& a) : a_(a) {}
  bool overflow() const { return overflow_; }

  // `sure_last` and `surely_nullable` leave out the ways through an assertion, which may fail.
  struct Fragment {
    std::vector<State> first, last, sure_last;
    bool nullable = true;
    bool surely_nullable = true;
  };

  Fragment build(const PatternNode& n) {
    if (overflow_) return {};
    switch (n.kind) {
      case PatternNode::Kind::empty: return {};
      case PatternNode::Kind::assertion: {
        Fragment f;
        f.surely_nullable = false;
        return f;
      }
      case PatternNode::Kind::chars: {
        if (a_.chars.size() >= kMaxStates) {
          overflow_ = true;
          return {};
        }
        const auto s = static_cast<State>(a_.chars.size());
        a_.chars.push_back(n.chars);
        a_.next.emplace_back();
        a_.accepting.push_back(false);
        return {{s}, {s}, {s}, false, false};
      }
      case PatternNode::Kind::sequence: {
        Fragment f;
        for (const auto& item : n.items) f = then(std::move(f), build(item));
        return f;
      }
      case PatternNode::Kind::alternation: {
        Fragment f;
        f.nullable = f.surely_nullable = false;
        for (const auto& item : n.items) {
          Fragment g = build(item);
          f.first.insert(f.first.end(), g.first.begin(), g.first.end());
          f.last.insert(f.last.end(), g.last.begin(), g.last.end());
          f.sure_last.insert(f.sure_last.end(), g.sure_last.begin(), g.sure_last.end());
          f.nullable = f.nullable || g.nullable;
          f.surely_nullable = f.surely_nullable || g.surely_nullable;
        }
        return f;
      }
      case PatternNode::Kind::repeat: return repeat(n);
    }
    return {};
  }

  // `f` followed by `g`.
  Fragment then(Fragment f, Fragment g) {
    link(f.last, g.first);
    Fragment out;
    out.first = f.first;
    if (f.nullable) out.first.insert(out.first.end(), g.first.begin(), g.first.end());
    out.last = g.last;
    if (g.nullable) out.last.insert(out.last.end(), f.last.begin(), f.last.end());
    out.sure_last = g.sure_last;
    if (g.surely_nullable) out.sure_last.insert(out.sure_last.end(), f.sure_last.begin(), f.sure_last.end());
    out.nullable = f.nullable && g.nullable;
    out.surely_nullable = f.surely_nullable && g.surely_nullable;
    return out;
  }

 private:
  Fragment repeat(const PatternNode& n) {
    const PatternNode& x = n.items.at(0);
    const bool unbounded = !n.max || *n.max - n.min > kMaxOptionalCopies;
    if (n.min > kMaxStates) {
      overflow_ = true;
      return {};
    }
    Fragment f;
    for (std::uint32_t i = 0; i + (unbounded && n.min > 0 ? 1 : 0) < n.min; ++i) f = then(std::move(f), build(x));
    if (unbounded) {
      Fragment loop = build(x);
      link(loop.last, loop.first);
      if (n.min == 0) loop.nullable = loop.surely_nullable = true;
      return then(std::move(f), std::move(loop));
    }
    // (x(x(x)?)?)? for the optional copies.
    Fragment tail;
    for (std::uint32_t i = n.min; i < *n.max; ++i) {
      tail = then(build(x), std::move(tail));
      tail.nullable = tail.surely_nullable = true;
    }
    return then(std::move(f), std::move(tail));
  }

  void link(const std::vector<State>& from, const std::vector<State>& to) {
    for (State s : from) {
      if (transitions_ + to.size() > kMaxTransitions) {
        overflow_ = true;
        return;
      }
      transitions_ += to.size();
      a_.next[s].insert(a_.next[s].end(), to.begin(), to.end());
    }
  }

  Automaton& a_;
  bool overflow_ = false;
  std::size_t transitions_ = 0;
};

// Strongly connected components (iterative Tarjan). Components are numbered in reverse
// topological order: an edge leads to a component of the same or a lower number.
struct Components {
  std::vector<std::uint32_t> of;
  std::uint32_t count = 0;
};

template <class Successors>
Components components(std::size_t n, Successors&& successors) {
  Components c;
  c.of.assign(n, UINT32_MAX);
  std::vector<std::uint32_t> index(n, UINT32_MAX), low(n, 0);
  std::vector<std::size_t> stack;
  std::vector<bool> on_stack(n, false);
  std::uint32_t next_index = 0;
  struct Frame {
    std::size_t v;
    std::size_t edge;
  };
  std::vector<Frame> frames;
  std::vector<std::size_t> succ;
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] != UINT32_MAX) continue;
    frames.push_back({root, 0});
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      Frame& f = frames.back();
      const auto& out = successors(f.v);
      if (f.edge < out.size()) {
        const std::size_t w = out[f.edge++];
        if (index[w] == UINT32_MAX) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          frames.push_back({w, 0});
        } else if (on_stack[w]) {
          low[f.v] = std::min(low[f.v], index[w]);
        }
        continue;
      }
      const std::size_t v = f.v;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().v] = std::min(low[frames.back().v], low[v]);
      if (low[v] == index[v]) {
        for (;;) {
          const std::size_t w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          c.of[w] = c.count;
          if (w == v) break;
        }
        ++c.count;
      }
    }
  }
  return c;
}

class Analysis {
 public:
  Analysis(const Automaton& a, std::uint64_t work_limit) : a_(a), limit_(work_limit) {
    const std::size_t n = a.chars.size();
    succ_.resize(n);
    for (std::size_t s = 0; s < n; ++s) {
      succ_[s] = a.next[s];
      std::sort(succ_[s].begin(), succ_[s].end());
      succ_[s].erase(std::unique(succ_[s].begin(), succ_[s].end()), succ_[s].end());
    }
    pred_.resize(n);
    for (std::size_t s = 0; s < n; ++s)
      for (State t : succ_[s]) pred_[t].push_back(static_cast<State>(s));
    scc_ = components(n, [this](std::size_t v) -> const std::vector<State>& { return succ_[v]; });
    members_.resize(scc_.count);
    for (std::size_t s = 0; s < n; ++s) members_[scc_.of[s]].push_back(static_cast<State>(s));
    cyclic_.assign(scc_.count, false);
    for (std::size_t s = 0; s < n; ++s)
      for (State t : succ_[s])
        if (scc_.of[t] == scc_.of[s]) cyclic_[scc_.of[s]] = true;
    // A loop through a state where the match surely succeeds ends the search the first time round.
    open_.assign(scc_.count, false);
    for (std::size_t s = 0; s < n; ++s)
      if (!a.accepting[s]) open_[scc_.of[s]] = true;
  }

  BacktrackingCost run() {
    BacktrackingCost cost;
    cost.exponential = parallel_transition_in_a_loop() || ambiguous_loop();
    if (!cost.exponential && !over_) cost.polynomial_degree = polynomial_degree();
    if (over_) return BacktrackingCost{false, 0, true};
    return cost;
  }

 private:
  bool spend(std::uint64_t n) {
    work_ += n;
    if (work_ > limit_) over_ = true;
    return !over_;
  }

  // (a+)+: a transition made in two ways, inside a loop.
  bool parallel_transition_in_a_loop() {
    for (std::size_t s = 0; s < a_.next.size(); ++s) {
      std::vector<State> all = a_.next[s];
      std::sort(all.begin(), all.end());
      for (std::size_t i = 1; i < all.size(); ++i)
        if (all[i] == all[i - 1] && scc_.of[all[i]] == scc_.of[s] && open_[scc_.of[s]]) return true;
    }
    return false;
  }

  // Two different paths from a state back to itself reading the same word: in the product of the
  // automaton with itself, a component holding a pair (q, q) and a pair (p, r) with p != r.
  bool ambiguous_loop() {
    for (std::uint32_t c = 0; c < scc_.count && !over_; ++c) {
      if (!cyclic_[c] || !open_[c] || members_[c].size() < 2) continue;
      const auto& m = members_[c];
      const std::size_t k = m.size();
      if (!spend(k * k)) return false;
      std::vector<std::uint32_t> local(a_.chars.size(), UINT32_MAX);
      for (std::size_t i = 0; i < k; ++i) local[m[i]] = static_cast<std::uint32_t>(i);
      std::vector<std::vector<std::size_t>> edges(k * k);
      for (std::size_t i = 0; i < k && !over_; ++i)
        for (std::size_t j = 0; j < k && !over_; ++j) {
          auto& out = edges[i * k + j];
          spend(succ_[m[i]].size() * succ_[m[j]].size());
          for (State x : succ_[m[i]]) {
            if (local[x] == UINT32_MAX) continue;
            for (State y : succ_[m[j]])
              if (local[y] != UINT32_MAX && a_.chars[x].overlaps(a_.chars[y])) out.push_back(local[x] * k + local[y]);
          }
        }
      if (over_) return false;
      Components pc = components(k * k, [&edges](std::size_t v) -> const std::vector<std::size_t>& { return edges[v]; });
      std::vector<std::uint8_t> seen(pc.count, 0);  // bit 0: a diagonal pair, bit 1: another pair
      for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j) seen[pc.of[i * k + j]] |= i == j ? 1 : 2;
      for (auto s : seen)
        if (s == 3) return true;
    }
    return false;
  }

  // The longest chain of loops S1 -> S2 -> ... where each step (p in Si, q in Si+1) has a word w
  // with p -w-> p, p -w-> q and q -w-> q (a path from (p, p, q) to (p, q, q) in the automaton cubed).
  int polynomial_degree() {
    const std::size_t n = a_.chars.size();
    std::vector<std::vector<std::uint32_t>> ida(scc_.count);
    std::vector<std::vector<bool>> reach(n);
    for (std::size_t s = 0; s < n && !over_; ++s)
      if (cyclic_[scc_.of[s]]) reach[s] = reachable_from(static_cast<State>(s));
    for (std::size_t p = 0; p < n && !over_; ++p) {
      if (!cyclic_[scc_.of[p]]) continue;
      for (std::size_t q = 0; q < n && !over_; ++q) {
        const auto sp = scc_.of[p], sq = scc_.of[q];
        if (sp == sq || !cyclic_[sq] || !reach[p][q] || a_.accepting[q]) continue;
        if (std::find(ida[sp].begin(), ida[sp].end(), sq) != ida[sp].end()) continue;
        if (pumps_together(static_cast<State>(p), static_cast<State>(q), reach[p])) ida[sp].push_back(sq);
      }
    }
    if (over_) return 0;
    // Components are numbered so that edges go to lower numbers: chains are longest from the bottom up.
    std::vector<int> longest(scc_.count, 0);
    int degree = 0;
    for (std::uint32_t c = 0; c < scc_.count; ++c) {
      for (auto d : ida[c]) longest[c] = std::max(longest[c], longest[d] + 1);
      degree = std::max(degree, longest[c]);
    }
    return degree;
  }

  std::vector<bool> reachable_from(State s) {
    std::vector<bool> seen(a_.chars.size(), false);
    std::vector<State> todo{s};
    while (!todo.empty() && !over_) {
      State v = todo.back();
      todo.pop_back();
      spend(succ_[v].size());
      for (State w : succ_[v])
        if (!seen[w]) {
          seen[w] = true;
          todo.push_back(w);
        }
    }
    return seen;
  }

  bool pumps_together(State p, State q, const std::vector<bool>& from_p) {
    const std::size_t n = a_.chars.size();
    // The middle path goes from p to q: through states p reaches and that reach q.
    std::vector<bool> to_q(n, false);
    to_q[q] = true;
    for (std::vector<State> todo{q}; !todo.empty() && !over_;) {
      const State v = todo.back();
      todo.pop_back();
      spend(pred_[v].size() + 1);
      for (State u : pred_[v])
        if (!to_q[u]) {
          to_q[u] = true;
          todo.push_back(u);
        }
    }
    const auto sp = scc_.of[p], sq = scc_.of[q];
    auto key = [n](std::uint64_t x, std::uint64_t y, std::uint64_t z) { return (x * n + y) * n + z; };
    std::unordered_set<std::uint64_t> seen;
    std::vector<std::uint64_t> todo{key(p, p, q)};
    const std::uint64_t target = key(p, q, q);
    while (!todo.empty() && !over_) {
      const std::uint64_t k = todo.back();
      todo.pop_back();
      const auto z = static_cast<State>(k % n), y = static_cast<State>((k / n) % n), x = static_cast<State>(k / n / n);
      spend(succ_[x].size() * succ_[y].size() * succ_[z].size() + 1);
      if (over_) break;
      for (State x2 : succ_[x]) {
        if (scc_.of[x2] != sp) continue;
        for (State y2 : succ_[y]) {
          if (!from_p[y2] || !to_q[y2]) continue;
          for (State z2 : succ_[z]) {
            if (scc_.of[z2] != sq || !CharSet::common(a_.chars[x2], a_.chars[y2], a_.chars[z2])) continue;
            const std::uint64_t k2 = key(x2, y2, z2);
            if (k2 == target) return true;
            if (seen.insert(k2).second) todo.push_back(k2);
          }
        }
      }
    }
    return false;
  }

  const Automaton& a_;
  std::uint64_t limit_;
  std::uint64_t work_ = 0;
  bool over_ = false;
  std::vector<std::vector<State>> succ_, pred_;
  Components scc_;
  std::vector<std::vector<State>> members_;
  std::vector<bool> cyclic_;
  std::vector<bool> open_;  // by component: holds a state where the match is not yet sure to succeed
};

BacktrackingCost cost_of(const PatternNode& root, std::uint64_t work_limit) {
  Automaton a;
  GlushkovBuilder builder(a);
  auto f = builder.build(root);
  if (builder.overflow()) return BacktrackingCost{false, 0, true};
  a.next[0] = f.first;
  for (State s : f.sure_last) a.accepting[s] = true;
  return Analysis(a, work_limit).run();
}

}  // namespace

BacktrackingCost backtracking_cost(const ParsedPattern& pattern, std::uint64_t work_limit) {
  BacktrackingCost cost = cost_of(pattern.root, work_limit);
  for (const auto& body : pattern.lookarounds) {
    BacktrackingCost c = cost_of(body, work_limit);
    cost.exponential = cost.exponential || c.exponential;
    cost.polynomial_degree = std::max(cost.polynomial_degree, c.polynomial_degree);
    cost.too_complex = cost.too_complex || c.too_complex;
  }
  return cost;
}

}  // namespace modelgate::regex
