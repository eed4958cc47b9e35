// `pactum status AGREEMENT_ID`: each condition of an agreement and its state on chain, read with
// the params `pactum order` kept (pactum::client::Client::status).
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

class StatusCommand final : public Command {
 public:
  std::string name() const override { return "status"; }
  std::string summary() const override {
    return "Show the state of each condition of an agreement (lock, access, escrow)";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("AGREEMENT_ID", id_, "The agreement id that `pactum order` printed")->required();
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Hash32 id, client::parse_agreement_id(id_));
    PACTUM_TRY_STATUS(check_agreement_known(inv, id));
    PACTUM_TRY(ClientSession session, open_agreement_session(inv, std::nullopt, id));
    PACTUM_TRY(client::AgreementStatus s, session.client->status(id));
    nlohmann::json conditions = nlohmann::json::array();
    std::string human =
        "agreement " + to_hex(id) + " (" +
        (s.template_name.empty() ? "template " + to_hex(s.params.template_id) : s.template_name) +
        ") for " + sdk::format_did(s.params.did) + "\n";
    for (const auto& c : s.conditions) {
      conditions.push_back({{"index", c.index},
                            {"type", std::string(client::condition_type_name(c.type))},
                            {"state", std::string(client::condition_state_name(c.state))},
                            {"time_lock", c.time_lock},
                            {"time_out", c.time_out}});
      std::string line =
          "  " + std::to_string(c.index) + "  " + std::string(client::condition_type_name(c.type));
      line.resize(std::max<std::size_t>(line.size(), 20), ' ');
      line += std::string(client::condition_state_name(c.state));
      if (c.time_out != 0) line += "  (times out at " + std::to_string(c.time_out) + ")";
      human += line + "\n";
    }
    inv.emit({{"agreement_id", to_hex(id)},
              {"did", sdk::format_did(s.params.did)},
              {"template", s.template_name},
              {"template_id", to_hex(s.params.template_id)},
              {"consumer", s.params.consumer.to_checksum_string()},
              {"valid_from", s.params.valid_from},
              {"valid_until", s.params.valid_until},
              {"payment", payment_json(s.params.payment)},
              {"conditions", conditions}},
             human);
    return ok_status();
  }

 private:
  std::string id_;
};

}  // namespace

std::unique_ptr<Command> make_status_command() {
  return std::make_unique<StatusCommand>();
}

}  // namespace pactum::cli
