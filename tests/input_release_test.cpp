// The pickle machine lets go of the input pages it has read past (MachineOptions::input_owner,
// ByteSource::release), so that a pickle of hundreds of megabytes is not held in memory whole. That
// must change nothing the machine reports, must only ever reach pages of a file mapping, and must
// leave the bytes readable (the file gives them back).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/bytes.h"
#include "pickle/machine.h"
#include "pickle_builder.h"
#include "support/machine_reference.h"
#include "test_util.h"

namespace input_release_test {

using namespace modelgate;
using modelgate::pickle::result_difference;
using mgtest::PickleBuilder;

namespace {

const pickle::Allowlist& allowlist() {
  static const auto a = pickle::Allowlist::from_profiles({"python-data"}, {});
  return *a;
}

// A list of OrderedDict() calls each followed by a 4 KiB string: about 12 MiB, so that the machine
// passes its release step, with a dangerous call at the start whose text lies in released pages.
std::string large_pickle() {
  PickleBuilder b;
  b.proto(2).op(']');
  b.global("os", "system").str("touch /tmp/modelgate-never-run").op(0x85).op('R').op('a');
  const std::string padding(4000, 'p');
  for (int i = 0; i < 3000; ++i) b.global("collections", "OrderedDict").op(')').op('R').op('a').str(padding).op('a');
  return b.stop().done();
}

// Records what it is asked to release; keeps every byte.
class RecordingSource final : public ByteSource {
 public:
  explicit RecordingSource(std::string bytes) : bytes_(std::move(bytes)) {}
  ByteView bytes() const override { return {reinterpret_cast<const std::uint8_t*>(bytes_.data()), bytes_.size()}; }
  void release(ByteView range) const override { released.push_back(range); }
  mutable std::vector<ByteView> released;

 private:
  std::string bytes_;
};

}  // namespace

TEST(InputRelease, TheMachineReleasesWhatItReadPastInOrder) {
  RecordingSource source(large_pickle());
  Limits limits;
  pickle::MachineOptions o;
  o.allowlist = &allowlist();
  o.limits = &limits;
  o.input_owner = &source;
  auto run = pickle::run_machine(source.bytes(), 0, "big.pkl", o);
  ASSERT_TRUE(run.complete);
  ASSERT_FALSE(source.released.empty());
  const std::uint8_t* expected = source.bytes().data();
  for (ByteView r : source.released) {
    EXPECT_EQ(r.data(), expected) << "ranges follow each other from the start";
    expected = r.data() + r.size();
  }
  EXPECT_LE(expected, source.bytes().data() + run.end);
}

TEST(InputRelease, AReleasingRunReportsWhatAKeepingRunReports) {
  mgtest::TempDir dir;
  const auto path = dir.path() / "big.pkl";
  std::ofstream(path, std::ios::binary) << large_pickle();
  auto opened = MappedFile::open(path);
  ASSERT_TRUE(opened) << opened.error().message();
  const std::shared_ptr<MappedFile>& mapped = *opened;
  Limits limits;
  pickle::MachineOptions keeping;
  keeping.allowlist = &allowlist();
  keeping.limits = &limits;
  pickle::MachineOptions releasing = keeping;
  releasing.input_owner = mapped.get();
  auto released = pickle::run_machine(mapped->bytes(), 0, "big.pkl", releasing);
  auto kept = pickle::run_machine(mapped->bytes(), 0, "big.pkl", keeping);
  EXPECT_EQ(result_difference(released, kept), "");
  EXPECT_TRUE(std::any_of(released.findings.begin(), released.findings.end(),
                          [](const Finding& f) { return f.rule == "MG-PICKLE-CALL-DANGEROUS"; }));
  // The released pages read back as the file.
  const std::string expected = large_pickle();
  ASSERT_EQ(mapped->bytes().size(), expected.size());
  EXPECT_EQ(std::string(as_chars(mapped->bytes())), expected);
}

TEST(InputRelease, OnlyPagesOfAFileMappingAreReleased) {
  // A file small enough to be read rather than mapped is memory of the process's own.
  mgtest::TempDir dir;
  const std::string small(100 * 1024, 's');
  std::ofstream(dir.path() / "small.bin", std::ios::binary) << small;
  auto small_file = MappedFile::open(dir.path() / "small.bin");
  ASSERT_TRUE(small_file) << small_file.error().message();
  const std::shared_ptr<MappedFile>& read = *small_file;
  read->release(read->bytes());
  EXPECT_EQ(std::string(as_chars(read->bytes())), small);
  const std::vector<std::uint8_t> filled(3 << 20, 'o');
  OwnedBuffer owned{ByteView(filled)};
  owned.release(owned.bytes());
  EXPECT_EQ(owned.bytes()[0], 'o');
  EXPECT_EQ(owned.bytes()[(3 << 20) - 1], 'o');
  // Outside the mapping's own range, nothing is touched.
  std::vector<std::uint8_t> heap(3 << 20, 'h');
  const std::string large(1 << 20, 'l');
  std::ofstream(dir.path() / "large.bin", std::ios::binary) << large;
  auto large_file = MappedFile::open(dir.path() / "large.bin");
  ASSERT_TRUE(large_file) << large_file.error().message();
  const std::shared_ptr<MappedFile>& mapped = *large_file;
  mapped->release(ByteView(heap.data(), heap.size()));
  EXPECT_EQ(heap[4096], 'h');
  EXPECT_EQ(heap[(3 << 20) - 1], 'h');
}

}  // namespace input_release_test
