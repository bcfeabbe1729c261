// The small JSON writer (error DETAIL, audit details), the UUID value type and
// the canonical run lock order (SPEC §7).
#include <algorithm>

#include "core/audit.hpp"
#include "support.hpp"

using namespace pc_test;

// ---- JsonObject ----

TEST(JsonObject, EmptyObject) {
    JsonObject o;
    EXPECT_TRUE(o.empty());
    EXPECT_EQ(o.str(), "{}");
}

TEST(JsonObject, KeysKeepInsertionOrderWithJsonbSeparators) {
    JsonObject o;
    o.add("z", "1").add("a", true).add("m", false);
    EXPECT_FALSE(o.empty());
    EXPECT_EQ(o.str(), "{\"z\": \"1\", \"a\": true, \"m\": false}");
}

TEST(JsonObject, EscapesQuoteBackslashAndNamedControls) {
    EXPECT_EQ(JsonObject::quote("a\"b"), "\"a\\\"b\"");
    EXPECT_EQ(JsonObject::quote("a\\b"), "\"a\\\\b\"");
    EXPECT_EQ(JsonObject::quote("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
}

TEST(JsonObject, EscapesOtherControlCharactersAsUnicode) {
    EXPECT_EQ(JsonObject::quote(std::string("\x01", 1)), "\"\\u0001\"");
    EXPECT_EQ(JsonObject::quote(std::string("\x1f", 1)), "\"\\u001f\"");
    EXPECT_EQ(JsonObject::quote(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(JsonObject, PassesPrintableAsciiAndUtf8Through) {
    EXPECT_EQ(JsonObject::quote("it's <ok> / 100%"), "\"it's <ok> / 100%\"");
    EXPECT_EQ(JsonObject::quote("Zo\xC3\xAB \xE2\x9C\x93"), "\"Zo\xC3\xAB \xE2\x9C\x93\"");
    EXPECT_EQ(JsonObject::quote(""), "\"\"");
}

TEST(JsonObject, KeysAreEscapedToo) {
    EXPECT_EQ(JsonObject().add("a\"b", "v").str(), "{\"a\\\"b\": \"v\"}");
}

TEST(JsonObject, ValuesFromUserTextAreEscaped) {
    const OptText reason = std::string("stuck \"forever\"\nsee log");
    EXPECT_EQ(JsonObject().add("reason", reason).str(), "{\"reason\": \"stuck \\\"forever\\\"\\nsee log\"}");
}

TEST(JsonObject, AbsentOptionalsAndAddNullAreJsonNull) {
    JsonObject o;
    o.add("run", OptUuid{}).add("text", OptText{}).add_null("n");
    EXPECT_EQ(o.str(), "{\"run\": null, \"text\": null, \"n\": null}");
}

TEST(JsonObject, UuidsAreQuotedCanonicalText) {
    JsonObject o;
    o.add("id", kIssue).add("opt", OptUuid(kR));
    EXPECT_EQ(o.str(), "{\"id\": " + q(kIssueS) + ", \"opt\": " + q(kRunRS) + "}");
}

TEST(JsonObject, Arrays) {
    EXPECT_EQ(JsonObject().add("ids", std::vector<Uuid>{}).str(), "{\"ids\": []}");
    EXPECT_EQ(JsonObject().add("ids", std::vector<Uuid>{kR, kF}).str(),
              "{\"ids\": [" + q(kRunRS) + ", " + q(kRunFS) + "]}");
    EXPECT_EQ(JsonObject().add("s", std::vector<std::string>{"a\"", "b"}).str(),
              "{\"s\": [\"a\\\"\", \"b\"]}");
}

TEST(JsonObject, AddingAnExistingKeyReplacesItsValueInPlace) {
    JsonObject o;
    o.add("a", "1").add("b", "2").add("a", "3");
    EXPECT_EQ(o.str(), "{\"a\": \"3\", \"b\": \"2\"}");
}

// ---- Uuid ----

TEST(Uuid, ParsesCanonicalTextAndPrintsItBack) {
    const auto u = Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->bytes[0], 0xa0);
    EXPECT_EQ(u->bytes[15], 0x11);
    EXPECT_EQ(u->to_string(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
}

TEST(Uuid, UpperCaseAndUnhyphenatedFormsParseToTheSameValue) {
    const auto canonical = Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    const auto upper = Uuid::parse("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    const auto bare = Uuid::parse("a0eebc999c0b4ef8bb6d6bb9bd380a11");
    ASSERT_TRUE(canonical && upper && bare);
    EXPECT_EQ(*upper, *canonical);
    EXPECT_EQ(*bare, *canonical);
    EXPECT_EQ(upper->to_string(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");  // output is lower-case
}

TEST(Uuid, RejectsWrongLengthAndNonHex) {
    EXPECT_FALSE(Uuid::parse(""));
    EXPECT_FALSE(Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"));    // 31 digits
    EXPECT_FALSE(Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111"));  // 33 digits
    EXPECT_FALSE(Uuid::parse("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    EXPECT_FALSE(Uuid::parse("a0eebc99 9c0b-4ef8-bb6d-6bb9bd380a11"));
    EXPECT_FALSE(Uuid::parse("PAP-39"));
}

TEST(Uuid, DefaultIsTheNilUuid) {
    EXPECT_EQ(Uuid{}.to_string(), "00000000-0000-0000-0000-000000000000");
    EXPECT_EQ(*Uuid::parse("00000000-0000-0000-0000-000000000000"), Uuid{});
}

TEST(Uuid, RoundTripsEveryByteValue) {
    Uuid u;
    for (std::size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(i * 17 + 3);
    const auto back = Uuid::parse(u.to_string());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, u);
}

// PostgreSQL compares uuids bytewise (memcmp): the first byte is most significant.
TEST(Uuid, OrderingIsBytewiseLikePostgres) {
    const Uuid low = uuid("00ffffff-ffff-ffff-ffff-ffffffffffff");
    const Uuid high = uuid("01000000-0000-0000-0000-000000000000");
    EXPECT_TRUE(low < high);
    EXPECT_FALSE(high < low);
    EXPECT_FALSE(low < low);
    EXPECT_TRUE(Uuid{} < uuid("80000000-0000-0000-0000-000000000000"));
    EXPECT_TRUE(uuid("ffffffff-ffff-ffff-ffff-fffffffffffe") < uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}

TEST(Uuid, OrderingAgreesWithCanonicalTextOrder) {
    std::vector<Uuid> ids = {kRB, kR, kG, kF, kIssue, kCompany, kAgentB, kAgentA, kX, kL};
    std::vector<Uuid> by_text = ids;
    std::sort(ids.begin(), ids.end());
    std::sort(by_text.begin(), by_text.end(),
              [](const Uuid& a, const Uuid& b) { return a.to_string() < b.to_string(); });
    EXPECT_EQ(ids, by_text);
}

TEST(Uuid, EqualityComparesAllBytes) {
    Uuid a = kR;
    Uuid b = kR;
    EXPECT_TRUE(a == b);
    b.bytes[15] ^= 1;
    EXPECT_TRUE(a != b);
    EXPECT_FALSE(a == b);
}

// ---- sameRunLock ----

TEST(SameRunLock, WithAnActorRunTheLockMustNameIt) {
    EXPECT_TRUE(same_run_lock(kR, kR));
    EXPECT_FALSE(same_run_lock(kL, kR));
    EXPECT_FALSE(same_run_lock(std::nullopt, kR));
}

TEST(SameRunLock, WithoutAnActorRunTheLockMustBeEmpty) {
    EXPECT_TRUE(same_run_lock(std::nullopt, std::nullopt));
    EXPECT_FALSE(same_run_lock(kR, std::nullopt));
}

// ---- run_lock_order (SPEC §7: several run rows in ascending id) ----

TEST(RunLockOrder, DropsNullsDeduplicatesAndSortsAscending) {
    const auto order = run_lock_order({kRB, std::nullopt, kR, kRB, kF, std::nullopt, kR});
    const std::vector<Uuid> expected = {kR, kF, kRB};  // ...01 < ...0f < ...b1
    EXPECT_EQ(order, expected);
}

TEST(RunLockOrder, SameSetInAnyOrderGivesTheSameOrder) {
    EXPECT_EQ(run_lock_order({kF, kR}), run_lock_order({kR, kF}));
    EXPECT_EQ(run_lock_order({kF, kR}), (std::vector<Uuid>{kR, kF}));
}

TEST(RunLockOrder, EmptyAndAllNull) {
    EXPECT_TRUE(run_lock_order({}).empty());
    EXPECT_TRUE(run_lock_order({std::nullopt, std::nullopt}).empty());
    EXPECT_EQ(run_lock_order({kL, kL, kL}), std::vector<Uuid>{kL});
}
