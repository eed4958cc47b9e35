// Ethereum transactions: legacy (with EIP-155 replay protection), EIP-2930 (type 1: an access
// list, one gas price; what a chain without EIP-1559 takes beside legacy) and EIP-1559 (type 2).
// Built as plain structs, hashed for signing, signed, serialized to the raw bytes that
// eth_sendRawTransaction takes, and decoded back from raw bytes with the sender recovered.
//
//   legacy   rlp([nonce, gasPrice, gas, to, value, data, v, r, s]); signing hash over
//            rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]) (EIP-155), or over the
//            first six fields when chain_id is empty (pre-EIP-155, v = 27/28)
//   EIP-2930 0x01 ‖ rlp([chainId, nonce, gasPrice, gas, to, value, data, accessList, yParity,
//            r, s]); signing hash over the same without the last three
//   EIP-1559 0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value,
//            data, accessList, yParity, r, s]); signing hash over the same without the last three
//
// Thread safety: all types are values; all functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/signature.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::eth {

enum class TxType : std::uint8_t {
  kLegacy = 0,
  kEip2930 = 1,
  kEip1559 = 2,
};

// One EIP-2930 access-list entry (EIP-2930 and EIP-1559 transactions carry the list; it may be
// empty).
struct AccessListEntry {
  Address address;
  std::vector<Hash32> storage_keys;
  friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

// An unsigned transaction. Fields a type does not use are ignored when encoding it: gas_price
// for EIP-1559; max_fee_per_gas and max_priority_fee_per_gas for legacy and EIP-2930;
// access_list for legacy.
struct Transaction {
  TxType type = TxType::kEip1559;
  // Required for EIP-2930 and EIP-1559. For legacy, empty means pre-EIP-155 (no replay
  // protection).
  std::optional<std::uint64_t> chain_id;
  std::uint64_t nonce = 0;
  U256 gas_price;                 // legacy, EIP-2930
  U256 max_priority_fee_per_gas;  // EIP-1559
  U256 max_fee_per_gas;           // EIP-1559
  std::uint64_t gas_limit = 0;
  std::optional<Address> to;  // empty: contract creation
  U256 value;
  Bytes data;
  std::vector<AccessListEntry> access_list;  // EIP-2930, EIP-1559

  friend bool operator==(const Transaction&, const Transaction&) = default;
};

// The bytes whose Keccak-256 is signed (for a typed transaction including its type byte).
// Errors: kInvalidArgument for an EIP-2930 or EIP-1559 transaction without a chain id, a type
// this library does not know, or an EIP-1559 transaction with
// max_priority_fee_per_gas > max_fee_per_gas (nodes refuse those; ethers too).
[[nodiscard]] Result<Bytes> unsigned_payload(const Transaction& tx);
// keccak256(unsigned_payload(tx)). Errors: those of unsigned_payload.
[[nodiscard]] Result<Hash32> signing_hash(const Transaction& tx);

// A transaction with its signature.
struct SignedTransaction {
  Transaction tx;
  Signature signature;

  // The raw signed transaction (what eth_sendRawTransaction takes).
  // REQUIRES: a typed tx has a chain id (true for anything sign_transaction or
  // decode_transaction returned).
  [[nodiscard]] Bytes serialize() const;
  // keccak256(serialize()): the transaction hash nodes report.
  [[nodiscard]] Hash32 hash() const;
  // The legacy v value: 27/28 without chain id, chain_id * 2 + 35 + recovery_id with one.
  [[nodiscard]] U256 legacy_v() const;
  // Recovers the address that signed the transaction.
  // Errors: those of recover_address (e.g. high s), and of signing_hash.
  [[nodiscard]] Result<Address> sender() const;

  friend bool operator==(const SignedTransaction&, const SignedTransaction&) = default;
};

// Signs `tx` with `key` (deterministic, low s). Errors: those of signing_hash.
[[nodiscard]] Result<SignedTransaction> sign_transaction(Transaction tx, const PrivateKey& key);

// Decodes a raw signed transaction (legacy, type 1 or type 2). Strict: canonical RLP and integers,
// the exact field count, `to` empty or 20 bytes, r and s at most 32 bytes, a legacy v of 27/28 or
// ≥ 37 (EIP-155), a y parity of 0/1, no bytes after the transaction.
// Errors: kUnimplemented for another transaction type byte (0x03, 0x04, ...); kInvalidArgument
// (or the RLP errors of rlp.hpp) for a malformed transaction, the message naming the field.
[[nodiscard]] Result<SignedTransaction> decode_transaction(ByteView raw);

}  // namespace pactum::eth
