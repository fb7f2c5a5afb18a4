/* flatnonzero.c: the row-major positions of a mask's true elements (NumPy's flatnonzero), which
 * the compiler reads `x[mask]` through: its size is known only once the mask is. */
#include "core/rt_core.h"
#include "sinter/abi.h"

#include <stdint.h>

SnTensor *sn_flatnonzero(const SnTensor *mask) {
  int64_t n = sn_tensor_numel(mask), count = 0;
  for (int64_t i = 0; i < n; i++) count += *(const uint8_t *)sn_tensor_at(mask, i) != 0;
  SnTensor *pos = sn_tensor_new(SN_I64, 1, &count);
  if (!pos) return NULL;
  int64_t *p = pos->data;
  for (int64_t i = 0; i < n; i++)
    if (*(const uint8_t *)sn_tensor_at(mask, i)) *p++ = i;
  return pos;
}
