/* test_args.c: program arguments (runtime/io/args.c): each value must fit its declared dtype (the
 * limits of np.iinfo / np.finfo; a float is out of range when IEEE round-to-nearest takes it to
 * inf, as np.float32(x) does), an argument may be given once, and the messages name the
 * argument, the value and the range. */
#include "rt_test.h"

static SnArgSpec scalar(const char *name, SnArgKind kind, SnDtype dt, const char *type) {
  return (SnArgSpec){.name = name, .kind = kind, .dtype = dt, .type = type, .def = "0"};
}

/* Parses one argument `--x=text` of the given spec; returns sn_args_parse's result. */
static int parse_one(SnArgSpec spec, const char *text, SnArgValue *v) {
  char arg[256];
  snprintf(arg, sizeof arg, "--x=%s", text);
  char *argv[] = {arg};
  spec.name = "x";
  int r = sn_args_parse("p", 1, argv, &spec, 1, v);
  if (r == 0) sn_args_free(&spec, 1, v);
  return r;
}

#define ACCEPTS(spec, text)                                                         \
  do {                                                                              \
    SnArgValue v_;                                                                  \
    if (parse_one(spec, text, &v_) != 0) FAIL_AT("rejected %s: %s", text, sn_error_message()); \
  } while (0)
#define REJECTS(spec, text)                                                         \
  do {                                                                              \
    SnArgValue v_;                                                                  \
    if (parse_one(spec, text, &v_) != 1) FAIL_AT("accepted %s", text);              \
  } while (0)

TEST(integer_ranges) {
  SnArgSpec i8 = scalar("x", SN_ARG_I64, SN_I8, "i8"), u8 = scalar("x", SN_ARG_I64, SN_U8, "u8");
  SnArgSpec i32 = scalar("x", SN_ARG_I64, SN_I32, "i32"), i64 = scalar("x", SN_ARG_I64, SN_I64, "i64");
  ACCEPTS(i8, "-128"); ACCEPTS(i8, "127"); REJECTS(i8, "128"); REJECTS(i8, "-129");
  ACCEPTS(u8, "0"); ACCEPTS(u8, "255"); REJECTS(u8, "256"); REJECTS(u8, "-1");
  ACCEPTS(i32, "-2147483648"); ACCEPTS(i32, "2147483647"); REJECTS(i32, "2147483648");
  REJECTS(i32, "-2147483649"); REJECTS(i32, "4294967296");
  ACCEPTS(i64, "-9223372036854775808"); ACCEPTS(i64, "9223372036854775807");
  REJECTS(i64, "9223372036854775808"); REJECTS(i64, "-9223372036854775809");
  REJECTS(i64, "99999999999999999999");
  SnArgValue v;
  CHECK_EQ_INT(parse_one(i32, "2147483648", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x: 2147483648 is out of range for i32 (-2147483648 to 2147483647)");
  CHECK_EQ_INT(parse_one(i32, "1.5", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x: expected an integer (i32), got '1.5'");
}

TEST(float_ranges) {
  SnArgSpec f16 = scalar("x", SN_ARG_F64, SN_F16, "f16"), bf16 = scalar("x", SN_ARG_F64, SN_BF16, "bf16");
  SnArgSpec f32 = scalar("x", SN_ARG_F64, SN_F32, "f32"), f64 = scalar("x", SN_ARG_F64, SN_F64, "f64");
  /* the largest f16 is 65504; halfway to 2^16 is 65520, which rounds to even: inf */
  ACCEPTS(f16, "65504"); ACCEPTS(f16, "65519"); ACCEPTS(f16, "-65504"); REJECTS(f16, "65520"); REJECTS(f16, "1e5");
  /* the largest bf16 is (2 - 2^-7) 2^127 = 3.38953139e38; halfway to 2^128 is 3.39617e38 */
  ACCEPTS(bf16, "3.3895314e38"); REJECTS(bf16, "3.4e38");
  /* FLT_MAX = 3.40282347e38; halfway to 2^128 is 3.40282357e38: below it rounds to FLT_MAX */
  ACCEPTS(f32, "3.4028235e38"); ACCEPTS(f32, "-3.4028235677e38"); REJECTS(f32, "3.4028236e38");
  REJECTS(f32, "1e39");
  ACCEPTS(f32, "1e-50"); /* underflow rounds to 0, as in NumPy */
  ACCEPTS(f64, "1.7976931348623157e308"); REJECTS(f64, "1.8e308"); REJECTS(f64, "1e400"); REJECTS(f64, "-1e400");
  ACCEPTS(f64, "1e-400");
  /* infinities and NaN written as such are values the user chose */
  ACCEPTS(f32, "inf"); ACCEPTS(f32, "-inf"); ACCEPTS(f64, "nan");
  SnArgValue v;
  CHECK_EQ_INT(parse_one(f32, "1e400", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x: 1e400 is out of range for f32 (-3.4028235e38 to 3.4028235e38)");
  CHECK_EQ_INT(parse_one(f64, "-1e400", &v), 1);
  CHECK_STR(sn_error_message(),
            "p: argument --x: -1e400 is out of range for f64 (-1.7976931348623157e308 to 1.7976931348623157e308)");
}

TEST(tensor_elements_in_range) {
  SnArgSpec t = {.name = "x", .kind = SN_ARG_TENSOR, .dtype = SN_F32, .rank = 1, .type = "f32[n]", .def = "[0]"};
  ACCEPTS(t, "[1, 3.4e38, inf]");
  SnArgValue v;
  CHECK_EQ_INT(parse_one(t, "[1, 1e39]", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x (f32[n]): element 1 (1e+39) of '[1, 1e39]' is out of range for f32 "
                                "(-3.4028235e38 to 3.4028235e38)");
  t.dtype = SN_F64;
  t.type = "f64[n]";
  CHECK_EQ_INT(parse_one(t, "[2, 1e400, 1e500]", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x (f64[n]): element 1 (1e400) of '[2, 1e400, 1e500]' is out of range "
                                "for f64 (-1.7976931348623157e308 to 1.7976931348623157e308)");
  t.dtype = SN_I32;
  t.type = "i32[n]";
  CHECK_EQ_INT(parse_one(t, "[1, 2147483648]", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x (i32[n]): element 1 (2.14748e+09) of '[1, 2147483648]' is out of "
                                "range for i32 (-2147483648 to 2147483647)");
  CHECK_EQ_INT(parse_one(t, "[1.5]", &v), 1);
  CHECK_STR(sn_error_message(), "p: argument --x (i32[n]): element 0 (1.5) of '[1.5]' is not a valid i32");
}

TEST(given_twice) {
  SnArgSpec spec[2] = {scalar("n", SN_ARG_I64, SN_I64, "i64"), scalar("flag", SN_ARG_BOOL, SN_BOOL, "bool")};
  SnArgValue v[2];
  char *named[] = {"--n=3", "--n", "4"};
  CHECK_EQ_INT(sn_args_parse("p", 3, named, spec, 2, v), 1);
  CHECK_STR(sn_error_message(), "p: argument --n is given twice ('3' and '4')");
  char *positional[] = {"7", "--n=4"};
  CHECK_EQ_INT(sn_args_parse("p", 2, positional, spec, 2, v), 1);
  CHECK_STR(sn_error_message(), "p: argument --n is given twice ('7' and '4')");
  char *flags[] = {"--flag", "--flag=false"};
  CHECK_EQ_INT(sn_args_parse("p", 2, flags, spec, 2, v), 1);
  CHECK_STR(sn_error_message(), "p: argument --flag is given twice ('true' and 'false')");
  /* a named argument, then the next positional one: each given once */
  char *mixed[] = {"--n=4", "true"};
  CHECK_EQ_INT(sn_args_parse("p", 2, mixed, spec, 2, v), 0);
  CHECK_EQ_INT(v[0].i, 4);
  CHECK_EQ_INT(v[1].i, 1);
}
