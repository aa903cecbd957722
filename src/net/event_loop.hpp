// One epoll event loop per worker thread. Tasks from other threads arrive through post();
// nothing else crosses threads.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace treff::net {

// Something that owns a file descriptor registered with the loop.
class IoHandler {
 public:
  virtual ~IoHandler() = default;
  virtual void onIoReady(uint32_t epollEvents) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registration is for the loop's own thread (or before run()).
  void add(int fd, uint32_t epollEvents, IoHandler* handler);
  void modify(int fd, uint32_t epollEvents, IoHandler* handler);
  void remove(int fd);

  // Thread-safe. The task runs on the loop's thread, in posting order.
  void post(std::function<void()> task);
  // Thread-safe. run() returns after the current turn.
  void stop();

  // Called every `intervalMs` with the monotonic time in milliseconds.
  void setTickHandler(uint32_t intervalMs, std::function<void(uint64_t nowMs)> handler);
  // Called at the end of every loop turn, after all ready handlers: batched sends go out here.
  void setTurnEndHandler(std::function<void()> handler);

  // Loop thread only: runs fn once the current turn's handlers are done (for example to destroy
  // a handler that may still have an event pending in this turn).
  void runAfterTurn(std::function<void()> fn) { afterTurn_.push_back(std::move(fn)); }

  void run();
  // One turn: waits at most timeoutMs for events. Returns false once stopped.
  bool runOnce(int timeoutMs);

 private:
  void drainTasks();

  int epollFd_ = -1;
  int wakeFd_ = -1;
  bool stopped_ = false;
  std::mutex tasksMutex_;
  std::vector<std::function<void()>> tasks_;
  std::vector<std::function<void()>> running_;
  uint32_t tickIntervalMs_ = 0;
  uint64_t nextTickMs_ = 0;
  std::function<void(uint64_t)> tick_;
  std::function<void()> turnEnd_;
  std::vector<std::function<void()>> afterTurn_;
};

}  // namespace treff::net
