# cmake -DINPUT=docs/openapi.json -DOUTPUT=openapi_document.cpp -P embed_openapi.cmake
# Writes a C++ source defining pactum::server::openapi_document() as the file's bytes.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from docs/openapi.json by src/server/embed_openapi.cmake; do not edit.\n"
  "#include \"pactum/server/openapi.hpp\"\n\n"
  "namespace pactum::server {\n\n"
  "namespace {\nconstexpr char kDocument[] = {${bytes} '\\0'};\n}  // namespace\n\n"
  "std::string_view openapi_document() noexcept { return {kDocument, ${size}}; }\n\n"
  "}  // namespace pactum::server\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
