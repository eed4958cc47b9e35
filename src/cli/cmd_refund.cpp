// `pactum refund AGREEMENT_ID`: the consumer takes the price back once the access condition
// timed out without the node granting access (pactum::client::Client::refund).
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/eth/uint256.hpp"

namespace pactum::cli {
namespace {

class RefundCommand final : public Command {
 public:
  std::string name() const override { return "refund"; }
  std::string summary() const override {
    return "Take an agreement's price back after its access timed out without access granted";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("AGREEMENT_ID", id_, "The agreement id that `pactum order` printed")->required();
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Hash32 id, client::parse_agreement_id(id_));
    PACTUM_TRY_STATUS(check_agreement_known(inv, id));
    PACTUM_TRY(ClientSession session, open_agreement_session(inv, Role::kConsumer, id));
    std::vector<client::SentTransaction> sent;
    auto refunded = session.client->refund(id, &sent);
    if (!refunded.ok()) {
      if (!sent.empty()) inv.set_error_details({{"transactions", transactions_json(sent)}});
      return refunded.error();
    }
    const std::string unit =
        refunded->token.is_zero() ? " ETH" : " of token " + refunded->token.to_checksum_string();
    const std::string amount = refunded->token.is_zero() ? eth::format_units(refunded->amount, 18)
                                                         : refunded->amount.to_dec();
    inv.emit({{"agreement_id", to_hex(id)},
              {"consumer", refunded->consumer.to_checksum_string()},
              {"token", refunded->token.to_checksum_string()},
              {"amount_wei", refunded->amount.to_dec()},
              {"transactions", transactions_json(refunded->transactions)}},
             "refunded " + amount + unit + " to " + refunded->consumer.to_checksum_string() +
                 " (agreement " + to_hex(id) + ")");
    return ok_status();
  }

 private:
  std::string id_;
};

}  // namespace

std::unique_ptr<Command> make_refund_command() {
  return std::make_unique<RefundCommand>();
}

}  // namespace pactum::cli
