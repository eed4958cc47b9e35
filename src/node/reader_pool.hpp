// Opened AssetReaders kept for reuse by the access routes.
//
// Opening a reader reads the asset's leaf file and rebuilds its Merkle tree (chunk_count hashes,
// ≈ 0.3 ms for a 1 GiB asset of 1 MiB chunks) and unwraps its key: too much to repeat for every
// small request (docs/bench/node.md). A committed asset never changes, so a reader stays valid
// for the life of its store; the chunks themselves are still read and authenticated (GCM) from
// disk on every request, so damage done after the open is still reported as kDataLoss.
//
// Thread safety: take() may be called from any thread. A reader is used by one holder at a time
// (AssetReader is not thread-safe) and goes back to the pool when its last shared_ptr is gone.
// The store must outlive the pool and every reader taken from it.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pactum/core/result.hpp"
#include "pactum/store/asset_store.hpp"

namespace pactum::node {

class ReaderPool {
 public:
  // At most `max_idle_per_upload` idle readers are kept per upload, for at most `max_uploads`
  // uploads (each reader holds its tree: 64 bytes per chunk).
  explicit ReaderPool(store::AssetStore& store, std::size_t max_idle_per_upload = 4,
                      std::size_t max_uploads = 64)
      : store_(store), shelf_(std::make_shared<Shelf>()) {
    shelf_->max_idle = max_idle_per_upload;
    shelf_->max_uploads = max_uploads;
  }

  // A reader of `upload_id`: an idle one, or a newly opened one.
  // Errors: those of AssetStore::open_reader.
  [[nodiscard]] Result<std::shared_ptr<store::AssetReader>> take(const std::string& upload_id) {
    std::unique_ptr<store::AssetReader> reader;
    {
      std::lock_guard lock(shelf_->mutex);
      if (auto it = shelf_->idle.find(upload_id); it != shelf_->idle.end() && !it->second.empty()) {
        reader = std::move(it->second.back());
        it->second.pop_back();
      }
    }
    if (!reader) {
      PACTUM_TRY(auto opened, store_.open_reader(upload_id));
      reader = std::move(opened);
    }
    // The deleter shelves the reader again; a reader outliving the pool is simply deleted.
    std::weak_ptr<Shelf> weak = shelf_;
    return std::shared_ptr<store::AssetReader>(reader.release(),
                                               [weak, upload_id](store::AssetReader* r) {
                                                 std::unique_ptr<store::AssetReader> owned(r);
                                                 if (auto shelf = weak.lock())
                                                   shelf->put(upload_id, std::move(owned));
                                               });
  }

 private:
  struct Shelf {
    std::mutex mutex;
    std::size_t max_idle = 0;
    std::size_t max_uploads = 0;
    std::map<std::string, std::vector<std::unique_ptr<store::AssetReader>>> idle;  // GUARDED_BY

    void put(const std::string& upload_id, std::unique_ptr<store::AssetReader> reader) {
      std::unique_ptr<store::AssetReader> dropped;  // destroyed outside the lock
      std::lock_guard lock(mutex);
      if (!idle.contains(upload_id) && idle.size() >= max_uploads) idle.erase(idle.begin());
      auto& list = idle[upload_id];
      if (list.size() < max_idle) {
        list.push_back(std::move(reader));
      } else {
        dropped = std::move(reader);
      }
    }
  };

  store::AssetStore& store_;
  std::shared_ptr<Shelf> shelf_;
};

}  // namespace pactum::node
