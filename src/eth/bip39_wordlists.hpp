// Private to src/eth: the ten BIP-39 wordlists (src/eth/bip39/, embedded at build time).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace pactum::eth::internal {

inline constexpr std::size_t kBip39LanguageCount = 10;

// Indexed by Bip39Language (include/pactum/eth/hd.hpp), each list in its published order: word i
// encodes the 11-bit value i. The words are as published (NFC where it differs from NFKD); a
// lookup compares NFKD forms.
extern const std::array<std::array<std::string_view, 2048>, kBip39LanguageCount> kBip39Wordlists;

}  // namespace pactum::eth::internal
