#!/usr/bin/python3
"""gen_dtype.py: writes tests/conformance/dtype_torch.txt, PyTorch's dtype conversions as the
reference for runtime/core/dtype.c (checked by tests/runtime/test_dtype.c, which needs no Python).

Run with Debian's interpreter (it has torch and numpy): /usr/bin/python3 tests/conformance/gen_dtype.py

Two kinds of lines:
  cv SRC DST SRCBITS DSTBITS CLASS   one conversion: raw bits in hex (the width of the dtype)
  sweep NAME SRC DST COUNT HASH      every input of a sweep defined in test_dtype.c; HASH is
                                     sweep_hash() of the raw output bits
The sweeps:
  all16      every 16-bit pattern i (i = 0..65535)
  grid       (hi << 16) | lo for hi = 0..65535 and lo in GRID_LO
  weyl32     (k * 0x9E3779B1) mod 2^32 for k = 0..2^20-1
  weyl64     (k * 0x9E3779B97F4A7C15) mod 2^64 for k = 0..2^18-1

NaN into bf16: torch's vectorised CPU kernel writes 0xFFFF, its scalar c10::BFloat16 0x7FC0; the
runtime follows c10 (a positive quiet NaN), so bf16 results for NaN inputs are c10's.
Floats into integers are recorded only in range: torch leaves the rest undefined.
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dtype_torch.txt")
GRID_LO = [0x0000, 0x0001, 0x0FFF, 0x1000, 0x1001, 0x1FFF, 0x2000, 0x3000, 0x5000, 0x7000,
           0x7FFF, 0x8000, 0x8001, 0x9000, 0xB000, 0xF000, 0xFFFF]

TORCH = {"bool": torch.bool, "i8": torch.int8, "u8": torch.uint8, "i32": torch.int32,
         "i64": torch.int64, "f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32,
         "f64": torch.float64}
# The unsigned integer type holding each dtype's raw bits, and its width in hex digits.
RAW = {"bool": (np.uint8, 2), "i8": (np.uint8, 2), "u8": (np.uint8, 2), "i32": (np.uint32, 8),
       "i64": (np.uint64, 16), "f16": (np.uint16, 4), "bf16": (np.uint16, 4),
       "f32": (np.uint32, 8), "f64": (np.uint64, 16)}
SIGNED_VIEW = {np.uint8: torch.uint8, np.uint16: torch.int16, np.uint32: torch.int32,
               np.uint64: torch.int64}


def from_bits(bits, dtype):
    """A torch tensor of `dtype` whose raw bits are `bits` (an array of RAW[dtype])."""
    raw = np.ascontiguousarray(np.asarray(bits, dtype=RAW[dtype][0]))
    signed = raw.view({np.uint8: np.uint8, np.uint16: np.int16, np.uint32: np.int32,
                       np.uint64: np.int64}[RAW[dtype][0]])
    return torch.from_numpy(signed.copy()).view(TORCH[dtype])


def to_bits(t, dtype):
    unsigned = RAW[dtype][0]
    view = t.contiguous().view(SIGNED_VIEW[unsigned]).numpy()
    return view.view(unsigned) if view.dtype != unsigned else view


def is_nan(bits, dtype):
    if dtype not in ("f16", "bf16", "f32", "f64"):
        return np.zeros(len(bits), dtype=bool)
    return torch.isnan(from_bits(bits, dtype).to(torch.float64)).numpy()


def convert(bits, src, dst):
    out = to_bits(from_bits(bits, src).to(TORCH[dst]), dst).copy()
    if dst == "bf16":
        out[is_nan(bits, src)] = 0x7FC0
    return out


def sweep_hash(out):
    """sum(mix(out_i) * (2i + 1)) mod 2^64, mix a multiply-xorshift-multiply of out_i + 1."""
    w = np.arange(len(out), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    with np.errstate(over="ignore"):
        m = (out.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        m ^= m >> np.uint64(32)
        m *= np.uint64(0xD6E8FEB86659FD93)
        return int((m * w).sum(dtype=np.uint64))


def f32(vals):
    return np.asarray(vals, dtype=np.float32).view(np.uint32)


def f64(vals):
    return np.asarray(vals, dtype=np.float64).view(np.uint64)


def main():
    rng = np.random.default_rng(20240611)
    lines = []

    def cv(src, dst, bits, cls):
        bits = np.asarray(bits, dtype=RAW[src][0])
        out = convert(bits, src, dst)
        ws, wd = RAW[src][1], RAW[dst][1]
        for b, o in zip(bits, out):
            lines.append(f"cv {src} {dst} {int(b):0{ws}x} {int(o):0{wd}x} {cls}")

    # --- f32 inputs by class ---------------------------------------------------------------
    special = [0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x00800000,
               0x3F800000, 0xBF800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000]
    nans = [0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FA00000, 0x7FFFFFFF, 0xFFFFFFFF,
            0x7F812345, 0x7FC12345, 0x7F802000, 0x7F801000, 0x7F800FFF]
    normals = f32(np.concatenate([rng.standard_normal(24) * 10.0 ** k for k in range(-6, 7)]))
    sub32 = rng.integers(1, 0x800000, 40, dtype=np.uint32) | (rng.integers(0, 2, 40, dtype=np.uint32) << 31)
    # f16's subnormal range [2^-24, 2^-14) and just below it.
    sub16 = f32(np.ldexp(rng.random(40), rng.integers(-26, -14, 40)) * rng.choice([-1, 1], 40))
    # Exact ties: the bits below the kept mantissa are exactly one half.
    e16 = rng.integers(-14, 16, 40)  # f16 normal exponents
    tie16 = (((e16 + 127).astype(np.uint32) << 23) | (rng.integers(0, 1 << 10, 40, dtype=np.uint32) << 13)
             | 0x1000)
    k = rng.integers(0, 1024, 40)
    tie16sub = f32(np.ldexp(k + 0.5, -24) * rng.choice([-1, 1], 40))
    tie16sub = np.concatenate([tie16sub, f32([2.0 ** -25, 3 * 2.0 ** -25, -(2.0 ** -25), 5 * 2.0 ** -25])])
    nb = rng.integers(0, 1 << 16, 40, dtype=np.uint32)
    tiebf = (nb << 16) | 0x8000
    neartie = np.concatenate([(nb[:20] << 16) | 0x7FFF, (nb[20:] << 16) | 0x8001])
    over16 = f32([65504, 65505, 65519, 65519.996, 65520, 65536, 1e5, -65520, -65519.996, 3.4e38])
    overbf = np.array([0x7F7F7FFF, 0x7F7F8000, 0x7F7FFFFF, 0x7F7EFFFF, 0x7F7E8000,
                       0xFF7F8000, 0xFF7F7FFF], dtype=np.uint32)
    under = f32([2.0 ** -150, 2.0 ** -149, 1e-45, -1e-45, 2.0 ** -26, 2.0 ** -25 * 0.999])
    f32_classes = [("special", special), ("nan", nans), ("normal", normals),
                   ("f32-subnormal", sub32), ("f16-subnormal", sub16), ("f16-tie", tie16),
                   ("f16-subnormal-tie", tie16sub), ("bf16-tie", tiebf), ("bf16-near-tie", neartie),
                   ("f16-overflow", over16), ("bf16-overflow", overbf), ("underflow", under)]
    for cls, bits in f32_classes:
        for dst in ("f16", "bf16", "f64", "bool"):
            cv("f32", dst, bits, cls)

    # Floats to integers, in range only.
    ints_f = f32([0.0, -0.0, 0.5, -0.5, 0.999, -0.999, 1.5, -1.5, 2.5, 126.9, 127.0, -128.0,
                  -127.99, 254.5, 255.99])
    for dst in ("i8", "u8"):
        vals = np.frombuffer(ints_f.tobytes(), dtype=np.float32)
        lo, hi = (-128, 127) if dst == "i8" else (0, 255)
        keep = (vals > lo - 1) & (vals < hi + 1)
        cv("f32", dst, ints_f[keep], "to-int")
    big = f32(np.concatenate([rng.standard_normal(30) * 1e6, [2147483520.0, -2147483648.0,
                                                                16777217.0, -0.75]]))
    cv("f32", "i32", big, "to-int")
    cv("f32", "i64", f32([9.2e18, -9.2e18, 1e10, -1e10, 123456789.0, -0.5]), "to-int")
    d = np.concatenate([rng.standard_normal(20) * 1e9, [2147483647.9, -2147483648.9, -0.9]])
    d = f64(d[(d > -2147483649.0) & (d < 2147483648.0)])
    cv("f64", "i32", d, "to-int")
    cv("f64", "i64", f64([9.223372036854775e18, -9.223372036854775808e18, 4503599627370497.0,
                          -1e15 - 0.5]), "to-int")
    cv("f16", "i32", np.array([0x3C00, 0xBE00, 0x7BFF, 0xFBFF, 0x0001, 0x5640], dtype=np.uint16), "to-int")
    cv("bf16", "i64", np.array([0x3F80, 0xBFC0, 0x4F00, 0x5E80, 0x0001], dtype=np.uint16), "to-int")

    # --- f64 inputs --------------------------------------------------------------------------
    f64_special = f64([0.0, -0.0, 1.0, -2.5, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                       np.inf, -np.inf, 3.4028235677973366e38, 3.4028235677973362e38,
                       1.401298464324817e-45, 7.006492321624085e-46, 7.006492321624087e-46])
    f64_nan = np.array([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001,
                        0x7FFFFFFFFFFFFFFF, 0x7FF4000000000000], dtype=np.uint64)
    m = rng.integers(0, 1 << 23, 30, dtype=np.uint64)
    ex = (rng.integers(-20, 20, 30) + 1023).astype(np.uint64)
    # Exact f32 ties (bit 28 of the f64 mantissa set, below it zero), and double rounding cases
    # (just above an f16/bf16 tie in f64, a tie once rounded to f32).
    tie32 = (ex << np.uint64(52)) | (m << np.uint64(29)) | np.uint64(1 << 28)
    dround = f64([1 + 2.0 ** -11 + 2.0 ** -40, 1 + 2.0 ** -8 + 2.0 ** -40, 1 + 2.0 ** -11 - 2.0 ** -40,
                  65519.99999999, 65520.0000001])
    f64_normals = f64(np.concatenate([rng.standard_normal(20) * 10.0 ** k for k in (-30, -5, 0, 5, 30)]))
    for cls, bits in [("special", f64_special), ("nan", f64_nan), ("f32-tie", tie32),
                      ("double-rounding", dround), ("normal", f64_normals)]:
        for dst in ("f32", "f16", "bf16", "bool"):
            cv("f64", dst, bits, cls)

    # --- 16-bit inputs ------------------------------------------------------------------------
    h = rng.integers(0, 1 << 16, 40, dtype=np.uint16)
    h16 = np.concatenate([h, np.array([0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00,
                                       0xFC00, 0x7E00, 0x7D00, 0xFE01, 0x7FFF], dtype=np.uint16)])
    for dst in ("f32", "f64", "bf16", "bool"):
        cv("f16", dst, h16, "f16-pattern")
    b16 = np.concatenate([h, np.array([0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x7F7F, 0x7F80,
                                       0xFF80, 0x7FC0, 0x7FA0, 0xFFC1, 0x7FFF], dtype=np.uint16)])
    for dst in ("f32", "f64", "f16", "bool"):
        cv("bf16", dst, b16, "bf16-pattern")

    # --- integer inputs -------------------------------------------------------------------------
    i32v = np.concatenate([rng.integers(-2 ** 31, 2 ** 31, 30, dtype=np.int64),
                           [16777217, 16777219, -16777217, 2147483647, -2147483648, 0, 1, -1,
                            65504, 65519, 65520, 300, -300, 255, 256]]).astype(np.int32).view(np.uint32)
    for dst in ("f32", "f64", "f16", "bf16", "i8", "u8", "i64", "bool"):
        cv("i32", dst, i32v, "i32")
    i64v = np.concatenate([rng.integers(-2 ** 63, 2 ** 63 - 1, 30, dtype=np.int64),
                           np.array([2 ** 53 + 1, 2 ** 53 + 3, 2 ** 63 - 1, -2 ** 63, 2 ** 24 + 1,
                                     -(2 ** 62) - 2 ** 38 - 1, 0, 1, -1, 4294967296 + 300],
                                    dtype=np.int64)]).view(np.uint64)
    for dst in ("f32", "f64", "f16", "bf16", "i8", "u8", "i32", "bool"):
        cv("i64", dst, i64v, "i64")
    all8 = np.arange(256, dtype=np.uint8)
    for src in ("i8", "u8"):
        for dst in ("f16", "bf16", "f32", "i8", "u8", "i32", "bool"):
            if dst != src:
                cv(src, dst, all8, src)
    for dst in ("i8", "u8", "i32", "i64", "f16", "bf16", "f32", "f64"):
        cv("bool", dst, np.array([0, 1], dtype=np.uint8), "bool")

    # --- sweeps -------------------------------------------------------------------------------
    all16 = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)
    grid = ((np.arange(1 << 16, dtype=np.uint32)[:, None] << 16)
            | np.array(GRID_LO, dtype=np.uint32)[None, :]).reshape(-1)
    with np.errstate(over="ignore"):
        weyl32 = (np.arange(1 << 20, dtype=np.uint64) * np.uint64(0x9E3779B1)).astype(np.uint32)
        weyl64 = np.arange(1 << 18, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    sweeps = [("all16", "f16", "f32", all16), ("all16", "bf16", "f32", all16),
              ("all16", "f16", "bf16", all16), ("all16", "bf16", "f16", all16),
              ("grid", "f32", "f16", grid), ("grid", "f32", "bf16", grid),
              ("weyl32", "f32", "f16", weyl32), ("weyl32", "f32", "bf16", weyl32),
              ("weyl64", "f64", "f32", weyl64),
              ("weyl64", "f64", "f16", weyl64), ("weyl64", "f64", "bf16", weyl64)]
    for name, src, dst, bits in sweeps:
        out = convert(bits, src, dst)
        lines.append(f"sweep {name} {src} {dst} {len(bits)} {sweep_hash(out):016x}")

    with open(OUT, "w") as f:
        f.write("# PyTorch %s conversions, made by gen_dtype.py; see its docstring.\n" % torch.__version__)
        f.write("\n".join(lines) + "\n")
    print(f"{OUT}: {len(lines)} lines")


if __name__ == "__main__":
    main()
