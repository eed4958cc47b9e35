// Hierarchical deterministic keys: BIP-39 mnemonics (the ten official wordlists, NFKD) and
// BIP-32 derivation (private and public, extended keys read and written as xprv/xpub), with the
// BIP-44 Ethereum path m/44'/60'/0'/0/i that wallets and anvil use.
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

// The official BIP-39 wordlists (bitcoin/bips, bip-0039/), in this order.
enum class Bip39Language {
  kEnglish,
  kJapanese,
  kKorean,
  kSpanish,
  kChineseSimplified,
  kChineseTraditional,
  kFrench,
  kItalian,
  kCzech,
  kPortuguese,
};

// "english", "japanese", "korean", "spanish", "chinese_simplified", "chinese_traditional",
// "french", "italian", "czech", "portuguese" (the wordlists' file names).
[[nodiscard]] std::string_view bip39_language_name(Bip39Language language) noexcept;

// Encodes entropy of 16, 20, 24, 28 or 32 bytes as 12..24 words of `language` (with the SHA-256
// checksum bits), separated by spaces — by ideographic spaces (U+3000) in Japanese, as BIP-39
// prescribes. Words are spelled as the published list spells them (the Japanese, Spanish and
// French lists are decomposed: "á" is "a" + U+0301), which every wallet reads after NFKD.
// Errors: kInvalidArgument for another length.
[[nodiscard]] Result<std::string> mnemonic_from_entropy(
    ByteView entropy, Bip39Language language = Bip39Language::kEnglish);

// A new mnemonic of `word_count` words (12, 15, 18, 21 or 24) from the OS CSPRNG.
// Errors: kInvalidArgument for another count; kUnavailable when OS randomness fails.
[[nodiscard]] Result<std::string> generate_mnemonic(
    std::size_t word_count = 12, Bip39Language language = Bip39Language::kEnglish);

// The language of a valid mnemonic: its text is NFKD-normalized, split at whitespace (ASCII, and
// U+3000, which NFKD makes a space), and every word looked up in the ten lists (a list's words
// compared in NFKD too, so composed and decomposed accents both match; case is not folded).
// Errors: kInvalidArgument naming the failure: "expected 12, 15, 18, 21 or 24 words", "word 5
// is not in the BIP-39 English list" (the list holding most of the words), "bad checksum", or
// text that is not UTF-8.
[[nodiscard]] Result<Bip39Language> mnemonic_language(std::string_view mnemonic);

// Checks a mnemonic of any of the ten languages. Errors: those of mnemonic_language.
[[nodiscard]] Status validate_mnemonic(std::string_view mnemonic);

// The BIP-39 seed: PBKDF2-HMAC-SHA512(NFKD(mnemonic), "mnemonic" ‖ NFKD(passphrase), 2048
// rounds, 64 bytes). The mnemonic is validated first and its words rejoined with single spaces.
// Errors: those of mnemonic_language; kInvalidArgument for a passphrase that is not UTF-8.
[[nodiscard]] Result<Bip39Seed> mnemonic_to_seed(std::string_view mnemonic,
                                                 std::string_view passphrase = {});

// ---- BIP-32 ----------------------------------------------------------------------------------

// Child indexes at or above this are hardened (written i' or iH).
inline constexpr std::uint32_t kHardened = 0x80000000u;

// Parses "m/44'/60'/0'/0/7" ("m" alone is the master; ' or h or H marks hardened; each index
// < 2^31). Errors: kInvalidArgument for a missing leading "m", an empty or non-numeric
// component, an index ≥ 2^31, or more than 255 levels.
[[nodiscard]] Result<std::vector<std::uint32_t>> parse_derivation_path(std::string_view path);

// A BIP-32 extended public key (public key + chain code + position in the tree): what a
// watch-only wallet holds. It derives the non-hardened children (CKDpub) and no private key.
class ExtendedPublicKey {
 public:
  // Parses a Base58Check "xpub…" (mainnet version 0x0488B21E), as BIP-32 serializes it.
  // Errors: kInvalidArgument naming what is wrong: a character outside the Base58 alphabet (by
  // position), a bad checksum, a payload that is not 78 bytes, an xprv given instead, an unknown
  // version, key data that is not a compressed point on the curve (prefix other than 02/03, or
  // an x with no point), or depth 0 (a master key) with a parent fingerprint or child number.
  [[nodiscard]] static Result<ExtendedPublicKey> from_xpub(std::string_view text);

  // CKDpub: the child at `index`. Errors: kInvalidArgument for a hardened index (≥ kHardened:
  // it needs the private key); kOutOfRange when the child key is invalid (probability 2^-127;
  // BIP-32 says to use the next index) or the depth would exceed 255.
  [[nodiscard]] Result<ExtendedPublicKey> derive_child(std::uint32_t index) const;
  // Derives along parse_derivation_path(path), "m" standing for this key ("m/0/7").
  // Errors: those of parse_derivation_path and derive_child.
  [[nodiscard]] Result<ExtendedPublicKey> derive_path(std::string_view path) const;

  [[nodiscard]] const PublicKey& public_key() const noexcept { return key_; }
  [[nodiscard]] std::uint8_t depth() const noexcept { return depth_; }
  [[nodiscard]] std::uint32_t child_number() const noexcept { return child_number_; }
  [[nodiscard]] std::uint32_t parent_fingerprint() const noexcept { return parent_fingerprint_; }
  // Base58Check "xpub…".
  [[nodiscard]] std::string to_xpub() const;

 private:
  friend class ExtendedPrivateKey;
  ExtendedPublicKey(const PublicKey& key, const FixedBytes<32>& chain_code, std::uint8_t depth,
                    std::uint32_t child_number, std::uint32_t parent_fingerprint) noexcept
      : key_(key),
        chain_code_(chain_code),
        depth_(depth),
        child_number_(child_number),
        parent_fingerprint_(parent_fingerprint) {}
  PublicKey key_;
  FixedBytes<32> chain_code_{};
  std::uint8_t depth_ = 0;
  std::uint32_t child_number_ = 0;
  std::uint32_t parent_fingerprint_ = 0;
};

// A BIP-32 extended private key (secp256k1 key + chain code + position in the tree); move-only,
// wiped on destruction.
class ExtendedPrivateKey {
 public:
  // Parses a Base58Check "xprv…" (mainnet version 0x0488ADE4). The text is a secret; errors
  // never quote it. Errors: kInvalidArgument as ExtendedPublicKey::from_xpub (an xpub given
  // instead, key data not 0x00 ‖ 32 bytes), and for a private key outside 1..n-1.
  [[nodiscard]] static Result<ExtendedPrivateKey> from_xprv(std::string_view text);

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
  // The matching extended public key (BIP-32's N(k, c)).
  [[nodiscard]] ExtendedPublicKey neuter() const;

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
