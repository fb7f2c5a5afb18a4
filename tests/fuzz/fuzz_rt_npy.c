/* fuzz_rt_npy.c: libFuzzer target for the .npy reader: any bytes are either rejected with a
 * message or give a tensor whose every element can be read. */
#include "sinter.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  SnTensor *t = sn_npy_parse(data, size, "fuzz.npy");
  if (!t) return 0;
  volatile uint8_t sink = 0;
  const uint8_t *p = t->data;
  size_t n = (size_t)sn_tensor_numel(t) * sn_dtype_size((SnDtype)t->dtype);
  for (size_t k = 0; k < n; k++) sink ^= p[k];
  sn_tensor_release(t);
  return 0;
}
