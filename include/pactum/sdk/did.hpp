// DIDs of Pactum assets (docs/node-api.md, "Identities"): `did:pactum:0x<64 hex>`, the hex being
// the AssetRegistry's bytes32 id, keccak256(abi.encode(seed, publisher)).
//
// One parser for every edge that takes a DID from outside (the node's routes, the CLI's
// arguments, a DDO's `id`), so that they accept and refuse exactly the same texts.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"

namespace pactum::sdk {

inline constexpr std::string_view kDidPrefix = "did:pactum:0x";
// The length of every DID text: the prefix and 64 hex digits.
inline constexpr std::size_t kDidLength = kDidPrefix.size() + 64;

// Parses "did:pactum:0x<64 hex>" (hex digits in either case) into the registry's bytes32 id.
// Errors: kInvalidArgument "'<text>' is not a DID: …" for anything else. The length is checked
// first, so oversized text costs nothing; the text is quoted only when short.
[[nodiscard]] Result<Hash32> parse_did(std::string_view text);

// "did:pactum:0x<64 lower-case hex>".
[[nodiscard]] std::string format_did(const Hash32& id);

}  // namespace pactum::sdk
