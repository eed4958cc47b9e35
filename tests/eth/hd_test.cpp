#include "pactum/eth/hd.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "support/process.hpp"

namespace pactum::eth {
namespace {

// trezor/python-mnemonic vectors.json, "english" (the BIP-39 reference vectors), passphrase
// "TREZOR": entropy, mnemonic, seed, BIP-32 master xprv.
struct TrezorVector {
  const char* entropy;
  const char* mnemonic;
  const char* seed;
  const char* xprv;
};
const TrezorVector kTrezorVectors[] = {
    {"00000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "about",
     "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf"
     "141630c7a3c4ab7c81b2f001698e7463b04",
     "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvK"
     "DwqdKiGJS9XFKzUsAF"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank yellow",
     "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c10"
     "69be3a3a5bd381ee6260e8d9739fce1f607",
     "xprv9s21ZrQH143K2gA81bYFHqU68xz1cX2APaSq5tt6MFSLeXnCKV1RVUJt9FWNTbrrryem4ZckN8k4Ls1H6nwdvDTvn"
     "V7zEXs2HgPezuVccsq"},
    {"80808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
     "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0"
     "358d18d69fe4f985ec81778c1b370b652a8",
     "xprv9s21ZrQH143K2shfP28KM3nr5Ap1SXjz8gc2rAqqMEynmjt6o1qboCDpxckqXavCwdnYds6yBHZGKHv7ef2eTXy46"
     "1PXUjBFQg6PrwY4Gzq"},
    {"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
     "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b1"
     "1c61dee327651a14c34e18231052e48c069",
     "xprv9s21ZrQH143K2V4oox4M8Zmhi2Fjx5XK4Lf7GKRvPSgydU3mjZuKGCTg7UPiBUD7ydVPvSLtg9hjp7MQTYsW67rZH"
     "AXeccqYqrsx8LcXnyd"},
    {"000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon abandon abandon abandon abandon abandon agent",
     "035895f2f481b1b0f01fcf8c289c794660b289981a78f8106447707fdd9666ca06da5a9a565181599b79f53b844d8"
     "a71dd9f439c52a3d7b3e8a79c906ac845fa",
     "xprv9s21ZrQH143K3mEDrypcZ2usWqFgzKB6jBBx9B6GfC7fu26X6hPRzVjzkqkPvDqp6g5eypdk6cyhGnBngbjeHTe4L"
     "suLG1cCmKJka5SMkmU"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth "
     "useful legal will",
     "f2b94508732bcbacbcc020faefecfc89feafa6649a5491b8c952cede496c214a0c7b3c392d168748f2d4a612bada0"
     "753b52a1c7ac53c1e93abd5c6320b9e95dd",
     "xprv9s21ZrQH143K3Lv9MZLj16np5GzLe7tDKQfVusBni7toqJGcnKRtHSxUwbKUyUWiwpK55g1DUSsw76TF1T93VT4gz"
     "4wt5RM23pkaQLnvBh7"},
    {"808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount "
     "doctor acoustic avoid letter always",
     "107d7c02a5aa6f38c58083ff74f04c607c2d2c0ecc55501dadd72d025b751bc27fe913ffb796f841c49b1d33b610c"
     "f0e91d3aa239027f5e99fe4ce9e5088cd65",
     "xprv9s21ZrQH143K3VPCbxbUtpkh9pRG371UCLDz3BjceqP1jz7XZsQ5EnNkYAEkfeZp62cDNj13ZTEVG1TEro9sZ9grf"
     "RmcYWLBhCocViKEJae"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo when",
     "0cd6e5d827bb62eb8fc1e262254223817fd068a74b5b449cc2f667c3f1f985a76379b43348d952e2265b4cd129090"
     "758b3e3c2c49103b5051aac2eaeb890a528",
     "xprv9s21ZrQH143K36Ao5jHRVhFGDbLP6FCx8BEEmpru77ef3bmA928BxsqvVM27WnvvyfWywiFN8K6yToqMaGYfzS6Db"
     "1EHAXT5TuyCLBXUfdm"},
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon art",
     "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a"
     "7c3de6f5d4a10be8ed2a5e608d68f92fcc8",
     "xprv9s21ZrQH143K32qBagUJAMU2LsHg3ka7jqMcV98Y7gVeVyNStwYS3U7yVVoDZ4btbRNf4h6ibWpY22iRmXq35qgLs"
     "79f312g2kj5539ebPM"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth "
     "useful legal winner thank year wave sausage worth title",
     "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f4"
     "3620bf5c514db0f8add49f5d121449d3e87",
     "xprv9s21ZrQH143K3Y1sd2XVu9wtqxJRvybCfAetjUrMMco6r3v9qZTBeXiBZkS8JxWbcGJZyio8TrZtm6pkbzG8SYt1s"
     "xwNLh3Wx7to5pgiVFU"},
    {"8080808080808080808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount "
     "doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless",
     "c0c519bd0e91a2ed54357d9d1ebef6f5af218a153624cf4f2da911a0ed8f7a09e2ef61af0aca007096df430022f7a"
     "2b6fb91661a9589097069720d015e4e982f",
     "xprv9s21ZrQH143K3CSnQNYC3MqAAqHwxeTLhDbhF43A4ss4ciWNmCY9zQGvAKUSqVUf2vPHBTSE1rB2pg4avopqSiLVz"
     "XEU8KziNnVPauTqLRo"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo "
     "vote",
     "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3"
     "992c456cdf60f5d4564b8ba3f05a69890ad",
     "xprv9s21ZrQH143K2WFF16X85T2QCpndrGwx6GueB72Zf3AHwHJaknRXNF37ZmDrtHrrLSHvbuRejXcnYxoZKvRquTPyp"
     "2JiNG3XcjQyzSEgqCB"},
    {"9e885d952ad362caeb4efe34a8e91bd2",
     "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
     "274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606aa6a"
     "8595ad213d4c9c9f9aca3fb217069a41028",
     "xprv9s21ZrQH143K2oZ9stBYpoaZ2ktHj7jLz7iMqpgg1En8kKFTXJHsjxry1JbKH19YrDTicVwKPehFKTbmaxgVEc5Tp"
     "HdS1aYhB2s9aFJBeJH"},
    {"6610b25967cdcca9d59875f5cb50b0ea75433311869e930b",
     "gravity machine north sort system female filter attitude volume fold club stay feature "
     "office ecology stable narrow fog",
     "628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5737666f"
     "bbef35d1f1903953b66624f910feef245ac",
     "xprv9s21ZrQH143K3uT8eQowUjsxrmsA9YUuQQK1RLqFufzybxD6DH6gPY7NjJ5G3EPHjsWDrs9iivSbmvjc9DQJbJGat"
     "fa9pv4MZ3wjr8qWPAK"},
    {"68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
     "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy "
     "gospel tennis maple dilemma loan word shrug inflict delay length",
     "64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b39d41566"
     "5b8a9030c9ec653d75e65f847d8fc1fc440",
     "xprv9s21ZrQH143K2XTAhys3pMNcGn261Fi5Ta2Pw8PwaVPhg3D8DWkzWQwjTJfskj8ofb81i9NP2cUNKxwjueJHHMQAn"
     "xtivTA75uUFqPFeWzk"},
    {"c0ba5a8e914111210f2bd131f3d5e08d",
     "scheme spot photo card baby mountain device kick cradle pact join borrow",
     "ea725895aaae8d4c1cf682c1bfd2d358d52ed9f0f0591131b559e2724bb234fca05aa9c02c57407e04ee9dc3b454a"
     "a63fbff483a8b11de949624b9f1831a9612",
     "xprv9s21ZrQH143K3FperxDp8vFsFycKCRcJGAFmcV7umQmcnMZaLtZRt13QJDsoS5F6oYT6BB4sS6zmTmyQAEkJKxJ7y"
     "ByDNtRe5asP2jFGhT6"},
    {"6d9be1ee6ebd27a258115aad99b7317b9c8d28b6d76431c3",
     "horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap "
     "uncle crack brave",
     "fd579828af3da1d32544ce4db5c73d53fc8acc4ddb1e3b251a31179cdb71e853c56d2fcb11aed39898ce6c34b10b5"
     "382772db8796e52837b54468aeb312cfc3d",
     "xprv9s21ZrQH143K3R1SfVZZLtVbXEB9ryVxmVtVMsMwmEyEvgXN6Q84LKkLRmf4ST6QrLeBm3jQsb9gx1uo23TS7vo3v"
     "AkZGZz71uuLCcywUkt"},
    {"9f6a2878b2520799a44ef18bc7df394e7061a224d2c33cd015b157d746869863",
     "panda eyebrow bullet gorilla call smoke muffin taste mesh discover soft ostrich alcohol "
     "speed nation flash devote level hobby quick inner drive ghost inside",
     "72be8e052fc4919d2adf28d5306b5474b0069df35b02303de8c1729c9538dbb6fc2d731d5f832193cd9fb6aeecbc4"
     "69594a70e3dd50811b5067f3b88b28c3e8d",
     "xprv9s21ZrQH143K2WNnKmssvZYM96VAr47iHUQUTUyUXH3sAGNjhJANddnhw3i3y3pBbRAVk5M5qUGFr4rHbEWwXgX4q"
     "rvrceifCYQJbbFDems"},
    {"23db8160a31d3e0dca3688ed941adbf3",
     "cat swing flag economy stadium alone churn speed unique patch report train",
     "deb5f45449e615feff5640f2e49f933ff51895de3b4381832b3139941c57b59205a42480c52175b6efcffaa58a250"
     "3887c1e8b363a707256bdd2b587b46541f5",
     "xprv9s21ZrQH143K4G28omGMogEoYgDQuigBo8AFHAGDaJdqQ99QKMQ5J6fYTMfANTJy6xBmhvsNZ1CJzRZ64PWbnTFUn"
     "6CDV2FxoMDLXdk95DQ"},
    {"8197a4a47f0425faeaa69deebc05ca29c0a5b5cc76ceacc0",
     "light rule cinnamon wrap drastic word pride squirrel upgrade then income fatal apart sustain "
     "crack supply proud access",
     "4cbdff1ca2db800fd61cae72a57475fdc6bab03e441fd63f96dabd1f183ef5b782925f00105f318309a7e9c3ea696"
     "7c7801e46c8a58082674c860a37b93eda02",
     "xprv9s21ZrQH143K3wtsvY8L2aZyxkiWULZH4vyQE5XkHTXkmx8gHo6RUEfH3Jyr6NwkJhvano7Xb2o6UqFKWHVo5scE3"
     "1SGDCAUsgVhiUuUDyh"},
    {"066dca1a2bb7e8a1db2832148ce9933eea0f3ac9548d793112d9a95c9407efad",
     "all hour make first leader extend hole alien behind guard gospel lava path output census "
     "museum junior mass reopen famous sing advance salt reform",
     "26e975ec644423f4a4c4f4215ef09b4bd7ef924e85d1d17c4cf3f136c2863cf6df0a475045652c57eb5fb41513ca2"
     "a2d67722b77e954b4b3fc11f7590449191d",
     "xprv9s21ZrQH143K3rEfqSM4QZRVmiMuSWY9wugscmaCjYja3SbUD3KPEB1a7QXJoajyR2T1SiXU7rFVRXMV9XdYVSZe7"
     "JoUXdP4SRHTxsT1nzm"},
    {"f30f8c1da665478f49b001d94c5fc452",
     "vessel ladder alter error federal sibling chat ability sun glass valve picture",
     "2aaa9242daafcee6aa9d7269f17d4efe271e1b9a529178d7dc139cd18747090bf9d60295d0ce74309a78852a9caad"
     "f0af48aae1c6253839624076224374bc63f",
     "xprv9s21ZrQH143K2QWV9Wn8Vvs6jbqfF1YbTCdURQW9dLFKDovpKaKrqS3SEWsXCu6ZNky9PSAENg6c9AQYHcg4PjopR"
     "GGKmdD313ZHszymnps"},
    {"c10ec20dc3cd9f652c7fac2f1230f7a3c828389a14392f05",
     "scissors invite lock maple supreme raw rapid void congress muscle digital elegant little "
     "brisk hair mango congress clump",
     "7b4a10be9d98e6cba265566db7f136718e1398c71cb581e1b2f464cac1ceedf4f3e274dc270003c670ad8d02c4558"
     "b2f8e39edea2775c9e232c7cb798b069e88",
     "xprv9s21ZrQH143K4aERa2bq7559eMCCEs2QmmqVjUuzfy5eAeDX4mqZffkYwpzGQRE2YEEeLVRoH4CSHxianrFaVnMN2"
     "RYaPUZJhJx8S5j6puX"},
    {"f585c11aec520db57dd353c69554b21a89b20fb0650966fa0a9d6f74fd989d8f",
     "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing "
     "screen patrol group space point ten exist slush involve unfold",
     "01f5bced59dec48e362f2c45b5de68b9fd6c92c6634f44d6d40aab69056506f0e35524a518034ddc1192e1dacd32c"
     "1ed3eaa3c3b131c88ed8e7e54c49a5d0998",
     "xprv9s21ZrQH143K39rnQJknpH1WEPFJrzmAqqasiDcVrNuk926oizzJDDQkdiTvNPr2FYDYzWgiMiC63YmfPAa2oPyNB"
     "23r2g7d1yiK6WpqaQS"},
};

TEST(Bip39, TrezorVectors) {
  for (const auto& v : kTrezorVectors) {
    const Bytes entropy = from_hex(v.entropy).value();
    auto mnemonic = mnemonic_from_entropy(entropy);
    ASSERT_TRUE(mnemonic.ok());
    EXPECT_EQ(*mnemonic, v.mnemonic);
    EXPECT_TRUE(validate_mnemonic(v.mnemonic).ok()) << v.mnemonic;
    auto seed = mnemonic_to_seed(v.mnemonic, "TREZOR");
    ASSERT_TRUE(seed.ok()) << seed.error().to_string();
    EXPECT_EQ(to_hex(seed->view(), false), v.seed);
    auto master = ExtendedPrivateKey::from_seed(seed->view());
    ASSERT_TRUE(master.ok());
    EXPECT_EQ(master->to_xprv(), v.xprv);
  }
}

TEST(Bip39, GenerateValidatesAndWhitespaceIsNormalized) {
  for (std::size_t words : {12u, 15u, 18u, 21u, 24u}) {
    auto m = generate_mnemonic(words);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(validate_mnemonic(*m).ok()) << *m;
    EXPECT_EQ(std::count(m->begin(), m->end(), ' '), static_cast<long>(words - 1));
  }
  EXPECT_NE(*generate_mnemonic(), *generate_mnemonic());
  const std::string spaced = "  test test\ttest test test test test test test test test\n junk ";
  EXPECT_EQ(to_hex(mnemonic_to_seed(spaced)->view()),
            to_hex(mnemonic_to_seed(testing::AnvilProcess::kMnemonic)->view()));
}

TEST(Bip39, BadMnemonicsGiveSpecificErrors) {
  const std::pair<std::string, const char*> cases[] = {
      {"", "got 0"},
      {"test test test test test test test test test test test", "got 11"},
      {"test test test test test test test test test test test test", "bad checksum"},
      {"test test test test test test test test test test test Junk", "word 12 is not in"},
      {"test test test test test tst test test test test test junk", "word 6 is not in"},
      {"junk test test test test test test test test test test test", "bad checksum"},
  };
  for (const auto& [m, part] : cases) {
    auto s = validate_mnemonic(m);
    ASSERT_FALSE(s.ok()) << m;
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message().find(part), std::string::npos) << s.error().to_string();
    EXPECT_EQ(s.error().message().find("tst"), std::string::npos);  // words are not echoed
    EXPECT_EQ(mnemonic_to_seed(m).error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(mnemonic_from_entropy(Bytes(15)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(mnemonic_from_entropy(Bytes(36)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(generate_mnemonic(13).error().code(), ErrorCode::kInvalidArgument);
  // Not UTF-8: refused, never normalized into U+FFFD (another seed).
  EXPECT_EQ(mnemonic_to_seed(testing::AnvilProcess::kMnemonic, "pa\xffss").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(validate_mnemonic("test \xc3 test").error().code(), ErrorCode::kInvalidArgument);
}

// The Japanese vectors of BIP-39's reference list (bip32JP, test_JP_BIP39.json, copied to
// tests/eth/vectors/): words joined by U+3000, passphrases that NFKD changes (㍍, ガ, ゞ), the seed
// and the master xprv.
TEST(Bip39, JapaneseVectorsWithNfkdPassphrases) {
  std::ifstream file(std::string(PACTUM_SOURCE_DIR) + "/tests/eth/vectors/bip39_japanese.json");
  ASSERT_TRUE(file) << "missing tests/eth/vectors/bip39_japanese.json";
  std::stringstream text;
  text << file.rdbuf();
  const auto vectors = nlohmann::json::parse(text.str());
  ASSERT_EQ(vectors.size(), 24u);
  for (const auto& v : vectors) {
    const std::string mnemonic = v.at("mnemonic").get<std::string>();
    SCOPED_TRACE(v.at("entropy").get<std::string>());
    const Bytes entropy = from_hex(v.at("entropy").get<std::string>()).value();
    // The vectors write words composed (NFC), the published list decomposed (ぞ as そ + U+3099):
    // the same mnemonic once normalized, so the same seed.
    const std::string ours = *mnemonic_from_entropy(entropy, Bip39Language::kJapanese);
    EXPECT_EQ(*mnemonic_language(mnemonic), Bip39Language::kJapanese);
    EXPECT_EQ(*mnemonic_language(ours), Bip39Language::kJapanese);
    const std::string passphrase = v.at("passphrase").get<std::string>();
    auto seed = mnemonic_to_seed(mnemonic, passphrase);
    ASSERT_TRUE(seed.ok()) << seed.error().to_string();
    EXPECT_EQ(to_hex(seed->view(), false), v.at("seed").get<std::string>());
    EXPECT_EQ(to_hex(mnemonic_to_seed(ours, passphrase)->view(), false),
              v.at("seed").get<std::string>());
    EXPECT_EQ(ExtendedPrivateKey::from_seed(seed->view())->to_xprv(),
              v.at("bip32_xprv").get<std::string>());
  }
}

// Every list encodes and decodes, and a mnemonic's language is found from its words alone.
TEST(Bip39, EveryLanguageRoundTripsAndIsDetected) {
  const Bytes entropy = from_hex("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f").value();
  const Bip39Language languages[] = {Bip39Language::kEnglish,
                                     Bip39Language::kJapanese,
                                     Bip39Language::kKorean,
                                     Bip39Language::kSpanish,
                                     Bip39Language::kChineseSimplified,
                                     Bip39Language::kChineseTraditional,
                                     Bip39Language::kFrench,
                                     Bip39Language::kItalian,
                                     Bip39Language::kCzech,
                                     Bip39Language::kPortuguese};
  std::set<std::string> seen;
  for (const auto language : languages) {
    SCOPED_TRACE(std::string(bip39_language_name(language)));
    for (std::size_t words : {12u, 24u}) {
      auto generated = generate_mnemonic(words, language);
      ASSERT_TRUE(generated.ok());
      EXPECT_EQ(*mnemonic_language(*generated), language);
    }
    auto m = mnemonic_from_entropy(entropy, language);
    ASSERT_TRUE(m.ok());
    EXPECT_TRUE(seen.insert(*m).second);  // ten different sentences
    EXPECT_EQ(*mnemonic_language(*m), language);
    EXPECT_TRUE(mnemonic_to_seed(*m).ok());
  }
  EXPECT_EQ(bip39_language_name(Bip39Language::kChineseTraditional), "chinese_traditional");
}

// Composed and decomposed text is the same mnemonic and the same passphrase (NFKD): "é" as
// U+00E9 or as e + U+0301; "ﬁ" (U+FB01) as "fi".
TEST(Bip39, ComposedAndDecomposedTextGiveTheSameSeed) {
  const Bytes entropy = from_hex("000102030405060708090a0b0c0d0e0f").value();
  // The published Spanish list is decomposed ("a" + U+0301): compose every "á é í ó ú ñ".
  const std::string decomposed = *mnemonic_from_entropy(entropy, Bip39Language::kSpanish);
  std::string composed;
  const std::pair<std::string, std::string> accents[] = {
      {"\xc3\xa1", "a\xcc\x81"}, {"\xc3\xa9", "e\xcc\x81"}, {"\xc3\xad", "i\xcc\x81"},
      {"\xc3\xb3", "o\xcc\x81"}, {"\xc3\xba", "u\xcc\x81"}, {"\xc3\xb1", "n\xcc\x83"}};
  for (std::size_t i = 0; i < decomposed.size();) {
    bool replaced = false;
    for (const auto& [single, parts] : accents) {
      if (decomposed.compare(i, parts.size(), parts) == 0) {
        composed += single;
        i += parts.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) composed += decomposed[i++];
  }
  ASSERT_NE(composed, decomposed) << "the sentence should hold an accent: pick other entropy";
  EXPECT_EQ(*mnemonic_language(composed), Bip39Language::kSpanish);
  EXPECT_EQ(to_hex(mnemonic_to_seed(composed, "caf\xc3\xa9 \xef\xac\x81")->view()),
            to_hex(mnemonic_to_seed(decomposed, "cafe\xcc\x81 fi")->view()));
  EXPECT_NE(to_hex(mnemonic_to_seed(composed, "cafe")->view()),
            to_hex(mnemonic_to_seed(composed, "caf\xc3\xa9")->view()));
}

// BIP-32 test vectors 1 and 2 (bip-0032.mediawiki): path, xpub, xprv.
struct Bip32Step {
  const char* path;
  const char* xpub;
  const char* xprv;
};

// Derives every step privately from the seed; reads each xprv and xpub back; and, where the
// step's last index is not hardened, derives it publicly from the previous step's xpub.
void check_chain(const char* seed_hex, const std::vector<Bip32Step>& steps) {
  const Bytes seed = from_hex(seed_hex).value();
  auto master = ExtendedPrivateKey::from_seed(seed);
  ASSERT_TRUE(master.ok());
  const char* previous_xpub = nullptr;
  for (const auto& step : steps) {
    SCOPED_TRACE(step.path);
    auto key = master->derive_path(step.path);
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ(key->to_xpub(), step.xpub);
    EXPECT_EQ(key->to_xprv(), step.xprv);
    EXPECT_EQ(key->neuter().to_xpub(), step.xpub);

    auto read_private = ExtendedPrivateKey::from_xprv(step.xprv);
    ASSERT_TRUE(read_private.ok()) << read_private.error().to_string();
    EXPECT_EQ(read_private->to_xprv(), step.xprv);
    EXPECT_EQ(read_private->depth(), key->depth());
    EXPECT_EQ(read_private->child_number(), key->child_number());
    EXPECT_EQ(read_private->parent_fingerprint(), key->parent_fingerprint());
    EXPECT_EQ(read_private->private_key().address(), key->private_key().address());

    auto read_public = ExtendedPublicKey::from_xpub(step.xpub);
    ASSERT_TRUE(read_public.ok()) << read_public.error().to_string();
    EXPECT_EQ(read_public->to_xpub(), step.xpub);
    EXPECT_EQ(read_public->public_key(), key->public_key());

    const std::string_view path(step.path);
    const std::size_t slash = path.rfind('/');
    if (previous_xpub != nullptr && slash != std::string_view::npos) {
      const std::string_view last = path.substr(slash + 1);
      auto parent = ExtendedPublicKey::from_xpub(previous_xpub);
      ASSERT_TRUE(parent.ok());
      const std::string relative = "m/" + std::string(last);
      auto child = parent->derive_path(relative);
      if (last.back() == '\'') {
        ASSERT_FALSE(child.ok());
        EXPECT_EQ(child.error().code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(child.error().message().find("hardened"), std::string::npos);
      } else {
        ASSERT_TRUE(child.ok()) << child.error().to_string();
        EXPECT_EQ(child->to_xpub(), step.xpub);  // CKDpub agrees with CKDpriv
      }
    }
    previous_xpub = step.xpub;
  }
}

TEST(Bip32, TestVector1) {
  check_chain("000102030405060708090a0b0c0d0e0f",
              {{"m",
                "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtG"
                "qsefD265TMg7usUDFdp6W1EGMcet8",
                "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5k"
                "ejMRNNU3TGtRBeJgk33yuGBxrMPHi"},
               {"m/0'",
                "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrf"
                "p1bgwQ9xv5ski8PX9rL2dZXvgGDnw",
                "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oW"
                "gT11eZG7XnxHrnYeSvkzY7d2bhkJ7"},
               {"m/0'/1",
                "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7Sy"
                "Yq527Hqck2AxYysAA7xmALppuCkwQ",
                "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwT"
                "Cg8MSY3H2EU4pWcQDnRnrVA1xe8fs"},
               {"m/0'/1/2'",
                "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJ"
                "h7n7epu4trkrX7x7DogT5Uv6fcLW5",
                "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAe"
                "wRiNMjANTtpgP4mLTj34bhnZX7UiM"},
               {"m/0'/1/2'/2",
                "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj"
                "37sR62cfN7fe5JnJ7dh8zL4fiyLHV",
                "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdq"
                "qsunu5Mm3wDvUAKRHSC34sJ7in334"},
               {"m/0'/1/2'/2/1000000000",
                "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49"
                "S8yGasTvXEYBVPamhGW6cFJodrTHy",
                "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1"
                "rFSruoUihUZREPSL39UNdE3BBDu76"}});
}

TEST(Bip32, TestVector2) {
  check_chain(
      "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b78"
      "75726f6c696663605d5a5754514e4b484542",
      {{"m",
        "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDz"
        "TJY47LJhkJ8UB7WEGuduB",
        "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Q"
        "n3LqFtT2emdEXVYsCzC2U"},
       {"m/0",
        "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb"
        "7ap6r1D3tgFxHmwMkQTPH",
        "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81d"
        "wSM1fwqWpWkeS3v86pgKt"},
       {"m/0/2147483647'",
        "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHj"
        "aDMBU4Zn9h8LZNnBC5y4a",
        "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFaw"
        "NzmjuHc2YmYRmagcEPdU9"},
       {"m/0/2147483647'/1",
        "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ5"
        "37wTfunKau47EL2dhHKon",
        "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbR"
        "CHuWS6T8XA2ECKADdw4Ef"},
       {"m/0/2147483647'/1/2147483646'",
        "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGR"
        "jaDMzQLcgJvLJuZZvRcEL",
        "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HF"
        "sTjSyQbLYnMpCqE2VbFWc"},
       {"m/0/2147483647'/1/2147483646'/2",
        "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5ag"
        "b9rXpVGyy3bdW6EEgAtqt",
        "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLE"
        "cBYJUuekgW4BYPJcr9E7j"}});
}

// BIP-32 test vector 5: invalid extended keys, each refused with its reason.
TEST(Bip32, TestVector5InvalidExtendedKeysAreRefused) {
  struct Case {
    const char* key;
    bool is_private;  // read with from_xprv (else from_xpub)
    const char* reason;
  };
  const Case cases[] = {
      {"xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6LBpB85b3D2yc8sfvZU521AAwdZafEz"
       "7mnzBBsz4wKY5fTtTQBm",
       false, "prefix 0x02 or 0x03, not 0x00"},  // pubkey version / prvkey mismatch
      {"xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGTQQD3dC4H2D5GBj7vWvSQaaBv5cxi"
       "9gafk7NF3pnBju6dwKvH",
       true, "must be 0x00 and 32 bytes, not prefix 0x0"},  // prvkey version / pubkey mismatch
      {"xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Txnt3siSujt9RCVYsx4qHZGc62TG4M"
       "cvMGcAUjeuwZdduYEvFn",
       false, "not 0x04"},  // invalid pubkey prefix 04
      {"xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFGpWnsj83BHtEy5Zt8CcDr1UiRXuWCm"
       "TQLxEK9vbz5gPstX92JQ",
       true, "not prefix 0x04"},  // invalid prvkey prefix 04
      {"xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6N8ZMMXctdiCjxTNq964yKkwrkBJJwp"
       "zZS4HS2fxvyYUA4q2Xe4",
       false, "not 0x01"},  // invalid pubkey prefix 01
      {"xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD9y5gkZ6E"
       "q3Rjuahrv17fEQ3Qen6J",
       true, "not prefix 0x01"},  // invalid prvkey prefix 01
      {"xprv9s2SPatNQ9Vc6GTbVMFPFo7jsaZySyzk7L8n2uqKXJen3KUmvQNTuLh3fhZMBoG3G4ZW1N2kZuHEPY53qmbZzCH"
       "shoQnNf4GvELZfqTUrcv",
       true, "non-zero parent fingerprint"},
      {"xpub661no6RGEX3uJkY4bNnPcw4URcQTrSibUZ4NqJEw5eBkv7ovTwgiT91XX27VbEXGENhYRCf7hyEbWrR3FewATdC"
       "Eebj6znwMfQkhRYHRLpJ",
       false, "non-zero parent fingerprint"},
      {"xprv9s21ZrQH4r4TsiLvyLXqM9P7k1K3EYhA1kkD6xuquB5i39AU8KF42acDyL3qsDbU9NmZn6MsGSUYZEsuoePmjzs"
       "B3eFKSUEh3Gu1N3cqVUN",
       true, "non-zero child number"},
      {"xpub661MyMwAuDcm6CRQ5N4qiHKrJ39Xe1R1NyfouMKTTWcguwVcfrZJaNvhpebzGerh7gucBvzEQWRugZDuDXjNDRm"
       "XzSZe4c7mnTK97pTvGS8",
       false, "non-zero child number"},
      {"DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHGMQzT7ayAmfo4z3gY5KfbrZWZ6St24"
       "UVf2Qgo6oujFktLHdHY4",
       true, "unknown extended key version"},
      {"DMwo58pR1QLEFihHiXPVykYB6fJmsTeHvyTp7hRThAtCX8CvYzgPcn8XnmdfHPmHJiEDXkTiJTVV9rHEBUem2mwVbbN"
       "fvT2MTcAqj3nesx8uBf9",
       false, "unknown extended key version"},
      {"xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzF93Y5wvzdUayhgkkFoicQZcP3y52uPP"
       "xFnfoLZB21Teqt1VvEHx",
       true, "not in 1..n-1"},  // private key 0
      {"xprv9s21ZrQH143K24Mfq5zL5MhWK9hUhhGbd45hLXo2Pq2oqzMMo63oStZzFAzHGBP2UuGCqWLTAPLcMtD5SDKr24z"
       "3aiUvKr9bJpdrcLg1y3G",
       true, "not in 1..n-1"},  // private key n
      {"xpub661MyMwAqRbcEYS8w7XLSVeEsBXy79zSzH1J8vCdxAZningWLdN3zgtU6Q5JXayek4PRsn35jii4veMimro1xef"
       "sM58PgBMrvdYre8QyULY",
       false, "not a point on the curve"},  // 02 0000…0007
      {"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3T"
       "GtRBeJgk33yuGBxrMPHL",
       true, "bad checksum"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    const Error e = c.is_private ? ExtendedPrivateKey::from_xprv(c.key).error()
                                 : ExtendedPublicKey::from_xpub(c.key).error();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(e.message().find(c.reason), std::string::npos) << e.to_string();
    EXPECT_EQ(e.message().find(c.key), std::string::npos);  // a key is never echoed
  }
  // The other kind, text that is not Base58, and lengths that cannot be a key.
  const char* kXpub =
      "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TM"
      "g7usUDFdp6W1EGMcet8";
  const char* kXprv =
      "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TG"
      "tRBeJgk33yuGBxrMPHi";
  EXPECT_NE(ExtendedPrivateKey::from_xprv(kXpub).error().message().find("(xpub) where"),
            std::string::npos);
  EXPECT_NE(ExtendedPublicKey::from_xpub(kXprv).error().message().find("(xprv) where"),
            std::string::npos);
  std::string bad_char(kXpub);
  bad_char[20] = '0';  // not in the Base58 alphabet
  EXPECT_NE(ExtendedPublicKey::from_xpub(bad_char).error().message().find("character 21"),
            std::string::npos);
  for (const std::string& text : {std::string(), std::string(kXpub).substr(0, 100),
                                  std::string(kXpub) + "1", std::string(200, 'x')}) {
    auto r = ExtendedPublicKey::from_xpub(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(Bip32, AnvilMnemonicYieldsTheKnownAccounts) {
  const auto& keys = testing::AnvilProcess::dev_private_keys();
  const auto& addresses = testing::AnvilProcess::dev_addresses();
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    auto key = derive_ethereum_key(testing::AnvilProcess::kMnemonic, "", i);
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    FixedBytes<32> secret{};
    key->export_secret(secret);
    EXPECT_EQ(to_hex(secret), keys[i]) << "account " << i;
    secure_wipe(secret);
    EXPECT_EQ(key->address().to_checksum_string(), addresses[i]);
  }
}

TEST(Bip32, PathParsing) {
  auto p = parse_derivation_path("m/44'/60h/0H/0/7");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<std::uint32_t>{44 | kHardened, 60 | kHardened, 0 | kHardened, 0, 7}));
  EXPECT_TRUE(parse_derivation_path("m")->empty());
  const std::pair<const char*, const char*> bad[] = {
      {"", "must start with \"m\""},
      {"44'/60'", "must start with \"m\""},
      {"m/", "component 1 is not a number"},
      {"m/x", "component 1 is not a number"},
      {"m/1//2", "component 2 is not a number"},
      {"m/2147483648", "below 2^31"},
      {"m/-1", "not a number"},
      {"m1", "expected '/'"},
      {"m/1'/2''", "component 2 is not a number"},
  };
  for (const auto& [path, part] : bad) {
    auto r = parse_derivation_path(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(part), std::string::npos)
        << path << " -> " << r.error().to_string();
  }
  std::string deep = "m";
  for (int i = 0; i < 256; ++i) deep += "/0";
  EXPECT_NE(parse_derivation_path(deep).error().message().find("255 levels"), std::string::npos);
  EXPECT_EQ(ExtendedPrivateKey::from_seed(Bytes(15)).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(derive_ethereum_key(testing::AnvilProcess::kMnemonic, "", kHardened).error().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace pactum::eth
