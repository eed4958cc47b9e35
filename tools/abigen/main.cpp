// pactum-abigen: writes typed C++ bindings for contracts from their forge artifacts.
//
//   pactum-abigen --artifacts DIR --output DIR NAME...
//   pactum-abigen --artifact FILE --output DIR NAME        (one artifact or {"abi": [...]} file)
//
// For each NAME it reads DIR/NAME.sol/NAME.json and writes OUTPUT/pactum/contracts/<name>.hpp and
// OUTPUT/pactum/contracts/<name>.cpp (<name> in snake_case). Run by the build
// (cmake/PactumContracts.cmake); its output is never committed.
// Exit status: 0 on success, 1 on a generation error, 2 on a usage error.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model.hpp"

namespace {

namespace fs = std::filesystem;

bool write_file(const fs::path& path, const std::string& text) {
  // Always rewritten, even when unchanged: the build compares timestamps with the artifacts.
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

int usage() {
  std::fprintf(stderr,
               "usage: pactum-abigen --artifacts DIR --output DIR NAME...\n"
               "       pactum-abigen --artifact FILE --output DIR NAME\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path artifacts;
  fs::path artifact;
  fs::path output;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--artifacts" || a == "--artifact" || a == "--output") && i + 1 < argc) {
      (a == "--artifacts" ? artifacts : a == "--artifact" ? artifact : output) = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      return usage();
    } else {
      names.push_back(a);
    }
  }
  if (output.empty() || names.empty() || (artifacts.empty() == artifact.empty()) ||
      (!artifact.empty() && names.size() != 1)) {
    return usage();
  }
  fs::path dir = output / "pactum" / "contracts";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "pactum-abigen: cannot create %s: %s\n", dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  for (const auto& name : names) {
    auto contract = artifact.empty() ? pactum::abigen::load_contract(artifacts, name)
                                     : pactum::abigen::load_contract_file(
                                           artifact, artifact.parent_path(), name);
    if (!contract.ok()) {
      std::fprintf(stderr, "pactum-abigen: %s: %s\n", name.c_str(),
                   contract.error().to_string().c_str());
      return 1;
    }
    const auto& c = contract.value();
    if (!write_file(dir / (c.file_stem + ".hpp"), pactum::abigen::emit_header(c)) ||
        !write_file(dir / (c.file_stem + ".cpp"), pactum::abigen::emit_source(c))) {
      std::fprintf(stderr, "pactum-abigen: cannot write the bindings of %s into %s\n", name.c_str(),
                   dir.c_str());
      return 1;
    }
  }
  return 0;
}
