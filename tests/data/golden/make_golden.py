#!/usr/bin/env python3
"""Writes the golden files of the cxmetrics binary format.

The bytes are built here from the layouts documented in
include/cxmetrics/io/binary.hpp with Python's struct (little-endian '<'
formats) and zlib.crc32 (CRC-32/ISO-HDLC), independently of the C++ writer.
tests/serialize_test.cpp builds the same states in C++ and requires
cxm::serialize to reproduce the files of the current versions byte for
byte, and cxm::deserialize to read every file, those of the first state
versions included (the accumulators held their options until state
version 2; those files pin that such states still read).

Run from anywhere:  /usr/bin/python3 tests/data/golden/make_golden.py
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

MAGIC = b"CXMS"
FORMAT_VERSION = 1

TAG = {
    "scale": 0x0001,
    "score_counts": 0x0002,
    "nps_accumulator": 0x0010,
    "csat_accumulator": 0x0011,
    "ces_accumulator": 0x0012,
    "resolution_accumulator": 0x0013,
    "nps_tally": 0x0020,
    "weighted_nps_tally": 0x0021,
    "grouped_nps": 0x0022,
    "score_histogram": 0x0014,
    "rating_accumulator": 0x0015,
    "metric_set": 0x0030,
    "group_by": 0x0031,
    "summary_state": 0x0060,
}
KIND = {"nps": 0, "csat": 1, "ces": 2, "binary": 3, "custom": 4}
KEY_KIND = {"dense": 0, "dense_runtime": 1, "uint64": 2, "int64": 3, "uint32": 4, "int32": 5,
            "string": 6}
METHOD = {"wald": 0, "adjusted_wald": 1, "wilson": 2, "jeffreys": 3, "clopper_pearson": 4,
          "agresti_coull": 5, "t": 6, "bayes_dirichlet": 7, "bootstrap": 8, "newcombe": 9,
          "tango": 10, "wilson_cc": 11, "mover": 12}


def preamble_and(tag, payload, state_version=1):
    head = MAGIC + struct.pack("<BBHII", FORMAT_VERSION, state_version, TAG[tag], len(payload),
                               zlib.crc32(payload) & 0xFFFFFFFF)
    return head + payload


def scale(kind, lo, hi, high_min, low_max):
    return struct.pack("<Biiii", KIND[kind], lo, hi, high_min, low_max)


NPS = scale("nps", 0, 10, 9, 6)
BINARY = scale("binary", 0, 1, 1, 0)


def counts(scale_bytes, n, w=None, w2=None):
    out = scale_bytes + struct.pack("<BI", 1 if w is not None else 0, len(n))
    out += struct.pack("<%dQ" % len(n), *n)
    if w is not None:
        out += struct.pack("<%dd" % len(w), *w) + struct.pack("<%dd" % len(w2), *w2)
    return out


def nested(tag, payload, state_version=1):
    """A member whose type the reader checks: u16 tag, u8 version, u32 length, state."""
    return struct.pack("<HBI", TAG[tag], state_version, len(payload)) + payload


def string(text):
    data = text.encode("utf-8")
    return struct.pack("<I", len(data)) + data


# nps_options{} (level 0.95, adjusted_wald, prior 0.5, 2000 replicates, seed 0x5eed)
NPS_OPTIONS = struct.pack("<dBdQQ", 0.95, METHOD["adjusted_wald"], 0.5, 2000, 0x5EED)
# csat_options{} (level 0.95, top_box 2, wilson) and its scale::csat(2)
CSAT_OPTIONS = struct.pack("<diB", 0.95, 2, METHOD["wilson"])
CSAT2 = scale("csat", 1, 5, 4, 2)


def nps_bins(*scores):
    n = [0] * 11
    for s in scores:
        n[s] += 1
    return n


def group_by(keys, prototype_tag, prototype, groups, prototype_version=1):
    """keys: [(kind, cardinality)]; groups: [(key bytes, state bytes)] in ascending key order."""
    out = struct.pack("<I", len(keys))
    for kind, cardinality in keys:
        out += struct.pack("<BI", KEY_KIND[kind], cardinality)
    out += nested(prototype_tag, prototype, prototype_version) + struct.pack("<I", len(groups))
    for key, state in groups:
        out += key + state
    return out


def summary_counts(rows, nps, csat, ces, resolved, unknown):
    """A summary group's metric_set<score_histogram x3, resolution_accumulator>
    payload on the default scales (bins in scale order; resolved = [no, yes])."""
    return (struct.pack("<QI", rows, 4)
            + nested("score_histogram", counts(NPS, nps))
            + nested("score_histogram", counts(CSAT2, csat))
            + nested("score_histogram", counts(CES5, ces))
            + nested("resolution_accumulator", counts(BINARY, resolved) + struct.pack("<Q", unknown), V2))


def count_map(pairs):
    """u32 count, then (string, u64) pairs in ascending name order."""
    return struct.pack("<I", len(pairs)) + b"".join(string(k) + struct.pack("<Q", v) for k, v in sorted(pairs))


CES5 = scale("ces", 1, 7, 5, 3)
# The input of summary_state.bin (tests/summary_state_test.cpp writes the same
# text to a file): 5 rows, one resolved answer empty.
SUMMARY_CSV = ("timestamp,channel,nps,csat,resolved\n"
               "2024-01-05T10:00:00Z,phone,10,5,yes\n"
               "2024-01-06T10:00:00Z,chat,7,4,no\n"
               "2024-02-01T10:00:00Z,phone,9,3,\n"
               "2024-01-31T23:00:00Z,phone,3,1,no\n"
               "2024-02-10T10:00:00Z,chat,0,2,yes\n")
# Predefined fields in response_field order and the column each was read from.
SUMMARY_COLUMNS = ["", "timestamp", "channel", "", "", "nps", "csat", "", "resolved", "", ""]
JAN_2024 = (2024 - 1970) * 12  # months since 1970-01


def summary_state_file():
    out = struct.pack("<IBB", 2, 0, 1)  # keys: channel, month
    out += struct.pack("<i", 0)  # UTC offset
    out += nested("metric_set", summary_counts(0, [0] * 11, [0] * 5, [0] * 7, [0, 0], 0))
    out += struct.pack("<I", 0)  # no declared score fields
    out += struct.pack("<I", len(SUMMARY_COLUMNS)) + b"".join(string(c) for c in SUMMARY_COLUMNS)
    out += struct.pack("<Q", 1)  # one read noted
    out += struct.pack("<5Q", 5, 5, 0, 0, len(SUMMARY_CSV.encode()))
    out += count_map([]) + count_map([])
    out += count_map([("channel", 0), ("csat", 0), ("nps", 0), ("resolved", 1), ("timestamp", 0)])
    out += struct.pack("<B?B?", ord(","), True, ord("."), False)
    groups = [  # (channel, month) ascending; hand counts of SUMMARY_CSV
        ("chat", JAN_2024, summary_counts(1, nps_bins(7), [0, 0, 0, 1, 0], [0] * 7, [1, 0], 0)),
        ("chat", JAN_2024 + 1, summary_counts(1, nps_bins(0), [0, 1, 0, 0, 0], [0] * 7, [0, 1], 0)),
        ("phone", JAN_2024, summary_counts(2, nps_bins(10, 3), [1, 0, 0, 0, 1], [0] * 7, [1, 1], 0)),
        ("phone", JAN_2024 + 1, summary_counts(1, nps_bins(9), [0, 0, 1, 0, 0], [0] * 7, [0, 0], 1)),
    ]
    out += struct.pack("<I", len(groups))
    for channel, month, state in groups:
        out += string(channel) + struct.pack("<i", month) + state
    return out


# State versions 2 of the metric accumulators: the histogram alone (options
# are given to result(), never stored).
V2 = 2


FILES = {
    # scale::custom(-3, 3, 1, -1)
    "scale_custom.bin": preamble_and("scale", scale("custom", -3, 3, 1, -1)),
    # NPS scores 0, 6, 7, 9, 10, 10 (unweighted)
    "score_counts_nps.bin": preamble_and("score_counts", counts(NPS, [1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 2])),
    # CES (easy from 5): add(2, 0.5), add(5, 1.25), add(5, 2.0)
    "score_counts_ces_weighted.bin": preamble_and(
        "score_counts",
        counts(scale("ces", 1, 7, 5, 3), [0, 1, 0, 0, 2, 0, 0],
               [0.0, 0.5, 0.0, 0.0, 3.25, 0.0, 0.0],
               [0.0, 0.25, 0.0, 0.0, 1.25 * 1.25 + 4.0, 0.0, 0.0])),
    # default nps_options; scores 0, 6, 7, 9, 10, 10
    "nps_accumulator.bin": preamble_and(
        "nps_accumulator",
        struct.pack("<dBdQQ", 0.95, METHOD["adjusted_wald"], 0.5, 2000, 0x5EED)
        + counts(NPS, [1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 2])),
    # csat_options{level 0.9, top_box 1, jeffreys}; add(5, 2.0), add(1, 0.5), add(4, 1.0)
    "csat_accumulator_weighted.bin": preamble_and(
        "csat_accumulator",
        struct.pack("<diB", 0.9, 1, METHOD["jeffreys"])
        + counts(scale("csat", 1, 5, 5, 1), [1, 0, 0, 1, 1],
                 [0.5, 0.0, 0.0, 1.0, 2.0], [0.25, 0.0, 0.0, 1.0, 4.0])),
    # ces_options{level 0.99, easy_min 6, clopper_pearson}; scores 1, 6, 7, 7
    "ces_accumulator.bin": preamble_and(
        "ces_accumulator",
        struct.pack("<diB", 0.99, 6, METHOD["clopper_pearson"])
        + counts(scale("ces", 1, 7, 6, 2), [1, 0, 0, 0, 0, 1, 2])),
    # default resolution_options; yes, yes, no, unknown, unknown
    "resolution_accumulator.bin": preamble_and(
        "resolution_accumulator",
        struct.pack("<dB", 0.95, METHOD["wilson"]) + counts(BINARY, [1, 2]) + struct.pack("<Q", 2)),
    # nps_tally{5, 2, 9}
    "nps_tally.bin": preamble_and("nps_tally", struct.pack("<QQQ", 5, 2, 9)),
    # weighted_nps_tally{{2, 1.5, 1.25}, {0, 0, 0}, {1, 0.5, 0.25}}
    "weighted_nps_tally.bin": preamble_and(
        "weighted_nps_tally",
        struct.pack("<QddQddQdd", 2, 1.5, 1.25, 0, 0.0, 0.0, 1, 0.5, 0.25)),
    # grouped_nps, shape {2, 3}, cell i = {i, 2i, 3i + 1}
    "grouped_nps.bin": preamble_and(
        "grouped_nps",
        struct.pack("<III", 2, 2, 3) + struct.pack("<I", 6)
        + b"".join(struct.pack("<QQQ", i, 2 * i, 3 * i + 1) for i in range(6))),
    # score_histogram on scale::csat(1); scores 5, 5, 2, 1
    "score_histogram.bin": preamble_and(
        "score_histogram", counts(scale("csat", 1, 5, 5, 1), [1, 1, 0, 0, 2])),
    # metric_set<nps_accumulator, csat_accumulator>, default options; 4 rows:
    # {nps 9, csat 5}, {nps 3}, {csat 4}, {} (no answer)
    "metric_set_nps_csat.bin": preamble_and(
        "metric_set",
        struct.pack("<QI", 4, 2)
        + nested("nps_accumulator", NPS_OPTIONS + counts(NPS, nps_bins(9, 3)))
        + nested("csat_accumulator", CSAT_OPTIONS + counts(CSAT2, [0, 0, 0, 1, 1]))),
    # group_by<nps_accumulator, dense_key<4>, std::string>, default options;
    # (0, "chat") 10, 9; (2, "chat") 7, 8, 0; (0, "phone") 6; (3, "email") a
    # response without an NPS answer (the group exists, empty). Groups by
    # ascending (channel, segment).
    "group_by_nps_dense4_string.bin": preamble_and(
        "group_by",
        group_by([("dense", 4), ("string", 0)], "nps_accumulator", NPS_OPTIONS + counts(NPS, nps_bins()), [
            (struct.pack("<I", 0) + string("chat"), NPS_OPTIONS + counts(NPS, nps_bins(10, 9))),
            (struct.pack("<I", 0) + string("phone"), NPS_OPTIONS + counts(NPS, nps_bins(6))),
            (struct.pack("<I", 2) + string("chat"), NPS_OPTIONS + counts(NPS, nps_bins(7, 8, 0))),
            (struct.pack("<I", 3) + string("email"), NPS_OPTIONS + counts(NPS, nps_bins())),
        ])),
    # --- state version 2 (options out of the state) ---
    # nps_accumulator, scores 0, 6, 7, 9, 10, 10
    "nps_accumulator_v2.bin": preamble_and(
        "nps_accumulator", counts(NPS, [1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 2]), V2),
    # csat_accumulator on scale::csat(1); add(5, 2.0), add(1, 0.5), add(4, 1.0)
    "csat_accumulator_weighted_v2.bin": preamble_and(
        "csat_accumulator",
        counts(scale("csat", 1, 5, 5, 1), [1, 0, 0, 1, 1],
               [0.5, 0.0, 0.0, 1.0, 2.0], [0.25, 0.0, 0.0, 1.0, 4.0]), V2),
    # ces_accumulator on scale::ces(6); scores 1, 6, 7, 7
    "ces_accumulator_v2.bin": preamble_and(
        "ces_accumulator", counts(scale("ces", 1, 7, 6, 2), [1, 0, 0, 0, 0, 1, 2]), V2),
    # resolution_accumulator; yes, yes, no, unknown, unknown
    "resolution_accumulator_v2.bin": preamble_and(
        "resolution_accumulator", counts(BINARY, [1, 2]) + struct.pack("<Q", 2), V2),
    # rating_accumulator (version 1) on scale::custom(1, 5, 4, 2); scores 5, 4, 4, 2, 1
    "rating_accumulator.bin": preamble_and(
        "rating_accumulator", counts(scale("custom", 1, 5, 4, 2), [1, 1, 0, 2, 1])),
    # metric_set<nps_accumulator, csat_accumulator> (version 1) with members in
    # state version 2; the rows of metric_set_nps_csat.bin
    "metric_set_nps_csat_v2.bin": preamble_and(
        "metric_set",
        struct.pack("<QI", 4, 2)
        + nested("nps_accumulator", counts(NPS, nps_bins(9, 3)), V2)
        + nested("csat_accumulator", counts(CSAT2, [0, 0, 0, 1, 1]), V2)),
    # group_by<nps_accumulator, dense_key<4>, std::string> (version 1), the
    # groups of group_by_nps_dense4_string.bin, prototype and groups in state
    # version 2
    "group_by_nps_dense4_string_v2.bin": preamble_and(
        "group_by",
        group_by([("dense", 4), ("string", 0)], "nps_accumulator", counts(NPS, nps_bins()), [
            (struct.pack("<I", 0) + string("chat"), counts(NPS, nps_bins(10, 9))),
            (struct.pack("<I", 0) + string("phone"), counts(NPS, nps_bins(6))),
            (struct.pack("<I", 2) + string("chat"), counts(NPS, nps_bins(7, 8, 0))),
            (struct.pack("<I", 3) + string("email"), counts(NPS, nps_bins())),
        ], V2)),
    # cxm::summary_state keyed by (channel, month), of SUMMARY_CSV read with
    # the default ingest options
    "summary_state.bin": preamble_and("summary_state", summary_state_file()),
}

if __name__ == "__main__":
    for name, data in sorted(FILES.items()):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        print("%-32s %4d bytes  crc32 %08x" % (name, len(data), zlib.crc32(data[16:]) & 0xFFFFFFFF))
