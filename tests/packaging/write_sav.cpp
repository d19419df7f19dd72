// Writes the SPSS file the packaging consumers read through ReadStat
// (conan/test_package/responses.sav): two variables, `id` (string) and `nps`
// (numeric), eight rows with the scores 10 9 9 8 7 6 3 10, uncompressed, with
// a fixed file timestamp so that the bytes depend on nothing but ReadStat's
// writer. 4 promoters (9-10) and 2 detractors (0-6) of 8: NPS = 25.
//
//   write_sav <output.sav>
#include <cstdio>
#include <ctime>

#include <readstat.h>

namespace {

ssize_t write_bytes(const void* data, size_t len, void* ctx) {
  return static_cast<ssize_t>(std::fwrite(data, 1, len, static_cast<std::FILE*>(ctx)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_sav <output.sav>\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "wb");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 3;
  }
  constexpr double scores[] = {10, 9, 9, 8, 7, 6, 3, 10};
  constexpr const char* ids[] = {"r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"};
  readstat_writer_t* w = readstat_writer_init();
  readstat_set_data_writer(w, &write_bytes);
  readstat_writer_set_file_label(w, "cxmetrics packaging test");
  readstat_writer_set_file_timestamp(w, static_cast<time_t>(1709640000));  // 2024-03-05 12:00:00 UTC
  readstat_variable_t* id = readstat_add_variable(w, "id", READSTAT_TYPE_STRING, 8);
  readstat_variable_t* nps = readstat_add_variable(w, "nps", READSTAT_TYPE_DOUBLE, 0);
  readstat_error_t rc = readstat_begin_writing_sav(w, f, 8);
  for (int i = 0; i < 8 && rc == READSTAT_OK; ++i) {
    rc = readstat_begin_row(w);
    if (rc == READSTAT_OK) rc = readstat_insert_string_value(w, id, ids[i]);
    if (rc == READSTAT_OK) rc = readstat_insert_double_value(w, nps, scores[i]);
    if (rc == READSTAT_OK) rc = readstat_end_row(w);
  }
  if (rc == READSTAT_OK) rc = readstat_end_writing(w);
  readstat_writer_free(w);
  const bool closed = std::fclose(f) == 0;
  if (rc != READSTAT_OK || !closed) {
    std::fprintf(stderr, "write_sav: %s\n", rc != READSTAT_OK ? readstat_error_message(rc) : "close failed");
    return 1;
  }
  return 0;
}
