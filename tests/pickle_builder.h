#pragma once
// Hand-assembles pickle streams opcode by opcode, for tests and fuzz seeds.
#include <cstdint>
#include <string>

namespace mgtest {

class PickleBuilder {
 public:
  PickleBuilder& raw(const std::string& bytes) { s_ += bytes; return *this; }
  PickleBuilder& op(unsigned char c) { s_ += static_cast<char>(c); return *this; }
  PickleBuilder& proto(int p) { return op(0x80).op(static_cast<unsigned char>(p)); }
  PickleBuilder& mark() { return op('('); }
  PickleBuilder& stop() { return op('.'); }
  PickleBuilder& none() { return op('N'); }
  PickleBuilder& line(const std::string& text) { s_ += text + "\n"; return *this; }
  // GLOBAL module\nname\n
  PickleBuilder& global(const std::string& module, const std::string& name) {
    return op('c').line(module).line(name);
  }
  PickleBuilder& inst(const std::string& module, const std::string& name) {
    return op('i').line(module).line(name);
  }
  PickleBuilder& u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s_ += static_cast<char>((v >> (8 * i)) & 0xFF);
    return *this;
  }
  PickleBuilder& u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) s_ += static_cast<char>((v >> (8 * i)) & 0xFF);
    return *this;
  }
  // SHORT_BINUNICODE / BINUNICODE depending on length
  PickleBuilder& str(const std::string& v) {
    if (v.size() < 256) return op(0x8c).op(static_cast<unsigned char>(v.size())).raw(v);
    return op('X').u32(static_cast<std::uint32_t>(v.size())).raw(v);
  }
  PickleBuilder& bytes(const std::string& v) {
    if (v.size() < 256) return op('C').op(static_cast<unsigned char>(v.size())).raw(v);
    return op('B').u32(static_cast<std::uint32_t>(v.size())).raw(v);
  }
  PickleBuilder& binint1(unsigned v) { return op('K').op(static_cast<unsigned char>(v)); }
  PickleBuilder& binint(std::int32_t v) { return op('J').u32(static_cast<std::uint32_t>(v)); }
  PickleBuilder& stack_global(const std::string& module, const std::string& name) {
    return str(module).str(name).op(0x93);
  }
  PickleBuilder& tuple1() { return op(0x85); }
  PickleBuilder& tuple2() { return op(0x86); }
  PickleBuilder& reduce() { return op('R'); }
  PickleBuilder& binput(unsigned i) { return op('q').op(static_cast<unsigned char>(i)); }
  PickleBuilder& binget(unsigned i) { return op('h').op(static_cast<unsigned char>(i)); }
  // callable(*args) with one string argument: GLOBAL + arg + TUPLE1 + REDUCE
  PickleBuilder& call1(const std::string& module, const std::string& name, const std::string& arg) {
    return global(module, name).str(arg).tuple1().reduce();
  }
  const std::string& str_value() const { return s_; }
  std::string done() { return s_; }

 private:
  std::string s_;
};

}  // namespace mgtest
