#include "pactum/eth/keccak.hpp"

#include <cryptopp/keccak.h>

namespace pactum::eth {

struct Keccak256::State {
  CryptoPP::Keccak_256 hash;
};

Keccak256::Keccak256() : state_(std::make_unique<State>()) {}
Keccak256::~Keccak256() = default;

void Keccak256::update(ByteView data) noexcept { state_->hash.Update(data.data(), data.size()); }

Hash32 Keccak256::finish() noexcept {
  Hash32 out;
  state_->hash.Final(out.data());  // Final also restarts the hash
  return out;
}

Hash32 keccak256(ByteView data) noexcept {
  CryptoPP::Keccak_256 hash;
  Hash32 out;
  hash.CalculateDigest(out.data(), data.data(), data.size());
  return out;
}

}  // namespace pactum::eth
