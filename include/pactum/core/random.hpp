// Randomness for keys, nonces and ids: the operating system's CSPRNG, the one source every
// library draws from.
//
// Thread safety: random_bytes may be called from any thread.
#pragma once

#include <cstdint>
#include <span>

#include "pactum/core/result.hpp"

namespace pactum {

// Fills `out` from the kernel's CSPRNG (getrandom(2), which blocks only until the pool is
// seeded at boot). Errors: kUnavailable when the kernel refuses (the message says why).
[[nodiscard]] Status random_bytes(std::span<std::uint8_t> out);

}  // namespace pactum
