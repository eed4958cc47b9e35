#include "pactum/eth/signature.hpp"

#include <secp256k1_recovery.h>

#include <algorithm>
#include <cstdlib>

#include "crypto_internal.hpp"

namespace pactum::eth {
namespace {

// The secp256k1 group order n and n/2, big-endian.
constexpr Hash32 kOrder = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                           0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                           0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
constexpr Hash32 kHalfOrder = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                               0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

bool is_zero(const Hash32& x) noexcept {
  return std::all_of(x.begin(), x.end(), [](std::uint8_t b) { return b == 0; });
}

// Big-endian a < b.
bool less(const Hash32& a, const Hash32& b) noexcept {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

bool in_scalar_range(const Hash32& x) noexcept {
  return !is_zero(x) && less(x, kOrder);
}

Status check_components(const Signature& sig) {
  if (!in_scalar_range(sig.r)) return invalid_argument("signature: r out of range (0 < r < n)");
  if (!in_scalar_range(sig.s)) return invalid_argument("signature: s out of range (0 < s < n)");
  if (sig.recovery_id > 1) {
    return invalid_argument("signature: invalid recovery id " + std::to_string(sig.recovery_id) +
                            " (must be 0 or 1)");
  }
  return ok_status();
}

}  // namespace

Result<Signature> Signature::parse(ByteView bytes) {
  if (bytes.size() != 65) {
    return invalid_argument("signature: expected 65 bytes, got " + std::to_string(bytes.size()));
  }
  Signature sig;
  std::copy(bytes.begin(), bytes.begin() + 32, sig.r.begin());
  std::copy(bytes.begin() + 32, bytes.begin() + 64, sig.s.begin());
  const std::uint8_t v = bytes[64];
  if (v == 0 || v == 1) {
    sig.recovery_id = v;
  } else if (v == 27 || v == 28) {
    sig.recovery_id = static_cast<std::uint8_t>(v - 27);
  } else {
    return invalid_argument("signature: invalid recovery id v=" + std::to_string(v) +
                            " (must be 0, 1, 27 or 28)");
  }
  PACTUM_TRY_STATUS(check_components(sig));
  return sig;
}

Result<Signature> Signature::from_hex(std::string_view text) {
  auto bytes = pactum::from_hex(text);
  if (!bytes.ok()) return bytes.error().with_context("signature");
  return parse(*bytes);
}

FixedBytes<65> Signature::serialize() const noexcept {
  FixedBytes<65> out = serialize_y_parity();
  out[64] = v();
  return out;
}

FixedBytes<65> Signature::serialize_y_parity() const noexcept {
  FixedBytes<65> out{};
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + 32);
  out[64] = recovery_id;
  return out;
}

bool Signature::is_low_s() const noexcept {
  return !less(kHalfOrder, s);
}

Signature Signature::normalized() const noexcept {
  if (is_low_s()) return *this;
  Signature out = *this;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    const int d = kOrder[i] - s[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    out.s[i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  out.recovery_id = static_cast<std::uint8_t>(recovery_id ^ 1);
  return out;
}

Signature sign_hash(const PrivateKey& key, const Hash32& hash) noexcept {
  secp256k1_ecdsa_recoverable_signature raw;
  // Cannot fail for a valid key with the default RFC 6979 nonce function (it retries internally
  // on the negligible invalid-nonce case); a failure would be a broken invariant.
  if (secp256k1_ecdsa_sign_recoverable(internal::secp_context(), &raw, hash.data(),
                                       internal::KeyAccess::secret(key).data(), nullptr,
                                       nullptr) != 1) {
    std::abort();
  }
  FixedBytes<64> compact{};
  int recid = 0;
  (void)secp256k1_ecdsa_recoverable_signature_serialize_compact(internal::secp_context(),
                                                                compact.data(), &recid, &raw);
  Signature sig;
  std::copy(compact.begin(), compact.begin() + 32, sig.r.begin());
  std::copy(compact.begin() + 32, compact.end(), sig.s.begin());
  sig.recovery_id = static_cast<std::uint8_t>(recid);
  return sig;
}

Result<PublicKey> recover_public_key(const Hash32& hash, const Signature& signature) {
  PACTUM_TRY_STATUS(check_components(signature));
  if (!signature.is_low_s()) {
    return invalid_argument("signature: s is not low (EIP-2: s must be <= n/2)");
  }
  FixedBytes<64> compact{};
  std::copy(signature.r.begin(), signature.r.end(), compact.begin());
  std::copy(signature.s.begin(), signature.s.end(), compact.begin() + 32);
  secp256k1_ecdsa_recoverable_signature raw;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(
          internal::secp_context(), &raw, compact.data(), signature.recovery_id) != 1) {
    return invalid_argument("signature: r or s out of range");
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ecdsa_recover(internal::secp_context(), &pubkey, &raw, hash.data()) != 1) {
    return invalid_argument("signature: no public key recovers from this signature and hash");
  }
  return internal::KeyAccess::make_public(internal::pubkey_xy(pubkey));
}

Result<Address> recover_address(const Hash32& hash, const Signature& signature) {
  PACTUM_TRY(PublicKey key, recover_public_key(hash, signature));
  return key.address();
}

}  // namespace pactum::eth
