// The one piece of process-wide state convert has: the signal a handler received.
#include <csignal>

#include "modelgate/convert.h"

namespace modelgate {

namespace {

volatile std::sig_atomic_t g_received_signal = 0;
struct sigaction g_previous_int {}, g_previous_term {};

void record_signal(int signo) { g_received_signal = signo; }

}  // namespace

InterruptSignals::InterruptSignals() {
  g_received_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = record_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_previous_int);
  ::sigaction(SIGTERM, &sa, &g_previous_term);
}

InterruptSignals::~InterruptSignals() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

const volatile std::sig_atomic_t* InterruptSignals::flag() const { return &g_received_signal; }

void InterruptSignals::reraise() const {
  int signo = g_received_signal;
  if (signo == 0) return;
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(signo, &dfl, nullptr);
  ::raise(signo);
}

DeferredInterrupts::DeferredInterrupts() {
  sigset_t held;
  sigemptyset(&held);
  sigaddset(&held, SIGINT);
  sigaddset(&held, SIGTERM);
  sigaddset(&held, SIGHUP);
  ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
}

DeferredInterrupts::~DeferredInterrupts() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

}  // namespace modelgate
