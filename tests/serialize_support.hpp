// Helpers of the serialization tests (serialize_test.cpp,
// serialize_engine_test.cpp): byte builders from the documented layouts,
// golden files, seeded random states and the checks every state goes
// through. References independent of the writer are named where used.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/json.hpp"

namespace serialize_test_support {

using namespace cxm;  // NOLINT: the helpers speak of cxm types throughout
using engine::grouped_nps;
using engine::nps_tally;
using engine::weighted_nps_tally;
using bytes = std::vector<std::byte>;
using nlohmann::json;

inline bytes B(std::initializer_list<unsigned> v) {
  bytes out;
  for (unsigned x : v) out.push_back(static_cast<std::byte>(x));
  return out;
}

inline bytes read_golden(const std::string& name) {
  const std::string path = std::string(CXMETRICS_TEST_DATA_DIR) + "/golden/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes out(raw.size());
  std::transform(raw.begin(), raw.end(), out.begin(), [](char c) { return static_cast<std::byte>(c); });
  return out;
}

/// Preamble + payload with the CRC computed by cxm::crc32 (itself checked
/// against the reference check value in Crc32.MatchesTheCatalogue).
inline bytes wrap(type_tag tag, const bytes& payload, std::uint8_t state_version = 1) {
  binary_writer w;
  for (auto m : serial_magic) w.write_u8(m);
  w.write_u8(serial_format_version);
  w.write_u8(state_version);
  w.write_u16(static_cast<std::uint16_t>(tag));
  w.write_u32(static_cast<std::uint32_t>(payload.size()));
  w.write_u32(crc32(payload));
  auto out = std::move(w).take();
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

/// Recomputes the preamble's CRC after the payload was edited.
inline void fix_crc(bytes& b) {
  const auto c = crc32(std::span<const std::byte>(b).subspan(serial_preamble_size));
  for (int i = 0; i < 4; ++i) b[12 + i] = static_cast<std::byte>((c >> (8 * i)) & 0xFF);
}

/// deserialize<T> must throw serialization_error whose field is `field` and
/// whose message contains `fragment` (checked when not empty).
template <class T>
inline void expect_error(std::span<const std::byte> b, const std::string& field, const std::string& fragment = {}) {
  try {
    (void)deserialize<T>(b);
    ADD_FAILURE() << "no exception; expected one at field '" << field << "'";
  } catch (const serialization_error& e) {
    EXPECT_EQ(e.where().field, field) << e.what();
    if (!fragment.empty()) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
    EXPECT_EQ(e.id(), 401);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a serialization_error: " << e.what();
  }
}

// --- random states ------------------------------------------------------------

inline double random_weight(std::mt19937_64& rng) {
  // Multiples of 1/64 in [0, 8): exact sums, and 0 weights occur.
  return static_cast<double>(rng() % 512) / 64.0;
}

inline void fill(score_counts& c, std::mt19937_64& rng, bool weighted, int n) {
  const auto& s = c.scale_of();
  for (int i = 0; i < n; ++i) {
    const int score = s.min() + static_cast<int>(rng() % static_cast<unsigned>(s.points()));
    if (weighted) {
      c.add(score, random_weight(rng));
    } else {
      c.add(score);
    }
  }
}

template <class Acc>
inline void fill_acc(Acc& a, std::mt19937_64& rng, bool weighted, int n, int lo, int hi) {
  for (int i = 0; i < n; ++i) {
    const int score = lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1));
    if (weighted) {
      a.add(score, random_weight(rng));
    } else {
      a.add(score);
    }
  }
}

inline nps_options random_nps_options(std::mt19937_64& rng) {
  nps_options o;
  const interval_method methods[] = {interval_method::wald, interval_method::adjusted_wald,
                                     interval_method::bayes_dirichlet, interval_method::bootstrap};
  o.method = methods[rng() % 4];
  o.level = 0.5 + static_cast<double>(rng() % 49) / 100.0;
  o.prior = 0.25 * static_cast<double>(1 + rng() % 8);
  o.bootstrap_replicates = 2 + rng() % 5000;
  o.seed = rng();
  return o;
}

inline nps_accumulator random_nps(std::mt19937_64& rng, bool weighted) {
  nps_accumulator a;
  fill_acc(a, rng, weighted, static_cast<int>(rng() % 60), 0, 10);
  return a;
}

inline csat_options random_csat_options(std::mt19937_64& rng) {
  csat_options o;
  const interval_method methods[] = {interval_method::wilson, interval_method::jeffreys,
                                     interval_method::clopper_pearson, interval_method::agresti_coull,
                                     interval_method::wald};
  o.level = 0.8 + static_cast<double>(rng() % 19) / 100.0;
  o.top_box = 1 + static_cast<int>(rng() % 4);
  o.share_method = methods[rng() % 5];
  return o;
}

/// A CSAT state on the top box of `o` (the rest of the options is not state).
inline csat_accumulator random_csat(std::mt19937_64& rng, const csat_options& o, bool weighted) {
  csat_accumulator a(scale::csat(o.top_box));
  fill_acc(a, rng, weighted, static_cast<int>(rng() % 60), 1, 5);
  return a;
}

inline ces_options random_ces_options(std::mt19937_64& rng) {
  ces_options o;
  o.level = 0.8 + static_cast<double>(rng() % 19) / 100.0;
  o.easy_min = 2 + static_cast<int>(rng() % 6);
  o.share_method = rng() % 2 ? interval_method::wilson : interval_method::jeffreys;
  return o;
}

/// A CES state on the threshold of `o`.
inline ces_accumulator random_ces(std::mt19937_64& rng, const ces_options& o, bool weighted) {
  ces_accumulator a(scale::ces(o.easy_min));
  fill_acc(a, rng, weighted, static_cast<int>(rng() % 60), 1, 7);
  return a;
}

inline resolution_accumulator random_resolution(std::mt19937_64& rng, bool weighted) {
  resolution_accumulator a;
  const resolution values[] = {resolution::yes, resolution::no, resolution::unknown};
  const int n = static_cast<int>(rng() % 60);
  for (int i = 0; i < n; ++i) {
    const auto v = values[rng() % 3];
    if (weighted) {
      a.add(v, random_weight(rng));
    } else {
      a.add(v);
    }
  }
  return a;
}

inline nps_tally random_tally(std::mt19937_64& rng) {
  return nps_tally{rng() % 1000, rng() % 1000, rng() >> 8};
}

inline bin_totals random_totals(std::mt19937_64& rng) {
  bin_totals t;
  t.n = rng() % 50;
  for (std::uint64_t i = 0; i < t.n; ++i) {
    const double w = random_weight(rng);
    t.w += w;
    t.w2 += w * w;
  }
  return t;
}

inline weighted_nps_tally random_weighted_tally(std::mt19937_64& rng) {
  weighted_nps_tally t;
  t.detractors = random_totals(rng);
  t.passives = random_totals(rng);
  t.promoters = random_totals(rng);
  return t;
}

inline grouped_nps random_grouped(std::mt19937_64& rng, std::vector<std::uint32_t> shape) {
  std::size_t cells = 1;
  for (auto c : shape) cells *= c;
  std::vector<nps_tally> t(cells);
  for (auto& x : t) x = random_tally(rng);
  return grouped_nps(std::move(shape), std::move(t));
}

inline std::vector<std::uint32_t> random_shape(std::mt19937_64& rng) {
  std::vector<std::uint32_t> shape(1 + rng() % 3);
  for (auto& c : shape) c = static_cast<std::uint32_t>(1 + rng() % 4);
  return shape;
}

// Merges for the engine values, which have none of their own.
inline nps_tally plus(nps_tally a, const nps_tally& b) {
  a.detractors += b.detractors;
  a.passives += b.passives;
  a.promoters += b.promoters;
  return a;
}
inline grouped_nps plus(const grouped_nps& a, const grouped_nps& b) {
  std::vector<nps_tally> t(a.cells().begin(), a.cells().end());
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = plus(t[i], b.cells()[i]);
  return grouped_nps(std::vector<std::uint32_t>(a.shape().begin(), a.shape().end()), std::move(t));
}

template <class T>
T round_trip(const T& x) {
  return deserialize<T>(serialize(x));
}

template <class T>
T json_round_trip(const T& x) {
  const json j = x;
  return json::parse(j.dump()).get<T>();
}

/// serialize(merge(a, b)) == serialize(merge(deserialize(a'), deserialize(b'))).
template <class Acc>
inline void expect_merge_commutes_with_serialization(const Acc& a, const Acc& b) {
  Acc direct = a;
  direct.merge(b);
  Acc via = deserialize<Acc>(serialize(a));
  via.merge(deserialize<Acc>(serialize(b)));
  EXPECT_EQ(serialize(direct), serialize(via));
  EXPECT_EQ(via, direct);
}

// --- golden files ---------------------------------------------------------------

/// The layout of a golden file: the one serialize writes, or an older one
/// (of the state or of a member) that still reads.
enum class layout { current, older };

/// The golden file `name` reads to `value`; in the current layout it is
/// also what serialize writes, in an older one serialize writes the current
/// layout instead, which reads back to `value`.
template <class T>
inline void check_golden(const std::string& name, const T& value, layout l = layout::current) {
  SCOPED_TRACE(name);
  const auto golden = read_golden(name);
  ASSERT_FALSE(golden.empty());
  EXPECT_EQ(deserialize<T>(golden), value);
  if (l == layout::current) {
    EXPECT_EQ(serialize(value), golden);
  } else {
    EXPECT_NE(serialize(value), golden);
    EXPECT_EQ(deserialize<T>(serialize(value)), value);
  }
}

// --- hostile input ----------------------------------------------------------------

/// Every proper prefix throws; one extra byte throws; every single-byte
/// change throws (CRC-32 catches every error within one byte of the payload
/// and every header byte is checked for its exact value).
template <class T>
inline void expect_rejects_truncation_and_corruption(const bytes& good, bool exhaustive, std::mt19937_64& rng) {
  ASSERT_NO_THROW((void)deserialize<T>(good));
  for (std::size_t len = 0; len < good.size(); ++len) {
    EXPECT_THROW((void)deserialize<T>(std::span<const std::byte>(good).first(len)), serialization_error) << len;
  }
  auto longer = good;
  longer.push_back(std::byte{0});
  expect_error<T>(longer, "preamble.payload_length", "1 trailing bytes");

  auto corrupt_at = [&](std::size_t pos, unsigned flip) {
    auto b = good;
    b[pos] ^= static_cast<std::byte>(flip);
    try {
      (void)deserialize<T>(b);
      ADD_FAILURE() << "byte " << pos << " xor " << flip << " was not detected";
    } catch (const serialization_error& e) {
      // A header byte is named by its own field; a payload byte by the CRC.
      // The state version byte may turn into another version this build
      // reads: the payload is then read in that layout, and rejected there.
      const auto& f = e.where().field;
      if (pos >= serial_preamble_size) {
        EXPECT_EQ(f, "preamble.crc32") << e.what();
      } else if (pos == 5 && std::to_integer<unsigned>(b[5]) >= 1 &&
                 std::to_integer<unsigned>(b[5]) <= serial_type_of(serial_tag<T>{}).version) {
        EXPECT_NE(f.rfind(std::string(serial_type_of(serial_tag<T>{}).name), 0), std::string::npos) << e.what();
      } else {
        EXPECT_EQ(f.rfind("preamble.", 0), 0u) << e.what();
      }
    }
  };
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    if (exhaustive) {
      for (unsigned flip = 1; flip < 256; ++flip) corrupt_at(pos, flip);
    } else {
      corrupt_at(pos, 1 + static_cast<unsigned>(rng() % 255));
    }
  }
}

/// Payload bytes changed AND the CRC recomputed (what the CRC cannot see):
/// every result is either a serialization_error or a valid state that
/// re-serializes to exactly the bytes read (canonical form); a state of an
/// older version, written again in the current layout, reads back equal.
template <class T>
inline int payload_mutations_are_checked(const bytes& good, std::mt19937_64& rng, int rounds) {
  int rejected = 0;
  // A state written in an older layout (its own, or of a member) is not
  // written back in it.
  const bool current_layout = serialize(deserialize<T>(good)) == good;
  for (int i = 0; i < rounds; ++i) {
    auto b = good;
    const auto pos = serial_preamble_size + rng() % (good.size() - serial_preamble_size);
    const std::uint8_t values[] = {0x00, 0xff, 0x80, 0x7f, 0x01, 0x02, static_cast<std::uint8_t>(rng())};
    b[pos] = static_cast<std::byte>(values[rng() % 7]);
    fix_crc(b);
    try {
      const T x = deserialize<T>(b);
      if (current_layout) {
        EXPECT_EQ(serialize(x), b) << "accepted but not canonical at byte " << pos;
      } else {
        EXPECT_EQ(deserialize<T>(serialize(x)), x) << "accepted at byte " << pos << " but not kept";
      }
    } catch (const serialization_error&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a serialization_error: " << e.what();
    }
  }
  return rejected;
}

inline bytes le64(std::uint64_t v) {
  bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  return out;
}
inline bytes le32(std::uint32_t v) {
  bytes out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
  return out;
}
inline bytes f64(double v) { return le64(std::bit_cast<std::uint64_t>(v)); }
inline bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline const bytes nps_scale = cat({B({0}), le32(0), le32(10), le32(9), le32(6)});
inline const bytes binary_scale = cat({B({3}), le32(0), le32(1), le32(1), le32(0)});

inline bytes eleven_counts(std::uint64_t v = 1) {
  bytes out;
  for (int i = 0; i < 11; ++i) out = cat({out, le64(v)});
  return out;
}

inline bytes nps_options_bytes(double level = 0.95, unsigned method = 1, double prior = 0.5, std::uint64_t reps = 2000) {
  return cat({f64(level), B({method}), f64(prior), le64(reps), le64(0x5eed)});
}

template <class T>
inline void expect_bad_json(const std::string& text, const std::string& path, const std::string& fragment = {}) {
  SCOPED_TRACE(text);
  const auto j = json::parse(text);
  try {
    (void)j.get<T>();
    ADD_FAILURE() << "no exception";
  } catch (const serialization_error& e) {
    EXPECT_EQ(e.where().field, path) << e.what();
    if (!fragment.empty()) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a cxm::serialization_error: " << e.what();
  }
}

}  // namespace serialize_test_support
