// Client::download: from the agreement's access endpoint, window by window, the proofs of a run
// of chunks and then those chunks' bytes (one ranged request); each chunk verified against the
// on-chain root before it is written to a temporary file, renamed over the output once every
// chunk is in. Whatever stops the transfer, the temporary file is removed and the output is
// left as it was.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "client_internal.hpp"
#include "pactum/sdk/chunk_verifier.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::client {
namespace {

using Json = nlohmann::json;

// A temporary output file beside the final one; removed unless committed.
class PartialFile {
 public:
  static Result<PartialFile> create(const std::filesystem::path& final_path) {
    std::string tmp = (final_path.parent_path() /
                       ("." + final_path.filename().string() + ".pactum-partial-XXXXXX"))
                          .string();
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return not_found(final_path.parent_path().string() + ": no such directory");
      }
      if (errno == EACCES) {
        return permission_denied("cannot write in " + final_path.parent_path().string());
      }
      return unavailable("cannot create " + tmp + ": " + std::strerror(errno));
    }
    return PartialFile(fd, std::move(tmp));
  }
  PartialFile(PartialFile&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)),
        path_(std::move(o.path_)),
        written_(o.written_),
        writeback_from_(o.writeback_from_) {
    o.path_.clear();
  }
  PartialFile& operator=(PartialFile&&) = delete;
  ~PartialFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  Status write(ByteView data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == ENOSPC) return resource_exhausted("writing " + path_ + ": disk full");
        return unavailable("writing " + path_ + ": " + std::strerror(errno));
      }
      data = data.subspan(static_cast<std::size_t>(n));
      written_ += static_cast<std::uint64_t>(n);
    }
    // Start writeback of every full 8 MiB without waiting for it, so the disk works during the
    // transfer and commit()'s fsync has little left (it was waiting for a whole GiB). A hint:
    // its failure is ignored and commit() still reports errors.
    if (written_ - writeback_from_ >= kWritebackBytes) {
      ::sync_file_range(fd_, static_cast<off_t>(writeback_from_),
                        static_cast<off_t>(written_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
      writeback_from_ = written_;
    }
    return ok_status();
  }

  // fsync, close and rename over `final_path`.
  Status commit(const std::filesystem::path& final_path) {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return unavailable("writing " + path_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(path_.c_str(), final_path.c_str()) != 0) {
      return unavailable("cannot rename " + path_ + " to " + final_path.string() + ": " +
                         std::strerror(errno));
    }
    path_.clear();
    return ok_status();
  }

 private:
  PartialFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  static constexpr std::uint64_t kWritebackBytes = 8u << 20;
  int fd_;
  std::string path_;
  std::uint64_t written_ = 0;
  std::uint64_t writeback_from_ = 0;
};

// Chunks verified and written ahead of the one being received: enough to ride out scheduling
// jitter, few enough to bound memory (4 chunk buffers plus the one being filled).
constexpr std::size_t kVerifyDepth = 4;

// Verifies chunks against the on-chain root and writes them, in order, on a second thread while
// the caller receives the next ones: hashing every byte on the receiving thread held a verified
// download to ~0.3–0.45 GB/s (docs/bench/node.md). At most `depth` chunks are in flight, so
// memory stays at depth chunk buffers whatever the asset's size.
class VerifyAndWrite {
 public:
  // Called with the bytes written so far after each chunk, on the worker thread.
  using Written = std::function<void(std::uint64_t)>;
  // `describe(index, error)` makes the error for a chunk that fails verification.
  using Describe = std::function<Error(std::uint64_t, const Error&)>;

  VerifyAndWrite(sdk::ChunkVerifier& verifier, PartialFile& out, std::size_t depth, Written written,
                 Describe describe)
      : verifier_(verifier),
        out_(out),
        depth_(depth),
        written_(std::move(written)),
        describe_(std::move(describe)),
        thread_([this] { run(); }) {}
  VerifyAndWrite(const VerifyAndWrite&) = delete;
  VerifyAndWrite& operator=(const VerifyAndWrite&) = delete;
  // Drops what is queued, finishes the chunk in hand and joins.
  ~VerifyAndWrite() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // A cleared buffer for the next chunk (recycled from written chunks when there is one).
  Bytes take_buffer() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return Bytes();
    Bytes b = std::move(free_.back());
    free_.pop_back();
    b.clear();
    return b;
  }

  // Queues chunk `index`; waits while `depth` chunks are in flight. Returns the first error of
  // the worker so far (the caller then stops receiving).
  Status submit(std::uint64_t index, Bytes chunk, std::vector<Hash32> proof) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return jobs_.size() + busy_ < depth_ || !first_error_.ok(); });
    if (!first_error_.ok()) return first_error_;
    jobs_.push_back(Job{index, std::move(chunk), std::move(proof)});
    cv_.notify_all();
    return ok_status();
  }

  // Waits until every queued chunk is verified and written; returns the first error.
  Status drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return (jobs_.empty() && busy_ == 0) || !first_error_.ok(); });
    return first_error_;
  }

 private:
  struct Job {
    std::uint64_t index;
    Bytes chunk;
    std::vector<Hash32> proof;
  };

  void run() {
    ::pthread_setname_np(::pthread_self(), "pactum-verify");  // for top -H, perf, gdb
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (stop_) return;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
      lock.unlock();
      Status st = verifier_.accept(job.index, job.chunk, job.proof);
      if (!st.ok()) st = describe_(job.index, st.error());
      if (st.ok()) st = out_.write(job.chunk);
      if (st.ok()) {
        done_ += job.chunk.size();
        if (written_) written_(done_);
      }
      lock.lock();
      --busy_;
      if (!st.ok() && first_error_.ok()) first_error_ = st;
      free_.push_back(std::move(job.chunk));
      cv_.notify_all();
    }
  }

  sdk::ChunkVerifier& verifier_;  // accept() is called by the worker only
  PartialFile& out_;              // written by the worker only
  const std::size_t depth_;
  const Written written_;
  const Describe describe_;
  std::uint64_t done_ = 0;  // worker only
  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_.
  std::deque<Job> jobs_;
  std::vector<Bytes> free_;
  std::size_t busy_ = 0;
  Status first_error_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the fields above exist
};

// One proofs answer: the asset's shape and the proofs of chunks [from, to).
struct ProofWindow {
  std::uint32_t chunk_size = 0;
  std::uint64_t chunk_count = 0;
  std::uint64_t size = 0;
  Hash32 root{};
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::vector<std::vector<Hash32>> proofs;  // proofs[i - from]
};

Result<ProofWindow> parse_proofs(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return data_loss("the node's proofs are not JSON");
  ProofWindow w;
  for (const char* m : {"chunk_size", "chunk_count", "size", "from", "to"}) {
    if (!j.contains(m) || !j[m].is_number_unsigned()) {
      return data_loss(std::string("the node's proofs lack ") + m);
    }
  }
  const auto cs = j["chunk_size"].get<std::uint64_t>();
  if (cs == 0 || cs > (std::uint64_t{1} << 24)) return data_loss("the node's chunk_size is absurd");
  w.chunk_size = static_cast<std::uint32_t>(cs);
  w.chunk_count = j["chunk_count"].get<std::uint64_t>();
  w.size = j["size"].get<std::uint64_t>();
  w.from = j["from"].get<std::uint64_t>();
  w.to = j["to"].get<std::uint64_t>();
  if (!j.contains("root") || !j["root"].is_string())
    return data_loss("the node's proofs lack root");
  auto root = fixed_from_hex<32>(j["root"].get<std::string>());
  if (!root.ok()) return data_loss("the node's root: " + root.error().message());
  w.root = *root;
  if (w.from > w.to || w.to > w.chunk_count || !j.contains("proofs") || !j["proofs"].is_array() ||
      j["proofs"].size() != w.to - w.from) {
    return data_loss("the node's proofs do not cover [from, to)");
  }
  std::uint64_t expect = w.from;
  for (const auto& entry : j["proofs"]) {
    if (!entry.is_object() || !entry.contains("index") || !entry["index"].is_number_unsigned() ||
        entry["index"].get<std::uint64_t>() != expect || !entry.contains("proof") ||
        !entry["proof"].is_array() || entry["proof"].size() > 64) {
      return data_loss("the node's proof of chunk " + std::to_string(expect) + " is malformed");
    }
    std::vector<Hash32> proof;
    for (const auto& h : entry["proof"]) {
      if (!h.is_string()) return data_loss("a proof hash is not a string");
      auto hash = fixed_from_hex<32>(h.get<std::string>());
      if (!hash.ok()) return data_loss("a proof hash: " + hash.error().message());
      proof.push_back(*hash);
    }
    w.proofs.push_back(std::move(proof));
    ++expect;
  }
  return w;
}

}  // namespace

Result<DownloadResult> Client::download(const Hash32& agreement_id,
                                        const std::filesystem::path& out, bool overwrite,
                                        const ProgressFn& progress) {
  PACTUM_TRY_STATUS(impl_->need_key("download"));
  PACTUM_TRY(StoredAgreement stored,
             impl_->made_agreement(agreement_id, std::chrono::milliseconds(0)));
  const AgreementParams& params = stored.params;
  if (params.consumer != address()) {
    return permission_denied("the consumer of agreement " + to_hex(agreement_id) + " is " +
                             params.consumer.to_checksum_string() + ", not " +
                             address().to_checksum_string());
  }
  if (out.empty()) return invalid_argument("no output file given");
  std::error_code ec;
  if (std::filesystem::is_directory(out, ec)) {
    return invalid_argument(out.string() + " is a directory; give a file name");
  }
  if (!overwrite && std::filesystem::exists(out, ec)) {
    return already_exists(out.string() + " exists (choose another name, or --force)");
  }

  // The node to ask: the access endpoint the agreement was ordered with (checked again: the file
  // is on disk and could have been edited), unless told to use the configured node, or the file
  // predates kept endpoints.
  std::string endpoint;
  eth::Address node;
  if (impl_->config.download_via_node_url || stored.access_endpoint.empty() || !stored.provider) {
    std::string base_url = impl_->node.base_url();
    while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
    endpoint = base_url + "/api/v1/access";
    PACTUM_TRY(node, node_address());
  } else {
    auto checked = parse_access_endpoint(stored.access_endpoint);
    if (!checked.ok()) {
      return checked.error().with_context("the agreement file of " + to_hex(agreement_id));
    }
    endpoint = *checked;
    node = *stored.provider;
  }
  PACTUM_TRY(NodeHttpClient access, NodeHttpClient::create(endpoint, impl_->config.http));

  // The chain's checksum is the judge of every chunk.
  PACTUM_TRY(auto asset, impl_->asset(params.did));
  const Hash32 root = asset.checksum;
  const std::filesystem::path final_path =
      out.has_parent_path() ? out : std::filesystem::path(".") / out;
  PACTUM_TRY(PartialFile partial, PartialFile::create(final_path));
  std::atomic<std::uint64_t> done_bytes{0};  // written to `partial`, by the VerifyAndWrite worker
  std::uint64_t total_size = 0;
  // Every error from here on: the partial file is removed on return; say so, and how far it got.
  auto incomplete = [&](const Error& e) {
    const bool cut =
        e.code() == ErrorCode::kUnavailable || e.code() == ErrorCode::kDeadlineExceeded;
    const std::string at = total_size == 0 ? std::string()
                                           : " after " + std::to_string(done_bytes.load()) +
                                                 " of " + std::to_string(total_size) + " bytes";
    return Error(e.code(), "the download of agreement " + to_hex(agreement_id) + " from " +
                               endpoint + (cut ? " is incomplete" : " failed") + at + ": " +
                               e.message() + "; no file was written to " + out.string() +
                               (cut ? " (run it again to retry)" : ""));
  };

  const std::string base = "/" + to_hex(agreement_id);
  const std::uint64_t window = std::max<std::uint64_t>(1, impl_->config.download_window);
  // The proofs of chunks [from, to), checked against the chain's root (an empty window gives
  // the asset's shape; the first request also makes the node settle the agreement).
  auto fetch_proofs = [&](std::uint64_t from, std::uint64_t to) -> Result<ProofWindow> {
    // A node whose settlement is still on its way answers 503 with Retry-After (before this
    // client's idle timeout): asked again, with a new signed request, until settlement_timeout.
    const auto give_up = std::chrono::steady_clock::now() + impl_->config.settlement_timeout;
    NodeReply got;
    for (;;) {
      PACTUM_TRY(HeaderList h, impl_->signed_headers(sdk::NodeAction::kAccess, agreement_id, node));
      PACTUM_TRY(
          got, access.request(
                   "GET",
                   base + "/proofs?from=" + std::to_string(from) + "&to=" + std::to_string(to), h));
      if (got.status != 503 || !got.retry_after) break;
      const auto pause =
          std::max<std::chrono::milliseconds>(*got.retry_after, std::chrono::milliseconds(250));
      if (std::chrono::steady_clock::now() + pause >= give_up) break;
      std::this_thread::sleep_for(pause);
    }
    if (got.status != 200) return node_error(got, "proofs of " + to_hex(agreement_id));
    PACTUM_TRY(ProofWindow w, parse_proofs(got.body));
    if (w.root != root) {
      return data_loss("the node's root " + to_hex(w.root) + " is not the on-chain checksum " +
                       to_hex(root) + " of " + sdk::format_did(params.did));
    }
    if (w.from != from || w.to != to) return data_loss("the node's proofs are for another window");
    return w;
  };
  auto shape_got = fetch_proofs(0, 0);
  if (!shape_got.ok()) return incomplete(shape_got.error());
  const ProofWindow shape = std::move(shape_got).value();
  auto made = sdk::ChunkVerifier::create(root, shape.chunk_count, shape.chunk_size, shape.size);
  if (!made.ok()) return incomplete(data_loss("the node's asset shape: " + made.error().message()));
  std::optional<sdk::ChunkVerifier> verifier(std::move(made).value());
  total_size = shape.size;
  const std::uint64_t chunk_count = shape.chunk_count;
  if (progress) progress(0, total_size);
  // After `partial` and `verifier`: destroyed (joined) before them on every return.
  VerifyAndWrite sink(
      *verifier, partial, kVerifyDepth,
      [&](std::uint64_t written) {
        done_bytes = written;
        if (progress) progress(written, total_size);
      },
      [&](std::uint64_t index, const Error& e) -> Error {
        return data_loss("chunk " + std::to_string(index) + " of " + sdk::format_did(params.did) +
                         " fails verification against the on-chain checksum: " + e.message());
      });
  // An error after the transfer started: first let the chunks already received be verified and
  // written (their count is in the message), then say how far it got.
  auto fail = [&](const Error& e) {
    (void)sink.drain();
    return incomplete(e);
  };
  for (std::uint64_t from = 0; from < chunk_count;) {
    auto w_got = fetch_proofs(from, std::min(chunk_count, from + window));
    if (!w_got.ok()) return fail(w_got.error());
    const ProofWindow w = std::move(w_got).value();
    if (w.chunk_count != chunk_count || w.chunk_size != shape.chunk_size || w.size != total_size) {
      return fail(data_loss("the node changed the asset's shape during the download"));
    }

    // The chunks' bytes, assembled and verified one chunk at a time.
    const std::uint64_t first = verifier->chunk_offset(w.from);
    const std::uint64_t last =
        verifier->chunk_offset(w.to - 1) + verifier->chunk_length(w.to - 1);  // exclusive
    PACTUM_TRY(HeaderList hc, impl_->signed_headers(sdk::NodeAction::kAccess, agreement_id, node));
    hc.emplace_back("Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last - 1));
    Bytes chunk = sink.take_buffer();
    chunk.reserve(verifier->chunk_length(w.from));
    std::uint64_t index = w.from;
    auto content_got = access.download(base + "/content", hc, [&](ByteView piece) -> Status {
      while (!piece.empty()) {
        if (index >= w.to) return data_loss("the node sent more bytes than asked");
        const std::uint64_t want = verifier->chunk_length(index) - chunk.size();
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(want, piece.size()));
        chunk.insert(chunk.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(take));
        piece = piece.subspan(take);
        if (chunk.size() == verifier->chunk_length(index)) {
          PACTUM_TRY_STATUS(sink.submit(index, std::move(chunk), w.proofs[index - w.from]));
          chunk = sink.take_buffer();
          ++index;
        }
      }
      return ok_status();
    });
    // A transfer cut by the node is kUnavailable (the node is live: retrying may succeed); a
    // chunk that fails its proof is kDataLoss. Either way nothing reaches `out`.
    if (!content_got.ok()) return fail(content_got.error());
    const NodeReply& content = *content_got;
    const bool whole = first == 0 && last == total_size;
    if (content.status != 206 && !(content.status == 200 && whole)) {
      return fail(node_error(content, "content of " + to_hex(agreement_id)));
    }
    if (index != w.to || !chunk.empty()) {
      return fail(data_loss("the node sent " + std::to_string(content.streamed_bytes) +
                            " bytes for " + std::to_string(last - first) + " asked"));
    }
    from = w.to;
  }

  if (auto st = sink.drain(); !st.ok()) return fail(st.error());
  if (!verifier || !verifier->complete()) {
    return fail(data_loss("the download ended before every chunk was verified"));
  }
  if (auto committed = partial.commit(final_path); !committed.ok()) {
    return fail(committed.error());
  }
  DownloadResult result;
  result.file = out;
  result.size = total_size;
  result.chunk_count = chunk_count;
  result.checksum = root;
  result.did = params.did;
  return result;
}

}  // namespace pactum::client
