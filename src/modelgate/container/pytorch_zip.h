#pragma once
// PyTorch zip checkpoints (torch.save since 1.6) and TorchScript archives, read the way
// torch.load reads them: records under the first member's top-level folder, looked up via miniz.
#include <memory>

#include "container/zip_members.h"

namespace modelgate {

// True when the archive has a `<folder>/data.pkl` or `<folder>/constants.pkl` member.
bool is_torch_zip(const zip::Archive& ar);

// With a.checkpoint_reading, the archive and its data pickle (retained) are kept there.
void scan_torch_zip(const Artifact& a, std::shared_ptr<const zip::Archive> archive, NestedScan& ctx,
                    ArtifactReport& report);

}  // namespace modelgate
