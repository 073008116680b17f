#include "pickle/python2_names.h"

#include <map>
#include <set>

namespace modelgate::pickle {

std::pair<std::string, std::string> map_python2_name(const std::string& module, const std::string& name) {
  using Key = std::pair<std::string, std::string>;
  static const std::map<Key, Key> names = {
      {{"__builtin__", "xrange"}, {"builtins", "range"}},
      {{"__builtin__", "reduce"}, {"functools", "reduce"}},
      {{"__builtin__", "intern"}, {"sys", "intern"}},
      {{"__builtin__", "unichr"}, {"builtins", "chr"}},
      {{"__builtin__", "unicode"}, {"builtins", "str"}},
      {{"__builtin__", "long"}, {"builtins", "int"}},
      {{"itertools", "izip"}, {"builtins", "zip"}},
      {{"itertools", "imap"}, {"builtins", "map"}},
      {{"itertools", "ifilter"}, {"builtins", "filter"}},
      {{"itertools", "ifilterfalse"}, {"itertools", "filterfalse"}},
      {{"itertools", "izip_longest"}, {"itertools", "zip_longest"}},
      {{"UserDict", "IterableUserDict"}, {"collections", "UserDict"}},
      {{"UserList", "UserList"}, {"collections", "UserList"}},
      {{"UserString", "UserString"}, {"collections", "UserString"}},
      {{"whichdb", "whichdb"}, {"dbm", "whichdb"}},
      {{"_socket", "fromfd"}, {"socket", "fromfd"}},
      {{"_multiprocessing", "Connection"}, {"multiprocessing.connection", "Connection"}},
      {{"multiprocessing.process", "Process"}, {"multiprocessing.context", "Process"}},
      {{"multiprocessing.forking", "Popen"}, {"multiprocessing.popen_fork", "Popen"}},
      {{"urllib", "ContentTooShortError"}, {"urllib.error", "ContentTooShortError"}},
      {{"urllib", "getproxies"}, {"urllib.request", "getproxies"}},
      {{"urllib", "pathname2url"}, {"urllib.request", "pathname2url"}},
      {{"urllib", "quote_plus"}, {"urllib.parse", "quote_plus"}},
      {{"urllib", "quote"}, {"urllib.parse", "quote"}},
      {{"urllib", "unquote_plus"}, {"urllib.parse", "unquote_plus"}},
      {{"urllib", "unquote"}, {"urllib.parse", "unquote"}},
      {{"urllib", "url2pathname"}, {"urllib.request", "url2pathname"}},
      {{"urllib", "urlcleanup"}, {"urllib.request", "urlcleanup"}},
      {{"urllib", "urlencode"}, {"urllib.parse", "urlencode"}},
      {{"urllib", "urlopen"}, {"urllib.request", "urlopen"}},
      {{"urllib", "urlretrieve"}, {"urllib.request", "urlretrieve"}},
      {{"urllib2", "HTTPError"}, {"urllib.error", "HTTPError"}},
      {{"urllib2", "URLError"}, {"urllib.error", "URLError"}},
      {{"exceptions", "StandardError"}, {"builtins", "Exception"}},
  };
  static const std::map<std::string, std::string> modules = {
      {"__builtin__", "builtins"}, {"copy_reg", "copyreg"}, {"Queue", "queue"},
      {"SocketServer", "socketserver"}, {"ConfigParser", "configparser"}, {"repr", "reprlib"},
      {"thread", "_thread"}, {"dummy_thread", "_dummy_thread"}, {"dbhash", "dbm.bsd"},
      {"dumbdbm", "dbm.dumb"}, {"dbm", "dbm.ndbm"}, {"gdbm", "dbm.gnu"},
      {"xmlrpclib", "xmlrpc.client"}, {"SimpleXMLRPCServer", "xmlrpc.server"},
      {"DocXMLRPCServer", "xmlrpc.server"}, {"httplib", "http.client"},
      {"htmlentitydefs", "html.entities"}, {"HTMLParser", "html.parser"}, {"Cookie", "http.cookies"},
      {"cookielib", "http.cookiejar"}, {"BaseHTTPServer", "http.server"},
      {"SimpleHTTPServer", "http.server"}, {"CGIHTTPServer", "http.server"},
      {"test.test_support", "test.support"}, {"commands", "subprocess"}, {"urlparse", "urllib.parse"},
      {"robotparser", "urllib.robotparser"}, {"urllib2", "urllib.request"}, {"anydbm", "dbm"},
      {"_abcoll", "collections.abc"}, {"cPickle", "pickle"}, {"_elementtree", "xml.etree.ElementTree"},
      {"UserDict", "collections"}, {"UserList", "collections"}, {"UserString", "collections"},
      {"whichdb", "dbm"}, {"StringIO", "io"}, {"cStringIO", "io"},
      {"exceptions", "builtins"},
  };
  if (auto it = names.find({module, name}); it != names.end()) return it->second;
  if (auto it = modules.find(module); it != modules.end()) return {it->second, name};
  return {module, name};
}

}  // namespace modelgate::pickle
