#include "core/mapping_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>

namespace modelgate {

// Slots form a list that only grows (a slot is reused, never freed), so the signal handler can walk
// it with atomic loads while other threads add and release guards.
struct Slot {
  std::atomic<std::uintptr_t> begin{0};  // 0: free
  std::atomic<std::size_t> size{0};
  std::atomic<bool> faulted{false};
  std::atomic<bool> in_use{false};
  Slot* next = nullptr;  // fixed before the slot is published
};

namespace {

std::atomic<Slot*> guard_slots{nullptr};
std::uintptr_t guard_page_size = 4096;
struct sigaction previous_sigbus_action {};

void absorb_sigbus(int sig, siginfo_t* info, void* context) {
  int saved_errno = errno;
  auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  if (info->si_code == BUS_ADRERR) {
    for (Slot* s = guard_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
      std::uintptr_t begin = s->begin.load(std::memory_order_acquire);
      std::size_t size = s->size.load(std::memory_order_acquire);
      if (begin == 0 || addr < begin || addr - begin >= size) continue;
      std::uintptr_t page = addr & ~(guard_page_size - 1);
      void* p = ::mmap(reinterpret_cast<void*>(page), begin + size - page, PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      if (p != MAP_FAILED) {
        s->faulted.store(true, std::memory_order_release);
        errno = saved_errno;
        return;  // the faulting read is retried and sees zeros
      }
    }
  }
  // Not a guarded mapping: whatever handled SIGBUS before, else the default action when the
  // faulting instruction runs again.
  if ((previous_sigbus_action.sa_flags & SA_SIGINFO) && previous_sigbus_action.sa_sigaction != nullptr) {
    previous_sigbus_action.sa_sigaction(sig, info, context);
  } else if (previous_sigbus_action.sa_handler != SIG_DFL && previous_sigbus_action.sa_handler != SIG_IGN) {
    previous_sigbus_action.sa_handler(sig);
  } else {
    ::signal(SIGBUS, SIG_DFL);
    if (info->si_code <= 0) ::raise(SIGBUS);  // sent by kill(): nothing to retry
  }
  errno = saved_errno;
}

void install_sigbus_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    guard_page_size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = absorb_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, &previous_sigbus_action);
  });
}

Slot* acquire_slot() {
  for (Slot* s = guard_slots.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    bool expected = false;
    if (s->in_use.compare_exchange_strong(expected, true)) return s;
  }
  Slot* s = new Slot;  // lives for the process: the handler may be reading the list
  s->in_use.store(true);
  Slot* head = guard_slots.load(std::memory_order_acquire);
  do {
    s->next = head;
  } while (!guard_slots.compare_exchange_weak(head, s, std::memory_order_acq_rel));
  return s;
}

}  // namespace

MappingGuard::MappingGuard(const void* begin, std::size_t size) : slot_(acquire_slot()) {
  install_sigbus_handler();
  slot_->faulted.store(false);
  slot_->size.store(size, std::memory_order_release);
  slot_->begin.store(reinterpret_cast<std::uintptr_t>(begin), std::memory_order_release);
}

MappingGuard::~MappingGuard() {
  slot_->begin.store(0, std::memory_order_release);
  slot_->in_use.store(false, std::memory_order_release);
}

bool MappingGuard::faulted() const { return slot_->faulted.load(std::memory_order_acquire); }

}  // namespace modelgate
