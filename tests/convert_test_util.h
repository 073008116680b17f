#pragma once
// The conversion plan of a checkpoint built in a test, the way `convert` builds it: the checkpoint's
// scan (the torch profile) keeps its reading, and the plan is made from that reading, whatever the
// scan's verdict (the tests look at the planner itself).
#include <memory>
#include <string>

#include "container/checkpoint_reading.h"
#include "convert/conversion_plan.h"
#include "scan/scan_context.h"

namespace mgtest {

inline modelgate::ByteView view_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A context that scans the way `convert` does: the torch profile alone.
struct TorchScan {
  modelgate::Limits limits;
  modelgate::Policy policy;
  modelgate::pickle::Allowlist allowlist;
  modelgate::ScanContext ctx;
  explicit TorchScan(const modelgate::Limits& l = {})
      : limits(l), policy(torch_policy()), allowlist(*modelgate::pickle::Allowlist::from_profiles({"torch"}, {})),
        ctx(limits, policy, allowlist) {}
  static modelgate::Policy torch_policy() {
    modelgate::Policy p;
    p.profiles = {"torch"};
    return p;
  }
  // Scans `file` keeping its checkpoint reading into `read`.
  modelgate::ArtifactReport scan(modelgate::ByteView file, std::shared_ptr<modelgate::CheckpointReadingSlot> read) {
    modelgate::Artifact a;
    a.origin = "checkpoint";
    a.bytes = file;
    a.checkpoint_reading = std::move(read);
    return ctx.scan(a);
  }
};

inline modelgate::Expected<modelgate::convert::ConversionPlan> plan_of(const std::string& file,
                                                                        const modelgate::Limits& limits = {}) {
  TorchScan torch(limits);
  auto read = std::make_shared<modelgate::CheckpointReadingSlot>();
  torch.scan(view_of(file), read);
  return modelgate::convert::plan_conversion(view_of(file), *read, "", torch.limits);
}

}  // namespace mgtest
