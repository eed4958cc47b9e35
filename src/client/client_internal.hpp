// Client's insides, shared by client.cpp (create, resolve, status), agreement_file.cpp,
// publish.cpp, order.cpp (with token.cpp, the ERC-20 calls) and download.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pactum/client/client.hpp"
#include "pactum/contracts/transactor.hpp"
#include "pactum/sdk/node_request.hpp"

namespace pactum::client {

// A transaction submitted for an order, as its agreement file lists it (written before it is
// submitted).
struct SubmittedTransaction {
  std::string what;  // "ERC20.approve", "AgreementEngine.createAgreementAndLock"
  Hash32 hash{};
};

// What an agreement file keeps beside the params: where to download from, and, for an order
// whose outcome is not known yet, what is needed to find it on chain.
struct StoredAgreement {
  AgreementParams params;
  // The DDO's access serviceEndpoint and provider at order time; empty / nullopt in files written
  // before they were kept (download then asks the configured node).
  std::string access_endpoint;
  std::optional<eth::Address> provider;
  // Pending: written before the order's first transaction was sent; its agreement may or may not
  // exist on chain. Made: the chain confirmed it (files of version 1 are made).
  AgreementState state = AgreementState::kMade;
  // The seed of createAgreementAndLock (the id is computeAgreementId(seed, consumer)); absent in
  // version 1 files.
  std::optional<Hash32> seed;
  std::uint64_t chain_id = 0;
  std::optional<eth::Address> engine;  // absent in version 1 files
  std::string node_url;
  // The chain's JSON-RPC URL the order was sent through (ClientConfig::rpc_url); "" when not
  // known (older files, or a client not told). Later commands default to it (the CLI).
  std::string rpc_url;
  std::int64_t ordered_at = 0;   // unix seconds the intent was written; 0 when unknown
  std::uint64_t from_block = 0;  // the chain's head then: the agreement cannot be older
  // The transaction that created the agreement (made), or the last lock submitted (pending).
  std::optional<Hash32> transaction;
  std::vector<SubmittedTransaction> submitted;  // every transaction sent for the order, in order
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
  // Sends a transaction and records it in `sent`: what it cost once mined, or, when the call
  // fails with the transaction possibly mined, its hash with mined == false (a receipt that can
  // be read at once is still recorded). `before_submit`, when set, is called with the hash
  // before the transaction is submitted (see rpc::SendTrace). REQUIRES: a key.
  [[nodiscard]] Result<rpc::Receipt> send(
      std::string_view what, const eth::Address& to, ByteView data, const eth::U256& value,
      std::vector<SentTransaction>& sent,
      const std::function<Status(const Hash32&)>& before_submit = {});
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
                                        std::vector<SentTransaction>& sent,
                                        const std::function<Status(const Hash32&)>& before_submit);
  // The agreement file of `id`. Errors: as Client::stored_params.
  [[nodiscard]] Result<StoredAgreement> stored_agreement(const Hash32& id) const;
  // The path of the agreement file of `id`.
  [[nodiscard]] std::filesystem::path agreement_file(const Hash32& id) const;
  // Writes `stored` as the agreement file of `id`. Errors: those of write_file_atomically.
  [[nodiscard]] Status save_agreement(const Hash32& id, const StoredAgreement& stored) const;
  // The agreement file of `id`, completed from the chain first when it is pending (recover.cpp;
  // waits up to `wait` for a transaction still in the pool). Errors: those of stored_agreement;
  // kFailedPrecondition when it is still pending or was never created (the message says which and
  // what to run).
  [[nodiscard]] Result<StoredAgreement> made_agreement(const Hash32& id,
                                                       std::chrono::milliseconds wait);
  // Finds what became of the pending agreement `stored` of `id` and, when it was made, rewrites
  // its file as made (recover.cpp). Never sends a transaction.
  [[nodiscard]] Result<RecoveredAgreement> settle(const Hash32& id, StoredAgreement& stored,
                                                  std::chrono::milliseconds wait);
  // Every agreement file in the agreements directory that parses, with its id (corrupt files
  // are left alone and skipped).
  [[nodiscard]] std::vector<std::pair<Hash32, StoredAgreement>> agreement_files() const;
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
[[nodiscard]] std::string agreement_file_json(const Hash32& id, const StoredAgreement& agreement);
[[nodiscard]] Result<StoredAgreement> agreement_from_json(std::string_view text, const Hash32& id);
// Writes `text` to `path` through a temporary file in the same directory, fsynced and renamed,
// then fsyncs the directory, so the file is on disk under its name when this returns (a pending
// order's intent must survive a crash right after). Missing directories are created 0700.
// Errors: kPermissionDenied / kUnavailable naming the path.
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& path,
                                           std::string_view text);

}  // namespace pactum::client
