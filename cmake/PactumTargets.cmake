# pactum_library(NAME [GLUE] DEPS ...): a library from src/<name>/*.cpp whose public headers live
# in include/pactum/<name>/. Sources are globbed so that adding a file needs no CMake edit.
# GLUE marks a library with no hot loop of its own (argument parsing, JSON, calls into the
# libraries below): a Release build compiles it at -O1, which halves its compile time.
function(pactum_library name)
  cmake_parse_arguments(ARG "GLUE" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  if(NOT sources)
    message(STATUS "pactum_${name}: no sources yet, not built")
    return()
  endif()
  add_library(pactum_${name} STATIC ${sources})
  target_include_directories(pactum_${name} PUBLIC "${PROJECT_SOURCE_DIR}/include"
                                             PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_libraries(pactum_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  add_library(pactum::${name} ALIAS pactum_${name})
  if(ARG_GLUE)
    target_compile_options(pactum_${name} PRIVATE $<$<CONFIG:Release>:-O1>)
  endif()
endfunction()

# pactum_test_dir(NAME LABELS ... DEPS ...): one GoogleTest executable from tests/<dir>/*_test.cpp,
# each test registered with CTest under the given labels.
#
# PCH: precompile GoogleTest and the standard headers the tests share (0.9 s of every test TU
# otherwise), JSON_PCH adds nlohmann/json.hpp (1.9 s). Building a precompiled header costs 3-6 s,
# so only directories of many tests gain (measured, gcc: eth 11 TUs -7.7 CPU s, node -4.9,
# rpc -4.4, cli -6.7; a directory of 1-4 TUs loses 1-3 s).
function(pactum_test_dir name)
  cmake_parse_arguments(ARG "PCH;JSON_PCH" "TIMEOUT" "LABELS;DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp")
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} pactum_test_support GTest::gtest_main)
  # Test code is compiled at -O0 in every tree (the libraries under test keep their -O2, or -O1
  # under the sanitizers): its time goes to GoogleTest's templates, not to running. Measured
  # against -O1: gcc 10-20 % less per test TU, clang 16 with ASan + UBSan 50-60 % less
  # (node_service_test.cpp 21.1 -> 9.7 s, http_server_test.cpp 18.2 -> 7.7 s).
  pactum_test_code_options(${name})
  if(ARG_PCH OR ARG_JSON_PCH)
    target_precompile_headers(${name} PRIVATE <gtest/gtest.h> <chrono> <cstdint> <memory>
                              <optional> <string> <string_view> <thread> <utility> <vector>)
  endif()
  if(ARG_JSON_PCH)
    target_precompile_headers(${name} PRIVATE <nlohmann/json.hpp>)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
                       PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# pactum_test_code_options(TARGET): the flags of test code (test executables and their fixtures'
# libraries): -O0, after the tree's own flags so that it wins (see pactum_test_dir).
function(pactum_test_code_options target)
  target_compile_options(${target} PRIVATE -O0)
endfunction()

# pactum_sanitize_at_O0(FILE ...): in the sanitized tree (PACTUM_SANITIZE or PACTUM_FUZZ),
# compiles these sources of the current directory at -O0 instead of the preset's -O1. For
# translation units that are slow to compile under the sanitizers and whose speed no test or
# fuzzer depends on (clang 16, CPU seconds at -O1 / -O0): the JSON-RPC HTTP client's Beast state
# machines (rpc/http_client.cpp, 38 / 13 s) and pactumd's settings parser over CLI11 and toml++
# (node/settings.cpp, 24 / 9 s). ASan and UBSan check -O0 code as thoroughly as -O1 code.
# Not server/http_server.cpp (92 / 31 s): at -O0 the HTTP edge's fuzzer ran half as many inputs
# in its 15 s (1,088 against 2,279). The release tree compiles every library at -O2.
function(pactum_sanitize_at_O0)
  if(PACTUM_SANITIZE OR PACTUM_FUZZ)
    set_source_files_properties(${ARGN} PROPERTIES COMPILE_OPTIONS -O0)
  endif()
endfunction()

# _pactum_unaliased(OUT NAME): the target NAME aliases (pactum::store → pactum_store), else NAME.
function(_pactum_unaliased out name)
  set(result "${name}")
  if(TARGET "${name}")
    get_target_property(real "${name}" ALIASED_TARGET)
    if(real)
      set(result "${real}")
    endif()
  endif()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# pactum_forbid_links(TARGET FORBIDDEN ...): fails the configure step when TARGET links any of
# FORBIDDEN, directly or through the libraries it links (their LINK_LIBRARIES and
# INTERFACE_LINK_LIBRARIES, $<LINK_ONLY:…> included): a layering rule the build enforces.
function(pactum_forbid_links target)
  if(NOT TARGET ${target})
    return()
  endif()
  set(pending ${target})
  set(seen "")
  while(pending)
    list(POP_FRONT pending current)
    if(current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    if(NOT TARGET ${current})
      continue()
    endif()
    _pactum_unaliased(real "${current}")
    if(NOT real STREQUAL current)
      list(APPEND pending ${real})
      continue()
    endif()
    set(links "")
    get_target_property(type ${current} TYPE)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND links ${direct})
      endif()
    endif()
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND links ${interface})
    endif()
    foreach(link IN LISTS links)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      if(link MATCHES "^\\$<")
        continue()
      endif()
      _pactum_unaliased(link_real "${link}")
      foreach(forbidden IN LISTS ARGN)
        _pactum_unaliased(forbidden_real "${forbidden}")
        if(link_real STREQUAL forbidden_real)
          message(FATAL_ERROR "${target} must not link ${forbidden} (it does through "
                              "${current}): see the comment beside pactum_forbid_links(${target})")
        endif()
      endforeach()
      list(APPEND pending ${link})
    endforeach()
  endwhile()
endfunction()
