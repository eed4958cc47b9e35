#include "pactum/sdk/did.hpp"

namespace pactum::sdk {
namespace {

// The text for an error message: quoted when short, else only its length (a refused value
// may be megabytes of anything).
std::string quoted(std::string_view text) {
  if (text.size() > kDidLength + 8) return "a " + std::to_string(text.size()) + "-byte text";
  return "'" + std::string(text) + "'";
}

}  // namespace

Result<Hash32> parse_did(std::string_view text) {
  if (text.size() != kDidLength || text.substr(0, kDidPrefix.size()) != kDidPrefix) {
    return invalid_argument(quoted(text) +
                            " is not a DID: expected did:pactum:0x followed by 64 hex digits");
  }
  auto id = fixed_from_hex<32>(text.substr(kDidPrefix.size()));
  if (!id.ok()) return invalid_argument(quoted(text) + " is not a DID: bad hex digit");
  return *id;
}

std::string format_did(const Hash32& id) {
  return "did:pactum:" + to_hex(id);
}

}  // namespace pactum::sdk
