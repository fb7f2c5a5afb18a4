/* rtabi.c: the table of runtime functions (see rtabi.h). */
#include "rtabi.h"

#include "sinter.h"

const RtInfo rt_fns[RT_NFNS] = {
    [RT_PRINT_STR] = {"sn_print_str", (void *)sn_print_str, K_VOID, 1, {K_PTR}},
    [RT_PRINT_I64] = {"sn_print_i64", (void *)sn_print_i64, K_VOID, 1, {K_I64}},
    [RT_PRINT_BOOL] = {"sn_print_bool", (void *)sn_print_bool, K_VOID, 1, {K_I32}},
    [RT_PRINT_F32] = {"sn_print_f32", (void *)sn_print_f32, K_VOID, 1, {K_F32}},
    [RT_PRINT_F64] = {"sn_print_f64", (void *)sn_print_f64, K_VOID, 1, {K_F64}},
    [RT_PRINT_TENSOR] = {"sn_print_tensor", (void *)sn_print_tensor, K_VOID, 1, {K_PTR}},
    [RT_PRINT_END] = {"sn_print_end", (void *)sn_print_end, K_VOID, 0, {0}},
    [RT_TENSOR_NEW] = {"sn_tensor_new", (void *)sn_tensor_new, K_TENSOR, 2, {K_I32, K_DIMS}},
    [RT_TENSOR_FROM_DATA] = {"sn_tensor_from_data", (void *)sn_tensor_from_data, K_TENSOR, 3,
                             {K_I32, K_PTR, K_DIMS}},
    [RT_RANDOM] = {"sn_random", (void *)sn_random, K_TENSOR, 4, {K_I32, K_DIMS, K_I64, K_I32}},
    [RT_MATMUL] = {"sn_matmul", (void *)sn_matmul, K_TENSOR, 2, {K_PTR, K_PTR}},
    [RT_RETAIN] = {"sn_tensor_retain", (void *)sn_tensor_retain, K_VOID, 1, {K_PTR}},
    [RT_RELEASE] = {"sn_tensor_release", (void *)sn_tensor_release, K_VOID, 1, {K_PTR}},
    [RT_IPOW] = {"sn_ipow", (void *)sn_ipow, K_I64, 2, {K_I64, K_I64}},
    [RT_EXPF] = {"sn_expf", (void *)sn_expf, K_F32, 1, {K_F32}},
    [RT_EXP] = {"sn_exp", (void *)sn_exp, K_F64, 1, {K_F64}},
    [RT_LOGF] = {"sn_logf", (void *)sn_logf, K_F32, 1, {K_F32}},
    [RT_LOG] = {"sn_log", (void *)sn_log, K_F64, 1, {K_F64}},
    [RT_EXPF_SUMMAND] = {"sn_expf_summand", (void *)sn_expf_summand, K_F32, 1, {K_F32}},
    [RT_EXP_SUMMAND] = {"sn_exp_summand", (void *)sn_exp_summand, K_F64, 1, {K_F64}},
    [RT_FAIL_INDEX] = {"sn_fail_index", (void *)sn_fail_index, K_STATUS, 4, {K_PTR, K_PTR, K_I64, K_I64}},
    [RT_FAIL_DIMS] = {"sn_fail_dims", (void *)sn_fail_dims, K_STATUS, 4, {K_PTR, K_PTR, K_I64, K_I64}},
    [RT_FAIL_MSG] = {"sn_fail_msg", (void *)sn_fail_msg, K_STATUS, 2, {K_PTR, K_PTR}},
    [RT_FAIL_SIZE] = {"sn_fail_size", (void *)sn_fail_size, K_STATUS, 3, {K_PTR, K_PTR, K_I64}},
    [RT_CHECK_SHAPE] = {"sn_check_shape", (void *)sn_check_shape, K_STATUS, 5,
                        {K_PTR, K_PTR, K_PTR, K_PTR, K_DIMS}},
    [RT_PARALLEL_CHUNKS] = {"sn_parallel_chunks", (void *)sn_parallel_chunks, K_I64, 2, {K_I64, K_I64}},
    [RT_PARALLEL_FOR] = {"sn_parallel_for", (void *)sn_parallel_for, K_STATUS, 4,
                         {K_I64, K_I64, K_PTR, K_PTR}},
    [RT_NOW] = {"sn_now", (void *)sn_now, K_F64, 0, {0}},
};
