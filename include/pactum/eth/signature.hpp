// Recoverable ECDSA signatures over secp256k1, as Ethereum uses them: sign a 32-byte hash
// deterministically (RFC 6979) and recover the signer's address from the signature.
//
// Thread safety: all functions are pure or use the shared immutable libsecp256k1 context; any
// thread may call them concurrently.
#pragma once

#include <cstdint>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"

namespace pactum::eth {

// An ECDSA signature (r, s) with the recovery id (the parity of the nonce point's y: 0 or 1).
//
// Invariants of a parsed or produced signature: 0 < r < n, 0 < s < n, recovery_id ∈ {0, 1}.
// sign_hash() always produces low s (s ≤ n/2, EIP-2). A Signature built field by field is
// checked again when it is used.
struct Signature {
  Hash32 r{};
  Hash32 s{};
  std::uint8_t recovery_id = 0;

  // Parses the 65-byte r ‖ s ‖ v form. v may be 27/28 (Ethereum's convention) or 0/1.
  // High s is accepted here (see is_low_s / normalized) but refused by recovery.
  // Errors: kInvalidArgument for a length other than 65, r or s equal to zero or ≥ n
  // ("r out of range" / "s out of range"), or another v ("invalid recovery id").
  [[nodiscard]] static Result<Signature> parse(ByteView bytes);
  // As parse, from hex text (what eth_sign and wallets return).
  [[nodiscard]] static Result<Signature> from_hex(std::string_view text);

  // r ‖ s ‖ v with v = 27 + recovery_id (the form wallets and ecrecover-based contracts use).
  [[nodiscard]] FixedBytes<65> serialize() const noexcept;
  // r ‖ s ‖ recovery_id (v as 0/1, as typed transactions carry y parity).
  [[nodiscard]] FixedBytes<65> serialize_y_parity() const noexcept;
  // 27 + recovery_id.
  [[nodiscard]] std::uint8_t v() const noexcept {
    return static_cast<std::uint8_t>(27 + recovery_id);
  }

  // True when s ≤ n/2 (EIP-2's canonical form).
  [[nodiscard]] bool is_low_s() const noexcept;
  // The equivalent low-s signature: s' = n - s and the recovery id flipped when s was high;
  // otherwise a copy. REQUIRES: 0 < s < n.
  [[nodiscard]] Signature normalized() const noexcept;

  friend bool operator==(const Signature&, const Signature&) noexcept = default;
};

// Signs `hash` with `key`: deterministic nonce (RFC 6979, HMAC-SHA256), low s, with recovery id.
// The same key and hash always give the same signature (ethers and libsecp256k1 agree).
[[nodiscard]] Signature sign_hash(const PrivateKey& key, const Hash32& hash) noexcept;

// Recovers the public key that signed `hash`.
// Errors: kInvalidArgument for r or s out of range, high s ("s is not low (EIP-2)"), a recovery
// id other than 0/1, or a signature from which no public key can be recovered.
[[nodiscard]] Result<PublicKey> recover_public_key(const Hash32& hash, const Signature& signature);

// Recovers the signer's address: recover_public_key(...).address(). Errors: as recover_public_key.
[[nodiscard]] Result<Address> recover_address(const Hash32& hash, const Signature& signature);

}  // namespace pactum::eth
