// The gate through which a scan's threads fork replacement workers (sandbox/fork_gate.h): a fork
// waits until every other thread is paused or done, and a paused thread does not run again while a
// fork is under way.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "sandbox/fork_gate.h"

namespace fork_gate_test {

using modelgate::sandbox::ForkGate;
using namespace std::chrono_literals;

TEST(ForkGate, AForkWaitsForEveryOtherThreadToPauseOrFinish) {
  ForkGate gate(3);
  std::atomic<bool> forked{false}, others_running{true};
  std::thread forker([&] {
    gate.fork_begin();
    EXPECT_FALSE(others_running.load());
    forked = true;
    gate.fork_end();
    gate.finish();
  });
  std::thread pauser([&] {
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(forked.load());
    others_running = false;  // both others are about to pause or finish
    gate.pause();
    gate.resume();
    EXPECT_TRUE(forked.load());  // resumed only after the fork ended
    gate.finish();
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(forked.load());
  gate.finish();  // this thread is done: it waits for the others
  EXPECT_TRUE(forked.load());
  forker.join();
  pauser.join();
}

TEST(ForkGate, TwoThreadsForkingAtOnceTakeTurns) {
  ForkGate gate(2);
  std::atomic<int> inside{0}, forks{0};
  auto fork_twice = [&] {
    for (int i = 0; i < 2; ++i) {
      gate.fork_begin();
      EXPECT_EQ(inside.fetch_add(1), 0);
      std::this_thread::sleep_for(5ms);
      inside.fetch_sub(1);
      ++forks;
      gate.fork_end();
      gate.pause();  // waiting for the new worker's hello
      gate.resume();
    }
    gate.finish();
  };
  std::thread a(fork_twice), b(fork_twice);
  a.join();
  b.join();
  EXPECT_EQ(forks.load(), 4);
}

// A thread that uses no gate (a single-threaded caller) sees none.
TEST(ForkGate, TheCurrentGateIsTheScopes) {
  EXPECT_EQ(ForkGate::current(), nullptr);
  ForkGate gate(1);
  {
    ForkGate::Scope scope(gate);
    EXPECT_EQ(ForkGate::current(), &gate);
  }
  EXPECT_EQ(ForkGate::current(), nullptr);
}

}  // namespace fork_gate_test
