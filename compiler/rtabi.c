/* rtabi.c: the table of runtime functions (rtabi.def, see rtabi.h). */
#include "rtabi.h"

#include "sinter.h"
#include "sinter/abi.h"

#define RT_KIND(k, kind) K_##kind
#define RT(id, fn, ret, flags, n, params) \
  [RT_##id] = {#fn, (void *)fn, K_##ret, n, {RT_MAP(RT_KIND, K_VOID, n, params)}, flags},
#define RT_LOWERING(id, fn, ret, flags, n, params) RT(id, fn, ret, (flags) | RTF_LOWERING, n, params)
const RtInfo rt_fns[] = {
#include "rtabi.def"
};
_Static_assert(sizeof rt_fns / sizeof *rt_fns == RT_NFNS, "a runtime function without its row");

int rt_fixed_operands(RtFn f) {
  int n = 0;
  for (int i = 0; i < rt_fns[f].nparams; i++) n += rt_fns[f].params[i] != K_RANK && rt_fns[f].params[i] != K_SHAPE;
  return n;
}
