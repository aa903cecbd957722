#include "net/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/time.hpp"

namespace treff::net {
namespace {

// The wake-up eventfd's handler: marks that posted tasks are waiting.
class WakeHandler final : public IoHandler {
 public:
  void onIoReady(uint32_t) override {}
};
WakeHandler gWakeHandler;

[[noreturn]] void throwErrno(const char* what) {
  throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

EventLoop::EventLoop() {
  epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epollFd_ < 0) throwErrno("epoll_create1");
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd_ < 0) throwErrno("eventfd");
  add(wakeFd_, EPOLLIN, &gWakeHandler);
}

EventLoop::~EventLoop() {
  if (wakeFd_ >= 0) close(wakeFd_);
  if (epollFd_ >= 0) close(epollFd_);
}

void EventLoop::add(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) != 0) throwErrno("epoll_ctl add");
}

void EventLoop::modify(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (epoll_ctl(epollFd_, EPOLL_CTL_MOD, fd, &ev) != 0) throwErrno("epoll_ctl mod");
}

void EventLoop::remove(int fd) { epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::post(std::function<void()> task) {
  {
    std::lock_guard lock(tasksMutex_);
    tasks_.push_back(std::move(task));
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wakeFd_, &one, sizeof(one));
}

void EventLoop::stop() {
  post([this] { stopped_ = true; });
}

void EventLoop::setTickHandler(uint32_t intervalMs, std::function<void(uint64_t)> handler) {
  tickIntervalMs_ = intervalMs;
  tick_ = std::move(handler);
  nextTickMs_ = util::nowMs() + intervalMs;
}

void EventLoop::setTurnEndHandler(std::function<void()> handler) { turnEnd_ = std::move(handler); }

void EventLoop::drainTasks() {
  uint64_t counter;
  [[maybe_unused]] ssize_t n = read(wakeFd_, &counter, sizeof(counter));
  {
    std::lock_guard lock(tasksMutex_);
    running_.swap(tasks_);
  }
  for (auto& task : running_) task();
  running_.clear();
}

bool EventLoop::runOnce(int timeoutMs) {
  if (stopped_) return false;
  if (tick_) {
    uint64_t now = util::nowMs();
    int untilTick = now >= nextTickMs_ ? 0 : static_cast<int>(nextTickMs_ - now);
    if (timeoutMs < 0 || untilTick < timeoutMs) timeoutMs = untilTick;
  }
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  int n = epoll_wait(epollFd_, events, kMaxEvents, timeoutMs);
  if (n < 0 && errno != EINTR) throwErrno("epoll_wait");
  bool wake = false;
  for (int i = 0; i < n; ++i) {
    auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
    if (handler == &gWakeHandler) {
      wake = true;
      continue;
    }
    handler->onIoReady(events[i].events);
  }
  if (wake) drainTasks();
  if (tick_) {
    uint64_t now = util::nowMs();
    if (now >= nextTickMs_) {
      nextTickMs_ = now + tickIntervalMs_;
      tick_(now);
    }
  }
  if (turnEnd_) turnEnd_();
  while (!afterTurn_.empty()) {
    auto fns = std::move(afterTurn_);
    afterTurn_.clear();
    for (auto& fn : fns) fn();
  }
  return !stopped_;
}

void EventLoop::run() {
  while (runOnce(-1)) {
  }
}

}  // namespace treff::net
