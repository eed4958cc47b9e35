// Private to pactum_cli: what the story-1 commands (publish, resolve, order, download, status)
// share — a pactum::client::Client wired from the invocation (chain and node URLs, the
// deployment file of the chain, the agreements directory, the account), the parsing of their
// arguments, and the JSON forms of their results.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pactum/cli/accounts.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/cli/progress.hpp"
#include "pactum/client/client.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/rpc/json_rpc.hpp"

namespace pactum::cli {

// A Client and the chain connection it uses (which must outlive it).
struct ClientSession {
  std::unique_ptr<rpc::RpcClient> rpc;
  std::unique_ptr<rpc::EthApi> api;
  std::unique_ptr<client::Client> client;
  std::optional<Account> account;
  std::string node_url;
  std::string rpc_url;
};

// Connects to the chain (--rpc or the stack's), reads <home>/deployments/<chain id>.json, and
// makes a Client for the node (--node or the stack's) acting as the account --as/--key select
// (default `role`; nullopt: no account, read-only). Agreements live in <home>/agreements.
// Errors: kNotFound when there is no deployment file for the chain; those of select_account,
// RpcClient::connect_http, the chain and Client::create.
// `receipt_wait`: how long the client waits for a transaction's receipt (ClientConfig).
[[nodiscard]] Result<ClientSession> open_client_session(
    Invocation& inv, std::optional<Role> role,
    std::chrono::milliseconds receipt_wait = std::chrono::seconds(120));

// As open_client_session, for a command on agreement `id` ordered from this home: without
// --rpc or PACTUM_RPC, the chain is the one its agreement file records (`order` wrote its RPC
// URL), not the local stack's. `settlement_wait`: how long a download asks again a node whose
// settlement is pending (ClientConfig::settlement_timeout). Errors: those of
// open_client_session; kDataLoss for a corrupt agreement file.
[[nodiscard]] Result<ClientSession> open_agreement_session(
    Invocation& inv, std::optional<Role> role, const Hash32& id,
    std::chrono::milliseconds receipt_wait = std::chrono::seconds(120),
    std::chrono::milliseconds settlement_wait = std::chrono::seconds(600));

// Checks, before anything is contacted, that `pactum order` kept the params of agreement `id` in
// <home>/agreements. Errors: kNotFound naming the file and `pactum order`.
[[nodiscard]] Status check_agreement_known(Invocation& inv, const Hash32& id);

// Parses an amount: a whole number of wei ("250000000000000000", "5wei"), or a decimal with a
// unit ("0.25eth", "0.25ether", "12gwei"). Errors: kInvalidArgument naming `what`.
[[nodiscard]] Result<eth::U256> parse_amount(std::string_view text, std::string_view what);

// A progress callback for client transfers that draws inv.progress(label, total) on first use.
class TransferProgress {
 public:
  TransferProgress(Invocation& inv, std::string label) : inv_(&inv), label_(std::move(label)) {}
  [[nodiscard]] client::ProgressFn callback();
  void finish();

 private:
  Invocation* inv_;
  std::string label_;
  std::optional<ProgressReporter> reporter_;
};

// {"what","hash","mined","from","block_number","gas_used","effective_gas_price","fee_wei"} per
// transaction; for one whose fate is unknown ("mined": false) the cost members are null.
[[nodiscard]] nlohmann::json transactions_json(const std::vector<client::SentTransaction>& sent);
// {"token","receivers","amounts"} with amounts as decimal strings of wei.
[[nodiscard]] nlohmann::json payment_json(const client::Payment& payment);

}  // namespace pactum::cli
