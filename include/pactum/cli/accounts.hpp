// Development accounts and account selection (--as / --key).
//
// The local chain funds the first kDevAccountCount accounts of the well-known test mnemonic
// ("test test … junk", BIP-44 path m/44'/60'/0'/0/N). Pactum gives the first four roles so that
// the stories can be told without copying addresses around:
//   0 deployer     deploys the contracts (`up`); kept apart so its nonce never races a user's
//   1 publisher    publishes assets, runs the local pactumd
//   2 consumer     orders and downloads
//   3 marketplace  receives marketplace fees
// Indices 4..9 are funded and have no role. These keys are public: they are for the local
// chain only.
//
// Thread safety: pure functions.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"

namespace pactum::cli {

class Invocation;

inline constexpr std::string_view kDevMnemonic =
    "test test test test test test test test test test test junk";
inline constexpr int kDevAccountCount = 10;
inline constexpr std::uint64_t kDevChainId = 31337;

enum class Role { kDeployer = 0, kPublisher = 1, kConsumer = 2, kMarketplace = 3 };

// "deployer", "publisher", "consumer", "marketplace".
[[nodiscard]] std::string_view role_name(Role role) noexcept;

// The role of dev account `index`, if it has one.
[[nodiscard]] std::optional<Role> role_of(int index) noexcept;

// Parses an --as value: a role name or a decimal index 0..kDevAccountCount-1.
// Errors: kInvalidArgument naming the accepted values, for an unknown name, a non-number, or an
// index out of range.
[[nodiscard]] Result<int> parse_account_selector(std::string_view text);

// The BIP-44 derivation path of dev account `index`: "m/44'/60'/0'/0/<index>".
[[nodiscard]] std::string dev_derivation_path(int index);

// The private key of dev account `index`, derived from kDevMnemonic along
// dev_derivation_path(index) (BIP-39 seed + BIP-32, pactum/eth/hd.hpp; about a millisecond).
// Errors: kInvalidArgument for an index out of range.
[[nodiscard]] Result<eth::PrivateKey> dev_private_key(int index);
// Its address. Errors: as dev_private_key.
[[nodiscard]] Result<eth::Address> dev_address(int index);

// Whether `name` may name a key in the home's keys/ directory: 1..64 characters of
// [A-Za-z0-9._-], starting with a letter or digit.
[[nodiscard]] bool is_key_name(std::string_view name) noexcept;

// The keystore file a --key value means: the value itself when it is an existing path or holds
// a '/', else the key of that name in the home's keys/ directory (`pactum key new NAME`).
// Errors: kInvalidArgument for an empty value or a directory; kNotFound when neither exists
// (the message says where it looked); kPermissionDenied for an unreadable file; those of
// Invocation::home.
[[nodiscard]] Result<std::filesystem::path> resolve_key_file(Invocation& inv,
                                                             std::string_view value);

// The account a command acts as.
struct Account {
  eth::PrivateKey key;
  eth::Address address;
  // Where it came from, for messages: "consumer (dev account 2)", "keystore /path/key.json".
  std::string label;
  // A key of kDevMnemonic (by --as or by a command's default): public, for the local chain only.
  bool dev = false;
};

// Refuses a dev account on any chain but the local one (kDevChainId): its keys are published,
// so whatever it holds there anyone can take, and a command that fell back to one would
// silently spend from it. --allow-dev-keys (or PACTUM_ALLOW_DEV_KEYS=1) lets it through, for a
// test chain of one's own with another id. Errors: kFailedPrecondition naming the account, the
// chain and the ways out (--key NAME, `pactum key new`, --allow-dev-keys).
[[nodiscard]] Status check_account_for_chain(const Invocation& inv, const Account& account,
                                             std::uint64_t chain_id);

// The account chosen by --as or --key; with neither, dev account `fallback` when given (the
// role the command naturally acts as, e.g. the consumer for `order`).
// Errors: kInvalidArgument when neither is given and there is no fallback, or for a bad --as;
// for --key: kNotFound / kPermissionDenied when the file cannot be read, kUnauthenticated for a
// wrong password, kInvalidArgument for a file that is not a keystore v3, kUnimplemented while
// the keystore names an unsupported cipher or KDF; those of dev_private_key.
[[nodiscard]] Result<Account> select_account(Invocation& inv, std::optional<Role> fallback);

}  // namespace pactum::cli
