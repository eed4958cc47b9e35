// EIP-712 typed structured data: the hash a wallet signs for a typed message, from a JSON
// typed-data document (what eth_signTypedData_v4 takes) or from our own precomputed parts.
//
// JSON document: {"types": {...}, "primaryType": "Name", "domain": {...}, "message": {...}}.
// Supported member types: uint8..uint256 and int8..int256 (multiples of 8), bool, address,
// bytes1..bytes32, bytes, string, struct names defined in "types", and arrays of any of these,
// dynamic (T[]) or fixed (T[k]), nested (T[2][]). The domain's type is types.EIP712Domain when
// present, otherwise derived from the domain's keys (name, version, chainId, verifyingContract,
// salt, in that order), as ethers does.
//
// primaryType "EIP712Domain" signs the domain alone, as MetaMask does: the message is not read,
// struct_hash() is the domain separator and signing_hash() is keccak256(0x19 0x01 ‖ domain
// separator) (the EIP's formula would append the domain separator a second time).
//
// Value forms accepted in the JSON: integers as JSON numbers (exact integers only; larger than
// 2^53 must be strings) or strings in decimal or 0x-hex, '-' allowed for intN; bool as true or
// false; address as 40 hex digits (EIP-55 checked when mixed case); bytes and bytesN as hex.
// Members of a struct value that its type does not declare are ignored (as ethers and MetaMask
// do); declared members that are missing are an error.
//
// Thread safety: TypedData is immutable after parse; const methods may be called concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/signature.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::eth {

// A parsed, validated and hashed typed-data document.
class TypedData {
 public:
  // Parses and hashes a typed-data JSON document. Everything is checked here, so the accessors
  // below cannot fail.
  // Errors: kInvalidArgument for malformed JSON, a missing or mistyped top-level key, an invalid
  // type or member name, an unknown member type ("unknown type 'Foo' in Mail.from"), a
  // primaryType not in types, a missing member value, a value of the wrong JSON kind, bad hex,
  // a wrong bytesN/array length, or nesting deeper than 64 levels; kOutOfRange for an integer
  // outside its uintN/intN range. Messages name the path of the bad value ("message.to.wallet").
  [[nodiscard]] static Result<TypedData> parse_json(std::string_view json);

  TypedData(TypedData&&) noexcept;
  TypedData& operator=(TypedData&&) noexcept;
  ~TypedData();

  [[nodiscard]] const std::string& primary_type() const noexcept;
  // hashStruct(EIP712Domain, domain).
  [[nodiscard]] const Hash32& domain_separator() const noexcept;
  // hashStruct(primaryType, message).
  [[nodiscard]] const Hash32& struct_hash() const noexcept;
  // keccak256(0x19 0x01 ‖ domain_separator ‖ struct_hash): the hash to sign.
  [[nodiscard]] const Hash32& signing_hash() const noexcept;

  // encodeType(name): "Name(type member,…)" followed by the referenced struct types sorted by
  // name. Errors: kNotFound when `type_name` is not a struct type of this document.
  [[nodiscard]] Result<std::string> encode_type(std::string_view type_name) const;
  // keccak256(encode_type(name)). Errors: as encode_type.
  [[nodiscard]] Result<Hash32> type_hash(std::string_view type_name) const;

 private:
  struct Impl;
  explicit TypedData(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

// Signs typed data (what eth_signTypedData_v4 returns).
[[nodiscard]] Signature sign_typed_data(const PrivateKey& key, const TypedData& data) noexcept;

// Recovers the signer of typed data. Errors: as recover_address.
[[nodiscard]] Result<Address> recover_typed_data_signer(const TypedData& data,
                                                        const Signature& signature);

// ---- Without JSON: for Pactum's own structs, whose hashStruct is computed by the caller as
// keccak256(typeHash ‖ enc(member₁) ‖ …) -------------------------------------------------------

// The standard domain members; absent members are left out of the domain type.
struct Eip712Domain {
  std::optional<std::string> name;
  std::optional<std::string> version;
  std::optional<U256> chain_id;
  std::optional<Address> verifying_contract;
  std::optional<Hash32> salt;
};

// hashStruct(EIP712Domain, domain), with the type made of the present members in the standard
// order ("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)").
[[nodiscard]] Hash32 domain_separator(const Eip712Domain& domain);

// keccak256(0x19 0x01 ‖ domain_separator ‖ struct_hash).
[[nodiscard]] Hash32 typed_data_signing_hash(const Hash32& domain_separator,
                                             const Hash32& struct_hash) noexcept;

}  // namespace pactum::eth
