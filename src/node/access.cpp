// Access: the checks of docs/node-api.md ("What the node checks before a byte leaves"), the
// one-time settlement on chain, and the content and proof responses.
#include <nlohmann/json.hpp>

#include <thread>
#include "node_internal.hpp"

#include "pactum/contracts/deployment.hpp"
#include "pactum/rpc/logs.hpp"
#include "pactum/server/range.hpp"

namespace pactum::node {

using Engine = contracts::AgreementEngine;
using server::Request;
using server::Response;

Result<Engine::AgreementParams> NodeService::Impl::load_params(const Hash32& id) {
  // agreementExists first: one cheap call refuses made-up ids without scanning logs.
  PACTUM_TRY(auto exists_data, Engine::encode_agreementExists(id));
  PACTUM_TRY(auto exists_ret, view_call(engine, std::move(exists_data)));
  PACTUM_TRY(bool exists, Engine::decode_agreementExists_result(exists_ret));
  if (!exists) return not_found("no agreement " + to_hex(id));

  rpc::LogFilter filter;
  filter.addresses = {engine};
  filter.topics = {{Engine::kTopic_AgreementCreated}, {id}};
  PACTUM_TRY(auto latest, api.block_number());
  const std::uint64_t from = std::min(config.deployment.block_number, latest);
  PACTUM_TRY(auto logs, rpc::get_logs_range(api, filter, from, latest));
  std::optional<Engine::AgreementParams> params;
  for (const auto& log : logs) {
    if (log.removed || log.address != engine) continue;
    auto event = Engine::decode_AgreementCreated(log);
    if (event.ok() && event->agreement_id == id) params = event->params;
  }
  if (!params) return not_found("no AgreementCreated log for agreement " + to_hex(id));

  PACTUM_TRY(auto check_data, Engine::encode_checkParams(id, *params));
  PACTUM_TRY(auto check_ret, view_call(engine, std::move(check_data)));
  PACTUM_TRY(bool matches, Engine::decode_checkParams_result(check_ret));
  if (!matches) return data_loss("the logged params of " + to_hex(id) + " fail checkParams");
  return *params;
}

Result<Engine::ConditionState> NodeService::Impl::condition(const Hash32& id, unsigned index) {
  PACTUM_TRY(auto data, Engine::encode_getConditionState(id, eth::U256(index)));
  PACTUM_TRY(auto ret, view_call(engine, std::move(data)));
  return Engine::decode_getConditionState_result(ret);
}

namespace {

sdk::ConditionState to_sdk(Engine::ConditionState state) {
  return static_cast<sdk::ConditionState>(state);
}

}  // namespace

Result<NodeService::Impl::SettleOutcome> NodeService::Impl::settle(const KnownAgreement& known) {
  const auto start = std::chrono::steady_clock::now();
  const Hash32& id = known.facts.id;
  sdk::ConditionStates states;
  // The lock first and outside the mutex, as it always was: once fulfilled it stays so, and a
  // request without a locked payment must not wait behind another agreement's transactions.
  PACTUM_TRY(auto lock_state, condition(id, sdk::kLockCondition));
  states.lock = to_sdk(lock_state);
  SentSettlement sent;
  {
    std::unique_lock lock(chain_mutex, std::defer_lock);
    if (states.lock == sdk::ConditionState::kFulfilled) {
      // Held from reading the other two states until the transactions are sent, never while
      // waiting for them to be mined.
      lock.lock();
      if (auto it = sending.find(id); it != sending.end()) {
        sent = it->second;  // on their way already: wait for the same transactions
      } else {
        PACTUM_TRY(auto access, condition(id, sdk::kAccessCondition));
        PACTUM_TRY(auto escrow, condition(id, sdk::kEscrowCondition));
        states.access = to_sdk(access);
        states.escrow = to_sdk(escrow);
      }
    }
    if (!sent.access && !sent.release) {
      auto decision = sdk::decide_settlement(known.facts, states, config.clock());
      if (auto* denial = std::get_if<sdk::AccessDenial>(&decision)) return denial->error;
      const sdk::Settlement& settlement = std::get<sdk::Settlement>(decision);
      sent.release_plan = settlement.release;
      if (settlement.fulfil_access) {
        PACTUM_TRY(auto data, Engine::encode_fulfillAccess(id, known.params));
        PACTUM_TRY(sent.access, transactor.submit("AgreementEngine.fulfillAccess", engine, data));
      }
      if (settlement.release == sdk::Release::kNow) {
        PACTUM_TRY(auto data, Engine::encode_releasePayment(id, known.params));
        contracts::Transactor::SubmitOptions options;
        // Right behind the fulfillAccess, in the same block: the chain cannot estimate a call
        // that depends on a transaction not yet mined, so it gets the engine's proven bound.
        if (sent.access) {
          options.gas_limit = contracts::release_payment_gas_bound(
              known.params.payment.receivers.size(), data.size());
        }
        auto release =
            transactor.submit("AgreementEngine.releasePayment", engine, data, eth::U256(), options);
        if (release.ok()) {
          sent.release = *release;
        } else if (sent.access) {
          // The access is on its way and is what the consumer waits for; the payment is the
          // watch's to release (release_due), as a time-locked one is.
          sent.release_plan = sdk::Release::kLater;
          if (config.logger != nullptr) {
            config.logger->warn("a release could not be sent with its access; the watch will",
                                {{"agreement", to_hex(id)}, {"error", release.error().message()}});
          }
        } else {
          return release.error();
        }
      }
      if (sent.access || sent.release) sending[id] = sent;
    }
  }
  if (!sent.access && !sent.release) {
    return SettleOutcome{sent.release_plan == sdk::Release::kDone, std::nullopt};
  }
  return await_settlement(id, std::move(sent), start + config.settle_wait);
}

Result<std::optional<rpc::Receipt>> NodeService::Impl::await_mined(
    std::string_view what, const Hash32& hash, std::chrono::steady_clock::time_point deadline) {
  auto left = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
  };
  auto receipt = transactor.wait(what, hash, left());
  if (!receipt.ok()) {
    if (receipt.error().code() == ErrorCode::kDeadlineExceeded)
      return std::optional<rpc::Receipt>();
    return receipt.error();
  }
  if (config.confirmations == 0) return std::optional<rpc::Receipt>(std::move(receipt).value());
  // Confirmed once `confirmations` blocks are on top of its block and the receipt still names
  // that block; a reorganisation that moved it or put it back in the pool is waited out again.
  std::chrono::milliseconds delay{100};
  for (;;) {
    PACTUM_TRY(auto latest, api.block_number());
    if (latest >= receipt->block_number + config.confirmations) {
      PACTUM_TRY(auto again, api.get_transaction_receipt(hash));
      if (again && again->block_hash == receipt->block_hash) {
        return std::optional<rpc::Receipt>(std::move(receipt).value());
      }
      return await_mined(what, hash, deadline);
    }
    if (left() <= std::chrono::milliseconds(0)) return std::optional<rpc::Receipt>();
    std::this_thread::sleep_for(std::min(delay, left()));
    delay = std::min(delay * 2, std::chrono::milliseconds(1'000));
  }
}

Result<NodeService::Impl::SettleOutcome> NodeService::Impl::await_settlement(
    const Hash32& id, SentSettlement sent, std::chrono::steady_clock::time_point deadline) {
  // Forgets what was seen mined, so that the next request decides from the chain again.
  auto forget = [&](bool access, bool release) {
    std::lock_guard lock(chain_mutex);
    auto it = sending.find(id);
    if (it == sending.end()) return;
    if (access && it->second.access == sent.access) it->second.access.reset();
    if (release && it->second.release == sent.release) it->second.release.reset();
    if (!it->second.access && !it->second.release) sending.erase(it);
  };
  auto pending = [&](std::string_view what, const Hash32& hash) {
    return SettleOutcome{false, std::string(what) + " " + to_hex(hash) + " was sent and is not " +
                                    (config.confirmations == 0 ? "mined" : "confirmed") + " yet"};
  };
  if (sent.access) {
    auto mined = await_mined("AgreementEngine.fulfillAccess", *sent.access, deadline);
    if (!mined.ok()) {
      // Mined and failed (or the chain said something definite): nothing of it stands, and a
      // release sent behind it failed with it. The next request decides afresh.
      forget(true, true);
      return mined.error();
    }
    if (!*mined) return pending("the agreement's fulfillAccess", *sent.access);
    forget(true, false);
  }
  if (!sent.release) return SettleOutcome{sent.release_plan == sdk::Release::kDone, std::nullopt};
  auto mined = await_mined("AgreementEngine.releasePayment", *sent.release, deadline);
  if (mined.ok() && !*mined) {
    // The access stands (or stood before): the consumer is served; the watch sees the release
    // through (release_due waits for the same transaction).
    return SettleOutcome{false, std::nullopt};
  }
  forget(false, true);
  if (!mined.ok()) {
    if (config.logger != nullptr) {
      config.logger->warn("a release failed; the watch will send it again",
                          {{"agreement", to_hex(id)}, {"error", mined.error().message()}});
    }
    return SettleOutcome{false, std::nullopt};
  }
  return SettleOutcome{true, std::nullopt};
}

void NodeService::Impl::release_due() {
  auto due = ledger->release_due(config.clock(), config.watch_batch);
  if (!due.ok()) return;  // node.db's trouble: /health reports it
  for (const auto& id_text : *due) {
    auto id = parse_hash_text(id_text, "agreement id");
    if (!id.ok()) continue;
    std::optional<KnownAgreement> known;
    {
      std::lock_guard lock(cache_mutex);
      if (auto it = agreements.find(*id); it != agreements.end()) known = it->second;
    }
    if (!known) {
      auto loaded = load_params(*id);
      if (!loaded.ok()) continue;  // the chain's trouble: tried again next round
      known = KnownAgreement::of(*id, std::move(loaded).value());
    }
    Result<SettleOutcome> released = [&]() -> Result<SettleOutcome> {
      SentSettlement sent;
      {
        std::lock_guard lock(chain_mutex);
        if (auto it = sending.find(*id); it != sending.end()) {
          if (it->second.access) return SettleOutcome{false, "an access is on its way"};
          sent = it->second;  // a release sent before: wait for it, never send another
        } else {
          PACTUM_TRY(auto escrow, condition(*id, sdk::kEscrowCondition));
          auto decision = sdk::decide_release(known->facts, to_sdk(escrow), config.clock());
          if (auto* denial = std::get_if<sdk::AccessDenial>(&decision)) return denial->error;
          sent.release_plan = std::get<sdk::Release>(decision);
          if (sent.release_plan != sdk::Release::kNow) {
            return SettleOutcome{sent.release_plan == sdk::Release::kDone, std::nullopt};
          }
          PACTUM_TRY(auto data, Engine::encode_releasePayment(*id, known->params));
          PACTUM_TRY(sent.release,
                     transactor.submit("AgreementEngine.releasePayment", engine, data));
          sending[*id] = sent;
        }
      }
      // One look: the watch does not wait on the chain (the next round looks again).
      PACTUM_TRY(auto outcome, await_settlement(*id, sent, std::chrono::steady_clock::now()));
      if (!outcome.released && !outcome.pending) {
        return SettleOutcome{false, "the release " + to_hex(*sent.release) + " is not mined yet"};
      }
      return outcome;
    }();
    if (!released.ok() || released->pending) {
      if (config.logger != nullptr) {
        config.logger->warn(
            "a payment could not be released yet",
            {{"agreement", id_text},
             {"error", released.ok() ? *released->pending : released.error().message()}});
      }
      continue;
    }
    if (released->released) {
      auto marked = ledger->mark_released(id_text);
      if (marked.ok() && config.logger != nullptr) {
        config.logger->info("released a payment", {{"agreement", id_text}});
      }
    }
  }
}

Result<NodeService::Impl::AccessCheck> NodeService::Impl::check_access(Request& request) {
  // 1. The signed request (its nonce is used here, once, whatever follows).
  AccessCheck check;
  PACTUM_TRY(check.agreement, parse_hash_text(request.param("agreement_id"), "agreement id"));
  PACTUM_TRY(check.signer, authenticate(request, sdk::NodeAction::kAccess, check.agreement));
  // The fast path of a settled agreement (docs/bench/node.md): the decision needs nothing but
  // memory. Any refusal takes the slow path, which says why.
  static const sdk::ServedAsset checked{sdk::ServedAsset::Kind::kChecked, {}, {}};
  std::lock_guard lock(cache_mutex);
  if (auto it = agreements.find(check.agreement); it != agreements.end()) {
    const KnownAgreement& k = it->second;
    if (k.settled && k.upload_id &&
        !sdk::decide_terms(check.signer, k.facts, served_template, checked, config.clock())) {
      check.upload = *k.upload_id;
    }
  }
  return check;
}

Result<server::Response> NodeService::Impl::answer_access(Request& request, Serve serve) {
  PACTUM_TRY(AccessCheck check, check_access(request));
  if (check.upload) return (this->*serve)(request, *check.upload);
  // The first access reads the chain and sends transactions (tens of milliseconds on anvil, a
  // block time or more elsewhere): never on an I/O thread.
  return server::Response::after_blocking(
      [this, check, serve, copy = request]() -> Result<server::Response> {
        PACTUM_TRY(auto settled, settle_access(check.agreement, check.signer));
        if (auto* pending = std::get_if<SettlementPending>(&settled)) {
          // Not a fault: the chain is slower than settle_wait. The client asks again.
          if (config.logger != nullptr) {
            config.logger->info("settlement pending", {{"agreement", to_hex(check.agreement)},
                                                       {"remote", copy.remote},
                                                       {"sent", pending->what}});
          }
          Response answer = server::error_response(
              unavailable("the settlement of agreement " + to_hex(check.agreement) +
                          " is on its way: " + pending->what + "; retry"));
          answer.headers.set("Retry-After", std::to_string(kSettlementRetrySeconds));
          return answer;
        }
        return (this->*serve)(copy, std::get<std::string>(settled));
      });
}

Result<sdk::ServedAsset> NodeService::Impl::served_asset(KnownAgreement& known) {
  sdk::ServedAsset served;
  if (known.upload_id) {
    served.kind = sdk::ServedAsset::Kind::kChecked;
    return served;
  }
  // Settled by this node before (maybe before a restart): served on the terms it was settled
  // under, whatever the DID's DDO says now (node_ledger.hpp, "Settled agreements").
  PACTUM_TRY(auto settled, ledger->settled(to_hex(known.facts.id)));
  if (settled) {
    known.upload_id = settled->upload_id;
    known.settled = true;
    served.kind = sdk::ServedAsset::Kind::kChecked;
    return served;
  }
  PACTUM_TRY(auto asset, ledger->asset(format_did(known.facts.did)));
  if (!asset || asset->ddo.empty()) return served;  // kNotServed
  auto ddo = sdk::parse_ddo(asset->ddo);
  if (!ddo.ok()) {
    served.kind = sdk::ServedAsset::Kind::kUnreadable;
    served.problem = ddo.error().message();
    return served;
  }
  served.kind = sdk::ServedAsset::Kind::kOffered;
  served.offered = ddo->access.payment;
  // The upload to serve once the decision allows it (known is not cached before it does).
  known.upload_id = asset->upload_id;
  return served;
}

Result<NodeService::Impl::Settled> NodeService::Impl::settle_access(const Hash32& id,
                                                                    const eth::Address& signer) {
  // 2. The agreement's params, from the log and confirmed by checkParams (cached).
  KnownAgreement known;
  bool cached = false;
  {
    std::lock_guard lock(cache_mutex);
    if (auto it = agreements.find(id); it != agreements.end()) {
      known = it->second;
      cached = true;
    }
  }
  if (!cached) {
    PACTUM_TRY(auto params, load_params(id));
    known = KnownAgreement::of(id, std::move(params));
    // Cached whoever asked: the params are facts of the chain, and a stranger's repeated requests
    // must not make the node scan the logs again.
    std::lock_guard lock(cache_mutex);
    agreements.emplace(id, known);
  }

  // 3. Consumer, template, asset, terms; 5 (cheap, local) before 4 (a chain call): the window.
  PACTUM_TRY(sdk::ServedAsset served, served_asset(known));
  if (auto denial =
          sdk::decide_terms(signer, known.facts, served_template, served, config.clock())) {
    return denial->error;
  }

  // 4. The payment is locked; 6. settle once.
  if (!known.settled) {
    PACTUM_TRY(SettleOutcome outcome, settle(known));
    if (outcome.pending) return Settled(SettlementPending{*outcome.pending});
    const bool released = outcome.released;
    const auto& params = known.params;
    NodeLedger::SettledAgreement record;
    record.agreement_id = to_hex(id);
    record.did = format_did(params.did);
    record.upload_id = *known.upload_id;
    record.consumer = params.consumer.to_hex();
    record.terms = terms_text(known.facts.payment);
    record.valid_from = params.valid_from;
    record.valid_until = params.valid_until;
    record.settled_at = config.clock();
    record.released = released;
    // A release sent and not yet mined, or one that failed, is the watch's at once.
    record.release_after = params.time_locks[sdk::kEscrowCondition];
    // The chain holds the settlement whatever happens here: a record that cannot be written
    // costs the fast path after a restart (and, while unreleased, the watch's release), not the
    // consumer's download.
    if (auto recorded = ledger->record_settled(record); !recorded.ok() && config.logger) {
      config.logger->error(
          "a settlement could not be recorded in node.db",
          {{"agreement", record.agreement_id}, {"error", recorded.error().message()}});
    }
    known.settled = true;
  }
  {
    std::lock_guard lock(cache_mutex);
    agreements[id] = known;
  }
  return Settled(*known.upload_id);
}

namespace {

// The state a streamed download owns: the reader, the range walk and the chunk buffer.
struct ContentStream {
  std::shared_ptr<store::AssetReader> reader;
  std::optional<store::RangeReader> range;
  store::ChunkPiece piece;
  std::optional<Bytes> pending;  // the first chunk, read before the head is sent
};

// The producer of `range` of an opened asset: the first chunk is read (and authenticated) here,
// so that a damaged one is an error answer rather than a cut connection.
Result<server::StreamBody> open_content(const std::shared_ptr<store::AssetReader>& reader,
                                        server::ByteRange range) {
  auto state = std::make_shared<ContentStream>();
  state->reader = reader;
  PACTUM_TRY(auto walk, reader->read_range(range.first, range.length()));
  state->range.emplace(std::move(walk));
  PACTUM_TRY(bool more, state->range->next(state->piece));
  if (more) {
    auto part = state->piece.in_range();
    state->pending = Bytes(part.begin(), part.end());
  }
  server::StreamBody body;
  body.length = range.length();
  body.next_chunk = [state]() -> Result<std::optional<Bytes>> {
    if (state->pending) {
      std::optional<Bytes> out = std::move(state->pending);
      state->pending.reset();
      return out;
    }
    PACTUM_TRY(bool more, state->range->next(state->piece));
    if (!more) return std::optional<Bytes>();
    auto part = state->piece.in_range();
    return std::optional<Bytes>(Bytes(part.begin(), part.end()));
  };
  return body;
}

}  // namespace

Result<Response> NodeService::Impl::content(Request& request) {
  return answer_access(request, &Impl::serve_content);
}

Result<Response> NodeService::Impl::proofs(Request& request) {
  return answer_access(request, &Impl::serve_proofs);
}

Result<Response> NodeService::Impl::serve_content(const Request& request,
                                                  const std::string& upload) {
  PACTUM_TRY(std::shared_ptr<store::AssetReader> reader, readers.take(upload));
  const std::uint64_t size = reader->metadata().size;
  // The opener's error (a damaged first chunk, a file gone) is this handler's, so that it is
  // logged and answered as every other fault of the node (node_service.cpp, public_error);
  // ranged_response would answer it itself.
  std::optional<Error> failed;
  Response answer = server::ranged_response(
      request, size, [&failed, reader](server::ByteRange range) -> Result<server::StreamBody> {
        auto body = open_content(reader, range);
        if (!body.ok()) failed = body.error();
        return body;
      });
  if (failed) return *failed;
  return answer;
}

Result<Response> NodeService::Impl::serve_proofs(const Request& request,
                                                 const std::string& upload) {
  PACTUM_TRY(auto reader, readers.take(upload));
  const auto& meta = reader->metadata();
  PACTUM_TRY(auto from, parse_count(request.query_param("from"), 0, "from"));
  PACTUM_TRY(auto to,
             parse_count(request.query_param("to"),
                         std::min(meta.chunk_count, from + config.max_proof_chunks), "to"));
  if (from > to) return invalid_argument("from must not exceed to");
  if (to > meta.chunk_count) {
    return out_of_range("to " + std::to_string(to) + " is past chunk_count " +
                        std::to_string(meta.chunk_count));
  }
  if (to - from > config.max_proof_chunks) {
    return resource_exhausted("at most " + std::to_string(config.max_proof_chunks) +
                              " chunks per proofs request");
  }
  nlohmann::json list = nlohmann::json::array();
  store::ChunkPiece piece;
  for (std::uint64_t i = from; i < to; ++i) {
    PACTUM_TRY_STATUS(reader->read_chunk(i, piece));
    nlohmann::json hashes = nlohmann::json::array();
    for (const auto& h : piece.proof) hashes.push_back(to_hex(h));
    list.push_back({{"index", i}, {"proof", std::move(hashes)}});
  }
  nlohmann::json out = {{"chunk_size", meta.chunk_size},
                        {"chunk_count", meta.chunk_count},
                        {"size", meta.size},
                        {"root", to_hex(meta.merkle_root)},
                        {"from", from},
                        {"to", to},
                        {"proofs", std::move(list)}};
  return Response::json(out.dump(), 200);
}

}  // namespace pactum::node
