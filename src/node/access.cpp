// Access: the checks of docs/node-api.md ("What the node checks before a byte leaves"), the
// one-time settlement on chain, and the content and proof responses.
#include <nlohmann/json.hpp>

#include "node_internal.hpp"
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

Result<bool> NodeService::Impl::settle(const Hash32& id, const Engine::AgreementParams& params) {
  // The paid-access template: lock (0), access (1), escrow (2); checkParams vouched for params.
  if (params.time_locks.size() < 3 || params.time_outs.size() < 3) {
    return data_loss("agreement " + to_hex(id) + " has fewer than three condition times");
  }
  const std::int64_t now = config.clock();
  std::lock_guard lock(chain_mutex);
  PACTUM_TRY(auto access, condition(id, 1));
  if (access == Engine::ConditionState::kAborted) {
    return failed_precondition("the access condition of " + to_hex(id) + " was aborted");
  }
  if (access == Engine::ConditionState::kUnfulfilled) {
    // The chain would revert fulfillAccess (ConditionTimeLocked, ConditionTimedOut): refuse
    // before paying for a transaction that cannot succeed, and say when it could.
    const std::uint64_t opens = params.time_locks[1];
    const std::uint64_t closes = params.time_outs[1];
    if (now < static_cast<std::int64_t>(opens)) {
      return failed_precondition("access under agreement " + to_hex(id) + " is time-locked until " +
                                 std::to_string(opens) + " (unix seconds)");
    }
    if (closes != 0 && now > static_cast<std::int64_t>(closes)) {
      return failed_precondition("the access condition of agreement " + to_hex(id) +
                                 " timed out at " + std::to_string(closes) +
                                 " (unix seconds): its payment may be refunded");
    }
    PACTUM_TRY(auto data, Engine::encode_fulfillAccess(id, params));
    PACTUM_TRY_STATUS(transactor.send("AgreementEngine.fulfillAccess", engine, data));
  }
  return release_locked(id, params);
}

Result<bool> NodeService::Impl::release_locked(const Hash32& id,
                                               const Engine::AgreementParams& params) {
  PACTUM_TRY(auto escrow, condition(id, 2));
  if (escrow == Engine::ConditionState::kAborted) {
    return failed_precondition("the payment of " + to_hex(id) + " was refunded");
  }
  if (escrow == Engine::ConditionState::kFulfilled) return true;
  // A time-locked escrow is released by the chain watch once its lock has passed
  // (release_due()); access does not wait for the publisher's payment.
  if (config.clock() < static_cast<std::int64_t>(params.time_locks[2])) return false;
  PACTUM_TRY(auto data, Engine::encode_releasePayment(id, params));
  PACTUM_TRY_STATUS(transactor.send("AgreementEngine.releasePayment", engine, data));
  return true;
}

void NodeService::Impl::release_due() {
  auto due = ledger->release_due(config.clock(), config.watch_batch);
  if (!due.ok()) return;  // node.db's trouble: /health reports it
  for (const auto& id_text : *due) {
    auto id = parse_hash_text(id_text, "agreement id");
    if (!id.ok()) continue;
    std::optional<Engine::AgreementParams> params;
    {
      std::lock_guard lock(cache_mutex);
      if (auto it = agreements.find(*id); it != agreements.end()) params = it->second.params;
    }
    if (!params) {
      auto loaded = load_params(*id);
      if (!loaded.ok()) continue;  // the chain's trouble: tried again next round
      params = std::move(loaded).value();
    }
    Result<bool> released = [&]() -> Result<bool> {
      std::lock_guard lock(chain_mutex);
      return release_locked(*id, *params);
    }();
    if (!released.ok()) {
      if (config.logger != nullptr) {
        config.logger->warn("a time-locked payment could not be released yet",
                            {{"agreement", id_text}, {"error", released.error().message()}});
      }
      continue;
    }
    if (*released) {
      auto marked = ledger->mark_released(id_text);
      if (marked.ok() && config.logger != nullptr) {
        config.logger->info("released a time-locked payment", {{"agreement", id_text}});
      }
    }
  }
}

namespace {

// Whether `now` lies in the agreement's validity window (valid_until 0: no end).
bool window_contains(const Engine::AgreementParams& params, std::int64_t now) {
  return now >= static_cast<std::int64_t>(params.valid_from) &&
         (params.valid_until == 0 || now <= static_cast<std::int64_t>(params.valid_until));
}

}  // namespace

bool NodeService::Impl::within_window(const Engine::AgreementParams& params) {
  return window_contains(params, config.clock());
}

Result<NodeService::Impl::AccessCheck> NodeService::Impl::check_access(Request& request) {
  // 1. The signed request (its nonce is used here, once, whatever follows).
  AccessCheck check;
  PACTUM_TRY(check.agreement, parse_hash_text(request.param("agreement_id"), "agreement id"));
  PACTUM_TRY(check.signer, authenticate(request, sdk::NodeAction::kAccess, check.agreement));
  // The fast path of a settled agreement (docs/bench/node.md): every check below is local.
  std::lock_guard lock(cache_mutex);
  if (auto it = agreements.find(check.agreement); it != agreements.end()) {
    const KnownAgreement& k = it->second;
    if (k.settled && k.upload_id && k.params.consumer == check.signer && within_window(k.params)) {
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
        PACTUM_TRY(auto upload, settle_access(check.agreement, check.signer));
        return (this->*serve)(copy, upload);
      });
}

Result<std::string> NodeService::Impl::settle_access(const Hash32& id, const eth::Address& signer) {
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
    known.params = std::move(params);
    // Cached whoever asked: the params are facts of the chain, and a stranger's repeated requests
    // must not make the node scan the logs again.
    std::lock_guard lock(cache_mutex);
    agreements.emplace(id, known);
  }
  const auto& params = known.params;

  // 3. Consumer, asset, template, terms.
  if (params.consumer != signer) {
    return permission_denied("the signer " + signer.to_checksum_string() +
                             " is not the consumer of agreement " + to_hex(id));
  }
  if (!known.upload_id) {
    const std::string did_text = format_did(params.did);
    if (params.template_id != paid_access) {
      return permission_denied("agreement " + to_hex(id) + " is not of the paid-access template");
    }
    // Settled by this node before (maybe before a restart): served on the terms it was settled
    // under, whatever the DID's DDO says now (node_ledger.hpp, "Settled agreements").
    PACTUM_TRY(auto settled, ledger->settled(to_hex(id)));
    if (settled) {
      known.upload_id = settled->upload_id;
      known.settled = true;
    } else {
      PACTUM_TRY(auto asset, ledger->asset(did_text));
      if (!asset || asset->ddo.empty()) return not_found(did_text + " is not served by this node");
      auto ddo = sdk::parse_ddo(asset->ddo);
      if (!ddo.ok()) {
        return data_loss("the stored DDO of " + did_text +
                         " does not parse: " + ddo.error().message());
      }
      if (!(ddo->access.payment == sdk::to_payment_terms(params.payment))) {
        return permission_denied("the payment terms of agreement " + to_hex(id) +
                                 " differ from the access service of " + did_text);
      }
      known.upload_id = asset->upload_id;
    }
  }

  // 5 (cheap, local) before 4 (a chain call): the validity window contains now.
  if (!within_window(params)) {
    return failed_precondition("agreement " + to_hex(id) + " is outside its validity window");
  }

  // 4. The payment is locked; 6. settle once.
  if (!known.settled) {
    PACTUM_TRY(auto lock_state, condition(id, 0));
    if (lock_state != Engine::ConditionState::kFulfilled) {
      return failed_precondition("the payment of agreement " + to_hex(id) + " is not locked");
    }
    PACTUM_TRY(bool released, settle(id, params));
    NodeLedger::SettledAgreement record;
    record.agreement_id = to_hex(id);
    record.did = format_did(params.did);
    record.upload_id = *known.upload_id;
    record.consumer = params.consumer.to_hex();
    record.terms = terms_text(sdk::to_payment_terms(params.payment));
    record.valid_from = params.valid_from;
    record.valid_until = params.valid_until;
    record.settled_at = config.clock();
    record.released = released;
    record.release_after = params.time_locks[2];
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
  return *known.upload_id;
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
