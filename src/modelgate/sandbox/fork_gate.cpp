#include "sandbox/fork_gate.h"

namespace modelgate::sandbox {

namespace {

thread_local ForkGate* current_gate = nullptr;

}  // namespace

void ForkGate::pause() {
  std::lock_guard lock(mutex_);
  --running_;
  changed_.notify_all();
}

void ForkGate::resume() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !forking_; });
  ++running_;
}

void ForkGate::fork_begin() {
  std::unique_lock lock(mutex_);
  // Paused first: two threads that want to fork at once then wait for each other's fork, not for
  // each other to pause.
  --running_;
  changed_.notify_all();
  changed_.wait(lock, [this] { return !forking_; });
  forking_ = true;
  changed_.wait(lock, [this] { return running_ == 0; });
}

void ForkGate::fork_end() {
  std::lock_guard lock(mutex_);
  forking_ = false;
  ++running_;
  changed_.notify_all();
}

void ForkGate::finish() {
  std::unique_lock lock(mutex_);
  --running_;
  --unfinished_;
  changed_.notify_all();
  changed_.wait(lock, [this] { return unfinished_ == 0; });
}

ForkGate* ForkGate::current() { return current_gate; }

ForkGate::Scope::Scope(ForkGate& gate) : previous_(current_gate) { current_gate = &gate; }

ForkGate::Scope::~Scope() { current_gate = previous_; }

}  // namespace modelgate::sandbox
