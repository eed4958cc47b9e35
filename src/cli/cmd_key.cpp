// `pactum key new|import|list|export-address`: the user's own keys, as keystore v3 files in
// PACTUM_HOME/keys (NAME.json, mode 0600, the directory 0700), so that a real chain needs neither
// `cast` nor a dev account. `--key NAME` then selects one (accounts.hpp, resolve_key_file).
//
// Secrets never come from the command line (other users see it in `ps`): a private key or a
// mnemonic is read from a file (which may be /dev/stdin), the password from PACTUM_KEY_PASSWORD
// or a prompt, a BIP-39 passphrase from PACTUM_MNEMONIC_PASSPHRASE.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "pactum/cli/accounts.hpp"
#include "pactum/cli/invocation.hpp"
#include "pactum/core/bytes.hpp"
#include "pactum/core/random.hpp"
#include "pactum/eth/address.hpp"
#include "pactum/eth/hd.hpp"
#include "pactum/eth/keystore.hpp"
#include "service.hpp"

namespace pactum::cli {
namespace {

// A keystore file or a secret's file is well under this; anything larger is not one.
constexpr std::size_t kMaxFileBytes = 64 * 1024;

void wipe_string(std::string& s) {
  secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(s.data()), s.size()));
  s.clear();
}

Status check_name(const std::string& name) {
  if (!is_key_name(name)) {
    return invalid_argument("key name '" + name.substr(0, 80) +
                            "': use 1..64 letters, digits, '.', '_' or '-', starting with a letter "
                            "or digit");
  }
  return ok_status();
}

// Reads a small file that holds a secret (`what` names the option for messages).
Result<std::string> read_secret_file(const std::string& what, const std::string& path) {
  return detail::read_bounded_file(what, path, kMaxFileBytes);
}

std::string trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// The password of a new keystore: PACTUM_KEY_PASSWORD, else asked twice. Never empty.
Result<std::string> new_password(Invocation& inv, const std::string& name) {
  if (auto from_env = inv.env().get("PACTUM_KEY_PASSWORD")) {
    if (from_env->empty()) return invalid_argument("PACTUM_KEY_PASSWORD is empty");
    return std::string(*from_env);
  }
  PACTUM_TRY(std::string first, inv.password_prompt()("Password for the new key " + name + ": "));
  if (first.empty()) return invalid_argument("an empty password does not protect a key");
  PACTUM_TRY(std::string second, inv.password_prompt()("The same password again: "));
  const bool same = first == second;
  wipe_string(second);
  if (!same) {
    wipe_string(first);
    return invalid_argument("the two passwords differ; nothing was written");
  }
  return first;
}

// Creates `dir` (mode 0700) when missing; refuses one that others may read.
Status ensure_private_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return unavailable("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return failed_precondition(dir.string() + " is not a directory");
  }
  if ((st.st_mode & 0077) != 0) ::chmod(dir.c_str(), 0700);  // ours: tighten it
  return ok_status();
}

// Writes `text` to `path` (mode 0600) all or nothing and durably, never over an existing file:
// a temporary file is written and fsynced, then linked to `path` (link fails if `path` exists,
// where rename would replace it), then the directory is fsynced.
Status write_new_private_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable("cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return unavailable("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return unavailable("cannot sync " + tmp.string() + ": " + std::strerror(err));
  }
  ::close(fd);
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) {
      return already_exists(path.string() +
                            " exists: choose another name (nothing was "
                            "overwritten)");
    }
    return unavailable("cannot create " + path.string() + ": " + std::strerror(err));
  }
  ::unlink(tmp.c_str());
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok_status();
}

eth::KeystoreOptions kdf_options(bool light) {
  eth::KeystoreOptions options;  // geth's standard scrypt: n = 2^18, about a second, 256 MiB
  if (light) {
    options.scrypt_n = 1u << 12;  // geth's --lightkdf: n = 4096, p = 6
    options.scrypt_p = 6;
  }
  return options;
}

// Encrypts `key` under a new password and stores it as keys/NAME.json; emits the result.
Status store_key(Invocation& inv, const std::string& name, const eth::PrivateKey& key,
                 bool light_kdf, std::string_view origin) {
  PACTUM_TRY(Home home, inv.home());
  const std::filesystem::path dir = home.keys_dir();
  const std::filesystem::path path = dir / (name + ".json");
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return already_exists("a key named '" + name + "' exists (" + path.string() +
                          "): choose another name");
  }
  PACTUM_TRY_STATUS(ensure_private_dir(dir));
  PACTUM_TRY(std::string password, new_password(inv, name));
  if (!light_kdf) inv.note("encrypting with scrypt (n = 2^18: about a second)…");
  auto json = eth::encrypt_keystore(key, password, kdf_options(light_kdf));
  wipe_string(password);
  if (!json.ok()) return json.error().with_context("key " + name);
  PACTUM_TRY_STATUS(write_new_private_file(path, *json));
  const std::string address = key.address().to_checksum_string();
  inv.emit({{"name", name}, {"address", address}, {"path", path.string()}, {"from", origin}},
           address + "  " + name + "  " + path.string());
  return ok_status();
}

// The address a keystore file records (not checked against its key: that needs the password).
Result<eth::Address> recorded_address(const std::filesystem::path& path) {
  PACTUM_TRY(std::string text, read_secret_file("key", path.string()));
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("address") || !doc["address"].is_string()) {
    return invalid_argument(path.string() + ": not a keystore v3 file with an \"address\"");
  }
  std::string hex = doc["address"].get<std::string>();
  if (hex.rfind("0x", 0) != 0) hex = "0x" + hex;
  auto address = eth::Address::parse(hex);
  if (!address.ok()) return invalid_argument(path.string() + ": its \"address\" is not one");
  return *address;
}

class KeyCommand final : public Command {
 public:
  std::string name() const override { return "key"; }
  std::string summary() const override {
    return "Make, import and list your keys (keystore v3 files in $PACTUM_HOME/keys)";
  }
  void configure(CLI::App& sub) override {
    sub.require_subcommand(1);
    auto* make = sub.add_subcommand("new", "Make a key from fresh randomness");
    make->add_option("name", name_, "Its name, for --key NAME")->required();
    make->add_flag("--light-kdf", light_kdf_,
                   "scrypt n = 4096 instead of 2^18 (faster, weaker: tests, small machines)");
    make->final_callback([this] { action_ = Action::kNew; });

    auto* import = sub.add_subcommand(
        "import", "Store a key given as a private key or as a mnemonic and an index");
    import->add_option("name", name_, "Its name, for --key NAME")->required();
    auto* from_key = import->add_option("--private-key-file", private_key_file_,
                                        "A file holding the private key as 64 hex digits");
    auto* from_mnemonic =
        import->add_option("--mnemonic-file", mnemonic_file_,
                           "A file holding a BIP-39 mnemonic (any of the ten languages; the "
                           "passphrase, if any, in $PACTUM_MNEMONIC_PASSPHRASE)");
    from_key->excludes(from_mnemonic);
    import->add_option("--index", index_, "The account m/44'/60'/0'/0/INDEX of the mnemonic")
        ->check(CLI::Range(0u, 0x7fffffffu))
        ->needs(from_mnemonic);
    import->add_flag("--light-kdf", light_kdf_, "scrypt n = 4096 instead of 2^18");
    import->final_callback([this] { action_ = Action::kImport;
  });

  auto* list = sub.add_subcommand("list", "List the keys: name and address");
  list->final_callback([this] { action_ = Action::kList; });

  auto* address = sub.add_subcommand("export-address", "Print a key's address (to fund it)");
  address->add_option("name", name_, "The key's name")->required();
  address->final_callback([this] { action_ = Action::kAddress; });
}

Status
run(Invocation& inv) override {
  switch (action_) {
    case Action::kNew:
      return run_new(inv);
    case Action::kImport:
      return run_import(inv);
    case Action::kList:
      return run_list(inv);
    case Action::kAddress:
      return run_address(inv);
    case Action::kNone:
      break;
  }
  return invalid_argument("key: name one of new, import, list, export-address");
}

private:
enum class Action { kNone, kNew, kImport, kList, kAddress };

Status run_new(Invocation& inv) {
  PACTUM_TRY_STATUS(check_name(name_));
  FixedBytes<32> secret{};
  // A uniformly random 32-byte string is a valid scalar except with probability ~2^-128.
  for (;;) {
    PACTUM_TRY_STATUS(random_bytes(secret));
    auto key = eth::PrivateKey::from_bytes(secret);
    if (!key.ok()) continue;
    secure_wipe(secret);
    return store_key(inv, name_, *key, light_kdf_, "random");
  }
}

Status run_import(Invocation& inv) {
  PACTUM_TRY_STATUS(check_name(name_));
  if (private_key_file_.empty() && mnemonic_file_.empty()) {
    return invalid_argument("key import: give --private-key-file FILE or --mnemonic-file FILE");
  }
  if (!private_key_file_.empty()) {
    PACTUM_TRY(std::string text, read_secret_file("--private-key-file", private_key_file_));
    std::string hex = trim(text);
    wipe_string(text);
    auto key = eth::PrivateKey::from_hex(hex);
    wipe_string(hex);
    if (!key.ok()) {
      return invalid_argument("--private-key-file " + private_key_file_ +
                              ": expected a private key as 64 hex digits (0x optional) in 1..n-1");
    }
    return store_key(inv, name_, *key, light_kdf_, "private key");
  }
  PACTUM_TRY(std::string text, read_secret_file("--mnemonic-file", mnemonic_file_));
  std::string passphrase;
  if (auto p = inv.env().get("PACTUM_MNEMONIC_PASSPHRASE")) passphrase = *p;
  auto key = eth::derive_ethereum_key(text, passphrase, index_);
  wipe_string(text);
  wipe_string(passphrase);
  if (!key.ok()) return key.error().with_context("--mnemonic-file " + mnemonic_file_);
  return store_key(inv, name_, *key, light_kdf_,
                   "mnemonic, m/44'/60'/0'/0/" + std::to_string(index_));
}

Status run_list(Invocation& inv) {
  PACTUM_TRY(Home home, inv.home());
  const std::filesystem::path dir = home.keys_dir();
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const auto& p = entry.path();
      if (p.extension() == ".json" && is_key_name(p.stem().string())) files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  nlohmann::json keys = nlohmann::json::array();
  std::string human;
  for (const auto& p : files) {
    const std::string key_name = p.stem().string();
    auto address = recorded_address(p);
    if (address.ok()) {
      const std::string a = address->to_checksum_string();
      keys.push_back({{"name", key_name}, {"address", a}, {"path", p.string()}});
      human += a + "  " + key_name + "\n";
    } else {
      keys.push_back(
          {{"name", key_name}, {"path", p.string()}, {"error", address.error().message()}});
      human += "(unreadable)                                " + key_name + "  " +
               address.error().message() + "\n";
    }
  }
  if (files.empty()) human = "no keys in " + dir.string() + " (pactum key new NAME makes one)";
  inv.emit({{"keys", keys}, {"dir", dir.string()}}, human);
  return ok_status();
}

Status run_address(Invocation& inv) {
  PACTUM_TRY_STATUS(check_name(name_));
  PACTUM_TRY(Home home, inv.home());
  const std::filesystem::path path = home.keys_dir() / (name_ + ".json");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return not_found("no key '" + name_ + "' in " + home.keys_dir().string() +
                     " (pactum key list shows the keys there)");
  }
  PACTUM_TRY(eth::Address address, recorded_address(path));
  const std::string a = address.to_checksum_string();
  inv.emit({{"name", name_}, {"address", a}, {"path", path.string()}}, a);
  return ok_status();
}

Action action_ = Action::kNone;
std::string name_;
std::string private_key_file_;
std::string mnemonic_file_;
std::uint32_t index_ = 0;
bool light_kdf_ = false;
};  // namespace

}  // namespace pactum::cli

std::unique_ptr<Command> make_key_command() {
  return std::make_unique<KeyCommand>();
}

}  // namespace pactum::cli
