// Readiness: the chain watch (a background probe) and the checks /health and /ready report.
#include <pthread.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "node_internal.hpp"

namespace pactum::node {

namespace {

std::string bytes_text(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char out[32];
  std::snprintf(out, sizeof out, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return out;
}

}  // namespace

void NodeService::Impl::stop_watch() {
  {
    std::lock_guard lock(watch.mutex);
    watch.stopping = true;
  }
  watch.wake.notify_all();
  if (watcher.joinable()) watcher.join();
}

void NodeService::Impl::watch_loop() {
  ::pthread_setname_np(::pthread_self(), "pactum-watch");
  std::unique_lock lock(watch.mutex);
  while (!watch.stopping) {
    lock.unlock();
    watch_once();
    lock.lock();
    watch.wake.wait_for(lock, config.watch_interval, [this] { return watch.stopping; });
  }
}

void NodeService::Impl::watch_once() {
  auto block = api.block_number();
  {
    std::lock_guard lock(watch.mutex);
    if (!block.ok()) {
      watch.last_error = block.error().message().substr(0, 300);
      return;
    }
    watch.last_block = *block;
    watch.last_ok_at = config.clock();
    watch.last_error.clear();
  }
  release_due();
  // A round-robin batch of the published DIDs: is each still registered? (An anvil that was
  // killed forgets everything since its last state dump; a chain can be reset.)
  auto total = ledger->count();
  if (!total.ok() || *total == 0) return;
  std::uint64_t from = 0;
  {
    std::lock_guard lock(watch.mutex);
    if (watch.cursor >= *total) watch.cursor = 0;
    from = watch.cursor;
  }
  auto dids = ledger->list(from, config.watch_batch);
  if (!dids.ok()) return;
  for (const auto& did_text : *dids) {
    auto did = parse_did(did_text);
    if (!did.ok()) continue;
    auto data = contracts::AssetRegistry::encode_getAsset(*did);
    if (!data.ok()) continue;
    auto got = view_call(registry, std::move(data).value());
    // getAsset reverts for a DID it does not know; any other failure is the chain's, not the
    // asset's (the next probe tries again).
    const bool gone = !got.ok() && got.error().code() == ErrorCode::kFailedPrecondition;
    if (!got.ok() && !gone) return;
    std::lock_guard lock(watch.mutex);
    const bool was_missing = watch.missing.contains(did_text);
    if (gone && !was_missing) {
      watch.missing.insert(did_text);
      if (config.logger != nullptr) {
        config.logger->warn("a published asset is not registered on chain (was the chain reset?)",
                            {{"did", did_text}, {"block", watch.last_block}});
      }
    } else if (!gone && was_missing) {
      watch.missing.erase(did_text);
      if (config.logger != nullptr) {
        config.logger->info("a published asset is registered on chain again", {{"did", did_text}});
      }
    }
  }
  std::lock_guard lock(watch.mutex);
  watch.cursor = from + dids->size();
}

std::vector<server::HealthCheck> NodeService::Impl::health() {
  std::vector<server::HealthCheck> out;

  server::HealthCheck disk{"disk", true, ""};
  struct statvfs fs {};
  if (::statvfs(config.data_dir.c_str(), &fs) != 0) {
    disk.ok = false;
    disk.detail =
        std::string("cannot read the data directory's file system: ") + std::strerror(errno);
  } else {
    const std::uint64_t free_bytes =
        static_cast<std::uint64_t>(fs.f_bavail) * static_cast<std::uint64_t>(fs.f_frsize);
    disk.detail = bytes_text(free_bytes) + " free";
    if (free_bytes < config.min_free_bytes) {
      disk.ok = false;
      disk.detail +=
          " (below " + bytes_text(config.min_free_bytes) + "): uploads will fail; paid reads go on";
    }
    if (fs.f_favail == 0) {
      disk.ok = false;
      disk.detail += "; no free inodes";
    }
  }
  const NodeLedger::Health ledger_health = ledger->health();
  if (ledger_health.memory_nonces > 0 || !ledger_health.last_write_error.empty()) {
    disk.ok = false;
    disk.detail += "; node.db refuses writes (" + ledger_health.last_write_error +
                   "): " + std::to_string(ledger_health.memory_nonces) +
                   " nonces kept in memory until it can write again";
  }
  out.push_back(std::move(disk));

  server::HealthCheck chain{"chain", true, ""};
  if (config.watch_interval.count() == 0) {
    chain.detail = "not watched (watch_interval 0)";
  } else {
    std::lock_guard lock(watch.mutex);
    const std::int64_t now = config.clock();
    const auto interval_s = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::seconds>(config.watch_interval).count());
    if (watch.last_ok_at == 0) {
      chain.ok = false;
      chain.detail = watch.last_error.empty() ? "not probed yet"
                                              : "the chain does not answer: " + watch.last_error;
    } else {
      chain.detail = "block " + std::to_string(watch.last_block) + ", seen " +
                     std::to_string(now - watch.last_ok_at) + " s ago";
      if (now - watch.last_ok_at > 3 * interval_s) {
        chain.ok = false;
        chain.detail += "; the chain does not answer: " + watch.last_error;
      }
    }
    if (!watch.missing.empty()) {
      chain.ok = false;
      chain.detail +=
          "; " + std::to_string(watch.missing.size()) +
          " published assets are not registered on chain (first: " + *watch.missing.begin() + ")";
    }
  }
  out.push_back(std::move(chain));

  server::HealthCheck store_check{"store", true, ""};
  auto count = ledger->count();
  if (!count.ok()) {
    store_check.ok = false;
    store_check.detail = "node.db does not answer";
  } else {
    store_check.detail = std::to_string(*count) + " assets published";
  }
  out.push_back(std::move(store_check));
  return out;
}

}  // namespace pactum::node
