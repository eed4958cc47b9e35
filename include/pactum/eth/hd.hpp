// Hierarchical deterministic keys: BIP-39 mnemonics (English wordlist) and BIP-32 derivation,
// with the BIP-44 Ethereum path m/44'/60'/0'/0/i that wallets and anvil use.
//
// Secrets: seeds, extended keys and chain codes wipe themselves on destruction; error messages
// name positions, never mnemonic words or key material.
//
// Thread safety: values with const methods only; the functions are pure apart from OS
// randomness and may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/keys.hpp"

namespace pactum::eth {

// ---- BIP-39 ----------------------------------------------------------------------------------

// A 64-byte BIP-39 seed; wiped on destruction, move-only.
class Bip39Seed {
 public:
  static constexpr std::size_t kSize = 64;
  explicit Bip39Seed(const FixedBytes<kSize>& bytes) noexcept : bytes_(bytes) {}
  Bip39Seed(Bip39Seed&& other) noexcept;
  Bip39Seed& operator=(Bip39Seed&& other) noexcept;
  Bip39Seed(const Bip39Seed&) = delete;
  Bip39Seed& operator=(const Bip39Seed&) = delete;
  ~Bip39Seed();

  // The seed bytes; valid while this object lives.
  [[nodiscard]] ByteView view() const noexcept { return bytes_; }

 private:
  FixedBytes<kSize> bytes_{};
};

// Encodes entropy of 16, 20, 24, 28 or 32 bytes as 12..24 English words (with the SHA-256
// checksum bits). Errors: kInvalidArgument for another length.
[[nodiscard]] Result<std::string> mnemonic_from_entropy(ByteView entropy);

// A new mnemonic of `word_count` words (12, 15, 18, 21 or 24) from the OS CSPRNG.
// Errors: kInvalidArgument for another count; kUnavailable when OS randomness fails.
[[nodiscard]] Result<std::string> generate_mnemonic(std::size_t word_count = 12);

// Checks a mnemonic: words separated by ASCII whitespace, each in the English list (lower case),
// 12/15/18/21/24 of them, checksum correct. Errors: kInvalidArgument naming the failure ("word 5
// is not in the BIP-39 English list", "bad checksum", "expected 12, 15, 18, 21 or 24 words").
[[nodiscard]] Status validate_mnemonic(std::string_view mnemonic);

// The BIP-39 seed: PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" ‖ passphrase, 2048 rounds, 64 bytes).
// The mnemonic is validated first and its words rejoined with single spaces.
// Errors: those of validate_mnemonic; kUnimplemented for a passphrase with non-ASCII characters
// (BIP-39 requires NFKD normalization, which this library does not implement, and a silently
// different seed would lose funds).
[[nodiscard]] Result<Bip39Seed> mnemonic_to_seed(std::string_view mnemonic,
                                                 std::string_view passphrase = {});

// ---- BIP-32 ----------------------------------------------------------------------------------

// Child indexes at or above this are hardened (written i' or iH).
inline constexpr std::uint32_t kHardened = 0x80000000u;

// Parses "m/44'/60'/0'/0/7" ("m" alone is the master; ' or h or H marks hardened; each index
// < 2^31). Errors: kInvalidArgument for a missing leading "m", an empty or non-numeric
// component, an index ≥ 2^31, or more than 255 levels.
[[nodiscard]] Result<std::vector<std::uint32_t>> parse_derivation_path(std::string_view path);

// A BIP-32 extended private key (secp256k1 key + chain code + position in the tree); move-only,
// wiped on destruction.
class ExtendedPrivateKey {
 public:
  // The master key: HMAC-SHA512("Bitcoin seed", seed). Errors: kInvalidArgument for a seed not
  // of 16..64 bytes, or the (probability 2^-127) invalid master key.
  [[nodiscard]] static Result<ExtendedPrivateKey> from_seed(ByteView seed);

  ExtendedPrivateKey(ExtendedPrivateKey&& other) noexcept;
  ExtendedPrivateKey& operator=(ExtendedPrivateKey&& other) noexcept;
  ExtendedPrivateKey(const ExtendedPrivateKey&) = delete;
  ExtendedPrivateKey& operator=(const ExtendedPrivateKey&) = delete;
  ~ExtendedPrivateKey();

  // CKDpriv: the child at `index` (hardened when index ≥ kHardened).
  // Errors: kOutOfRange when the child key is invalid (probability 2^-127; BIP-32 says to use
  // the next index), or when the depth would exceed 255.
  [[nodiscard]] Result<ExtendedPrivateKey> derive_child(std::uint32_t index) const;
  // Derives along parse_derivation_path(path) from this key (normally the master).
  // Errors: those of parse_derivation_path and derive_child.
  [[nodiscard]] Result<ExtendedPrivateKey> derive_path(std::string_view path) const;

  [[nodiscard]] PrivateKey private_key() const noexcept;
  [[nodiscard]] PublicKey public_key() const noexcept;
  [[nodiscard]] std::uint8_t depth() const noexcept { return depth_; }
  [[nodiscard]] std::uint32_t child_number() const noexcept { return child_number_; }
  // First 4 bytes of HASH160 of the parent's compressed public key (0 for the master).
  [[nodiscard]] std::uint32_t parent_fingerprint() const noexcept { return parent_fingerprint_; }

  // Base58Check "xprv…" (mainnet version bytes). The text is a secret: wipe it after use.
  [[nodiscard]] std::string to_xprv() const;
  // Base58Check "xpub…" of the matching extended public key.
  [[nodiscard]] std::string to_xpub() const;

 private:
  ExtendedPrivateKey() = default;
  FixedBytes<32> key_{};
  FixedBytes<32> chain_code_{};
  std::uint8_t depth_ = 0;
  std::uint32_t child_number_ = 0;
  std::uint32_t parent_fingerprint_ = 0;
};

// The Ethereum account key m/44'/60'/0'/0/index of a mnemonic (what MetaMask, ethers, anvil and
// hardhat derive). Errors: those of mnemonic_to_seed and derive_path; kInvalidArgument for
// index ≥ 2^31.
[[nodiscard]] Result<PrivateKey> derive_ethereum_key(std::string_view mnemonic,
                                                     std::string_view passphrase,
                                                     std::uint32_t index);

}  // namespace pactum::eth
