// Private to src/eth: Unicode normalization, for BIP-39 (mnemonics and passphrases are NFKD).
#pragma once

#include <string>
#include <string_view>

#include "pactum/core/result.hpp"

namespace pactum::eth::internal {

// The NFKD form of UTF-8 text (ICU's normalizer), as UTF-8.
// Errors: kInvalidArgument when `utf8` is not well-formed UTF-8 (the message names the byte
// offset, never the text); kInternal when ICU fails otherwise.
[[nodiscard]] Result<std::string> nfkd(std::string_view utf8);

}  // namespace pactum::eth::internal
