// `pactum publish FILE --price AMOUNT [--token ADDR] [--fee ADDR:AMOUNT]...`: uploads the file
// to the node, registers it on chain and stores its DDO (pactum::client::Client::publish).
// --price is what the publisher receives; each --fee is paid on top to its receiver; a consumer
// pays the sum.
#include <filesystem>
#include <string>
#include <vector>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

class PublishCommand final : public Command {
 public:
  std::string name() const override { return "publish"; }
  std::string summary() const override {
    return "Publish a file for anyone who pays: upload, register on chain, store the DDO";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("FILE", file_, "The file to publish")->required();
    sub.add_option("--price", price_,
                   "What the publisher receives: wei, or a decimal with a unit (0.25eth, 12gwei)")
        ->required();
    sub.add_option("--token", token_,
                   "An ERC-20 token to be paid in (default: ether); amounts are then in its base "
                   "units (0.25eth = 0.25 × 10^18)");
    sub.add_option("--fee", fees_,
                   "ADDR:AMOUNT — a fee paid on top of the price to ADDR (repeatable, at most 7)")
        ->allow_extra_args(false);
    sub.add_option("--name", name_, "The asset's name in its DDO (default: the file's name)");
    sub.add_option("--access-timeout", access_timeout_,
                   "Seconds the node has to grant access after an order (default 3600)");
  }
  Status run(Invocation& inv) override {
    client::PublishRequest request;
    if (file_.empty()) return invalid_argument("FILE: empty file name");
    // Checked before anything is contacted (the client checks again as it opens the file).
    std::error_code ec;
    const auto st = std::filesystem::status(file_, ec);
    if (!std::filesystem::exists(st)) return not_found(file_ + ": no such file");
    if (std::filesystem::is_directory(st))
      return invalid_argument(file_ + " is a directory, not a file");
    request.file = file_;
    PACTUM_TRY(request.price, parse_amount(price_, "--price"));
    if (!token_.empty()) {
      auto token = eth::Address::parse(token_);
      if (!token.ok())
        return invalid_argument("--token '" + token_.substr(0, 80) +
                                "': " + token.error().message());
      request.token = *token;
    }
    if (fees_.size() > client::kMaxFees) {
      return invalid_argument("at most " + std::to_string(client::kMaxFees) + " --fee options");
    }
    for (const auto& fee : fees_) {
      const auto colon = fee.find(':');
      if (colon == std::string::npos) {
        return invalid_argument("--fee '" + fee.substr(0, 120) + "': expected ADDR:AMOUNT");
      }
      auto receiver = eth::Address::parse(fee.substr(0, colon));
      if (!receiver.ok()) {
        return invalid_argument("--fee '" + fee.substr(0, 120) +
                                "': " + receiver.error().message());
      }
      PACTUM_TRY(eth::U256 amount, parse_amount(fee.substr(colon + 1), "--fee amount"));
      request.fees.push_back({*receiver, amount});
    }
    request.name = name_;
    if (access_timeout_ == 0 || access_timeout_ > 365ull * 24 * 3600) {
      return invalid_argument("--access-timeout must be 1 .. 31536000 seconds");
    }
    request.access_timeout_seconds = access_timeout_;

    PACTUM_TRY(ClientSession session, open_client_session(inv, Role::kPublisher));
    TransferProgress progress(inv, "upload");
    auto published = session.client->publish(request, progress.callback());
    progress.finish();
    if (!published.ok()) return std::move(published).error();
    const client::PublishResult& p = *published;
    eth::U256 total;
    for (const auto& a : p.payment.amounts) total = total + a;
    const std::string did = sdk::format_did(p.did);
    inv.note("uploaded " + format_bytes(p.size) + " (" + std::to_string(p.chunk_count) +
             " chunks), checksum " + to_hex(p.checksum));
    for (const auto& t : p.transactions) inv.note(t.what + " in " + to_hex(t.hash));
    if (request.token.is_zero()) {
      inv.note("a consumer pays " + eth::format_units(total, 18) + " ether (price " +
               eth::format_units(request.price, 18) + " + fees)");
    } else {
      inv.note("a consumer pays " + total.to_dec() + " base units of the token " +
               request.token.to_checksum_string() + " (price " + request.price.to_dec() +
               " + fees)");
    }
    inv.emit({{"did", did},
              {"checksum", to_hex(p.checksum)},
              {"size", p.size},
              {"chunk_size", p.chunk_size},
              {"chunk_count", p.chunk_count},
              {"upload_id", p.upload_id},
              {"publisher", session.account->address.to_checksum_string()},
              {"provider", p.provider.to_checksum_string()},
              {"node_url", session.node_url},
              {"price_wei", request.price.to_dec()},
              {"total_wei", total.to_dec()},
              {"payment", payment_json(p.payment)},
              {"transactions", transactions_json(p.transactions)},
              {"ddo", nlohmann::json::parse(p.ddo_json)}},
             did);
    return ok_status();
  }

 private:
  std::string file_;
  std::string price_;
  std::string token_;
  std::vector<std::string> fees_;
  std::string name_;
  std::uint64_t access_timeout_ = 3600;
};

}  // namespace

std::unique_ptr<Command> make_publish_command() {
  return std::make_unique<PublishCommand>();
}

}  // namespace pactum::cli
