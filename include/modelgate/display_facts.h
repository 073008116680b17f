#pragma once
// Format details a parser shows (counts, versions, header fields): the JSON report renders them
// under an artifact's `facts`; nothing that decides reads them. Opaque, so that the public headers
// carry no JSON library; the library reaches the JSON object behind it through
// src/modelgate/core/display_facts.h. A value: a copy is a deep copy.
#include <memory>

namespace modelgate {

class DisplayFacts {
 public:
  DisplayFacts() noexcept;
  DisplayFacts(const DisplayFacts& other);
  DisplayFacts(DisplayFacts&& other) noexcept;
  DisplayFacts& operator=(const DisplayFacts& other);
  DisplayFacts& operator=(DisplayFacts&& other) noexcept;
  ~DisplayFacts();

 private:
  friend struct DisplayFactsAccess;
  struct Json;
  std::unique_ptr<Json> json_;  // null until the first write: an empty object
};

}  // namespace modelgate
