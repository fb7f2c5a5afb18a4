#!/usr/bin/python3
"""gen_npy.py: writes the reference .npy files in tests/conformance/npy/ with NumPy's own
writer, for tests/runtime/test_npy.c (which needs no Python).

Run with Debian's interpreter (it has numpy): /usr/bin/python3 tests/conformance/gen_npy.py

Every array holds values(dtype, n) (the same formula is in test_npy.c), reshaped:
  floats: (i - 7) * 0.37 computed in float64 then cast, with element 1 = inf, 2 = -0.0, 3 = nan
  ints:   (37 i - 100) cast with wrap-around;  bool: i % 3 == 0
Files: NAME_c.npy (version 1.0, C order, little-endian), NAME_f.npy (Fortran order),
NAME_be.npy (big-endian), NAME_v2.npy and NAME_v3.npy (format versions 2.0 and 3.0), all of
shape (2, 3, 4); f4_be_f.npy (big-endian and Fortran), f8_scalar.npy (shape ()), i4_vec.npy (5,),
f4_empty.npy (0, 3), and i8_py2.npy, a hand-made header in Python 2's style ((2L, 3L), no
trailing comma, double quotes) holding values of shape (2, 3).
"""
import os

import numpy as np
import numpy.lib.format as fmt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")
TYPES = {"b1": np.bool_, "i1": np.int8, "u1": np.uint8, "i4": np.int32, "i8": np.int64,
         "f2": np.float16, "f4": np.float32, "f8": np.float64}


def values(code, n):
    i = np.arange(n, dtype=np.int64)
    if code == "b1":
        return i % 3 == 0
    if code[0] == "f":
        v = (i - 7) * 0.37
        v[1:2] = np.inf
        v[2:3] = -0.0
        v[3:4] = np.nan
        return v.astype(TYPES[code])
    return (37 * i - 100).astype(TYPES[code])


def save(name, arr, version=None):
    with open(os.path.join(OUT, name), "wb") as f:
        fmt.write_array(f, arr, version=version, allow_pickle=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    for code in TYPES:
        a = values(code, 24).reshape(2, 3, 4)
        save(f"{code}_c.npy", a)
        save(f"{code}_f.npy", np.asfortranarray(a))
        if code not in ("b1", "i1", "u1"):
            save(f"{code}_be.npy", a.astype(a.dtype.newbyteorder(">")))
        save(f"{code}_v2.npy", a, version=(2, 0))
        save(f"{code}_v3.npy", a, version=(3, 0))
    save("f4_be_f.npy", np.asfortranarray(values("f4", 24).reshape(2, 3, 4).astype(">f4")))
    save("f8_scalar.npy", values("f8", 1).reshape(()))
    save("i4_vec.npy", values("i4", 5))
    save("f4_empty.npy", values("f4", 0).reshape(0, 3))
    header = b'{"descr": "<i8", "fortran_order": False, "shape": (2L, 3L)}'
    header += b" " * (64 - (10 + len(header) + 1) % 64) + b"\n"
    with open(os.path.join(OUT, "i8_py2.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header)
        f.write(values("i8", 6).tobytes())
    print(f"{OUT}: {len(os.listdir(OUT))} files")


if __name__ == "__main__":
    main()
