# The build-time pipeline from Solidity to C++ bindings:
#
#   contracts/src/*.sol
#     --forge build (solc-js via scripts/solc)-->  <build>/contracts/out/<File>.sol/<Name>.json
#     --pactum-abigen-->                           <build>/generated/pactum/contracts/<name>.{hpp,cpp}
#     --compiled into-->                           pactum_contracts
#
# forge writes into the build tree (never contracts/out or contracts/cache, which belong to
# `forge build` / scripts/contracts-test.sh run by hand), so several build trees and a manual
# forge run never race. It runs again only when a .sol file, foundry.toml or the solc shim
# changes. node_modules must be installed first (`make deps`).

# The contracts Pactum deploys, in deployment order (deployment.cpp follows the same order).
set(PACTUM_DEPLOYABLE_CONTRACTS AssetRegistry AgreementEngine AssetNFT1155 AssetNFT721)
# Contracts for the development chain only (contracts/src/dev): bound like the others, deployed
# by `pactum up` and the tests, never by deploy_all.
set(PACTUM_DEV_CONTRACTS PactumDevToken)

# pactum_add_contract_bindings(TARGET): adds the generated bindings of every deployable and
# development contract to TARGET's sources and the generated header directory to its public
# includes.
function(pactum_add_contract_bindings target)
  set(contracts_dir "${PROJECT_SOURCE_DIR}/contracts")
  set(forge "${PROJECT_SOURCE_DIR}/node_modules/.bin/forge")
  set(out_dir "${PROJECT_BINARY_DIR}/contracts/out")
  set(cache_dir "${PROJECT_BINARY_DIR}/contracts/cache")
  set(gen_dir "${PROJECT_BINARY_DIR}/generated")
  if(NOT EXISTS "${forge}")
    message(FATAL_ERROR "pactum_contracts needs forge at ${forge}: run `make deps` first "
                        "(it installs the pinned npm toolchain into node_modules)")
  endif()
  file(GLOB_RECURSE sol_sources CONFIGURE_DEPENDS "${contracts_dir}/src/*.sol")

  set(artifacts "")
  set(generated_sources "")
  set(generated_headers "")
  set(bound_contracts ${PACTUM_DEPLOYABLE_CONTRACTS} ${PACTUM_DEV_CONTRACTS})
  foreach(name IN LISTS bound_contracts)
    list(APPEND artifacts "${out_dir}/${name}.sol/${name}.json")
    # CamelCase → snake_case, as pactum-abigen names its files.
    string(REGEX REPLACE "([a-z0-9])([A-Z])" "\\1_\\2" stem "${name}")
    string(TOLOWER "${stem}" stem)
    list(APPEND generated_sources "${gen_dir}/pactum/contracts/${stem}.cpp")
    list(APPEND generated_headers "${gen_dir}/pactum/contracts/${stem}.hpp")
  endforeach()

  # forge keeps unchanged artifacts as they are; the touch makes every declared output newer
  # than the sources so the step does not run again on the next build.
  add_custom_command(
    OUTPUT ${artifacts}
    COMMAND "${forge}" build src --root "${contracts_dir}" --out "${out_dir}"
            --cache-path "${cache_dir}" --ast --offline --quiet
    COMMAND "${CMAKE_COMMAND}" -E touch ${artifacts}
    WORKING_DIRECTORY "${contracts_dir}"
    DEPENDS ${sol_sources} "${contracts_dir}/foundry.toml" "${PROJECT_SOURCE_DIR}/scripts/solc"
    COMMENT "forge build: compiling contracts/src with solc-js (takes about a minute)"
    VERBATIM)
  add_custom_command(
    OUTPUT ${generated_sources} ${generated_headers}
    COMMAND pactum-abigen --artifacts "${out_dir}" --output "${gen_dir}"
            ${bound_contracts}
    DEPENDS pactum-abigen ${artifacts}
    COMMENT "pactum-abigen: C++ bindings for ${bound_contracts}"
    VERBATIM)
  target_sources(${target} PRIVATE ${generated_sources})
  target_include_directories(${target} PUBLIC "${gen_dir}")
  set_property(TARGET ${target} APPEND PROPERTY PACTUM_GENERATED_HEADERS ${generated_headers})
endfunction()
