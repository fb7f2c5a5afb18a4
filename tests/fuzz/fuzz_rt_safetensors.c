/* fuzz_rt_safetensors.c: libFuzzer target for the safetensors reader: any bytes are either
 * rejected with a message or give tensors whose every byte can be read. */
#include "sinter.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  SnStFile *f = sn_st_open_memory(data, size, "fuzz.safetensors");
  if (!f) return 0;
  volatile uint8_t sink = 0;
  for (int64_t i = 0; i < sn_st_count(f); i++) {
    SnTensor *t = sn_st_get(f, i);
    if (!t) continue;
    const uint8_t *p = t->data;
    size_t n = (size_t)sn_tensor_numel(t) * sn_dtype_size((SnDtype)t->dtype);
    for (size_t k = 0; k < n; k++) sink ^= p[k];
    sn_tensor_release(t);
  }
  for (int64_t i = 0; i < sn_st_metadata_count(f); i++)
    sink ^= (uint8_t)sn_st_metadata(f, sn_st_metadata_key(f, i))[0];
  sn_st_close(f);
  return 0;
}
