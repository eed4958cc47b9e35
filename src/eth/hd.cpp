#include "pactum/eth/hd.hpp"

#include <cryptopp/ripemd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>

#include "bip39_wordlists.hpp"
#include "crypto_internal.hpp"
#include "pactum/core/random.hpp"
#include "unicode.hpp"

namespace pactum::eth {
namespace {

using internal::kBip39Wordlists;
using internal::WipeOnExit;

constexpr std::uint32_t kXprvVersion = 0x0488ADE4;
constexpr std::uint32_t kXpubVersion = 0x0488B21E;

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

constexpr std::string_view kLanguageNames[] = {
    "english", "japanese", "korean", "spanish",   "chinese_simplified", "chinese_traditional",
    "french",  "italian",  "czech",  "portuguese"};
constexpr std::string_view kDisplayNames[] = {
    "English", "Japanese", "Korean", "Spanish",   "Chinese (simplified)", "Chinese (traditional)",
    "French",  "Italian",  "Czech",  "Portuguese"};
static_assert(std::size(kLanguageNames) == internal::kBip39LanguageCount);

// One wordlist's NFKD forms, sorted, each with its index in the list.
struct WordIndex {
  std::vector<std::string> words;     // NFKD, in list order
  std::vector<std::uint16_t> sorted;  // indexes into `words`, by word
};

WordIndex build_index(const std::array<std::string_view, 2048>& list) {
  WordIndex index;
  index.words.reserve(list.size());
  for (std::string_view w : list) {
    auto normalized = internal::nfkd(w);
    // The lists are well-formed UTF-8 (the build embeds them as published): NFKD cannot fail.
    index.words.push_back(normalized.ok() ? std::move(*normalized) : std::string(w));
  }
  index.sorted.resize(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) index.sorted[i] = static_cast<std::uint16_t>(i);
  std::sort(index.sorted.begin(), index.sorted.end(),
            [&](std::uint16_t a, std::uint16_t b) { return index.words[a] < index.words[b]; });
  return index;
}

// The ten indexes, built once on first use (a few ms of ICU) and immutable afterwards;
// function-local static initialization is thread-safe.
const WordIndex& word_index(Bip39Language language) {
  static const std::array<WordIndex, internal::kBip39LanguageCount> kIndexes = [] {
    std::array<WordIndex, internal::kBip39LanguageCount> all;
    for (std::size_t l = 0; l < all.size(); ++l) all[l] = build_index(kBip39Wordlists[l]);
    return all;
  }();
  return kIndexes[static_cast<std::size_t>(language)];
}

// The index of an NFKD word in `language`'s list, or -1.
int word_index(Bip39Language language, std::string_view word) {
  const WordIndex& index = word_index(language);
  const auto it = std::lower_bound(
      index.sorted.begin(), index.sorted.end(), word,
      [&](std::uint16_t i, std::string_view w) { return std::string_view(index.words[i]) < w; });
  if (it == index.sorted.end() || index.words[*it] != word) return -1;
  return *it;
}

bool get_bit(ByteView bytes, std::size_t bit) {
  return (bytes[bit / 8] >> (7 - bit % 8)) & 1;
}

// Decodes and checks a mnemonic of any language into its entropy; `language` receives the list
// it is written in, `normalized` the NFKD words joined by single spaces.
Result<Bytes> mnemonic_entropy(std::string_view mnemonic, Bip39Language* language,
                               std::string* normalized) {
  auto text = internal::nfkd(mnemonic);
  if (!text.ok()) return invalid_argument("mnemonic: " + text.error().message());
  WipeOnExit wipe_text(std::span(reinterpret_cast<std::uint8_t*>(text->data()), text->size()));
  const auto words = split_words(*text);
  const std::size_t n = words.size();
  if (n < 12 || n > 24 || n % 3 != 0) {
    return invalid_argument("mnemonic: expected 12, 15, 18, 21 or 24 words, got " +
                            std::to_string(n));
  }
  // The list that holds most of the words (the first of equals, English first).
  Bip39Language best = Bip39Language::kEnglish;
  std::size_t best_found = 0;
  std::vector<int> indexes(n, -1);
  for (std::size_t l = 0; l < internal::kBip39LanguageCount && best_found < n; ++l) {
    const auto candidate = static_cast<Bip39Language>(l);
    std::vector<int> found(n, -1);
    std::size_t count = 0;
    for (std::size_t w = 0; w < n; ++w) {
      found[w] = word_index(candidate, words[w]);
      count += found[w] >= 0 ? 1 : 0;
    }
    if (count > best_found) {
      best = candidate;
      best_found = count;
      indexes = std::move(found);
    }
  }
  if (best_found < n) {
    std::size_t missing = 0;
    while (missing < n && indexes[missing] >= 0) ++missing;
    return invalid_argument("mnemonic: word " + std::to_string(missing + 1) +
                            " is not in the BIP-39 " +
                            std::string(kDisplayNames[static_cast<std::size_t>(best)]) + " list");
  }
  const std::size_t total_bits = n * 11;
  const std::size_t checksum_bits = total_bits / 33;
  const std::size_t entropy_bits = total_bits - checksum_bits;
  Bytes bits((total_bits + 7) / 8, 0);
  for (std::size_t w = 0; w < n; ++w) {
    const int index = indexes[w];
    for (int b = 0; b < 11; ++b) {
      if ((index >> (10 - b)) & 1) {
        const std::size_t bit = w * 11 + static_cast<std::size_t>(b);
        bits[bit / 8] = static_cast<std::uint8_t>(bits[bit / 8] | (0x80 >> (bit % 8)));
      }
    }
  }
  std::fill(indexes.begin(), indexes.end(), 0);  // they spell the mnemonic
  if (language != nullptr) *language = best;
  Bytes entropy(bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(entropy_bits / 8));
  FixedBytes<32> digest{};
  SHA256(entropy.data(), entropy.size(), digest.data());
  bool checksum_ok = true;
  for (std::size_t i = 0; i < checksum_bits; ++i) {
    checksum_ok &= get_bit(digest, i) == get_bit(bits, entropy_bits + i);
  }
  secure_wipe(bits);
  secure_wipe(digest);
  if (!checksum_ok) {
    secure_wipe(entropy);
    return invalid_argument("mnemonic: bad checksum (a word is wrong or the order is)");
  }
  if (normalized != nullptr) {
    normalized->clear();
    for (std::size_t w = 0; w < n; ++w) {
      if (w != 0) *normalized += ' ';
      *normalized += words[w];
    }
  }
  return entropy;
}

void put_u32(std::uint8_t* out, std::uint32_t v) {
  out[0] = static_cast<std::uint8_t>(v >> 24);
  out[1] = static_cast<std::uint8_t>(v >> 16);
  out[2] = static_cast<std::uint8_t>(v >> 8);
  out[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t fingerprint(const PublicKey& key) {
  const FixedBytes<33> compressed = key.serialize_compressed();
  FixedBytes<32> sha{};
  SHA256(compressed.data(), compressed.size(), sha.data());
  FixedBytes<20> ripemd{};
  CryptoPP::RIPEMD160().CalculateDigest(ripemd.data(), sha.data(), sha.size());
  return (std::uint32_t{ripemd[0]} << 24) | (std::uint32_t{ripemd[1]} << 16) |
         (std::uint32_t{ripemd[2]} << 8) | ripemd[3];
}

std::string base58check(ByteView payload) {
  static constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  Bytes data(payload.begin(), payload.end());
  FixedBytes<32> h1{};
  FixedBytes<32> h2{};
  SHA256(data.data(), data.size(), h1.data());
  SHA256(h1.data(), h1.size(), h2.data());
  data.insert(data.end(), h2.begin(), h2.begin() + 4);
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Repeated division of the big-endian number by 58; digits come out least significant first.
  std::string digits;
  Bytes number(data.begin() + static_cast<std::ptrdiff_t>(zeros), data.end());
  while (!number.empty()) {
    unsigned remainder = 0;
    Bytes quotient;
    for (std::uint8_t byte : number) {
      const unsigned acc = remainder * 256 + byte;
      const unsigned q = acc / 58;
      remainder = acc % 58;
      if (!quotient.empty() || q != 0) quotient.push_back(static_cast<std::uint8_t>(q));
    }
    digits += kAlphabet[remainder];
    number.swap(quotient);
  }
  secure_wipe(data);
  digits.append(zeros, '1');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// Base58Check text → its 78-byte extended-key payload (checksum checked and removed).
Result<FixedBytes<78>> decode_extended_key(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  // 82 bytes take at most 112 Base58 digits; a longer text cannot be a key (and is not parsed).
  if (text.empty() || text.size() > 120) {
    return invalid_argument("BIP-32: an extended key is about 111 Base58 characters, got " +
                            std::to_string(text.size()));
  }
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // Multiply-and-add into a big-endian byte number: number = number * 58 + digit.
  Bytes number;
  WipeOnExit wipe_number(number);
  number.reserve(90);
  for (std::size_t i = zeros; i < text.size(); ++i) {
    const auto digit = kAlphabet.find(text[i]);
    if (digit == std::string_view::npos) {
      return invalid_argument("BIP-32: character " + std::to_string(i + 1) +
                              " of the extended key is not Base58");
    }
    unsigned carry = static_cast<unsigned>(digit);
    for (auto it = number.rbegin(); it != number.rend(); ++it) {
      carry += 58u * *it;
      *it = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry != 0) {
      number.insert(number.begin(), static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  const std::size_t size = zeros + number.size();
  if (size != 82) {
    return invalid_argument("BIP-32: the extended key decodes to " + std::to_string(size) +
                            " bytes, not 78 and a 4-byte checksum");
  }
  FixedBytes<82> data{};
  WipeOnExit wipe_data(data);
  std::copy(number.begin(), number.end(), data.begin() + static_cast<std::ptrdiff_t>(zeros));
  FixedBytes<32> h1{};
  FixedBytes<32> h2{};
  WipeOnExit wipe_h1(h1);
  SHA256(data.data(), 78, h1.data());
  SHA256(h1.data(), h1.size(), h2.data());
  if (!std::equal(h2.begin(), h2.begin() + 4, data.begin() + 78)) {
    return invalid_argument("BIP-32: bad checksum (the extended key is mistyped or truncated)");
  }
  FixedBytes<78> payload{};
  std::copy(data.begin(), data.begin() + 78, payload.begin());
  return payload;
}

std::uint32_t get_u32(const std::uint8_t* in) {
  return (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) | (std::uint32_t{in[2]} << 8) |
         in[3];
}

std::string hex_u32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) out += kDigits[(v >> shift) & 0xf];
  return out;
}

std::string hex_u8(std::uint8_t v) {
  return "0x" + hex_u32(v).substr(8);
}

// The fields every extended key has, checked alike for xprv and xpub.
struct ExtendedFields {
  std::uint8_t depth = 0;
  std::uint32_t parent_fingerprint = 0;
  std::uint32_t child_number = 0;
};

// Checks the version (`want`, else the other kind or unknown) and the master-key rules.
Result<ExtendedFields> check_extended_fields(const FixedBytes<78>& payload, bool want_private) {
  const std::uint32_t version = get_u32(payload.data());
  const std::uint32_t want = want_private ? kXprvVersion : kXpubVersion;
  const std::uint32_t other = want_private ? kXpubVersion : kXprvVersion;
  if (version == other) {
    return invalid_argument(want_private
                                ? "BIP-32: an extended public key (xpub) where a private one "
                                  "(xprv) was expected"
                                : "BIP-32: an extended private key (xprv) where a public one "
                                  "(xpub) was expected");
  }
  if (version != want) {
    return invalid_argument("BIP-32: unknown extended key version " + hex_u32(version) +
                            " (expected " + hex_u32(want) + ", " +
                            (want_private ? "xprv" : "xpub") + ")");
  }
  ExtendedFields f;
  f.depth = payload[4];
  f.parent_fingerprint = get_u32(payload.data() + 5);
  f.child_number = get_u32(payload.data() + 9);
  if (f.depth == 0 && f.parent_fingerprint != 0) {
    return invalid_argument("BIP-32: depth 0 (a master key) with a non-zero parent fingerprint");
  }
  if (f.depth == 0 && f.child_number != 0) {
    return invalid_argument("BIP-32: depth 0 (a master key) with a non-zero child number");
  }
  return f;
}

// I = HMAC-SHA512(chain code, data ‖ ser32(index)) for a child derivation.
Status child_hmac(const FixedBytes<32>& chain_code, FixedBytes<37>& data, std::uint32_t index,
                  FixedBytes<64>& i) {
  put_u32(data.data() + 33, index);
  unsigned int len = 0;
  if (HMAC(EVP_sha512(), chain_code.data(), static_cast<int>(chain_code.size()), data.data(),
           data.size(), i.data(), &len) == nullptr) {
    return internal_error("BIP-32: HMAC-SHA512 failed in OpenSSL");
  }
  return ok_status();
}

FixedBytes<78> extended_public_payload(const FixedBytes<33>& compressed,
                                       const FixedBytes<32>& chain_code, std::uint8_t depth,
                                       std::uint32_t child_number,
                                       std::uint32_t parent_fingerprint) {
  FixedBytes<78> payload{};
  put_u32(payload.data(), kXpubVersion);
  payload[4] = depth;
  put_u32(payload.data() + 5, parent_fingerprint);
  put_u32(payload.data() + 9, child_number);
  std::copy(chain_code.begin(), chain_code.end(), payload.begin() + 13);
  std::copy(compressed.begin(), compressed.end(), payload.begin() + 45);
  return payload;
}

}  // namespace

// ---- BIP-39 ----------------------------------------------------------------------------------

Bip39Seed::Bip39Seed(Bip39Seed&& other) noexcept : bytes_(other.bytes_) {
  secure_wipe(other.bytes_);
}
Bip39Seed& Bip39Seed::operator=(Bip39Seed&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    secure_wipe(other.bytes_);
  }
  return *this;
}
Bip39Seed::~Bip39Seed() {
  secure_wipe(bytes_);
}

std::string_view bip39_language_name(Bip39Language language) noexcept {
  return kLanguageNames[static_cast<std::size_t>(language)];
}

Result<std::string> mnemonic_from_entropy(ByteView entropy, Bip39Language language) {
  const std::size_t n = entropy.size();
  if (n < 16 || n > 32 || n % 4 != 0) {
    return invalid_argument("mnemonic: entropy must be 16, 20, 24, 28 or 32 bytes, got " +
                            std::to_string(n));
  }
  FixedBytes<32> digest{};
  WipeOnExit wipe_digest(digest);
  SHA256(entropy.data(), entropy.size(), digest.data());
  const std::size_t total_bits = n * 8 + n / 4;
  auto bit = [&](std::size_t i) {
    return i < n * 8 ? get_bit(entropy, i) : get_bit(digest, i - n * 8);
  };
  const auto& list = kBip39Wordlists[static_cast<std::size_t>(language)];
  // BIP-39: Japanese words are separated by the ideographic space U+3000.
  const std::string_view separator =
      language == Bip39Language::kJapanese ? std::string_view("\xE3\x80\x80") : " ";
  std::string out;
  for (std::size_t w = 0; w < total_bits / 11; ++w) {
    unsigned index = 0;
    for (std::size_t b = 0; b < 11; ++b) index = (index << 1) | (bit(w * 11 + b) ? 1u : 0u);
    if (w != 0) out += separator;
    out += list[index];
  }
  return out;
}

Result<std::string> generate_mnemonic(std::size_t word_count, Bip39Language language) {
  if (word_count < 12 || word_count > 24 || word_count % 3 != 0) {
    return invalid_argument("mnemonic: word count must be 12, 15, 18, 21 or 24, got " +
                            std::to_string(word_count));
  }
  FixedBytes<32> entropy{};
  WipeOnExit wipe(entropy);
  const std::size_t size = word_count * 4 / 3;  // 11·words bits = 8·size + size/4
  PACTUM_TRY_STATUS(random_bytes(std::span(entropy).first(size)));
  return mnemonic_from_entropy(ByteView(entropy).first(size), language);
}

Result<Bip39Language> mnemonic_language(std::string_view mnemonic) {
  Bip39Language language = Bip39Language::kEnglish;
  PACTUM_TRY(Bytes entropy, mnemonic_entropy(mnemonic, &language, nullptr));
  secure_wipe(entropy);
  return language;
}

Status validate_mnemonic(std::string_view mnemonic) {
  PACTUM_TRY(Bip39Language language, mnemonic_language(mnemonic));
  (void)language;
  return ok_status();
}

Result<Bip39Seed> mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase) {
  std::string words;
  PACTUM_TRY(Bytes entropy, mnemonic_entropy(mnemonic, nullptr, &words));
  secure_wipe(entropy);
  auto normalized_passphrase = internal::nfkd(passphrase);
  if (!normalized_passphrase.ok()) {
    secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(words.data()), words.size()));
    return invalid_argument("passphrase: " + normalized_passphrase.error().message());
  }
  std::string salt = "mnemonic";
  salt += *normalized_passphrase;
  secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(normalized_passphrase->data()),
                        normalized_passphrase->size()));
  FixedBytes<Bip39Seed::kSize> seed{};
  WipeOnExit wipe_seed(seed);
  const int ok = PKCS5_PBKDF2_HMAC(words.data(), static_cast<int>(words.size()),
                                   reinterpret_cast<const unsigned char*>(salt.data()),
                                   static_cast<int>(salt.size()), 2048, EVP_sha512(),
                                   static_cast<int>(seed.size()), seed.data());
  secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(words.data()), words.size()));
  secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(salt.data()), salt.size()));
  if (ok != 1) return internal_error("mnemonic: PBKDF2-HMAC-SHA512 failed in OpenSSL");
  return Bip39Seed(seed);
}

// ---- BIP-32 ----------------------------------------------------------------------------------

Result<std::vector<std::uint32_t>> parse_derivation_path(std::string_view path) {
  if (path.empty() || path[0] != 'm') {
    return invalid_argument("derivation path must start with \"m\"");
  }
  std::vector<std::uint32_t> out;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    if (rest[0] != '/') return invalid_argument("derivation path: expected '/' after a component");
    rest.remove_prefix(1);
    const std::size_t end = std::min(rest.find('/'), rest.size());
    std::string_view part = rest.substr(0, end);
    rest.remove_prefix(end);
    bool hardened = false;
    if (!part.empty() && (part.back() == '\'' || part.back() == 'h' || part.back() == 'H')) {
      hardened = true;
      part.remove_suffix(1);
    }
    std::uint32_t index = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) {
      return invalid_argument("derivation path: component " + std::to_string(out.size() + 1) +
                              " is not a number");
    }
    if (index >= kHardened) {
      return invalid_argument("derivation path: index " + std::to_string(index) +
                              " must be below 2^31 (mark hardened indexes with ')");
    }
    if (out.size() == 255) return invalid_argument("derivation path: more than 255 levels");
    out.push_back(hardened ? index | kHardened : index);
  }
  return out;
}

ExtendedPrivateKey::ExtendedPrivateKey(ExtendedPrivateKey&& other) noexcept
    : key_(other.key_),
      chain_code_(other.chain_code_),
      depth_(other.depth_),
      child_number_(other.child_number_),
      parent_fingerprint_(other.parent_fingerprint_) {
  secure_wipe(other.key_);
  secure_wipe(other.chain_code_);
}

ExtendedPrivateKey& ExtendedPrivateKey::operator=(ExtendedPrivateKey&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    chain_code_ = other.chain_code_;
    depth_ = other.depth_;
    child_number_ = other.child_number_;
    parent_fingerprint_ = other.parent_fingerprint_;
    secure_wipe(other.key_);
    secure_wipe(other.chain_code_);
  }
  return *this;
}

ExtendedPrivateKey::~ExtendedPrivateKey() {
  secure_wipe(key_);
  secure_wipe(chain_code_);
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::from_seed(ByteView seed) {
  if (seed.size() < 16 || seed.size() > 64) {
    return invalid_argument("BIP-32: seed must be 16..64 bytes, got " +
                            std::to_string(seed.size()));
  }
  static constexpr std::string_view kKey = "Bitcoin seed";
  FixedBytes<64> i{};
  WipeOnExit wipe(i);
  unsigned int len = 0;
  if (HMAC(EVP_sha512(), kKey.data(), static_cast<int>(kKey.size()), seed.data(), seed.size(),
           i.data(), &len) == nullptr) {
    return internal_error("BIP-32: HMAC-SHA512 failed in OpenSSL");
  }
  ExtendedPrivateKey out;
  std::copy(i.begin(), i.begin() + 32, out.key_.begin());
  std::copy(i.begin() + 32, i.end(), out.chain_code_.begin());
  if (secp256k1_ec_seckey_verify(internal::secp_context(), out.key_.data()) != 1) {
    return invalid_argument("BIP-32: this seed gives an invalid master key");
  }
  return out;
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::derive_child(std::uint32_t index) const {
  if (depth_ == 255) return out_of_range("BIP-32: depth would exceed 255");
  const PublicKey parent_public = public_key();
  FixedBytes<37> data{};
  WipeOnExit wipe_data(data);
  if (index >= kHardened) {
    data[0] = 0;
    std::copy(key_.begin(), key_.end(), data.begin() + 1);
  } else {
    const FixedBytes<33> compressed = parent_public.serialize_compressed();
    std::copy(compressed.begin(), compressed.end(), data.begin());
  }
  FixedBytes<64> i{};
  WipeOnExit wipe_i(i);
  PACTUM_TRY_STATUS(child_hmac(chain_code_, data, index, i));
  ExtendedPrivateKey child;
  child.key_ = key_;
  // k_child = IL + k_parent (mod n); fails when IL ≥ n or the sum is zero.
  if (secp256k1_ec_seckey_tweak_add(internal::secp_context(), child.key_.data(), i.data()) != 1) {
    return out_of_range("BIP-32: child " + std::to_string(index) +
                        " is invalid; use the next index");
  }
  std::copy(i.begin() + 32, i.end(), child.chain_code_.begin());
  child.depth_ = static_cast<std::uint8_t>(depth_ + 1);
  child.child_number_ = index;
  child.parent_fingerprint_ = fingerprint(parent_public);
  return child;
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::derive_path(std::string_view path) const {
  PACTUM_TRY(std::vector<std::uint32_t> indexes, parse_derivation_path(path));
  ExtendedPrivateKey current;
  current.key_ = key_;
  current.chain_code_ = chain_code_;
  current.depth_ = depth_;
  current.child_number_ = child_number_;
  current.parent_fingerprint_ = parent_fingerprint_;
  for (std::uint32_t index : indexes) {
    PACTUM_TRY(current, current.derive_child(index));
  }
  return current;
}

PrivateKey ExtendedPrivateKey::private_key() const noexcept {
  // The invariant (a valid scalar) is kept by from_seed and derive_child.
  return internal::KeyAccess::make_unchecked(key_);
}

PublicKey ExtendedPrivateKey::public_key() const noexcept {
  return private_key().public_key();
}

std::string ExtendedPrivateKey::to_xprv() const {
  FixedBytes<78> payload{};
  WipeOnExit wipe(payload);
  put_u32(payload.data(), kXprvVersion);
  payload[4] = depth_;
  put_u32(payload.data() + 5, parent_fingerprint_);
  put_u32(payload.data() + 9, child_number_);
  std::copy(chain_code_.begin(), chain_code_.end(), payload.begin() + 13);
  payload[45] = 0;
  std::copy(key_.begin(), key_.end(), payload.begin() + 46);
  return base58check(payload);
}

std::string ExtendedPrivateKey::to_xpub() const {
  return neuter().to_xpub();
}

ExtendedPublicKey ExtendedPrivateKey::neuter() const {
  return ExtendedPublicKey(public_key(), chain_code_, depth_, child_number_, parent_fingerprint_);
}

Result<ExtendedPrivateKey> ExtendedPrivateKey::from_xprv(std::string_view text) {
  PACTUM_TRY(FixedBytes<78> payload, decode_extended_key(text));
  WipeOnExit wipe(payload);
  PACTUM_TRY(ExtendedFields fields, check_extended_fields(payload, /*want_private=*/true));
  if (payload[45] != 0) {
    return invalid_argument("BIP-32: the private key data must be 0x00 and 32 bytes, not prefix " +
                            hex_u8(payload[45]));
  }
  ExtendedPrivateKey out;
  std::copy(payload.begin() + 13, payload.begin() + 45, out.chain_code_.begin());
  std::copy(payload.begin() + 46, payload.end(), out.key_.begin());
  if (secp256k1_ec_seckey_verify(internal::secp_context(), out.key_.data()) != 1) {
    return invalid_argument("BIP-32: the private key is not in 1..n-1");
  }
  out.depth_ = fields.depth;
  out.parent_fingerprint_ = fields.parent_fingerprint;
  out.child_number_ = fields.child_number;
  return out;
}

// ---- BIP-32 extended public keys ---------------------------------------------------------------

Result<ExtendedPublicKey> ExtendedPublicKey::from_xpub(std::string_view text) {
  PACTUM_TRY(FixedBytes<78> payload, decode_extended_key(text));
  PACTUM_TRY(ExtendedFields fields, check_extended_fields(payload, /*want_private=*/false));
  const std::uint8_t prefix = payload[45];
  if (prefix != 0x02 && prefix != 0x03) {
    return invalid_argument("BIP-32: the public key must be compressed (prefix 0x02 or 0x03, not " +
                            hex_u8(prefix) + ")");
  }
  auto key = PublicKey::parse(ByteView(payload.data() + 45, 33));
  if (!key.ok()) return invalid_argument("BIP-32: the public key is not a point on the curve");
  FixedBytes<32> chain_code{};
  std::copy(payload.begin() + 13, payload.begin() + 45, chain_code.begin());
  return ExtendedPublicKey(*key, chain_code, fields.depth, fields.child_number,
                           fields.parent_fingerprint);
}

Result<ExtendedPublicKey> ExtendedPublicKey::derive_child(std::uint32_t index) const {
  if (index >= kHardened) {
    return invalid_argument("BIP-32: child " + std::to_string(index - kHardened) +
                            "' is hardened: it needs the private key, not an xpub");
  }
  if (depth_ == 255) return out_of_range("BIP-32: depth would exceed 255");
  const FixedBytes<33> compressed = key_.serialize_compressed();
  FixedBytes<37> data{};
  std::copy(compressed.begin(), compressed.end(), data.begin());
  FixedBytes<64> i{};
  PACTUM_TRY_STATUS(child_hmac(chain_code_, data, index, i));
  // K_child = point(IL) + K_parent; fails when IL ≥ n or the sum is the point at infinity.
  secp256k1_pubkey point;
  if (secp256k1_ec_pubkey_parse(internal::secp_context(), &point, compressed.data(),
                                compressed.size()) != 1 ||
      secp256k1_ec_pubkey_tweak_add(internal::secp_context(), &point, i.data()) != 1) {
    return out_of_range("BIP-32: child " + std::to_string(index) +
                        " is invalid; use the next index");
  }
  FixedBytes<32> child_chain{};
  std::copy(i.begin() + 32, i.end(), child_chain.begin());
  return ExtendedPublicKey(internal::KeyAccess::make_public(internal::pubkey_xy(point)),
                           child_chain, static_cast<std::uint8_t>(depth_ + 1), index,
                           fingerprint(key_));
}

Result<ExtendedPublicKey> ExtendedPublicKey::derive_path(std::string_view path) const {
  PACTUM_TRY(std::vector<std::uint32_t> indexes, parse_derivation_path(path));
  ExtendedPublicKey current = *this;
  for (std::uint32_t index : indexes) {
    PACTUM_TRY(current, current.derive_child(index));
  }
  return current;
}

std::string ExtendedPublicKey::to_xpub() const {
  return base58check(extended_public_payload(key_.serialize_compressed(), chain_code_, depth_,
                                             child_number_, parent_fingerprint_));
}

Result<PrivateKey> derive_ethereum_key(std::string_view mnemonic, std::string_view passphrase,
                                       std::uint32_t index) {
  if (index >= kHardened) {
    return invalid_argument("account index " + std::to_string(index) + " must be below 2^31");
  }
  PACTUM_TRY(Bip39Seed seed, mnemonic_to_seed(mnemonic, passphrase));
  PACTUM_TRY(ExtendedPrivateKey master, ExtendedPrivateKey::from_seed(seed.view()));
  PACTUM_TRY(ExtendedPrivateKey account,
             master.derive_path("m/44'/60'/0'/0/" + std::to_string(index)));
  return account.private_key();
}

}  // namespace pactum::eth
