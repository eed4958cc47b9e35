#include "pactum/eth/keys.hpp"

#include <algorithm>
#include <cstdlib>

#include "crypto_internal.hpp"
#include "pactum/core/random.hpp"

namespace pactum::eth {
namespace internal {

const secp256k1_context* secp_context() noexcept {
  static const secp256k1_context* const context = [] {
    secp256k1_context* ctx =
        secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    if (ctx == nullptr) std::abort();
    // Blinding against timing/power side channels; randomization failing only loses blinding,
    // so a failed getrandom leaves the (still correct) unblinded context.
    FixedBytes<32> seed{};
    if (random_bytes(seed).ok() && secp256k1_context_randomize(ctx, seed.data()) != 1) {
      std::abort();  // documented never to fail for a freshly created context
    }
    secure_wipe(seed);
    return ctx;
  }();
  return context;
}

FixedBytes<64> pubkey_xy(const secp256k1_pubkey& pubkey) noexcept {
  FixedBytes<65> out{};
  std::size_t len = out.size();
  (void)secp256k1_ec_pubkey_serialize(secp_context(), out.data(), &len, &pubkey,
                                      SECP256K1_EC_UNCOMPRESSED);
  FixedBytes<64> xy{};
  std::copy(out.begin() + 1, out.end(), xy.begin());
  return xy;
}

}  // namespace internal

// ---- PublicKey -------------------------------------------------------------------------------

Result<PublicKey> PublicKey::parse(ByteView bytes) {
  FixedBytes<65> sec{};
  ByteView input = bytes;
  if (bytes.size() == 64) {
    sec[0] = 0x04;
    std::copy(bytes.begin(), bytes.end(), sec.begin() + 1);
    input = sec;
  } else if (bytes.size() != 33 && bytes.size() != 65) {
    return invalid_argument("public key: expected 33, 64 or 65 bytes, got " +
                            std::to_string(bytes.size()));
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ec_pubkey_parse(internal::secp_context(), &pubkey, input.data(), input.size()) !=
      1) {
    return invalid_argument("public key: not a point on secp256k1");
  }
  return PublicKey(internal::pubkey_xy(pubkey));
}

FixedBytes<65> PublicKey::serialize_uncompressed() const noexcept {
  FixedBytes<65> out{};
  out[0] = 0x04;
  std::copy(xy_.begin(), xy_.end(), out.begin() + 1);
  return out;
}

FixedBytes<33> PublicKey::serialize_compressed() const noexcept {
  FixedBytes<33> out{};
  out[0] = static_cast<std::uint8_t>(0x02 | (xy_[63] & 1));
  std::copy(xy_.begin(), xy_.begin() + 32, out.begin() + 1);
  return out;
}

Address PublicKey::address() const noexcept {
  return Address::from_public_key_xy(xy_);
}

// ---- PrivateKey ------------------------------------------------------------------------------

Result<PrivateKey> PrivateKey::generate() {
  FixedBytes<kSize> secret{};
  internal::WipeOnExit wipe(secret);
  for (;;) {
    PACTUM_TRY_STATUS(random_bytes(secret));
    // Out of range with probability < 2^-127; draw again.
    if (secp256k1_ec_seckey_verify(internal::secp_context(), secret.data()) == 1) {
      return PrivateKey(secret);
    }
  }
}

Result<PrivateKey> PrivateKey::from_bytes(ByteView bytes) {
  if (bytes.size() != kSize) {
    return invalid_argument("private key: expected 32 bytes, got " + std::to_string(bytes.size()));
  }
  FixedBytes<kSize> secret{};
  internal::WipeOnExit wipe(secret);
  std::copy(bytes.begin(), bytes.end(), secret.begin());
  if (secp256k1_ec_seckey_verify(internal::secp_context(), secret.data()) != 1) {
    return invalid_argument("private key out of range (must be 0 < k < n)");
  }
  return PrivateKey(secret);
}

Result<PrivateKey> PrivateKey::from_hex(std::string_view text) {
  auto bytes = pactum::from_hex(text);
  if (!bytes.ok()) return bytes.error().with_context("private key");
  internal::WipeOnExit wipe(*bytes);
  return from_bytes(*bytes);
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : secret_(other.secret_) {
  secure_wipe(other.secret_);
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    secure_wipe(other.secret_);
  }
  return *this;
}

PrivateKey::~PrivateKey() {
  secure_wipe(secret_);
}

PublicKey PrivateKey::public_key() const noexcept {
  secp256k1_pubkey pubkey;
  // Cannot fail: the invariant keeps secret_ a valid scalar.
  if (secp256k1_ec_pubkey_create(internal::secp_context(), &pubkey, secret_.data()) != 1) {
    std::abort();  // unreachable while the invariant holds
  }
  return PublicKey(internal::pubkey_xy(pubkey));
}

Address PrivateKey::address() const noexcept {
  return public_key().address();
}

void PrivateKey::export_secret(std::span<std::uint8_t, kSize> out) const noexcept {
  std::copy(secret_.begin(), secret_.end(), out.begin());
}

}  // namespace pactum::eth
