// The DDO: the W3C DID document of a Pactum asset (docs/node-api.md, "The DDO"), with one
// parser and one writer for every side that reads or writes it — the node's publish, the
// client's publish, resolve and order — so that an asset the node accepts is one the client can
// order, and the other way round.
//
// What is checked here is what the text alone can tell: the members Pactum defines, their
// types and ranges, and the limits of the chain (at most kMaxPaymentReceivers receivers, the
// AgreementEngine's own limit). What only the chain or the node's store can confirm (owner,
// checksum, that the provider serves it, that size and chunks match the upload) is each side's
// to check against the parsed values.
//
// Members Pactum does not define are allowed and kept by whoever stores the text (a DID
// document may carry more), but the text as a whole is bounded: kMaxDdoBytes, kMaxDdoDepth
// levels of nesting, no duplicate keys.
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::sdk {

// The longest DDO text, in bytes.
inline constexpr std::size_t kMaxDdoBytes = std::size_t{1} << 20;
// The deepest nesting of arrays and objects in a DDO (Pactum's own members need 4).
inline constexpr std::size_t kMaxDdoDepth = 16;
// The most payment receivers (the AgreementEngine refuses more: InvalidPaymentTerms).
inline constexpr std::size_t kMaxPaymentReceivers = 8;
// The longest asset name, content type and created time.
inline constexpr std::size_t kMaxDdoTextLength = 256;
// The longest serviceEndpoint.
inline constexpr std::size_t kMaxServiceEndpointLength = 2048;
// The longest access time out the publisher may ask for (the node has this long to grant
// access before the consumer may take a refund).
inline constexpr std::uint64_t kMaxAccessTimeoutSeconds = 365ull * 24 * 3600;
// The only checksum algorithm: the RFC 9162 Merkle root (SHA-256) of the plaintext chunks.
inline constexpr std::string_view kChecksumAlgorithm = "sha256-merkle-rfc9162";

// Who is paid, in what, how much: receivers[i] gets amounts[i] of `token` (zero: ether).
struct PaymentTerms {
  eth::Address token;
  std::vector<eth::Address> receivers;
  std::vector<eth::U256> amounts;
  friend bool operator==(const PaymentTerms&, const PaymentTerms&) = default;
};

// The PactumMetadata service: what the asset is.
struct MetadataService {
  std::string endpoint;  // serviceEndpoint: where this DDO is served
  std::string name;
  std::string content_type;
  std::uint64_t size = 0;         // plaintext bytes
  std::uint32_t chunk_size = 0;   // bytes per chunk (the last may be shorter)
  std::uint64_t chunk_count = 0;  // ceil(size / chunk_size); 1 for an empty file
  Hash32 checksum{};              // the Merkle root of the chunks (kChecksumAlgorithm)
};

// The PactumAccess service: who serves it and on which terms.
struct AccessService {
  // serviceEndpoint as written; nullopt when the DDO names none (then the node that served the
  // DDO serves access). Its form is checked by whoever asks it (the client, before paying).
  std::optional<std::string> endpoint;
  eth::Address provider;  // the node's address
  Hash32 template_id{};   // the agreement template to order with
  PaymentTerms payment;
  std::uint64_t access_timeout_seconds = 0;  // 1 .. kMaxAccessTimeoutSeconds
};

struct Ddo {
  Hash32 did{};  // "id": did:pactum:0x…
  // "controller": did:pkh:eip155:<chain id>:<owner address>
  std::uint64_t chain_id = 0;
  eth::Address controller;
  std::string created;  // as written (the writer uses ISO 8601 UTC)
  MetadataService metadata;
  AccessService access;
};

// Parses a DDO text.
// Errors: kResourceExhausted when it is longer than kMaxDdoBytes; kInvalidArgument, with a
// message naming the member ("DDO service[1].payment.receivers: ..."), when it is not one JSON
// object, nests deeper than kMaxDdoDepth, repeats a key, or a Pactum member is missing, of the
// wrong type or out of range: id not a DID; controller not did:pkh:eip155:<chain>:<address>;
// service not an array, or without exactly one PactumMetadata and one PactumAccess service;
// sizes and counts not decimal strings of uint64 (chunkSize of uint32, not 0), or chunkCount
// not ceil(size / chunkSize) (1 for an empty file); checksum not 32 bytes of hex;
// checksumAlgorithm not kChecksumAlgorithm; provider or token or a receiver not an address;
// receivers empty, more than kMaxPaymentReceivers, a zero address, or not as many as amounts;
// an amount not a decimal uint256; accessTimeout outside 1 .. kMaxAccessTimeoutSeconds; a text
// longer than kMaxDdoTextLength or an endpoint longer than kMaxServiceEndpointLength.
[[nodiscard]] Result<Ddo> parse_ddo(std::string_view text);

// The DDO as compact JSON, in the member order of docs/node-api.md; parse_ddo() of the result
// gives `ddo` back. REQUIRES: `ddo` within the limits parse_ddo() checks (a DDO that would not
// parse is a programming error of the caller, which built it).
[[nodiscard]] std::string write_ddo(const Ddo& ddo);

// Converts and compares payment terms with `receivers`/`amounts` lists (the engine's binding
// has its own struct of the same three members).
template <class T>
[[nodiscard]] PaymentTerms to_payment_terms(const T& payment) {
  return PaymentTerms{payment.token, payment.receivers, payment.amounts};
}

}  // namespace pactum::sdk
