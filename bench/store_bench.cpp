// Asset store throughput: publish (encrypt + Merkle + write + fsync + commit) of 1 GiB generated
// in memory, and the read path (decrypt + proofs; and with the client's ChunkVerifier), beside
// references measured in the same run: OpenSSL AES-256-GCM and SHA-256 in this process, a plain
// write + fdatasync of 1 GiB to the same directory, and the `openssl speed -evp aes-256-gcm` and
// `sha256sum` command-line tools. After the benchmarks a table gives each result as a ratio to
// its reference.
//
// Run: build/release/bench/pactum_store_bench [--store_bench_dir=DIR] [--store_bench_gib=N]
//      [--store_bench_no_cli] [Google Benchmark flags]
// DIR defaults to $TMPDIR or /tmp; it must be on the disk you want measured (not tmpfs).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pactum/sdk/chunk_verifier.hpp"
#include "pactum/store/asset_store.hpp"

namespace {

using namespace pactum;
using namespace pactum::store;

constexpr std::size_t kPiece = 16u << 20;  // the upload arrives in 16 MiB pieces

struct Config {
  std::string dir;
  std::uint64_t bytes = 1ull << 30;
  bool cli = true;
};

// Each benchmark's best throughput in bytes per second (wall clock), and its lowest process
// CPU time (all threads, user + system) per GiB: the second stays meaningful on a loaded
// machine, where wall-clock numbers mostly measure the other processes.
using Results = std::map<std::string, double>;
struct AllResults {
  Results rate;
  Results cpu_per_gib;
};

struct Stamp {
  std::chrono::steady_clock::time_point wall;
  double cpu;
};

double process_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Stamp now_stamp() {
  return {std::chrono::steady_clock::now(), process_cpu_seconds()};
}

// A 16 MiB buffer of pseudo-random bytes; a piece counter is stamped into each piece so no two
// chunks of an upload are equal.
Bytes make_piece() {
  Bytes out(kPiece);
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (std::size_t i = 0; i < out.size(); i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    std::memcpy(out.data() + i, &x, 8);
  }
  return out;
}

double seconds_since(const Stamp& start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start.wall).count();
}

void record(AllResults& results, const std::string& name, double bytes, const Stamp& start) {
  const double rate = bytes / seconds_since(start);
  if (results.rate[name] < rate) results.rate[name] = rate;
  const double cpu = (process_cpu_seconds() - start.cpu) / (bytes / double(1ull << 30));
  auto [it, fresh] = results.cpu_per_gib.emplace(name, cpu);
  if (!fresh && cpu < it->second) it->second = cpu;
}

struct Fixture {
  std::string root;
  std::unique_ptr<AssetStore> store;
  int uploads = 0;
};

// The real file system with fsync/fdatasync turned into no-ops: separates the CPU and
// page-cache cost of publishing from the disk's. Never for production.
class NoSyncEnv : public EnvWrapper {
 public:
  NoSyncEnv() : EnvWrapper(posix_env()) {}
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    PACTUM_TRY(auto file, target().new_writable_file(path));
    return std::unique_ptr<WritableFile>(std::make_unique<File>(std::move(file)));
  }
  Status sync_dir(const std::string&) override { return ok_status(); }

 private:
  class File : public WritableFile {
   public:
    explicit File(std::unique_ptr<WritableFile> f) : f_(std::move(f)) {}
    Status append(ByteView d) override { return f_->append(d); }
    Status sync() override { return ok_status(); }
    Status close() override { return f_->close(); }

   private:
    std::unique_ptr<WritableFile> f_;
  };
};

Result<AssetMetadata> publish(Fixture& f, const Config& cfg, Bytes& piece) {
  PACTUM_TRY(auto writer, f.store->begin_upload("bench-" + std::to_string(f.uploads++),
                                                UploadOptions{.chunk_size = kDefaultChunkSize}));
  for (std::uint64_t off = 0; off < cfg.bytes; off += kPiece) {
    std::memcpy(piece.data(), &off, sizeof(off));
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, cfg.bytes - off));
    PACTUM_TRY_STATUS(writer->write(ByteView(piece).first(n)));
  }
  return writer->commit(CommitInfo{.owner = "0xbench"});
}

void register_all(const Config& cfg, AllResults& results, Fixture& f, Fixture& nosync,
                  Bytes& piece) {
  const double gib = static_cast<double>(cfg.bytes);

  benchmark::RegisterBenchmark(
      "store/publish_1MiB_chunks_without_fsync",
      [&](benchmark::State& state) {
        for (auto _ : state) {
          const Stamp start = now_stamp();
          auto meta = publish(nosync, cfg, piece);
          if (!meta.ok()) {
            state.SkipWithError(meta.error().to_string().c_str());
            return;
          }
          record(results, "publish_nosync", gib, start);
          std::filesystem::remove_all(nosync.root + "/objects/" + meta->id);
        }
        state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * cfg.bytes));
      })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  benchmark::RegisterBenchmark(
      "store/publish_1MiB_chunks",
      [&](benchmark::State& state) {
        for (auto _ : state) {
          const Stamp start = now_stamp();
          auto meta = publish(f, cfg, piece);
          if (!meta.ok()) {
            state.SkipWithError(meta.error().to_string().c_str());
            return;
          }
          record(results, "publish", gib, start);
          // Keep the disk from filling: only the first asset is kept (read benchmarks use it).
          if (f.uploads > 1) {
            std::filesystem::remove_all(f.root + "/objects/" + meta->id);
          }
        }
        state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * cfg.bytes));
      })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  auto read_all = [&](benchmark::State& state, bool verify) {
    for (auto _ : state) {
      const Stamp start = now_stamp();
      auto reader = f.store->open_reader("bench-0");
      if (!reader.ok()) {
        state.SkipWithError(reader.error().to_string().c_str());
        return;
      }
      const AssetMetadata& m = (*reader)->metadata();
      auto verifier =
          sdk::ChunkVerifier::create(m.merkle_root, m.chunk_count, m.chunk_size, m.size);
      auto range = (*reader)->read_range(0, m.size);
      ChunkPiece p;
      std::uint64_t got = 0;
      for (;;) {
        auto more = range->next(p);
        if (!more.ok()) {
          state.SkipWithError(more.error().to_string().c_str());
          return;
        }
        if (!*more) break;
        if (verify && !verifier->accept(p.index, p.plaintext, p.proof).ok()) {
          state.SkipWithError("chunk failed verification");
          return;
        }
        got += p.in_range().size();
        benchmark::DoNotOptimize(p.plaintext.data());
      }
      if (got != m.size || (verify && !verifier->complete())) {
        state.SkipWithError("short read");
        return;
      }
      record(results, verify ? "read_verify" : "read", gib, start);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * cfg.bytes));
  };
  benchmark::RegisterBenchmark("store/read_decrypt_with_proofs",
                               [=](benchmark::State& s) { read_all(s, false); })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("store/read_decrypt_and_client_verify",
                               [=](benchmark::State& s) { read_all(s, true); })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  // References, in this process, over the same 1 GiB in 1 MiB blocks.
  benchmark::RegisterBenchmark(
      "reference/evp_aes_256_gcm_seal",
      [&](benchmark::State& state) {
        std::vector<std::uint8_t> key(32, 7), iv(12, 9), out(kDefaultChunkSize + 16);
        EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
        for (auto _ : state) {
          const Stamp start = now_stamp();
          EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr);
          for (std::uint64_t off = 0; off < cfg.bytes; off += kDefaultChunkSize) {
            int len = 0;
            iv[0] = static_cast<std::uint8_t>(off >> 20);
            EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv.data());
            EVP_EncryptUpdate(ctx, out.data(), &len, piece.data() + (off % kPiece),
                              kDefaultChunkSize);
            EVP_EncryptFinal_ex(ctx, out.data() + len, &len);
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + kDefaultChunkSize);
          }
          benchmark::DoNotOptimize(out.data());
          record(results, "ref_aes_gcm", gib, start);
        }
        EVP_CIPHER_CTX_free(ctx);
        state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * cfg.bytes));
      })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  benchmark::RegisterBenchmark(
      "reference/sha256",
      [&](benchmark::State& state) {
        for (auto _ : state) {
          const Stamp start = now_stamp();
          std::uint8_t md[32];
          EVP_MD_CTX* ctx = EVP_MD_CTX_new();
          EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
          for (std::uint64_t off = 0; off < cfg.bytes; off += kDefaultChunkSize) {
            EVP_DigestUpdate(ctx, piece.data() + (off % kPiece), kDefaultChunkSize);
          }
          unsigned int len = 0;
          EVP_DigestFinal_ex(ctx, md, &len);
          EVP_MD_CTX_free(ctx);
          benchmark::DoNotOptimize(md);
          record(results, "ref_sha256", gib, start);
        }
        state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * cfg.bytes));
      })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();

  benchmark::RegisterBenchmark(
      "reference/write_fdatasync",
      [&](benchmark::State& state) {
        const std::string path = f.root + "/plain-write";
        for (auto _ : state) {
          const Stamp start = now_stamp();
          const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
          for (std::uint64_t off = 0; off < cfg.bytes; off += kDefaultChunkSize) {
            if (::write(fd, piece.data() + (off % kPiece), kDefaultChunkSize) < 0) break;
          }
          ::fdatasync(fd);
          ::close(fd);
          record(results, "ref_write", gib, start);
          ::unlink(path.c_str());
        }
        state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * cfg.bytes));
      })
      ->Iterations(3)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

// Runs a shell command and returns its standard output.
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

// The command-line references: `openssl speed` (its 1 MiB-block column, in kB/s of 1000 bytes)
// and `sha256sum` over a 1 GiB file in the bench directory (warm page cache).
void run_cli_references(const Config& cfg, AllResults& results) {
  const std::string speed =
      run("openssl speed -evp aes-256-gcm -bytes 1048576 -seconds 3 2>/dev/null | tail -1");
  // Last line: "AES-256-GCM  <kB/s>k"
  const auto pos = speed.find_last_of(' ');
  if (pos != std::string::npos) {
    const double kbps = std::atof(speed.c_str() + pos + 1);
    if (kbps > 0) results.rate["cli_openssl_speed_gcm"] = kbps * 1000.0;
  }
  const std::string file = cfg.dir + "/sha256sum-input";
  run("head -c " + std::to_string(cfg.bytes) + " /dev/zero > '" + file + "'");
  run("sha256sum '" + file + "' > /dev/null");  // warm the cache
  for (int i = 0; i < 3; ++i) {
    const Stamp start = now_stamp();
    run("sha256sum '" + file + "' > /dev/null");
    record(results, "cli_sha256sum", static_cast<double>(cfg.bytes), start);
  }
  std::filesystem::remove(file);
}

void print_table(const Config& cfg, AllResults& all) {
  Results& r = all.rate;
  auto gbs = [&](const char* k) { return r.count(k) ? r[k] / 1e9 : 0.0; };
  auto ratio = [&](const char* a, const char* b) {
    return r.count(a) && r.count(b) && r[b] > 0 ? r[a] / r[b] : 0.0;
  };
  const double gib_s = static_cast<double>(cfg.bytes) / double(1ull << 30);
  std::printf("\n== store throughput (best of 3, %.2f GiB, GB = 1e9 bytes)\n", gib_s);
  std::printf("%-36s %8s %14s\n", "what", "GB/s", "CPU s per GiB");
  for (const char* k : {"publish", "publish_nosync", "read", "read_verify", "ref_aes_gcm",
                        "ref_sha256", "ref_write", "cli_openssl_speed_gcm", "cli_sha256sum"}) {
    if (!r.count(k)) continue;
    if (all.cpu_per_gib.count(k) && k[0] != 'c') {
      std::printf("%-36s %8.2f %14.3f\n", k, gbs(k), all.cpu_per_gib[k]);
    } else {
      std::printf("%-36s %8.2f %14s\n", k, gbs(k), "-");
    }
  }
  auto& c = all.cpu_per_gib;
  if (c.count("publish") && c.count("ref_aes_gcm") && c.count("ref_sha256") &&
      c.count("ref_write")) {
    std::printf("publish CPU %.3f s/GiB vs its parts AES-GCM + SHA-256 + write %.3f s/GiB\n",
                c["publish"], c["ref_aes_gcm"] + c["ref_sha256"] + c["ref_write"]);
  }
  if (r.count("publish")) {
    std::printf("publish seconds per GiB: %.3f (target <= 1.5)\n",
                double(1ull << 30) / r["publish"]);
  }
  std::printf(
      "ratios: read/cli_openssl_speed_gcm %.2f, read/ref_aes_gcm %.2f, "
      "publish/cli_sha256sum %.2f, read_verify/cli_sha256sum %.2f, "
      "publish/ref_write %.2f\n",
      ratio("read", "cli_openssl_speed_gcm"), ratio("read", "ref_aes_gcm"),
      ratio("publish", "cli_sha256sum"), ratio("read_verify", "cli_sha256sum"),
      ratio("publish", "ref_write"));
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  const char* tmp = std::getenv("TMPDIR");
  cfg.dir = tmp != nullptr ? tmp : "/tmp";
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--store_bench_dir=", 0) == 0) {
      cfg.dir = a.substr(18);
    } else if (a.rfind("--store_bench_gib=", 0) == 0) {
      cfg.bytes = static_cast<std::uint64_t>(std::atof(a.c_str() + 18) * double(1ull << 30));
      cfg.bytes = std::max<std::uint64_t>(kPiece, cfg.bytes / kPiece * kPiece);
    } else if (a == "--store_bench_no_cli") {
      cfg.cli = false;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  std::string root = cfg.dir + "/pactum-store-bench-XXXXXX";
  if (::mkdtemp(root.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  Fixture f;
  f.root = root + "/durable";
  Fixture nosync;
  nosync.root = root + "/nosync";
  NoSyncEnv nosync_env;
  for (auto [fx, env] : {std::pair<Fixture*, Env*>{&f, nullptr}, {&nosync, &nosync_env}}) {
    auto store = open_sqlite_asset_store(SqliteStoreOptions{
        .directory = fx->root, .master_key = MasterKey::generate().value(), .env = env});
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
      return 1;
    }
    fx->store = std::move(*store);
  }
  Bytes piece = make_piece();
  AllResults results;
  register_all(cfg, results, f, nosync, piece);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (cfg.cli) run_cli_references(cfg, results);
  print_table(cfg, results);
  f.store.reset();
  nosync.store.reset();
  std::filesystem::remove_all(root);
  return 0;
}
