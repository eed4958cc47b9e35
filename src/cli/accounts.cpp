#include "pactum/cli/accounts.hpp"

#include <charconv>

#include "pactum/cli/invocation.hpp"

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

Result<eth::PrivateKey> dev_private_key(int index) {
  if (index < 0 || index >= kDevAccountCount) {
    return invalid_argument("dev account index " + std::to_string(index) + " out of range 0.." +
                            std::to_string(kDevAccountCount - 1));
  }
  // TODO(hd): derive with pactum/eth/hd.hpp once it lands.
  return unimplemented("BIP-32 key derivation (pactum/eth/hd.hpp) is not built yet");
}

Result<eth::Address> dev_address(int index) {
  PACTUM_TRY(eth::PrivateKey key, dev_private_key(index));
  return key.address();
}

Result<Account> select_account(Invocation& inv, std::optional<Role> fallback) {
  const GlobalOptions& o = inv.options();
  if (o.key_file) {
    return unimplemented(
        "--key: keystore v3 decryption (pactum/eth/keystore.hpp) is not built yet");
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
  return Account{std::move(key), address, std::move(label)};
}

}  // namespace pactum::cli
