// `pactum order DID`: agree to an asset's terms and pay them into escrow in one transaction
// (pactum::client::Client::order), after an ERC-20 approve when the price is in a token and the
// allowance is short; prints the agreement id. The agreement's file — pending before anything is
// sent, made once the chain confirms it — is kept in <home>/agreements/<id>.json for download,
// status and recover. An earlier order of the same DID from this home is found, not paid again,
// unless --again.
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

class OrderCommand final : public Command {
 public:
  std::string name() const override { return "order"; }
  std::string summary() const override {
    return "Agree to an asset's terms and lock the price in escrow; prints the agreement id";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("DID", did_, "The asset's DID (did:pactum:0x…)")->required();
    sub.add_flag("--again", again_,
                 "Order a new agreement even when this home already holds one for the DID");
    sub.add_option("--wait", wait_seconds_,
                   "Seconds to wait for the order's transaction to be mined")
        ->check(CLI::Range(1, 86400));
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Hash32 did, sdk::parse_did(did_));
    PACTUM_TRY(ClientSession session,
               open_client_session(inv, Role::kConsumer, std::chrono::seconds(wait_seconds_)));
    client::OrderTrace trace;
    auto ordered = session.client->order(did, {.again = again_}, &trace);
    if (!ordered.ok()) {
      // What was sent before the failure is the caller's to know (a script accounts for it).
      nlohmann::json details = {{"transactions", transactions_json(trace.transactions)}};
      if (trace.agreement_id && std::filesystem::exists(trace.params_file)) {
        details["agreement_id"] = to_hex(*trace.agreement_id);
        details["state"] = "pending";
        details["params_file"] = trace.params_file.string();
      }
      inv.set_error_details(std::move(details));
      return ordered.error();
    }
    const client::OrderResult& o = *ordered;
    const std::string id = to_hex(o.agreement_id);
    const eth::Address& token = o.params.payment.token;
    for (const auto& t : o.transactions) {
      if (t.what == "ERC20.approve") {
        inv.note("approved the engine for " + o.paid.to_dec() + " base units of " +
                 token.to_checksum_string() + " in " + to_hex(t.hash));
      }
    }
    const std::string paid = token.is_zero() ? eth::format_units(o.paid, 18) + " ether"
                                             : o.paid.to_dec() + " base units of the token " +
                                                   token.to_checksum_string();
    if (o.reused) {
      inv.note("this home ordered " + sdk::format_did(did) + " already: agreement " + id +
               " (nothing paid now; --again orders a second one)");
    } else {
      // The order is the last transaction (an approve, when one was needed, comes first).
      inv.note("paid " + paid + " into escrow in " + to_hex(o.transactions.back().hash));
    }
    inv.note("params kept in " + o.params_file.string());
    inv.emit(
        {{"agreement_id", id},
         {"did", sdk::format_did(did)},
         {"state", "made"},
         {"reused", o.reused},
         {"consumer", o.params.consumer.to_checksum_string()},
         {"paid_wei", token.is_zero() ? nlohmann::json(o.paid.to_dec()) : nlohmann::json()},
         {"paid", o.paid.to_dec()},
         {"token", token.is_zero() ? nlohmann::json() : nlohmann::json(token.to_checksum_string())},
         {"access_endpoint", o.access_endpoint},
         {"payment", payment_json(o.params.payment)},
         {"access_time_out", o.params.time_outs.size() > 1 ? o.params.time_outs[1] : 0},
         {"params_file", o.params_file.string()},
         {"transactions", transactions_json(o.transactions)}},
        id);
    return ok_status();
  }

 private:
  std::string did_;
  bool again_ = false;
  int wait_seconds_ = 120;
};

}  // namespace

std::unique_ptr<Command> make_order_command() {
  return std::make_unique<OrderCommand>();
}

}  // namespace pactum::cli
