// EIP-191 version 0x45 ("personal_sign") messages: the hash wallets sign for a human-readable
// message, and sign/recover helpers over it.
//
// Thread safety: all functions are pure (see signature.hpp for the shared context).
#pragma once

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/signature.hpp"

namespace pactum::eth {

// keccak256("\x19Ethereum Signed Message:\n" ‖ decimal(len(message)) ‖ message), as ethers'
// hashMessage and geth's accounts.TextHash compute it. `message` is taken as raw bytes (a UTF-8
// string passes through as_bytes()).
[[nodiscard]] Hash32 personal_message_hash(ByteView message) noexcept;

// Signs personal_message_hash(message) (what personal_sign / ethers signMessage return).
[[nodiscard]] Signature sign_personal_message(const PrivateKey& key, ByteView message) noexcept;

// Recovers the address that signed `message` with personal_sign.
// Errors: as recover_address (kInvalidArgument for a malformed signature).
[[nodiscard]] Result<Address> recover_personal_message_signer(ByteView message,
                                                              const Signature& signature);

}  // namespace pactum::eth
