#include "pactum/sdk/chunks.hpp"

#include <bit>
#include <string>

namespace pactum::sdk {

Status validate_chunk_size(std::uint64_t chunk_size) {
  if (chunk_size < kMinChunkSize || chunk_size > kMaxChunkSize ||
      !std::has_single_bit(chunk_size)) {
    return invalid_argument("chunk size " + std::to_string(chunk_size) +
                            " is not a power of two between 4 KiB and 16 MiB");
  }
  return ok_status();
}

}  // namespace pactum::sdk
