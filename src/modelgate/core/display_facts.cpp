#include "core/display_facts.h"

namespace modelgate {

struct DisplayFacts::Json {
  nlohmann::json value = nlohmann::json::object();
};

DisplayFacts::DisplayFacts() noexcept = default;
DisplayFacts::DisplayFacts(const DisplayFacts& other)
    : json_(other.json_ ? std::make_unique<Json>(*other.json_) : nullptr) {}
DisplayFacts::DisplayFacts(DisplayFacts&& other) noexcept = default;
DisplayFacts& DisplayFacts::operator=(const DisplayFacts& other) {
  if (this != &other) json_ = other.json_ ? std::make_unique<Json>(*other.json_) : nullptr;
  return *this;
}
DisplayFacts& DisplayFacts::operator=(DisplayFacts&& other) noexcept = default;
DisplayFacts::~DisplayFacts() = default;

nlohmann::json& DisplayFactsAccess::json(DisplayFacts& facts) {
  if (!facts.json_) facts.json_ = std::make_unique<DisplayFacts::Json>();
  return facts.json_->value;
}

const nlohmann::json& DisplayFactsAccess::json(const DisplayFacts& facts) {
  static const nlohmann::json kNone = nlohmann::json::object();
  return facts.json_ ? facts.json_->value : kNone;
}

}  // namespace modelgate
