/* fuzz_rt_csv.c: libFuzzer target for the CSV reader. The first byte picks the options (label
 * column, feature dtype, delimiter (0: found from the header line), header), the rest is the
 * text. */
#include "sinter.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  static const char *const labels[4] = {NULL, "first", "last", "y"};
  static const char delims[4] = {0, ';', '\t', ' '};
  SnCsvSpec spec = {labels[data[0] & 3], (data[0] & 4) ? SN_F64 : SN_F32, delims[(data[0] >> 3) & 3],
                    ((data[0] >> 5) & 3) % 3};
  SnCsvData d;
  if (sn_csv_parse((const char *)data + 1, size - 1, "fuzz.csv", &spec, &d) == 0) {
    volatile double sink = 0;
    int64_t n = sn_tensor_numel(d.x);
    for (int64_t i = 0; i < n; i++) sink += sn_tensor_get_f64(d.x, i);
    for (int64_t i = 0; d.y && i < sn_tensor_numel(d.y); i++) sink += sn_tensor_get_f64(d.y, i);
  }
  sn_csv_free(&d);
  return 0;
}
