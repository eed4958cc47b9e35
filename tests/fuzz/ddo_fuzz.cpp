// libFuzzer target: the one DDO parser (sdk/ddo.hpp) on arbitrary text, which also drives the
// guarded JSON parser (src/json) through every depth, size and duplicate-key path.
//
// Invariants checked: no crash, no sanitizer report, no stack exhaustion (a 1 MiB input of
// brackets must be refused while parsing), never kInternal, and a DDO that parses is written
// and parsed again to the same DDO (write_ddo of it is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pactum/sdk/ddo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ddo = pactum::sdk::parse_ddo(text);
  if (!ddo.ok()) {
    if (ddo.error().code() == pactum::ErrorCode::kInternal) std::abort();
    return 0;
  }
  const std::string written = pactum::sdk::write_ddo(*ddo);
  auto again = pactum::sdk::parse_ddo(written);
  if (!again.ok()) std::abort();  // the writer wrote what the parser refuses
  if (pactum::sdk::write_ddo(*again) != written) std::abort();
  if (again->did != ddo->did || !(again->access.payment == ddo->access.payment) ||
      again->metadata.checksum != ddo->metadata.checksum) {
    std::abort();
  }
  return 0;
}
