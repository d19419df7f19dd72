// summary_state: counts per group against hand counts of a small file, the
// merge law (two halves merged equal the whole), the binary round trip, and
// that corrupt, truncated or mistyped bytes and incompatible merges throw.
// The binary form is pinned by tests/data/golden/summary_state.bin, which
// make_golden.py writes with Python's struct and zlib from the layout in
// summary_state.hpp and the hand counts of the same file (independent of the
// C++ writer): states that travel between builds and machines read alike.
#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/report/summary_state.hpp"

#include "serialize_support.hpp"

namespace {

using namespace cxm;

const char* const header = "timestamp,channel,nps,csat,resolved\n";
// Hand counts: phone NPS 10, 9, 3 -> 2 promoters, 1 detractor; chat 7, 0
// -> 1 passive, 1 detractor; months: 2024-01 has rows 1, 2, 4; 2024-02 rows 3, 5.
const char* const first_half =
    "2024-01-05T10:00:00Z,phone,10,5,yes\n"
    "2024-01-06T10:00:00Z,chat,7,4,no\n";
const char* const second_half =
    "2024-02-01T10:00:00Z,phone,9,3,\n"
    "2024-01-31T23:00:00Z,phone,3,1,no\n"
    "2024-02-10T10:00:00Z,chat,0,2,yes\n";

std::filesystem::path write_csv(const std::string& name, const std::string& body) {
  const auto p = std::filesystem::temp_directory_path() / ("summary_state_test_" + name + ".csv");
  std::ofstream(p) << header << body;
  return p;
}

summary_state state_of(const std::filesystem::path& p, std::vector<summary_key> keys) {
  const ingest_options options;
  summary_state s(std::move(keys), options);
  const auto report = stream_responses(p, options, {[&](const response_batch& b) { s.feed(b); }, {}});
  s.note_input(report);
  return s;
}

const summary_group& group(const summary_state& s, std::vector<key_value> key) {
  return s.groups().at(key);
}

TEST(SummaryState, CountsPerGroupMatchHandCounts) {
  const auto s = state_of(write_csv("all_a", std::string(first_half) + second_half), {summary_key::channel});
  ASSERT_EQ(s.groups().size(), 2u);
  const auto& nps_phone = group(s, {std::string("phone")}).counts.get<0>().counts();
  EXPECT_EQ(nps_phone.count(), 3u);
  EXPECT_EQ(nps_phone.high().n, 2u);  // 10 and 9
  EXPECT_EQ(nps_phone.low().n, 1u);   // 3
  const auto& res_chat = group(s, {std::string("chat")}).counts.get<3>();
  EXPECT_EQ(res_chat.answered(), 2u);
  EXPECT_EQ(s.count(), 5u);
  EXPECT_EQ(s.input().summary.rows_read, 5u);
  EXPECT_TRUE(s.input().has(response_field::nps));
  EXPECT_FALSE(s.input().has(response_field::ces));
  // By month: 2024-01 holds 3 responses, 2024-02 two.
  const auto m = state_of(write_csv("all_b", std::string(first_half) + second_half), {summary_key::month});
  ASSERT_EQ(m.groups().size(), 2u);
  EXPECT_EQ(m.groups().begin()->second.counts.count(), 3u);
  EXPECT_EQ(to_string(m.groups().begin()->first[0]), "2024-01");
}

TEST(SummaryState, HalvesMergedEqualTheWhole) {
  const std::vector<summary_key> keys{summary_key::channel, summary_key::month};
  const auto whole = state_of(write_csv("whole", std::string(first_half) + second_half), keys);
  auto a = state_of(write_csv("a", first_half), keys);
  const auto b = state_of(write_csv("b", second_half), keys);
  a.merge(b);
  EXPECT_EQ(a.groups(), whole.groups());
  EXPECT_EQ(a.input().summary.rows_read, whole.input().summary.rows_read);
  EXPECT_EQ(a.input().inputs, 2u);
}

TEST(SummaryState, BinaryRoundTripAndChecks) {
  const auto s = state_of(write_csv("rt", std::string(first_half) + second_half), {summary_key::channel});
  const auto bytes = serialize(s);
  EXPECT_EQ(deserialize<summary_state>(bytes), s);
  EXPECT_EQ(serialize(deserialize<summary_state>(bytes)), bytes);  // canonical
  // Preamble: "CXMS", format 1, state version 1, tag 0x0060 little-endian.
  EXPECT_EQ(std::to_integer<int>(bytes[6]), 0x60);
  EXPECT_EQ(std::to_integer<int>(bytes[7]), 0x00);
  for (std::size_t cut : {std::size_t{0}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    const std::vector<std::byte> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_THROW((void)deserialize<summary_state>(part), serialization_error) << cut;
  }
  for (std::size_t at : {std::size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
    auto bad = bytes;
    bad[at] ^= std::byte{0x10};
    EXPECT_THROW((void)deserialize<summary_state>(bad), serialization_error) << at;
  }
  EXPECT_THROW((void)deserialize<summary_state>(serialize(score_histogram(scale::nps()))), serialization_error);
}

TEST(SummaryState, GoldenFilePinsTheBinaryForm) {
  const auto s =
      state_of(write_csv("golden", std::string(first_half) + second_half), {summary_key::channel, summary_key::month});
  serialize_test_support::check_golden("summary_state.bin", s);  // reads to s; serialize(s) is the file
  // A few of the hand counts, read back from the file's bytes.
  const auto read = deserialize<summary_state>(serialize_test_support::read_golden("summary_state.bin"));
  EXPECT_EQ(read.count(), 5u);
  const auto& phone_feb = group(read, {std::string("phone"), period{time_bucket::month, (2024 - 1970) * 12 + 1}});
  EXPECT_EQ(phone_feb.counts.get<3>().unknown(), 1u);  // the empty resolved answer
  EXPECT_EQ(read.input().summary.missing_by_field.at("resolved"), 1u);
}

TEST(SummaryState, IncompatibleMergeLeavesTheStateUnchanged) {
  const auto p = write_csv("inc", std::string(first_half) + second_half);
  auto a = state_of(p, {summary_key::channel});
  const auto before = a;
  EXPECT_THROW(a.merge(state_of(p, {summary_key::month})), incompatible_merge);
  EXPECT_EQ(a, before);
  ingest_options five;
  five.scales.ces = scale::ces(6);
  summary_state other_scale({summary_key::channel}, five);
  EXPECT_THROW(a.merge(other_scale), incompatible_merge);
  EXPECT_EQ(a, before);
  EXPECT_THROW(summary_state({summary_key::channel, summary_key::channel}, ingest_options{}), invalid_argument);
}

}  // namespace
