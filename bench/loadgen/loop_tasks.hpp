// Running work on the load generator's event loop threads from the scenario's thread.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <vector>

namespace treff::loadgen {

// Runs fn(*item) for every item of every loop, each on its own loop thread, and waits for all
// (at most 10 s per loop). `items` names the loop's list of what it owns.
template <typename Loop, typename Item, typename Fn>
void onEveryLoop(std::vector<std::unique_ptr<Loop>>& loops, std::vector<Item*> Loop::*items,
                 Fn fn) {
  std::vector<std::future<void>> done;
  for (auto& l : loops) {
    auto promise = std::make_shared<std::promise<void>>();
    done.push_back(promise->get_future());
    l->loop.post([&l = *l, items, fn, promise] {
      for (Item* item : l.*items) fn(*item);
      promise->set_value();
    });
  }
  for (auto& f : done) f.wait_for(std::chrono::seconds(10));
}

}  // namespace treff::loadgen
