// Client's insides, shared by client.cpp (create, resolve, status), agreement_file.cpp,
// publish.cpp, order.cpp (with token.cpp, the ERC-20 calls) and download.cpp.
#pragma once

#include <optional>
#include <string>

#include "pactum/client/client.hpp"
#include "pactum/contracts/transactor.hpp"
#include "pactum/sdk/node_request.hpp"

namespace pactum::client {

// What an agreement file keeps beside the params: where to download from.
struct StoredAgreement {
  AgreementParams params;
  // The DDO's access serviceEndpoint and provider at order time; empty / nullopt in files written
  // before they were kept (download then asks the configured node).
  std::string access_endpoint;
  std::optional<eth::Address> provider;
};

// An account's standing with an ERC-20 token.
struct TokenFunds {
  eth::U256 balance;    // balanceOf(owner)
  eth::U256 allowance;  // allowance(owner, spender)
};

struct Client::Impl {
  Impl(rpc::EthApi& a, ClientConfig c, NodeHttpClient n)
      : api(a), config(std::move(c)), node(std::move(n)) {}

  // Unix seconds now, from config.clock.
  [[nodiscard]] std::int64_t now() const;
  // eth_call at the latest block. Errors: those of EthApi::call (a revert is
  // kFailedPrecondition).
  [[nodiscard]] Result<Bytes> view(const eth::Address& to, Bytes data);
  // Both headers of a request for `action` on `subject`, signed by this client's key for the
  // node whose address is `node`, with a fresh random nonce and a five-minute expiry.
  // REQUIRES: a key.
  [[nodiscard]] Result<HeaderList> signed_headers(sdk::NodeAction action, const Hash32& subject,
                                                  const eth::Address& node);
  // Sends a transaction and records what it cost. REQUIRES: a key.
  [[nodiscard]] Result<rpc::Receipt> send(std::string_view what, const eth::Address& to,
                                          ByteView data, const eth::U256& value,
                                          std::vector<SentTransaction>& sent);
  // getAsset(did): kNotFound when it is not registered.
  [[nodiscard]] Result<contracts::AssetRegistry::GetAssetResult> asset(const Hash32& did);
  [[nodiscard]] Result<bool> is_provider(const Hash32& did, const eth::Address& who);
  // `owner`'s balance of `token` and allowance to `spender` (token.cpp). Errors:
  // kFailedPrecondition when `token` has no code on chain or does not answer balanceOf /
  // allowance with one uint256 (the token named); those of the chain.
  [[nodiscard]] Result<TokenFunds> token_funds(const eth::Address& token, const eth::Address& owner,
                                               const eth::Address& spender);
  // Makes this client's allowance of `token` to `spender` at least `amount`: nothing when it is
  // already, else approve(spender, amount) recorded in `sent`, then checks the allowance took.
  // REQUIRES: a key. Errors: those of token_funds and send; kFailedPrecondition when the token
  // accepted the approve but the allowance did not change.
  [[nodiscard]] Status ensure_allowance(const eth::Address& token, const eth::Address& spender,
                                        const eth::U256& amount, const eth::U256& allowance,
                                        std::vector<SentTransaction>& sent);
  // The agreement file of `id`. Errors: as Client::stored_params.
  [[nodiscard]] Result<StoredAgreement> stored_agreement(const Hash32& id) const;
  // Requires a key; kFailedPrecondition naming `what` otherwise.
  [[nodiscard]] Status need_key(std::string_view what) const;

  rpc::EthApi& api;
  ClientConfig config;
  NodeHttpClient node;
  std::optional<eth::PrivateKey> key;
  std::optional<contracts::Transactor> transactor;
  std::uint64_t chain_id = 0;
  eth::Address registry;
  eth::Address engine;
  Hash32 paid_access{};
  std::optional<eth::Address> node_address;
};

// 32 random bytes (seeds, nonces). Errors: kUnavailable when the system has no randomness.
[[nodiscard]] Result<Hash32> random_word();

// The agreement file's JSON text and back (the file format is private to this library).
[[nodiscard]] std::string agreement_file_json(const Hash32& id, std::uint64_t chain_id,
                                              const std::string& node_url,
                                              const StoredAgreement& agreement,
                                              const Hash32& transaction);
[[nodiscard]] Result<StoredAgreement> agreement_from_json(std::string_view text, const Hash32& id);
// Writes `text` to `path` through a temporary file in the same directory, fsynced and renamed.
// Errors: kPermissionDenied / kUnavailable naming the path.
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& path,
                                           std::string_view text);

// The PactumAccess service of a DDO. Errors: kDataLoss saying what is missing or malformed.
[[nodiscard]] Result<AccessService> parse_access_service(std::string_view ddo_json);

}  // namespace pactum::client
