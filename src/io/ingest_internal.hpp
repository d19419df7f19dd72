// Internal: the machinery the readers share (not installed), one idea a header:
//
//   text.hpp          blanks, ASCII case, UTF-8 checks; the text of messages
//   local_dict.hpp    a chunk's dictionary of strings
//   fast_parse.hpp    the fast forms of a weight and a timestamp
//   chunk_out.hpp     one chunk's accepted rows (a response_batch whose channel,
//                     segment and agent columns still hold chunk-local ids), its
//                     rejects and counts; mutable access to a batch's columns
//   field_rules.hpp   row_builder: the field rules of io/ingest.hpp applied to
//                     one row at a time, appending accepted rows to a chunk_out
//                     (or recording a reject)
//   session.hpp       the reader-wide state: global dictionaries, channel set,
//                     summary; delivers chunk_outs in input order (remapping the
//                     local ids, so ids are given in order of first accepted use
//                     whatever the chunking), enforces strict mode
//   column_match.hpp  the columns of a header, JSON keys or variable names
//   byte_source.hpp   file (pread, so threads can fill their own slices),
//                     memory, std::istream
#pragma once

#include "io/byte_source.hpp"
#include "io/chunk_out.hpp"
#include "io/column_match.hpp"
#include "io/fast_parse.hpp"
#include "io/field_rules.hpp"
#include "io/local_dict.hpp"
#include "io/session.hpp"
#include "io/text.hpp"
