// `pactum recover [AGREEMENT|DID]`: finds on chain what became of orders whose agreement file is
// pending — a lost receipt, a crash, a kill — and completes their files
// (pactum::client::Client::recover). Never sends a transaction: an order that never reached the
// chain is reported, and `pactum order DID` sends it again with the same seed.
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

class RecoverCommand final : public Command {
 public:
  std::string name() const override { return "recover"; }
  std::string summary() const override {
    return "Find on chain the agreements of interrupted orders and complete their files "
           "(sends nothing)";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("WHAT", what_,
                   "An agreement id, or a DID (its pending agreements); none: every pending one");
    sub.add_option("--wait", wait_seconds_,
                   "Seconds to wait for an order's transaction still in the pool")
        ->check(CLI::Range(0, 86400));
  }
  Status run(Invocation& inv) override {
    // Checked before anything is contacted.
    std::optional<Hash32> agreement;
    std::optional<Hash32> did;
    if (!what_.empty()) {
      if (what_.starts_with("did:")) {
        PACTUM_TRY(did, sdk::parse_did(what_));
      } else {
        auto id = client::parse_agreement_id(what_);
        if (!id.ok()) {
          return invalid_argument("'" + what_.substr(0, 80) +
                                  "' is neither an agreement id (0x + 64 hex digits) nor a DID "
                                  "(did:pactum:0x…)");
        }
        agreement = *id;
        PACTUM_TRY_STATUS(check_agreement_known(inv, *agreement));
      }
    }
    PACTUM_TRY(
        ClientSession session,
        agreement ? open_agreement_session(inv, Role::kConsumer, *agreement,
                                           std::chrono::seconds(wait_seconds_))
                  : open_client_session(inv, Role::kConsumer, std::chrono::seconds(wait_seconds_)));
    const std::vector<Hash32> ids =
        agreement ? std::vector<Hash32>{*agreement} : session.client->pending_agreements(did);
    nlohmann::json list = nlohmann::json::array();
    std::string human;
    std::optional<client::RecoveredAgreement> single;
    for (const Hash32& id : ids) {
      PACTUM_TRY(client::RecoveredAgreement r, session.client->recover(id));
      const std::string outcome(client::recovery_outcome_name(r.outcome));
      list.push_back({{"agreement_id", to_hex(r.agreement_id)},
                      {"did", sdk::format_did(r.did)},
                      {"state", outcome},
                      {"was_pending", r.was_pending},
                      {"transaction",
                       r.transaction ? nlohmann::json(to_hex(*r.transaction)) : nlohmann::json()},
                      {"params_file", r.params_file.string()}});
      human += to_hex(r.agreement_id) + "  " + outcome;
      switch (r.outcome) {
        case client::RecoveryOutcome::kMade:
          human += r.was_pending ? "  (found on chain; its file is complete)" : "  (on chain)";
          break;
        case client::RecoveryOutcome::kStillPending:
          human += "  (its transaction " + to_hex(*r.transaction) +
                   " waits to be mined; run recover again later)";
          break;
        case client::RecoveryOutcome::kNeverCreated:
          human += "  (no transaction of it reached the chain: nothing was paid; `pactum order " +
                   sdk::format_did(r.did) + "` sends it again)";
          break;
      }
      human += "\n";
      single = std::move(r);
    }
    if (ids.empty()) human = "no pending agreement in this home\n";
    inv.set_error_details({{"agreements", list}});
    // One agreement named: its outcome is the exit status (a script asks "is it there?").
    if (agreement && single && single->outcome != client::RecoveryOutcome::kMade) {
      const std::string id = to_hex(*agreement);
      if (single->outcome == client::RecoveryOutcome::kStillPending) {
        return deadline_exceeded("agreement " + id + " is pending: its transaction " +
                                 to_hex(*single->transaction) + " waits to be mined");
      }
      return not_found("agreement " + id +
                       " was never created on chain: no transaction of it reached the chain and "
                       "nothing was paid; `pactum order " +
                       sdk::format_did(single->did) + "` sends it again");
    }
    inv.emit({{"agreements", list}}, human);
    return ok_status();
  }

 private:
  std::string what_;
  int wait_seconds_ = 120;
};

}  // namespace

std::unique_ptr<Command> make_recover_command() {
  return std::make_unique<RecoverCommand>();
}

}  // namespace pactum::cli
