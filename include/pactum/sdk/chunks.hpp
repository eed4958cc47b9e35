// Chunk geometry: how an asset is cut into chunks. The node's store encrypts and hashes chunks
// of this size, the DDO states it (chunkSize), and the client's ChunkVerifier checks it.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "pactum/core/result.hpp"

namespace pactum::sdk {

inline constexpr std::uint32_t kMinChunkSize = 4 * 1024;
inline constexpr std::uint32_t kMaxChunkSize = 16 * 1024 * 1024;
inline constexpr std::uint32_t kDefaultChunkSize = 1024 * 1024;

// Checks that `chunk_size` is a power of two in [kMinChunkSize, kMaxChunkSize].
// Errors: kInvalidArgument naming the value.
[[nodiscard]] Status validate_chunk_size(std::uint64_t chunk_size);

}  // namespace pactum::sdk
