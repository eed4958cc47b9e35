// Chunked authenticated encryption at rest: each asset has its own random 256-bit data key;
// each plaintext chunk is sealed on its own with AES-256-GCM, so a reader can decrypt any chunk
// without the others, and the data key is stored wrapped by the node's master key.
//
// Nonces. nonce(i) = nonce_base XOR be96(i): a per-asset random 96-bit base, XORed with the
// chunk index. Chosen over a random nonce per chunk because
//   - the data key is fresh per asset and each (key, index) pair is sealed exactly once (assets
//     are immutable; a re-upload gets a new key), so a counter already guarantees uniqueness
//     where random 96-bit nonces only make collisions unlikely;
//   - nothing per chunk is stored, so chunk i sits at a computable offset (random access for
//     HTTP Range) and the overhead is the 16-byte tag alone;
//   - the random base still keeps nonces distinct should a data key ever be reused by mistake.
//
// Associated data binds "pactum/chunk/v1", the asset id, the chunk index and a final-chunk flag:
// a chunk moved to another index, copied into another asset, or a file cut after any chunk but
// the last fails to authenticate (kDataLoss), never yields wrong plaintext.
//
// Key wrapping. wrap = version(1) || master key id(8) || random nonce(12) || AES-256-GCM(data
// key)(32) || tag(16) = 69 bytes, with associated data "pactum/data-key/v1" and the asset id, so a
// wrapped key copied to another asset's row does not unwrap. The key id (first 8 bytes of
// SHA-256("pactum/master-key-id/v1" || master key)) tells a wrong master key (kFailedPrecondition)
// apart from a damaged wrapped key (kDataLoss).
//
// Secrets (MasterKey, DataKey, cipher contexts) are wiped when destroyed and never printed.
//
// Thread safety: MasterKey and DataKey are immutable values, safe to share. A ChunkCipher is
// used by one thread at a time (it owns an OpenSSL context); make one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/sdk/chunks.hpp"

namespace pactum::store {

inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kNonceSize = 12;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kWrappedKeySize = 1 + 8 + kNonceSize + kKeySize + kTagSize;
// The chunk geometry is the protocol's (sdk/chunks.hpp); these are the store's names for it.
using sdk::kDefaultChunkSize;
using sdk::kMaxChunkSize;
using sdk::kMinChunkSize;
using sdk::validate_chunk_size;

using NonceBase = FixedBytes<kNonceSize>;

// A 256-bit secret, wiped on destruction; the common base of MasterKey and DataKey.
class SecretKey {
 public:
  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;
  ~SecretKey();

  // The raw key, for handing to a cipher or persisting it under the caller's protection.
  [[nodiscard]] ByteView bytes() const noexcept { return key_; }

 protected:
  SecretKey() = default;
  std::array<std::uint8_t, kKeySize> key_{};
};

// The node's key-encryption key. Loaded from configuration or generated once.
class MasterKey : public SecretKey {
 public:
  // Errors: kInvalidArgument when `key` is not 32 bytes.
  [[nodiscard]] static Result<MasterKey> from_bytes(ByteView key);
  // Errors: kUnavailable when the CSPRNG fails.
  [[nodiscard]] static Result<MasterKey> generate();
  // First 8 bytes of SHA-256("pactum/master-key-id/v1" || key): names the key, reveals nothing.
  [[nodiscard]] FixedBytes<8> key_id() const noexcept;
};

// One asset's data key.
class DataKey : public SecretKey {
 public:
  // Errors: kInvalidArgument when `key` is not 32 bytes.
  [[nodiscard]] static Result<DataKey> from_bytes(ByteView key);
  // Errors: kUnavailable when the CSPRNG fails.
  [[nodiscard]] static Result<DataKey> generate();
};

// Returns the data key sealed under the master key for `asset_id` (kWrappedKeySize bytes).
// Errors: kUnavailable when the CSPRNG fails; kInternal when OpenSSL fails.
[[nodiscard]] Result<Bytes> wrap_data_key(const MasterKey& master, const DataKey& key,
                                          std::string_view asset_id);

// Returns the data key from `wrapped`. Errors: kDataLoss when `wrapped` has the wrong size or
// version or fails to authenticate (damaged, or wrapped for another asset);
// kFailedPrecondition when it was wrapped under a different master key.
[[nodiscard]] Result<DataKey> unwrap_data_key(const MasterKey& master, ByteView wrapped,
                                              std::string_view asset_id);

// Seals and opens the chunks of one asset.
class ChunkCipher {
 public:
  // Errors: kInvalidArgument when asset_id is empty or longer than 255 bytes; kInternal when
  // OpenSSL cannot make a context.
  [[nodiscard]] static Result<ChunkCipher> create(const DataKey& key, const NonceBase& nonce_base,
                                                  std::string_view asset_id);

  ChunkCipher(ChunkCipher&&) noexcept;
  ChunkCipher& operator=(ChunkCipher&&) noexcept;
  ChunkCipher(const ChunkCipher&) = delete;
  ChunkCipher& operator=(const ChunkCipher&) = delete;
  ~ChunkCipher();

  // Encrypts chunk `index` into `out` as ciphertext || tag.
  // REQUIRES: out.size() == plaintext.size() + kTagSize; the two do not overlap.
  // Errors: kInvalidArgument when `out` has the wrong size; kInternal when OpenSSL fails.
  [[nodiscard]] Status seal(std::uint64_t index, bool final_chunk, ByteView plaintext,
                            std::span<std::uint8_t> out);

  // Decrypts and authenticates chunk `index` (ciphertext || tag) into `out`. On failure `out` is
  // zeroed, so no unauthenticated plaintext is ever left in it.
  // REQUIRES: out.size() == sealed.size() - kTagSize.
  // Errors: kInvalidArgument when sizes are wrong; kDataLoss when the chunk fails to
  // authenticate (modified, moved, from another asset, wrong final flag or wrong key).
  [[nodiscard]] Status open(std::uint64_t index, bool final_chunk, ByteView sealed,
                            std::span<std::uint8_t> out);

 private:
  struct State;
  explicit ChunkCipher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace pactum::store
