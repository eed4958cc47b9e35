// Private to src/eth: the BIP-39 English wordlist.
#pragma once

#include <array>
#include <string_view>

namespace pactum::eth::internal {

// The 2048 words in the list's (alphabetical) order; word i encodes the 11-bit value i.
extern const std::array<std::string_view, 2048> kBip39English;

}  // namespace pactum::eth::internal
