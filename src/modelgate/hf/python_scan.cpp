#include "hf/python_scan.h"

#include <map>
#include <set>
#include <unordered_map>

#include "core/rule_catalog.h"
#include "hf/python_lexer.h"
#include "hf/python_source.h"
#include "modelgate/rules.h"

namespace modelgate {

namespace {

using python::TokKind;
using python::Token;

struct Danger {
  std::string_view prefix;  // dotted name or module; matches itself and anything below it
  RuleId rule;
  std::string_view what;
};

constexpr RuleId kProcess = "MG-PY-PROCESS";
constexpr RuleId kFileWrite = "MG-PY-FILE-WRITE";
constexpr RuleId kNetwork = "MG-PY-NETWORK";
constexpr RuleId kEval = "MG-PY-EVAL";
constexpr RuleId kImportHiding = "MG-PY-IMPORT-HIDING";
constexpr RuleId kDeserialize = "MG-PY-DESERIALIZE";
constexpr RuleId kNative = "MG-PY-NATIVE";

const std::vector<Danger>& dangers() {
  static const std::vector<Danger> d = {
      {"os.system", kProcess, "runs a shell command"},
      {"os.popen", kProcess, "runs a shell command"},
      {"os.exec", kProcess, "replaces the process"},
      {"os.spawn", kProcess, "starts a process"},
      {"os.posix_spawn", kProcess, "starts a process"},
      {"os.fork", kProcess, "forks the process"},
      {"os.forkpty", kProcess, "forks the process"},
      {"os.startfile", kProcess, "starts a program"},
      {"os.kill", kProcess, "signals a process"},
      {"subprocess", kProcess, "starts processes"},
      {"pty", kProcess, "spawns a terminal process"},
      {"commands", kProcess, "runs shell commands"},
      {"platform.popen", kProcess, "runs a shell command"},
      {"os.remove", kFileWrite, "deletes a file"},
      {"os.unlink", kFileWrite, "deletes a file"},
      {"os.rmdir", kFileWrite, "deletes a directory"},
      {"os.removedirs", kFileWrite, "deletes directories"},
      {"os.rename", kFileWrite, "renames a file"},
      {"os.renames", kFileWrite, "renames files"},
      {"os.replace", kFileWrite, "replaces a file"},
      {"os.chmod", kFileWrite, "changes permissions"},
      {"os.chown", kFileWrite, "changes ownership"},
      {"os.symlink", kFileWrite, "creates a symlink"},
      {"os.link", kFileWrite, "creates a hard link"},
      {"os.truncate", kFileWrite, "truncates a file"},
      {"os.write", kFileWrite, "writes to a file descriptor"},
      {"os.mkfifo", kFileWrite, "creates a FIFO"},
      {"os.makedirs", kFileWrite, "creates directories"},
      {"os.mkdir", kFileWrite, "creates a directory"},
      {"shutil.rmtree", kFileWrite, "deletes a tree"},
      {"shutil.move", kFileWrite, "moves files"},
      {"shutil.copy", kFileWrite, "copies files"},
      {"shutil.copyfile", kFileWrite, "copies a file"},
      {"shutil.copytree", kFileWrite, "copies a tree"},
      {"shutil.copy2", kFileWrite, "copies a file"},
      {"shutil.unpack_archive", kFileWrite, "unpacks an archive"},
      {"socket", kNetwork, "opens network sockets"},
      {"socketserver", kNetwork, "serves network connections"},
      {"urllib", kNetwork, "fetches URLs"},
      {"urllib2", kNetwork, "fetches URLs"},
      {"urllib3", kNetwork, "fetches URLs"},
      {"requests", kNetwork, "makes HTTP requests"},
      {"httpx", kNetwork, "makes HTTP requests"},
      {"aiohttp", kNetwork, "makes HTTP requests"},
      {"http.client", kNetwork, "makes HTTP requests"},
      {"http.server", kNetwork, "serves HTTP"},
      {"ftplib", kNetwork, "uses FTP"},
      {"smtplib", kNetwork, "sends mail"},
      {"telnetlib", kNetwork, "uses telnet"},
      {"paramiko", kNetwork, "opens SSH connections"},
      {"pycurl", kNetwork, "fetches URLs"},
      {"websocket", kNetwork, "opens websockets"},
      {"websockets", kNetwork, "opens websockets"},
      {"xmlrpc", kNetwork, "makes RPC calls"},
      {"builtins.eval", kEval, "evaluates code"},
      {"builtins.exec", kEval, "executes code"},
      {"builtins.compile", kEval, "compiles code"},
      {"builtins.__import__", kImportHiding, "imports a module by computed name"},
      {"__builtins__", kEval, "reaches the builtins namespace"},
      {"importlib", kImportHiding, "imports modules by computed name"},
      {"imp", kImportHiding, "loads modules by path"},
      {"runpy", kImportHiding, "runs modules"},
      {"zipimport", kImportHiding, "imports code from archives"},
      {"pickle.loads", kDeserialize, "unpickles data (runs code)"},
      {"pickle.load", kDeserialize, "unpickles data (runs code)"},
      {"pickle.Unpickler", kDeserialize, "unpickles data (runs code)"},
      {"_pickle", kDeserialize, "unpickles data (runs code)"},
      {"cPickle", kDeserialize, "unpickles data (runs code)"},
      {"dill", kDeserialize, "unpickles data (runs code)"},
      {"cloudpickle", kDeserialize, "unpickles data (runs code)"},
      {"shelve", kDeserialize, "unpickles data (runs code)"},
      {"marshal", kDeserialize, "loads code objects"},
      {"yaml.unsafe_load", kDeserialize, "constructs arbitrary Python objects"},
      {"ctypes", kNative, "calls native code"},
      {"cffi", kNative, "calls native code"},
  };
  return d;
}

const Danger* find_danger(const std::string& dotted) {
  const Danger* best = nullptr;
  for (const auto& d : dangers()) {
    if (dotted.size() < d.prefix.size() || dotted.compare(0, d.prefix.size(), d.prefix) != 0) continue;
    // Module prefixes match whole components; "os.exec"/"os.spawn" also match os.execv, os.spawnl...
    bool boundary = dotted.size() == d.prefix.size() || dotted[d.prefix.size()] == '.' ||
                    d.prefix == "os.exec" || d.prefix == "os.spawn" || d.prefix == "os.posix_spawn";
    if (boundary && (best == nullptr || d.prefix.size() > best->prefix.size())) best = &d;
  }
  return best;
}

bool is_decoder(const std::string& dotted) {
  static const std::set<std::string> k = {
      "base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.a85decode", "base64.b85decode",
      "base64.decodebytes", "base64.decodestring", "base64.urlsafe_b64decode", "codecs.decode",
      "binascii.a2b_base64", "binascii.unhexlify", "binascii.a2b_hex", "bytes.fromhex", "zlib.decompress",
      "lzma.decompress", "bz2.decompress", "gzip.decompress"};
  return k.count(dotted) != 0;
}

class Scanner {
 public:
  Scanner(const std::vector<Token>& t, const std::string& origin, ArtifactReport& report)
      : t_(t), origin_(origin), report_(report) {}

  // Modules named by import statements (relative ones with their leading dots), in order.
  const std::set<std::string>& imports() const { return imports_; }

  void run() {
    for (std::size_t i = 0; i < t_.size(); ++i) {
      const Token& tok = t_[i];
      if (tok.kind != TokKind::name) continue;
      bool stmt_start = i == 0 || t_[i - 1].kind == TokKind::newline || is_op(i - 1, ";") || is_op(i - 1, ":");
      if (tok.text == "import" && stmt_start) {
        i = parse_import(i + 1, "");
        continue;
      }
      if (tok.text == "from" && stmt_start) {
        i = parse_from(i + 1);
        continue;
      }
      if (i > 0 && is_op(i - 1, ".")) {  // an attribute, handled with its head, except:
        // methods that write files whatever the receiver (pathlib.Path(...).write_text)
        if ((tok.text == "write_text" || tok.text == "write_bytes") && is_op(i + 1, "("))
          add(kFileWrite, tok.offset, tok.line, "calls " + std::string(tok.text) + "(), writing a file",
              std::string(tok.text));
        continue;
      }
      if (i > 0 && t_[i - 1].kind == TokKind::name && (t_[i - 1].text == "def" || t_[i - 1].text == "class")) continue;
      reference(i);
    }
    if (decoder_line_ && exec_line_)
      add("MG-PY-ENCODED-PAYLOAD", decoder_offset_, decoder_line_,
          "decodes data with " + decoder_name_ + " and executes or deserialises code (first at line " +
              std::to_string(exec_line_) + ")",
          decoder_name_);
  }

 private:
  bool is_op(std::size_t i, std::string_view op) const {
    return i < t_.size() && t_[i].kind == TokKind::op && t_[i].text == op;
  }
  bool is_name(std::size_t i, std::string_view n) const {
    return i < t_.size() && t_[i].kind == TokKind::name && t_[i].text == n;
  }

  void add(RuleId rule_id, std::uint32_t offset, std::uint32_t line, std::string message,
           std::string evidence) {
    if (!reported_.insert({std::string(rule_id.view()), line}).second) return;
    if (++count_ > 200) return;
    report_.add(make_finding(rule(rule_id), origin_, offset, message + " (line " + std::to_string(line) + ")",
                             std::move(evidence)));
  }

  void flag(const std::string& dotted, const Token& at, bool via_import) {
    if (is_decoder(dotted) && decoder_line_ == 0) {
      decoder_line_ = at.line;
      decoder_offset_ = at.offset;
      decoder_name_ = dotted;
    }
    const Danger* d = find_danger(dotted);
    if (d == nullptr) return;
    if (d->rule == kEval || d->rule == kDeserialize || d->rule == kImportHiding)
      if (exec_line_ == 0) exec_line_ = at.line;
    add(d->rule, at.offset, at.line,
        std::string(via_import ? "imports " : "uses ") + dotted + ", which " + std::string(d->what), dotted);
  }

  // Reads a dotted name starting at token i; returns the index after it.
  std::size_t dotted(std::size_t i, std::string& out) const {
    out.clear();
    while (i < t_.size() && t_[i].kind == TokKind::name) {
      out += t_[i].text;
      if (!is_op(i + 1, ".") || i + 2 >= t_.size() || t_[i + 2].kind != TokKind::name) return i + 1;
      out += '.';
      i += 2;
    }
    return i;
  }

  std::size_t parse_import(std::size_t i, const std::string&) {
    while (i < t_.size() && t_[i].kind != TokKind::newline && !is_op(i, ";")) {
      std::string module;
      const Token& at = t_[i];
      std::size_t next = dotted(i, module);
      if (next == i) return i;  // not a name: let the main loop continue
      i = next;
      std::string alias = module.substr(0, module.find('.'));
      std::string target = alias;
      if (is_name(i, "as") && i + 1 < t_.size() && t_[i + 1].kind == TokKind::name) {
        alias = std::string(t_[i + 1].text);
        target = module;
        i += 2;
      }
      aliases_[alias] = target;
      imports_.insert(module);
      flag(module, at, true);
      if (is_op(i, ",")) ++i;
      else break;
    }
    return i;
  }

  std::size_t parse_from(std::size_t i) {
    std::string module;
    while (is_op(i, ".")) {
      module += '.';
      ++i;
    }
    std::string rest;
    if (!is_name(i, "import")) i = dotted(i, rest);  // "from . import x" names no module after the dots
    module += rest;
    if (!is_name(i, "import")) return i;
    imports_.insert(module);
    ++i;
    bool paren = is_op(i, "(");
    if (paren) ++i;
    while (i < t_.size() && (paren || (t_[i].kind != TokKind::newline && !is_op(i, ";")))) {
      if (paren && is_op(i, ")")) break;
      if (t_[i].kind == TokKind::newline) {
        ++i;
        continue;
      }
      const Token& at = t_[i];
      if (is_op(i, "*")) {
        flag(module, at, true);
        ++i;
      } else if (t_[i].kind == TokKind::name) {
        std::string name(t_[i].text);
        std::string alias = name;
        ++i;
        if (is_name(i, "as") && i + 1 < t_.size() && t_[i + 1].kind == TokKind::name) {
          alias = std::string(t_[i + 1].text);
          i += 2;
        }
        std::string full = module + "." + name;
        // "from . import name" may import the module file name.py
        if (module.find_first_not_of('.') == std::string::npos) imports_.insert(module + name);
        aliases_[alias] = full;
        flag(find_danger(full) ? full : module, at, true);
      } else {
        ++i;
      }
      if (is_op(i, ",")) ++i;
      else if (!paren) break;
    }
    return i;
  }

  void reference(std::size_t i) {
    std::string name;
    std::size_t next = dotted(i, name);
    std::string head = name.substr(0, name.find('.'));
    std::string tail = name.size() > head.size() ? name.substr(head.size()) : std::string();
    auto alias = aliases_.find(head);
    bool call = is_op(next, "(");
    const Token& at = t_[i];
    if (alias != aliases_.end()) {
      flag(alias->second + tail, at, false);
      return;
    }
    // getattr(module, "name") with a literal name: the same as module.name.
    if (name == "getattr" && call && next + 4 < t_.size() && t_[next + 1].kind == TokKind::name &&
        is_op(next + 2, ",") && t_[next + 3].kind == TokKind::string) {
      std::string mod(t_[next + 1].text);
      auto a = aliases_.find(mod);
      flag((a != aliases_.end() ? a->second : mod) + "." + std::string(t_[next + 3].text), at, false);
    }
    // Builtins reached by bare name.
    if (tail.empty() && call) {
      if (head == "eval" || head == "exec" || head == "compile" || head == "execfile") {
        if (exec_line_ == 0) exec_line_ = at.line;
        add(kEval, at.offset, at.line, "calls " + head + "(), which runs code built at run time", head);
        return;
      }
      if (head == "__import__") {
        if (exec_line_ == 0) exec_line_ = at.line;
        add(kImportHiding, at.offset, at.line, "calls __import__(), importing a module by computed name", head);
        return;
      }
      if (head == "open" && opens_for_writing(next)) {
        add(kFileWrite, at.offset, at.line, "opens a file for writing", "open(..., 'w')");
        return;
      }
    }
    if (head == "__builtins__") {
      flag("__builtins__", at, false);
      return;
    }
    // Unimported but fully qualified uses (os.system without a visible import).
    if (!tail.empty()) flag(name, at, false);
  }

  // open(path, "w") / open(path, mode="a"): a mode string with w, a, x or +.
  bool opens_for_writing(std::size_t paren) const {
    int depth = 0;
    std::size_t arg = 0;
    for (std::size_t i = paren; i < t_.size(); ++i) {
      if (t_[i].kind == TokKind::op) {
        std::string_view o = t_[i].text;
        if (o == "(" || o == "[" || o == "{") ++depth;
        else if (o == ")" || o == "]" || o == "}") {
          if (--depth == 0) return false;
        } else if (o == "," && depth == 1) {
          ++arg;
        }
        continue;
      }
      if (depth != 1 || t_[i].kind != TokKind::string) continue;
      bool kw_mode = i >= 2 && is_op(i - 1, "=") && is_name(i - 2, "mode");
      if (arg != 1 && !kw_mode) continue;
      std::string_view m = t_[i].text;
      if (m.empty() || m.size() > 4 || m.find_first_not_of("rwxabt+U") != std::string_view::npos) continue;
      if (m.find_first_of("wax+") != std::string_view::npos) return true;
    }
    return false;
  }

  const std::vector<Token>& t_;
  const std::string& origin_;
  ArtifactReport& report_;
  std::unordered_map<std::string, std::string> aliases_;
  std::set<std::string> imports_;
  std::set<std::pair<std::string, std::uint32_t>> reported_;
  std::size_t count_ = 0;
  std::uint32_t decoder_line_ = 0, decoder_offset_ = 0, exec_line_ = 0;
  std::string decoder_name_;
};

}  // namespace

void analyse_python_source(std::string_view bytes, const std::string& origin, const Limits& limits,
                           ArtifactReport& report) {
  auto too_large = [&](std::size_t size) {
    if (size <= limits.max_python_bytes) return false;
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), origin, std::nullopt,
                            "Python source of " + std::to_string(size) + " bytes exceeds the limit of " +
                                std::to_string(limits.max_python_bytes)));
    return true;
  };
  if (too_large(bytes.size())) return;
  auto code = [&](std::string evidence) {
    report.add(make_finding(rule("MG-PY-CODE"), origin, std::nullopt,
                            "Python source: code that runs if the repository's remote code is trusted",
                            std::move(evidence)));
  };
  auto decoded = python::decode_source(bytes);
  if (!decoded) {
    code({});
    report.add(make_finding(rule("MG-PY-ENCODING"), origin, decoded.error().offset, decoded.error().reason));
    return;
  }
  if (decoded->encoding != "utf-8") report.details.python_encoding = decoded->encoding;
  if (too_large(decoded->text.size())) return;
  auto lexed = python::lex(decoded->text, limits.max_python_bytes);
  if (!lexed) {
    code({});
    const Error& e = lexed.error();
    report.add(make_finding(rule("MG-PY-MALFORMED"), origin, e.offset,
                            "cannot tokenize Python source at line " +
                                std::to_string(python::line_of(decoded->text, e.offset)) + ": " + e.reason));
    return;
  }
  Scanner scanner(lexed->tokens, origin, report);
  scanner.run();
  std::string evidence;
  for (const auto& m : scanner.imports()) {
    if (evidence.size() > 400) {
      evidence += ", ...";
      break;
    }
    evidence += (evidence.empty() ? "imports " : ", ") + m;
  }
  code(evidence.empty() ? "imports nothing" : evidence);
  report.parsed.python_imports.emplace(scanner.imports().begin(), scanner.imports().end());
}

}  // namespace modelgate
