#include "pactum/cli/accounts.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "pactum/cli/invocation.hpp"
#include "pactum/core/bytes.hpp"
#include "pactum/eth/hd.hpp"
#include "pactum/eth/keystore.hpp"
#include "service.hpp"

namespace pactum::cli {

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::kDeployer:
      return "deployer";
    case Role::kPublisher:
      return "publisher";
    case Role::kConsumer:
      return "consumer";
    case Role::kMarketplace:
      return "marketplace";
  }
  return "?";
}

std::optional<Role> role_of(int index) noexcept {
  if (index < 0 || index > static_cast<int>(Role::kMarketplace)) return std::nullopt;
  return static_cast<Role>(index);
}

Result<int> parse_account_selector(std::string_view text) {
  for (int i = 0; i <= static_cast<int>(Role::kMarketplace); ++i) {
    if (text == role_name(static_cast<Role>(i))) return i;
  }
  const std::string accepted =
      "expected publisher, consumer, marketplace, deployer or an index 0.." +
      std::to_string(kDevAccountCount - 1);
  if (text.empty()) return invalid_argument("--as: empty value; " + accepted);
  int index = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec == std::errc::result_out_of_range) {
    return invalid_argument("--as " + std::string(text) + ": index out of range; " + accepted);
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    return invalid_argument("--as " + std::string(text) + ": unknown account; " + accepted);
  }
  if (index < 0 || index >= kDevAccountCount) {
    return invalid_argument("--as " + std::string(text) + ": index out of range; " + accepted);
  }
  return index;
}

std::string dev_derivation_path(int index) {
  return "m/44'/60'/0'/0/" + std::to_string(index);
}

}  // namespace pactum::cli

namespace pactum::cli {

namespace {

// A keystore v3 file is well under a kilobyte; anything much larger is not one.
constexpr std::size_t kMaxKeystoreBytes = 64 * 1024;

Result<std::string> read_keystore_file(const std::string& path) {
  return detail::read_bounded_file("--key", path, kMaxKeystoreBytes, ", not a keystore file");
}

Result<Account> load_keystore_account(Invocation& inv, const std::string& path) {
  PACTUM_TRY(std::string json, read_keystore_file(path));
  std::string password;
  if (auto from_env = inv.env().get("PACTUM_KEY_PASSWORD")) {
    password = *from_env;
  } else {
    PACTUM_TRY(password, inv.password_prompt()("Password for " + path + ": "));
  }
  auto key = eth::decrypt_keystore(json, password);
  secure_wipe(
      std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(password.data()), password.size()));
  if (!key.ok()) {
    if (key.error().code() == ErrorCode::kUnauthenticated) {
      return unauthenticated("--key " + path +
                             ": wrong password (the keystore's MAC does not match)");
    }
    return key.error().with_context("--key " + path);
  }
  eth::Address address = key->address();
  return Account{std::move(key).value(), address, "keystore " + path};
}

}  // namespace

Result<eth::PrivateKey> dev_private_key(int index) {
  if (index < 0 || index >= kDevAccountCount) {
    return invalid_argument("dev account index " + std::to_string(index) + " out of range 0.." +
                            std::to_string(kDevAccountCount - 1));
  }
  auto key = eth::derive_ethereum_key(kDevMnemonic, "", static_cast<std::uint32_t>(index));
  if (!key.ok()) return key.error().with_context("dev account " + std::to_string(index));
  return key;
}

Result<eth::Address> dev_address(int index) {
  PACTUM_TRY(eth::PrivateKey key, dev_private_key(index));
  return key.address();
}

bool is_key_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Result<std::filesystem::path> resolve_key_file(Invocation& inv, std::string_view value) {
  const std::string text(value);
  if (text.empty()) return invalid_argument("--key: empty file name");
  std::filesystem::path path = text;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && text.find('/') == std::string::npos && is_key_name(text)) {
    PACTUM_TRY(Home home, inv.home());
    const std::filesystem::path named = home.keys_dir() / (text + ".json");
    if (!std::filesystem::exists(named, ec)) {
      return not_found("--key " + text + ": no such file, and no key '" + text + "' in " +
                       home.keys_dir().string() + " (pactum key list shows the keys there)");
    }
    path = named;
  } else if (!exists) {
    return not_found("--key " + text + ": no such file");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return invalid_argument("--key " + path.string() +
                            ": is a directory, expected a keystore file");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return permission_denied("--key " + path.string() + ": not readable");
  }
  return path;
}

Result<Account> select_account(Invocation& inv, std::optional<Role> fallback) {
  const GlobalOptions& o = inv.options();
  if (o.key_file) {
    PACTUM_TRY(std::filesystem::path path, resolve_key_file(inv, *o.key_file));
    return load_keystore_account(inv, path.string());
  }
  int index = -1;
  std::string label;
  if (o.as) {
    PACTUM_TRY(index, parse_account_selector(*o.as));
  } else if (fallback) {
    index = static_cast<int>(*fallback);
  } else {
    return invalid_argument("this command needs an account: pass --as ROLE|N or --key FILE");
  }
  if (auto role = role_of(index)) {
    label = std::string(role_name(*role)) + " (dev account " + std::to_string(index) + ")";
  } else {
    label = "dev account " + std::to_string(index);
  }
  PACTUM_TRY(eth::PrivateKey key, dev_private_key(index));
  eth::Address address = key.address();
  return Account{std::move(key), address, std::move(label), /*dev=*/true};
}

Status check_account_for_chain(const Invocation& inv, const Account& account,
                               std::uint64_t chain_id) {
  if (!account.dev || chain_id == kDevChainId) return ok_status();
  if (inv.options().allow_dev_keys) return ok_status();
  if (auto env = inv.env().get("PACTUM_ALLOW_DEV_KEYS"); env && *env == "1") return ok_status();
  return failed_precondition(
      account.label + " is a published test key, for the local chain (id " +
      std::to_string(kDevChainId) + ") only; this chain's id is " + std::to_string(chain_id) +
      ". Use your own key: `pactum key new NAME` (or `key import`), then --key NAME; "
      "--allow-dev-keys uses the test key anyway");
}

}  // namespace pactum::cli
