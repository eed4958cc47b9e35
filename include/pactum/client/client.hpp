// Client: story 1 from the consumer's and the publisher's side (docs/node-api.md, "Client
// side") — publish a file, resolve a DID, order an asset, download it verified, and show an
// agreement's state. The CLI's publish/resolve/order/download/status are thin over this.
//
// Trust: the node is trusted for nothing the chain does not confirm. resolve() checks the DDO's
// owner and checksum against AssetRegistry.getAsset; order() pays the terms of a DDO so checked
// to a provider the registry lists; download() writes a byte only once its chunk has been
// verified against the ON-CHAIN checksum (a Merkle proof per chunk), into a temporary file
// renamed over the output at the end, so a failed download never leaves a file under its name.
//
// Where the bytes come from: download() talks to the node named by the access serviceEndpoint of
// the asset's DDO (checked and kept in the agreement file at order time), not to the node this
// client resolves DDOs through, so an asset on someone else's node is downloaded from that node.
//
// ERC-20 prices: order() checks the consumer's token balance before anything is sent, approves
// the engine for exactly the total only when the allowance is short, then locks (the engine pulls
// the tokens with transferFrom). The consumer pays tokens for the price and ether for gas only.
//
// Price semantics (publish): `price` is what the publisher receives; each fee is paid on top to
// its receiver. The DDO's payment is receivers = [publisher, fee receivers…], amounts = [price,
// fee amounts…], and the consumer locks the sum in escrow, released to all of them once the node
// has granted access (or refunded after the access time out).
//
// Agreement files: order() keeps the agreement's parameters (every later call on the engine
// needs them again) in <agreements_dir>/<agreement id>.json, written to a temporary file and
// renamed, so a crash leaves the old file or the new one, never half of one.
//
// Orders that can be recovered (Architecture Invariant: an order's intent is on disk before it
// is sent): the agreement id is computeAgreementId(seed, consumer), known before anything is
// paid. order() writes the file in state "pending" — seed, params, endpoint, the chain's head —
// before its first transaction, adds each transaction's hash before that transaction is
// submitted, and marks it "made" once the receipt shows the agreement. After a lost receipt, a
// crash or a kill, recover() finds the agreement from the file alone (the recorded transactions'
// receipts, the AgreementCreated logs of the id, agreementExists) and completes it; it never
// sends. order() of a DID this home already ordered as this consumer finds that agreement
// (made and on chain, or pending and recovered) instead of paying again; a pending one that
// provably never reached the chain is sent again with the SAME seed, so the engine
// (AgreementAlreadyExists) could never create it twice.
//
// Thread safety: a Client is used by one thread at a time. The EthApi passed to create() must
// outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pactum/client/node_http.hpp"
#include "pactum/contracts/agreement_engine.hpp"
#include "pactum/contracts/deployment.hpp"
#include "pactum/core/bytes.hpp"
#include "pactum/core/result.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/keys.hpp"
#include "pactum/eth/uint256.hpp"
#include "pactum/rpc/eth_api.hpp"
#include "pactum/sdk/ddo.hpp"

namespace pactum::client {

using AgreementParams = contracts::AgreementEngine::AgreementParams;
using ConditionState = contracts::AgreementEngine::ConditionState;
using ConditionType = contracts::AgreementEngine::ConditionType;
using Payment = contracts::AgreementEngine::Payment;

// Called as a transfer moves: bytes done of `total`.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

// The most fee receivers a publication may name (the engine pays at most 8 receivers, the
// publisher being the first).
inline constexpr std::size_t kMaxFees = sdk::kMaxPaymentReceivers - 1;
// Longest asset name kept in a DDO.
inline constexpr std::size_t kMaxNameLength = sdk::kMaxDdoTextLength;
// Longest access serviceEndpoint accepted from a DDO.
inline constexpr std::size_t kMaxEndpointLength = sdk::kMaxServiceEndpointLength;

struct ClientConfig {
  // The chain's JSON-RPC URL, recorded in each agreement file so that later commands talk to the
  // chain the agreement lives on; "" records nothing.
  std::string rpc_url;
  std::string node_url;                  // the node to talk to, http://host[:port]
  contracts::Deployment deployment;      // of the chain the EthApi talks to
  std::filesystem::path agreements_dir;  // where order() keeps agreement params
  NodeHttpOptions http;
  // Chunks fetched per window of a download (one proofs request, one ranged content request);
  // at most the node's limit (1024 by default).
  std::uint64_t download_window = 1024;
  // Unix seconds now (the expiry of signed requests); empty: the system clock.
  std::function<std::int64_t()> clock;
  // true: download() asks node_url (an explicit --node) instead of the access serviceEndpoint
  // the agreement was ordered with.
  bool download_via_node_url = false;
  // How long a transaction's receipt is waited for (order, publish) and how long recover() waits
  // for an order's transaction that is still in the pool.
  std::chrono::milliseconds receipt_timeout{120'000};
  // How long download() keeps asking a node that answers 503 with Retry-After (its settlement
  // of the agreement is on the chain's way) before it returns the node's kUnavailable.
  std::chrono::milliseconds settlement_timeout{600'000};
};

// A transaction this client sent, with what it cost (for exact accounting).
struct SentTransaction {
  // "AssetRegistry.register", "ERC20.approve", "AgreementEngine.createAgreementAndLock"
  std::string what;
  Hash32 hash{};
  eth::Address from;
  std::uint64_t block_number = 0;
  std::uint64_t gas_used = 0;
  eth::U256 effective_gas_price;
  eth::U256 fee;  // gas_used × effective_gas_price, in wei
  // false: submitted, but its receipt was not seen (its fate was unknown when the call returned;
  // the fields above are then zero).
  bool mined = true;
};

struct Fee {
  eth::Address receiver;
  eth::U256 amount;
};

struct PublishRequest {
  std::filesystem::path file;
  eth::U256 price;                              // what the publisher receives
  eth::Address token;                           // zero: ether; else an ERC-20 (checked)
  std::vector<Fee> fees;                        // paid on top of the price
  std::string name;                             // the DDO's name; empty: the file's name
  std::uint64_t access_timeout_seconds = 3600;  // how long the node has to grant access
};

struct PublishResult {
  Hash32 did{};
  Hash32 checksum{};  // the Merkle root, as registered on chain
  std::uint64_t size = 0;
  std::uint32_t chunk_size = 0;
  std::uint64_t chunk_count = 0;
  std::string upload_id;
  eth::Address provider;  // the node
  Payment payment;        // the DDO's terms
  std::vector<SentTransaction> transactions;
  std::string ddo_json;
};

// A DDO's PactumAccess service.
struct AccessService {
  // serviceEndpoint as the DDO says it (parse_access_endpoint checks it); nullopt when the DDO
  // names none: the node that served the DDO then serves access too.
  std::optional<std::string> endpoint;
  eth::Address provider;
  Hash32 template_id{};
  Payment payment;
  std::uint64_t access_timeout_seconds = 0;
};

struct ResolvedAsset {
  Hash32 did{};
  eth::Address owner;  // from the chain
  Hash32 checksum{};   // from the chain
  std::string ddo_json;
  AccessService access;  // parsed from the DDO (its terms are the node's to enforce)
};

// Where an order's agreement stands, as its file says.
enum class AgreementState {
  kPending,  // the intent was written before sending; the chain has not confirmed it yet
  kMade,     // the chain confirmed it
};

struct OrderOptions {
  // true: a new agreement even when this home already holds one for the DID by this consumer.
  bool again = false;
};

// What an order did, for the caller's records even when it fails.
struct OrderTrace {
  // Every transaction submitted, in order (mined == false for one whose fate is unknown).
  std::vector<SentTransaction> transactions;
  // The agreement and its file, once the pending file was written.
  std::optional<Hash32> agreement_id;
  std::filesystem::path params_file;
};

struct OrderResult {
  // true: an agreement ordered earlier from this home (made, or pending and now recovered) was
  // found, and nothing was paid this time (`transactions` is then empty).
  bool reused = false;
  Hash32 agreement_id{};
  AgreementParams params;
  eth::U256 paid;               // the sum locked in escrow, in wei or in the token's base units
  std::string access_endpoint;  // where download() will ask (the DDO's, checked)
  std::filesystem::path params_file;
  std::vector<SentTransaction> transactions;
};

// What recover() found.
enum class RecoveryOutcome {
  kMade,          // the agreement exists on chain; its file is (now) made
  kStillPending,  // a transaction of it waits in the pool, not mined within the wait
  kNeverCreated,  // no transaction of it reached the chain (or it reverted): nothing was paid
};

struct RecoveredAgreement {
  Hash32 agreement_id{};
  Hash32 did{};
  RecoveryOutcome outcome = RecoveryOutcome::kNeverCreated;
  bool was_pending = false;           // the file was pending before this call
  std::optional<Hash32> transaction;  // the one that created it (kMade), or waits (kStillPending)
  AgreementParams params;             // as on chain for kMade (from AgreementCreated)
  std::filesystem::path params_file;
};

[[nodiscard]] std::string_view recovery_outcome_name(RecoveryOutcome outcome) noexcept;

struct DownloadResult {
  std::filesystem::path file;
  std::uint64_t size = 0;
  std::uint64_t chunk_count = 0;
  Hash32 checksum{};  // the on-chain root every chunk was verified against
  Hash32 did{};
};

struct RefundResult {
  Hash32 agreement_id{};
  eth::Address consumer;  // who got the price back (the agreement's consumer)
  eth::Address token;     // zero: ether
  eth::U256 amount;       // the whole price: every receiver's amount
  // "AgreementEngine.abortCondition" (the access condition, unless it was aborted already), then
  // "AgreementEngine.refundPayment".
  std::vector<SentTransaction> transactions;
};

struct ConditionStatus {
  unsigned index = 0;
  ConditionType type = ConditionType::kLockPayment;
  ConditionState state = ConditionState::kUnfulfilled;
  std::uint64_t time_lock = 0;
  std::uint64_t time_out = 0;  // 0: never
};

struct AgreementStatus {
  Hash32 agreement_id{};
  AgreementParams params;
  std::string template_name;  // from the deployment ("paid-access"), "" when unknown
  std::vector<ConditionStatus> conditions;
};

// "LockPayment", "Access", "EscrowPayment", …, and "Unfulfilled", "Fulfilled", "Aborted".
[[nodiscard]] std::string_view condition_type_name(ConditionType type) noexcept;
[[nodiscard]] std::string_view condition_state_name(ConditionState state) noexcept;

// Checks an access serviceEndpoint taken from a DDO (untrusted) and returns it without trailing
// slashes: an http:// URL with a host, at most kMaxEndpointLength bytes, no query, fragment, user
// info, space or control character. Errors: kInvalidArgument naming what is wrong (an empty value,
// another scheme such as ftp:// or a path such as /etc/passwd); kUnimplemented for https:// (this
// client speaks plain HTTP only).
[[nodiscard]] Result<std::string> parse_access_endpoint(std::string_view text);

// computeAgreementId(seed, creator) of the AgreementEngine: keccak256(abi.encode(seed, creator)).
[[nodiscard]] Hash32 compute_agreement_id(const Hash32& seed, const eth::Address& creator);

// The RPC URL the agreement file of `id` in `agreements_dir` records ("" when it records none:
// older files). Errors: kNotFound when there is no file; kDataLoss for a corrupt one.
[[nodiscard]] Result<std::string> recorded_rpc_url(const std::filesystem::path& agreements_dir,
                                                   const Hash32& id);

// Parses an agreement id: "0x" + 64 hex digits. Errors: kInvalidArgument (length checked first,
// so a path or a megabyte of text is refused cheaply, and never used as a file name).
[[nodiscard]] Result<Hash32> parse_agreement_id(std::string_view text);

class Client {
 public:
  // A client acting as `key` (nullopt: read-only — resolve() and status() only) on the chain
  // `api` talks to. Errors: kInvalidArgument for a config without node URL, a deployment
  // without AssetRegistry / AgreementEngine / "paid-access", or a malformed node URL;
  // kFailedPrecondition when the chain's id is not the deployment's; those of the chain.
  [[nodiscard]] static Result<std::unique_ptr<Client>> create(rpc::EthApi& api, ClientConfig config,
                                                              std::optional<eth::PrivateKey> key);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The account this client acts as. REQUIRES: created with a key.
  [[nodiscard]] const eth::Address& address() const;

  // The node's own address (the account it signs with, which signed requests name), from its
  // /health ("node_address"), asked once. Errors: kUnavailable when the node cannot be reached
  // or does not say; kDataLoss for a malformed address.
  [[nodiscard]] Result<eth::Address> node_address();

  // Uploads request.file to the node (streamed; `progress` as it goes), checks the node's
  // checksum against one computed here, registers the asset on chain with that checksum and the
  // node as provider, and stores the DDO at the node. Returns the DID. Nothing is registered on
  // chain unless the node's checksum and size are the file's.
  // Errors: kNotFound / kPermissionDenied / kInvalidArgument for a missing, unreadable or
  // non-regular file; kInvalidArgument for more than kMaxFees fees, a zero fee receiver, a name
  // over kMaxNameLength, a price + fees that overflow, or a token that is not a contract
  // answering ERC-20 balanceOf/allowance; kDataLoss when the node's checksum or size is not the
  // file's, or its answer is malformed; kPermissionDenied when the node does not take uploads
  // from this account;
  // kFailedPrecondition for a reverted registration; those of the node and the chain.
  [[nodiscard]] Result<PublishResult> publish(const PublishRequest& request,
                                              const ProgressFn& progress = {});

  // The DDO of `did` from the node (or, when that node does not hold it, from the DDO URL its
  // owner registered on chain: an asset on another publisher's node), checked against getAsset:
  // the controller ends in the on-chain owner and the metadata checksum is the on-chain checksum.
  // Errors: kNotFound when the DID is not registered on chain, or neither place has its DDO;
  // kFailedPrecondition / kUnimplemented for a registered URL that is not an http:// URL (or is
  // https://); kDataLoss when the DDO is malformed, names another DID, or differs from the chain;
  // those of the node and the chain.
  [[nodiscard]] Result<ResolvedAsset> resolve(const Hash32& did);

  // Agrees to the terms of `did` (resolved as above) with the paid-access template: creates the
  // agreement and locks the price in one transaction, the access condition timing out after the
  // DDO's accessTimeout, keeping the agreement file as the header comment says (pending before
  // anything is sent, made after). For an ERC-20 price, first approves the engine for the total
  // when the allowance is short (an "ERC20.approve" transaction, listed before the order's).
  // Nothing is sent when a check fails.
  // Unless options.again, an agreement of `did` this home holds for this consumer is looked at
  // first: one made and still on chain is returned (reused, nothing sent); a pending one is
  // recovered (returned when made; an error when its transaction is still in the pool; sent again
  // with its seed when it never reached the chain). `trace`, when not null, receives every
  // transaction submitted and the agreement id, also when order() fails. REQUIRES: a key.
  // Errors: those of resolve(); kInvalidArgument / kUnimplemented for an access serviceEndpoint
  // parse_access_endpoint refuses; kFailedPrecondition when the DDO names a template other than
  // the deployment's paid-access or a provider the registry does not list, when the token is not
  // a contract or does not answer ERC-20 calls, when the consumer holds fewer tokens than the
  // total (token, needed and held named), or a transaction reverts (the custom error named);
  // kUnavailable / kPermissionDenied when the agreement file cannot be written (then nothing is
  // sent). After the lock was submitted: kUnavailable / kDeadlineExceeded / kDataLoss when its
  // fate or receipt is unknown — the file stays pending, the message names it, and recover()
  // (or order() again) finds the agreement without paying twice.
  [[nodiscard]] Result<OrderResult> order(const Hash32& did, const OrderOptions& options = {},
                                          OrderTrace* trace = nullptr);

  // Finds on chain what became of the agreement `agreement_id` ordered from this home (see the
  // header comment) and completes its file when it was made; sends nothing. A file already made
  // is checked against the chain. Waits up to ClientConfig::receipt_timeout for a transaction of
  // it still in the pool. REQUIRES: a key.
  // Errors: kNotFound when no file is stored for it; kDataLoss for a corrupt file, one whose id
  //   is not computeAgreementId(seed, consumer), or a made file the chain contradicts
  //   (checkParams); kNotFound when a made file's agreement does not exist on chain (a chain that
  //   was reset); those of the chain.
  [[nodiscard]] Result<RecoveredAgreement> recover(const Hash32& agreement_id);

  // The ids of the pending agreement files in this home (of `did` only, when given), oldest
  // first.
  [[nodiscard]] std::vector<Hash32> pending_agreements(const std::optional<Hash32>& did) const;

  // Downloads the asset of agreement `agreement_id` (its params from the agreements directory)
  // into `out`: proofs, then content, window by window; every chunk is verified against the
  // on-chain checksum before it is written to a temporary file beside `out`, renamed to `out`
  // once all chunks are in. With `overwrite` false an existing `out` is kAlreadyExists. The node
  // asked is the agreement's access endpoint (see ClientConfig::download_via_node_url).
  // REQUIRES: a key (the agreement's consumer).
  // On every error after the transfer began, `out` is untouched and no temporary file remains;
  // the message says so.
  // A pending agreement file is recovered first (without waiting; see recover()).
  // Errors: kNotFound when no params are stored for the agreement; kFailedPrecondition when it is
  // still pending or was never created (the message says what to run); kDataLoss for a chunk that
  // fails verification or a node whose root or shape differs from the chain's; kUnavailable
  // (retry) / kDeadlineExceeded when the node cuts or stalls the transfer (the download is
  // incomplete); kInvalidArgument when `out` is a directory or the stored endpoint is not an
  // http URL; those of the node (kPermissionDenied for someone else's agreement,
  // kFailedPrecondition when the payment is not locked).
  [[nodiscard]] Result<DownloadResult> download(const Hash32& agreement_id,
                                                const std::filesystem::path& out, bool overwrite,
                                                const ProgressFn& progress = {});

  // The state of each condition of the agreement, with the stored params (a pending file is
  // recovered first, without waiting). Errors: kNotFound when no params are stored for the
  // agreement or the chain does not know it; kFailedPrecondition for one still pending or never
  // created, or one ordered on another chain than this client's (the file's chain id and RPC URL
  // named; download() and refund() refuse it alike);
  // kDataLoss when the stored params fail the engine's checkParams or the file is corrupt.
  [[nodiscard]] Result<AgreementStatus> status(const Hash32& agreement_id);

  // Takes the price of agreement `agreement_id` back to its consumer once its access condition
  // timed out unfulfilled: aborts the access condition (when it is not aborted already), then
  // refunds the escrow (both calls anyone may make; the engine sends to the consumer). The chain's
  // clock decides: the latest block's timestamp must be past the access time out. Nothing is
  // sent when a check fails. REQUIRES: a key (it pays the gas).
  // Errors: those of status(); kFailedPrecondition when the template has no lock, access and
  //   escrow, when nothing was locked, when access was granted or the escrow released (nothing to
  //   refund), when it was refunded already, or when the time out has not passed (the message
  //   says when it does, in chain time, and how long that is); kFailedPrecondition for a
  //   transaction that reverts; those of the chain. `sent`, when not null, receives every
  //   transaction submitted, also on failure.
  [[nodiscard]] Result<RefundResult> refund(const Hash32& agreement_id,
                                            std::vector<SentTransaction>* sent = nullptr);

  // The params stored for `agreement_id`. Errors: kNotFound (naming the file and `pactum order`);
  // kDataLoss for a file that does not parse.
  [[nodiscard]] Result<AgreementParams> stored_params(const Hash32& agreement_id) const;

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pactum::client
