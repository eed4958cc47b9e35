// The node's OpenAPI 3.0 document: docs/openapi.json, embedded at build time (see
// src/server/embed_openapi.cmake), so the document served at /openapi.json is the file in the
// repository byte for byte. tests/server/openapi_test.cpp checks that it documents exactly the
// routes the node registers.
#pragma once

#include <string_view>

namespace pactum::server {

// The document's bytes (JSON text); static storage, valid for the life of the program.
[[nodiscard]] std::string_view openapi_document() noexcept;

}  // namespace pactum::server
