#include "pactum/sdk/ddo.hpp"

#include <gtest/gtest.h>

#include "support/ddo_cases.hpp"

namespace pactum::sdk {
namespace {

Ddo base() {
  Hash32 did{};
  did.fill(0xd1);
  Hash32 root{};
  root.fill(0x5e);
  auto owner = eth::Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").value();
  auto node = eth::Address::parse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65").value();
  return testing::sample_ddo(did, owner, node, root);
}

TEST(Ddo, WriteThenParseGivesTheSameDdo) {
  const Ddo d = base();
  auto parsed = parse_ddo(write_ddo(d));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->did, d.did);
  EXPECT_EQ(parsed->chain_id, 31337u);
  EXPECT_EQ(parsed->controller, d.controller);
  EXPECT_EQ(parsed->created, d.created);
  EXPECT_EQ(parsed->metadata.endpoint, d.metadata.endpoint);
  EXPECT_EQ(parsed->metadata.size, d.metadata.size);
  EXPECT_EQ(parsed->metadata.chunk_size, d.metadata.chunk_size);
  EXPECT_EQ(parsed->metadata.chunk_count, 4u);
  EXPECT_EQ(parsed->metadata.checksum, d.metadata.checksum);
  EXPECT_EQ(parsed->access.endpoint, d.access.endpoint);
  EXPECT_EQ(parsed->access.provider, d.access.provider);
  EXPECT_EQ(parsed->access.template_id, d.access.template_id);
  EXPECT_EQ(parsed->access.payment, d.access.payment);
  EXPECT_EQ(parsed->access.access_timeout_seconds, 3600u);
  EXPECT_EQ(write_ddo(*parsed), write_ddo(d));
}

TEST(Ddo, WriterKeepsTheDocumentedOrder) {
  const std::string text = write_ddo(base());
  EXPECT_EQ(
      text.rfind("{\"@context\":[\"https://www.w3.org/ns/did/v1\"],\"id\":\"did:pactum:0x", 0), 0u);
  EXPECT_LT(text.find("\"PactumMetadata\""), text.find("\"PactumAccess\""));
  EXPECT_LT(text.find("\"token\""), text.find("\"receivers\""));
}

TEST(Ddo, EmptyFileHasNoChunks) {
  Ddo d = base();
  d.metadata.size = 0;
  d.metadata.chunk_count = 0;
  auto parsed = parse_ddo(write_ddo(d));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->metadata.chunk_count, 0u);
}

TEST(Ddo, TableOfValidAndInvalidDdos) {
  const auto cases = testing::ddo_cases(base());
  ASSERT_GE(cases.size(), 30u);
  for (const auto& c : cases) {
    auto got = parse_ddo(c.text);
    if (!c.code) {
      EXPECT_TRUE(got.ok()) << c.name << ": " << (got.ok() ? "" : got.error().to_string());
      continue;
    }
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_EQ(got.error().code(), *c.code) << c.name << ": " << got.error().to_string();
    EXPECT_NE(got.error().message().find(c.message), std::string::npos)
        << c.name << ": " << got.error().message();
  }
}

}  // namespace
}  // namespace pactum::sdk
