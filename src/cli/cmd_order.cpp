// `pactum order DID`: agree to an asset's terms and pay them into escrow in one transaction
// (pactum::client::Client::order), after an ERC-20 approve when the price is in a token and the
// allowance is short; prints the agreement id. The agreement's params and access endpoint are
// kept in <home>/agreements/<id>.json for download and status.
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
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Hash32 did, sdk::parse_did(did_));
    PACTUM_TRY(ClientSession session, open_client_session(inv, Role::kConsumer));
    PACTUM_TRY(client::OrderResult o, session.client->order(did));
    const std::string id = to_hex(o.agreement_id);
    const eth::Address& token = o.params.payment.token;
    for (const auto& t : o.transactions) {
      if (t.what == "ERC20.approve") {
        inv.note("approved the engine for " + o.paid.to_dec() + " base units of " +
                 token.to_checksum_string() + " in " + to_hex(t.hash));
      }
    }
    // The order is the last transaction (an approve, when one was needed, comes first).
    const std::string paid = token.is_zero() ? eth::format_units(o.paid, 18) + " ether"
                                             : o.paid.to_dec() + " base units of the token " +
                                                   token.to_checksum_string();
    inv.note("paid " + paid + " into escrow in " + to_hex(o.transactions.back().hash));
    inv.note("params kept in " + o.params_file.string());
    inv.emit(
        {{"agreement_id", id},
         {"did", sdk::format_did(did)},
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
};

}  // namespace

std::unique_ptr<Command> make_order_command() {
  return std::make_unique<OrderCommand>();
}

}  // namespace pactum::cli
