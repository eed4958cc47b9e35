// Signed requests to a Pactum node (docs/node-api.md, "Signed requests").
//
// A request says what the signer wants (`action`) of what (`subject`), at which node, with a
// single-use nonce and an expiry. It travels as two headers:
//   X-Pactum-Request:   {"action":"access","subject":"0x…","node":"0x…","nonce":"…","expiry":"…"}
//   X-Pactum-Signature: 0x<65 bytes r‖s‖v>
// and is signed as EIP-712 typed data:
//   EIP712Domain(string name,string version,uint256 chainId)   "Pactum Node", "1", chain id
//   NodeRequest(string action,bytes32 subject,address node,uint256 nonce,uint64 expiry)
// Binding the node's address and the chain id means a request cannot be replayed at another
// node or on another chain; the node keeps the nonces it has seen so it cannot be replayed
// there either (that ledger is the node's, not this module's).
//
// Thread safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/signature.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::sdk {

inline constexpr std::string_view kRequestHeader = "X-Pactum-Request";
inline constexpr std::string_view kSignatureHeader = "X-Pactum-Signature";
// The longest X-Pactum-Request value a node parses; real ones are ~250 bytes.
inline constexpr std::size_t kMaxRequestHeaderLength = 1024;
// How far in the future an expiry may lie: a request is short-lived by construction.
inline constexpr std::int64_t kMaxRequestLifetimeSeconds = 600;

// What a request asks for. The names are the wire form.
enum class NodeAction : std::uint8_t { kUpload, kPublish, kAccess };

// "upload", "publish", "access".
[[nodiscard]] std::string_view node_action_name(NodeAction action) noexcept;

struct NodeRequest {
  NodeAction action = NodeAction::kAccess;
  Hash32 subject{};          // the agreement id (access), the DID (publish), zero (upload)
  eth::Address node;         // the node's own address
  eth::U256 nonce;           // single use per signer at that node
  std::uint64_t expiry = 0;  // unix seconds; refused after
};

// The EIP-712 hash the signer signs, for `chain_id`.
[[nodiscard]] Hash32 node_request_signing_hash(const NodeRequest& request, std::uint64_t chain_id);

// The X-Pactum-Request header value (compact JSON, members in the order above).
[[nodiscard]] std::string node_request_to_header(const NodeRequest& request);

// Parses an X-Pactum-Request header value.
// Errors: kInvalidArgument naming the member that is missing, of the wrong kind or malformed
// (unknown action, subject not 32 bytes of hex, bad address, nonce not a decimal uint256,
// expiry not a decimal uint64, unknown members) or when the text is longer than
// kMaxRequestHeaderLength or not a JSON object.
[[nodiscard]] Result<NodeRequest> node_request_from_header(std::string_view header);

// Both headers, ready to send.
struct SignedNodeRequest {
  std::string request_header;
  std::string signature_header;
};

// Signs `request` for `chain_id` with `key`.
[[nodiscard]] SignedNodeRequest sign_node_request(const eth::PrivateKey& key,
                                                  const NodeRequest& request,
                                                  std::uint64_t chain_id);

// A request whose signature checked out, and who signed it.
struct VerifiedNodeRequest {
  NodeRequest request;
  eth::Address signer;
};

// What the node expects of every request.
struct NodeRequestExpectations {
  std::uint64_t chain_id = 0;
  eth::Address node;  // this node's address
  NodeAction action = NodeAction::kAccess;
  std::int64_t now = 0;  // unix seconds, from the node's clock
};

// Parses both headers and checks them against `expected`: the action, that the request is for
// this node, that it has not expired and does not expire too far ahead, and that the signature
// is well formed and recovers to a signer. Does NOT check the nonce (the node's ledger does) or
// whether the signer may act (the caller does).
// Errors: kInvalidArgument for malformed headers, a wrong action, or an expiry more than
// kMaxRequestLifetimeSeconds ahead; kPermissionDenied when the request names another node;
// kUnauthenticated when the request has expired or the signature is malformed or does not
// recover.
[[nodiscard]] Result<VerifiedNodeRequest> verify_node_request(
    std::string_view request_header, std::string_view signature_header,
    const NodeRequestExpectations& expected);

}  // namespace pactum::sdk
