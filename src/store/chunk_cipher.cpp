#include "pactum/store/chunk_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <climits>
#include <cstring>
#include <vector>

#include "pactum/core/random.hpp"

namespace pactum::store {
namespace {

constexpr std::string_view kChunkDomain = "pactum/chunk/v1";
constexpr std::string_view kWrapDomain = "pactum/data-key/v1";
constexpr std::string_view kKeyIdDomain = "pactum/master-key-id/v1";
constexpr std::uint8_t kWrapVersion = 1;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

void put_be64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

// One-shot AES-256-GCM for the key wrap (small inputs; a fresh context is fine).
Status gcm_seal(ByteView key, ByteView nonce, ByteView ad, ByteView plaintext,
                std::span<std::uint8_t> out_ct, std::span<std::uint8_t> out_tag) {
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, ad.data(), static_cast<int>(ad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out_ct.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out_ct.data() + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(out_tag.size()),
                          out_tag.data()) != 1) {
    return internal_error("AES-256-GCM seal failed in OpenSSL");
  }
  return ok_status();
}

bool gcm_open(ByteView key, ByteView nonce, ByteView ad, ByteView ct, ByteView tag,
              std::span<std::uint8_t> out) {
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::uint8_t tag_copy[kTagSize];
  std::memcpy(tag_copy, tag.data(), kTagSize);
  return ctx &&
         EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
         EVP_DecryptUpdate(ctx.get(), nullptr, &len, ad.data(), static_cast<int>(ad.size())) == 1 &&
         EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct.data(), static_cast<int>(ct.size())) ==
             1 &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag_copy) == 1 &&
         EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &len) == 1;
}

Bytes wrap_ad(std::string_view asset_id) {
  Bytes ad(kWrapDomain.begin(), kWrapDomain.end());
  ad.push_back(static_cast<std::uint8_t>(asset_id.size()));
  ad.insert(ad.end(), asset_id.begin(), asset_id.end());
  return ad;
}

}  // namespace

SecretKey::~SecretKey() {
  secure_wipe(key_);
}

Result<MasterKey> MasterKey::from_bytes(ByteView key) {
  if (key.size() != kKeySize) {
    return invalid_argument("master key must be 32 bytes, got " + std::to_string(key.size()));
  }
  MasterKey out;
  std::memcpy(out.key_.data(), key.data(), kKeySize);
  return out;
}

Result<MasterKey> MasterKey::generate() {
  MasterKey out;
  PACTUM_TRY_STATUS(random_bytes(out.key_));
  return out;
}

FixedBytes<8> MasterKey::key_id() const noexcept {
  std::uint8_t buf[kKeyIdDomain.size() + kKeySize];
  std::memcpy(buf, kKeyIdDomain.data(), kKeyIdDomain.size());
  std::memcpy(buf + kKeyIdDomain.size(), key_.data(), kKeySize);
  Hash32 digest{};
  SHA256(buf, sizeof(buf), digest.data());
  secure_wipe(buf);
  FixedBytes<8> id{};
  std::memcpy(id.data(), digest.data(), id.size());
  return id;
}

Result<DataKey> DataKey::from_bytes(ByteView key) {
  if (key.size() != kKeySize) {
    return invalid_argument("data key must be 32 bytes, got " + std::to_string(key.size()));
  }
  DataKey out;
  std::memcpy(out.key_.data(), key.data(), kKeySize);
  return out;
}

Result<DataKey> DataKey::generate() {
  DataKey out;
  PACTUM_TRY_STATUS(random_bytes(out.key_));
  return out;
}

Result<Bytes> wrap_data_key(const MasterKey& master, const DataKey& key,
                            std::string_view asset_id) {
  if (asset_id.empty() || asset_id.size() > 255) {
    return invalid_argument("asset id must be 1..255 bytes to wrap a key");
  }
  Bytes out(kWrappedKeySize);
  out[0] = kWrapVersion;
  const auto id = master.key_id();
  std::memcpy(out.data() + 1, id.data(), id.size());
  std::span<std::uint8_t> nonce(out.data() + 9, kNonceSize);
  PACTUM_TRY_STATUS(random_bytes(nonce));
  PACTUM_TRY_STATUS(gcm_seal(master.bytes(), nonce, wrap_ad(asset_id), key.bytes(),
                             {out.data() + 9 + kNonceSize, kKeySize},
                             {out.data() + 9 + kNonceSize + kKeySize, kTagSize}));
  return out;
}

Result<DataKey> unwrap_data_key(const MasterKey& master, ByteView wrapped,
                                std::string_view asset_id) {
  if (wrapped.size() != kWrappedKeySize || wrapped[0] != kWrapVersion) {
    return data_loss("wrapped data key of asset '" + std::string(asset_id) +
                     "' has the wrong size or version");
  }
  const auto id = master.key_id();
  if (std::memcmp(wrapped.data() + 1, id.data(), id.size()) != 0) {
    return failed_precondition(
        "data key of asset '" + std::string(asset_id) + "' is wrapped under master key " +
        to_hex(wrapped.subspan(1, 8), false) + ", this node has " + to_hex(id, false));
  }
  std::array<std::uint8_t, kKeySize> raw{};
  const bool ok = gcm_open(master.bytes(), wrapped.subspan(9, kNonceSize), wrap_ad(asset_id),
                           wrapped.subspan(9 + kNonceSize, kKeySize),
                           wrapped.subspan(9 + kNonceSize + kKeySize, kTagSize), raw);
  if (!ok) {
    secure_wipe(raw);
    return data_loss("wrapped data key of asset '" + std::string(asset_id) +
                     "' fails to authenticate (damaged, or wrapped for another asset)");
  }
  auto key = DataKey::from_bytes(raw);
  secure_wipe(raw);
  return key;
}

struct ChunkCipher::State {
  CtxPtr enc;
  CtxPtr dec;
  NonceBase nonce_base{};
  // kChunkDomain || len(asset id) || asset id || index(8) || final(1); the tail is rewritten
  // per chunk.
  Bytes ad;

  void set_chunk(std::uint64_t index, bool final_chunk, std::uint8_t* nonce) {
    const std::size_t tail = ad.size() - 9;
    put_be64(ad.data() + tail, index);
    ad[tail + 8] = final_chunk ? 1 : 0;
    std::uint8_t be[kNonceSize] = {};
    put_be64(be + 4, index);
    for (std::size_t i = 0; i < kNonceSize; ++i) nonce[i] = nonce_base[i] ^ be[i];
  }
};

ChunkCipher::ChunkCipher(std::unique_ptr<State> state) : state_(std::move(state)) {}
ChunkCipher::ChunkCipher(ChunkCipher&&) noexcept = default;
ChunkCipher& ChunkCipher::operator=(ChunkCipher&&) noexcept = default;
ChunkCipher::~ChunkCipher() = default;  // EVP_CIPHER_CTX_free cleanses the key schedule.

Result<ChunkCipher> ChunkCipher::create(const DataKey& key, const NonceBase& nonce_base,
                                        std::string_view asset_id) {
  if (asset_id.empty() || asset_id.size() > 255) {
    return invalid_argument("asset id must be 1..255 bytes for chunk encryption");
  }
  auto state = std::make_unique<State>();
  state->enc.reset(EVP_CIPHER_CTX_new());
  state->dec.reset(EVP_CIPHER_CTX_new());
  if (!state->enc || !state->dec ||
      EVP_EncryptInit_ex(state->enc.get(), EVP_aes_256_gcm(), nullptr, key.bytes().data(),
                         nullptr) != 1 ||
      EVP_DecryptInit_ex(state->dec.get(), EVP_aes_256_gcm(), nullptr, key.bytes().data(),
                         nullptr) != 1) {
    return internal_error("cannot initialise AES-256-GCM in OpenSSL");
  }
  state->nonce_base = nonce_base;
  state->ad.assign(kChunkDomain.begin(), kChunkDomain.end());
  state->ad.push_back(static_cast<std::uint8_t>(asset_id.size()));
  state->ad.insert(state->ad.end(), asset_id.begin(), asset_id.end());
  state->ad.resize(state->ad.size() + 9);
  return ChunkCipher(std::move(state));
}

Status ChunkCipher::seal(std::uint64_t index, bool final_chunk, ByteView plaintext,
                         std::span<std::uint8_t> out) {
  if (out.size() != plaintext.size() + kTagSize || plaintext.size() > INT_MAX) {
    return invalid_argument("seal: output must be the plaintext size plus 16");
  }
  std::uint8_t nonce[kNonceSize];
  state_->set_chunk(index, final_chunk, nonce);
  EVP_CIPHER_CTX* ctx = state_->enc.get();
  int len = 0;
  int tail = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &len, state_->ad.data(),
                        static_cast<int>(state_->ad.size())) != 1 ||
      EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, out.data() + len, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + plaintext.size()) !=
          1) {
    return internal_error("AES-256-GCM seal of chunk " + std::to_string(index) + " failed");
  }
  return ok_status();
}

Status ChunkCipher::open(std::uint64_t index, bool final_chunk, ByteView sealed,
                         std::span<std::uint8_t> out) {
  if (sealed.size() < kTagSize || out.size() != sealed.size() - kTagSize ||
      sealed.size() > INT_MAX) {
    return invalid_argument("open: output must be the sealed size minus 16");
  }
  std::uint8_t nonce[kNonceSize];
  state_->set_chunk(index, final_chunk, nonce);
  std::uint8_t tag[kTagSize];
  std::memcpy(tag, sealed.data() + out.size(), kTagSize);
  EVP_CIPHER_CTX* ctx = state_->dec.get();
  int len = 0;
  int tail = 0;
  const bool ok =
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &len, state_->ad.data(),
                        static_cast<int>(state_->ad.size())) == 1 &&
      EVP_DecryptUpdate(ctx, out.data(), &len, sealed.data(), static_cast<int>(out.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1 &&
      EVP_DecryptFinal_ex(ctx, out.data() + len, &tail) == 1;
  if (!ok) {
    secure_wipe(out);
    return data_loss("chunk " + std::to_string(index) +
                     " fails to authenticate (modified, moved, truncated or wrong key)");
  }
  return ok_status();
}

}  // namespace pactum::store
