// `pactum download AGREEMENT_ID -o FILE`: the asset of an agreement, every chunk verified against
// the on-chain checksum before it is written (pactum::client::Client::download). A failed
// download leaves no file under FILE.
#include <string>

#include "client_session.hpp"
#include "commands.hpp"
#include "pactum/sdk/did.hpp"

namespace pactum::cli {
namespace {

class DownloadCommand final : public Command {
 public:
  std::string name() const override { return "download"; }
  std::string summary() const override {
    return "Download an agreement's asset, each chunk verified against the on-chain checksum";
  }
  void configure(CLI::App& sub) override {
    sub.add_option("AGREEMENT_ID", id_, "The agreement id that `pactum order` printed")->required();
    sub.add_option("-o,--output", out_, "The file to write")->required();
    sub.add_flag("--force", force_, "Replace FILE if it exists");
    sub.add_option("--settle-wait", settle_wait_seconds_,
                   "Seconds to keep asking a node whose settlement on chain is pending "
                   "(it answers 503 with Retry-After)")
        ->default_val(600)
        ->check(CLI::Range(1, 86'400));
  }
  Status run(Invocation& inv) override {
    PACTUM_TRY(Hash32 id, client::parse_agreement_id(id_));
    PACTUM_TRY_STATUS(check_agreement_known(inv, id));
    if (out_.empty()) return invalid_argument("-o: empty file name");
    PACTUM_TRY(ClientSession session,
               open_agreement_session(inv, Role::kConsumer, id, std::chrono::seconds(120),
                                      std::chrono::seconds(settle_wait_seconds_)));
    TransferProgress progress(inv, "download");
    auto got = session.client->download(id, out_, force_, progress.callback());
    progress.finish();
    if (!got.ok()) return std::move(got).error();
    const std::string file = std::filesystem::absolute(got->file).string();
    inv.emit({{"agreement_id", to_hex(id)},
              {"did", sdk::format_did(got->did)},
              {"file", file},
              {"size", got->size},
              {"chunk_count", got->chunk_count},
              {"checksum", to_hex(got->checksum)},
              {"verified", true}},
             "wrote " + file + " (" + format_bytes(got->size) + ", " +
                 std::to_string(got->chunk_count) + " chunks verified against " +
                 to_hex(got->checksum) + ")");
    return ok_status();
  }

 private:
  std::string id_;
  std::string out_;
  bool force_ = false;
  unsigned settle_wait_seconds_ = 600;
};

}  // namespace

std::unique_ptr<Command> make_download_command() {
  return std::make_unique<DownloadCommand>();
}

}  // namespace pactum::cli
