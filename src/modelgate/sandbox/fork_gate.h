#pragma once
// Forking a parse worker while another of the broker's threads holds a lock (the allocator's, the
// dynamic loader's, a library's) leaves that lock held for ever in the worker, which then waits on
// it until its timeout. The scanning threads of one scan share a gate: each one is running (and
// may hold locks) except while it waits for a worker's result, where it holds none. A thread forks
// a replacement worker only while every other thread of the scan waits or is done.
#include <condition_variable>
#include <mutex>

namespace modelgate::sandbox {

class ForkGate {
 public:
  // `threads`: how many threads will use the gate; each counts as running from the start, so that
  // no fork happens while one of them is still starting.
  explicit ForkGate(unsigned threads) : running_(threads), unfinished_(threads) {}
  ForkGate(const ForkGate&) = delete;
  ForkGate& operator=(const ForkGate&) = delete;

  // The calling thread holds no lock until resume(); a fork may happen meanwhile.
  void pause();
  // Back to running, once no fork is under way.
  void resume();
  // Returns when every other thread is paused or done, with forking reserved to the caller until
  // fork_end(). The caller counts as paused in between.
  void fork_begin();
  void fork_end();
  // The calling thread is done; returns when every thread is, so that none exits (freeing memory,
  // taking the allocator's locks) while another may still fork.
  void finish();

  // The gate of the calling thread's scan, or null (a single-threaded caller: no other thread to
  // wait for). Set for the life of a Scope.
  static ForkGate* current();
  class Scope {
   public:
    explicit Scope(ForkGate& gate);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ForkGate* previous_;
  };

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  unsigned running_;
  unsigned unfinished_;
  bool forking_ = false;
};

}  // namespace modelgate::sandbox
