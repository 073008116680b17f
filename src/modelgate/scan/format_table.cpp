#include "scan/format_table.h"

namespace modelgate {

namespace {

struct FormatEntry {
  std::string_view name;  // ArtifactReport::format
  ScannerFn scanner;
};

// The name and scanner columns of identify/format_list.inc.
FormatEntry format_entry(Format f) {
  switch (f) {
#define MG_FORMAT(id, name, probe, scanner, component) \
  case Format::id: return {name, scanner};
#define MG_PROBE(id, probe)
#include "identify/format_list.inc"
#undef MG_FORMAT
#undef MG_PROBE
  }
  return {"unknown", scan_unknown_file};
}

}  // namespace

ScannerFn scanner_for(Format f) { return format_entry(f).scanner; }

std::string_view format_name(Format f) { return format_entry(f).name; }

}  // namespace modelgate
