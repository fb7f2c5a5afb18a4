#!/usr/bin/python3
"""gen_malformed.py: writes the malformed safetensors, .npy and CSV files in
tests/conformance/malformed/ and EXPECTED, the message each must be rejected with, for
tests/runtime/test_malformed.c. Also writes tests/conformance/safetensors/, small valid files
made here from the format's description (an independent writer), for test_safetensors.c.

Run: /usr/bin/python3 tests/conformance/gen_malformed.py   (standard library only)

EXPECTED lines are FILE<TAB>MESSAGE; the message is the whole error text, the path included.
Safetensors files are opened and then every tensor is taken; CSV files are read with the label
in the last column; .npy files are read.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "malformed")
VALID = os.path.join(HERE, "safetensors")
PREFIX = "tests/conformance/malformed/"

cases = []  # (file name, bytes, expected message without the path prefix)


def case(name, data, msg):
    cases.append((name, data, msg))


# --- safetensors ---------------------------------------------------------------------------

def st(header, data=b"", pad=True, raw=False):
    """A safetensors file: header (a dict, or bytes when raw) padded with spaces to 8."""
    h = header if raw else json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


F32x6 = {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
case("st_empty.safetensors", b"",
     "truncated: 0 bytes, but a safetensors file starts with an 8-byte header length")
case("st_short.safetensors", b"\x10\x00\x00",
     "truncated: 3 bytes, but a safetensors file starts with an 8-byte header length")
case("st_huge_header_length.safetensors", struct.pack("<Q", 1 << 40) + b"{}",
     "header length 1099511627776 exceeds the limit of 100000000 bytes")
case("st_header_past_end.safetensors", struct.pack("<Q", 1000) + b"{}" + b" " * 30,
     "header length 1000 runs past the end of the file (40 bytes)")
case("st_bad_json.safetensors", st(b'{"a":{"dtype":"F32","shape":[2,', raw=True),
     "header is not valid JSON (near byte 39 of the file)")
case("st_bad_utf8.safetensors", st(b'{"w\xff":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}', raw=True),
     "header is not valid UTF-8 (byte 11 of the file)")
case("st_overlong_utf8.safetensors", st(b'{"\xc0\xaf":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}', raw=True),
     "header is not valid UTF-8 (byte 10 of the file)")
case("st_not_object.safetensors", st(b"[1,2,3]", raw=True), "header is not a JSON object")
case("st_trailing_garbage.safetensors", st(b'{}xx', raw=True),
     "unexpected byte 0x78 after the JSON header (byte 10 of the file)")
case("st_nul_padding.safetensors", st(b'{}\x00\x00\x00\x00\x00\x00', raw=True, pad=False),
     "unexpected byte 0x00 after the JSON header (byte 10 of the file)")
case("st_unknown_dtype.safetensors", st({"w": dict(F32x6, dtype="F33")}, b"\0" * 24),
     "tensor 'w': unknown dtype 'F33'")
case("st_unsupported_dtype.safetensors", st({"w": dict(F32x6, dtype="U16", data_offsets=[0, 12])}, b"\0" * 12),
     "tensor 'w': dtype U16 is not supported (sinter reads BOOL, U8, I8, I32, I64, F16, BF16, F32 and F64)")
case("st_dtype_not_string.safetensors", st({"w": dict(F32x6, dtype=7)}, b"\0" * 24),
     "tensor 'w': dtype is not a string")
case("st_shape_negative.safetensors", st({"w": dict(F32x6, shape=[-2, 3])}, b"\0" * 24),
     "tensor 'w': shape entry 0 is not a non-negative integer")
case("st_shape_fraction.safetensors", st({"w": dict(F32x6, shape=[2, 1.5])}, b"\0" * 24),
     "tensor 'w': shape entry 1 is not a non-negative integer")
case("st_shape_not_array.safetensors", st({"w": dict(F32x6, shape="2,3")}, b"\0" * 24),
     "tensor 'w': shape is not an array")
case("st_rank_9.safetensors", st({"w": dict(F32x6, shape=[1] * 9, data_offsets=[0, 4])}, b"\0" * 4),
     "tensor 'w': shape has 9 dimensions; at most 8 are supported")
case("st_length_mismatch.safetensors", st({"w": dict(F32x6, data_offsets=[0, 20])}, b"\0" * 20),
     "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] hold 20")
case("st_huge_dims.safetensors", st({"w": dict(F32x6, shape=[4294967296, 4294967296, 16], data_offsets=[0, 8])}, b"\0" * 8),
     "tensor 'w': shape [4294967296, 4294967296, 16] of F32 needs more than 18446744073709551615 bytes but data_offsets [0, 8] hold 8")
case("st_offsets_past_end.safetensors", st({"w": dict(F32x6, data_offsets=[8, 32])}, b"\0" * 24),
     "tensor 'w': data_offsets [8, 32] run past the end of the data (24 bytes)")
case("st_offsets_reversed.safetensors", st({"w": dict(F32x6, data_offsets=[24, 0])}, b"\0" * 24),
     "tensor 'w': data_offsets [24, 0] end before they begin")
case("st_offsets_three.safetensors", st({"w": dict(F32x6, data_offsets=[0, 12, 24])}, b"\0" * 24),
     "tensor 'w': data_offsets must be two non-negative integers [begin, end]")
case("st_offsets_huge.safetensors", st({"w": dict(F32x6, data_offsets=[0, 2 ** 60])}, b"\0" * 24),
     "tensor 'w': data_offsets must be two non-negative integers [begin, end]")
case("st_overlap.safetensors",
     st({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
         "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}, b"\0" * 24),
     "tensors 'a' and 'b' overlap: data_offsets [0, 16] and [8, 24]")
case("st_same_offsets.safetensors",
     st({"a": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]},
         "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
     "tensors 'a' and 'b' overlap: data_offsets [0, 8] and [0, 8]")
case("st_gap.safetensors",
     st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
         "b": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]}}, b"\0" * 24),
     "tensor 'b': its data starts at byte 16 but the data before it ends at 8 (a gap)")
case("st_trailing_data.safetensors", st({"w": F32x6}, b"\0" * 30),
     "6 bytes of data after the last tensor")
case("st_duplicate_name.safetensors",
     st(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        b"\0" * 8, raw=True),
     "duplicate tensor name 'a'")
case("st_missing_offsets.safetensors", st({"w": {"dtype": "F32", "shape": [2, 3]}}, b"\0" * 24),
     "tensor 'w': missing \"data_offsets\"")
case("st_unexpected_key.safetensors", st({"w": dict(F32x6, layout="strided")}, b"\0" * 24),
     "tensor 'w': unexpected key 'layout'")
case("st_duplicate_key.safetensors",
     st(b'{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4, raw=True),
     "tensor 'w': duplicate key 'dtype'")
case("st_entry_not_object.safetensors", st({"w": [1, 2]}), "tensor 'w': its entry is not an object")
case("st_metadata_not_string.safetensors", st({"__metadata__": {"epoch": 3}}),
     "__metadata__ value for 'epoch' is not a string")
case("st_metadata_not_object.safetensors", st({"__metadata__": "pt"}), "__metadata__ is not an object")
case("st_bool_byte.safetensors", st({"mask": {"dtype": "BOOL", "shape": [4], "data_offsets": [0, 4]}}, b"\1\0\2\1"),
     "tensor 'mask': BOOL element 2 is 2, not 0 or 1")
case("st_deep_json.safetensors", st(b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}", raw=True),
     "header is not valid JSON (near byte 1012 of the file)")

# Sharded models: a valid shard, and indexes that disagree with it.
shard = st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}},
           struct.pack("<ffq", 1.5, -2.0, 7))
case("shard-00001-of-00001.safetensors", shard, None)


def index(weight_map):
    return json.dumps({"metadata": {"total_size": 16}, "weight_map": weight_map}, indent=2).encode()


case("idx_missing_shard.index.json", index({"a": "shard-00001-of-00001.safetensors", "b": "gone.safetensors"}),
     "cannot open: No such file or directory")
case("idx_path_traversal.index.json", index({"a": "../malformed/shard-00001-of-00001.safetensors"}),
     "tensor 'a' maps to '../malformed/shard-00001-of-00001.safetensors', which is not a file name in the index's directory")
case("idx_unlisted_tensor.index.json", index({"a": "shard-00001-of-00001.safetensors"}),
     "shard shard-00001-of-00001.safetensors holds tensor 'b', which the index does not list")
case("idx_absent_tensor.index.json",
     index({"a": "shard-00001-of-00001.safetensors", "b": "shard-00001-of-00001.safetensors",
            "c": "shard-00001-of-00001.safetensors"}),
     "tensor 'c' is listed for shard shard-00001-of-00001.safetensors, which does not hold it")
case("idx_no_weight_map.index.json", json.dumps({"metadata": {}}).encode(), "no \"weight_map\" object")
case("idx_bad_json.index.json", b'{"weight_map": {"a": "x.safetensors",}}', "not valid JSON (near byte 38)")

# --- .npy ----------------------------------------------------------------------------------


def npy(header, data=b"", version=1, pad=True):
    h = header if isinstance(header, bytes) else header.encode("latin1")
    pre = 10 if version == 1 else 12
    if pad:
        h += b" " * ((64 - (pre + len(h) + 1) % 64) % 64) + b"\n"
    size = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + size + h + data


OK_F4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
case("np_empty.npy", b"", "truncated: 0 bytes, shorter than the .npy preamble")
case("np_bad_magic.npy", b"\x93NUMPX\x01\x00" + b"\0" * 64, "not a .npy file (no \\x93NUMPY magic)")
case("np_version_4.npy", npy(OK_F4, b"\0" * 24)[:6] + b"\x04\x00" + npy(OK_F4, b"\0" * 24)[8:],
     "unsupported .npy version 4.0 (1.0, 2.0 and 3.0 are read)")
case("np_header_past_end.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", 500) + OK_F4.encode(),
     "header length 500 runs past the end of the file (69 bytes)")
case("np_truncated_data.npy", npy(OK_F4, b"\0" * 20),
     "truncated: the array needs 24 bytes of data but the file has 20")
case("np_extra_data.npy", npy(OK_F4, b"\0" * 28), "4 bytes after the array data")
case("np_complex.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16),
     "dtype '<c8' is not supported (sinter reads bool, int8, uint8, int32, int64, float16, float32 and float64)")
case("np_object.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", b"\0" * 16),
     "dtype '|O' is not supported (sinter reads bool, int8, uint8, int32, int64, float16, float32 and float64)")
case("np_structured.npy", npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,), }", b"\0" * 8),
     "bad header at byte 20: structured dtypes (a list descr) are not supported")
case("np_missing_shape.npy", npy("{'descr': '<f4', 'fortran_order': False, }"),
     "bad header at byte 52: no 'shape' key")
case("np_extra_key.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", b"\0" * 8),
     "bad header at byte 66: unexpected key 'x'")
case("np_shape_list.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", b"\0" * 24),
     "bad header at byte 60: shape must be a tuple, not a list")
case("np_shape_negative.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
     "bad header at byte 61: expected a non-negative integer in the shape")
case("np_huge_dims.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"),
     "shape too large: its size overflows")
case("np_dim_overflow.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"),
     "bad header at byte 79: a dimension is too large")
case("np_rank_9.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", b"\0" * 4),
     "bad header at byte 85: more than 8 dimensions")
case("np_one_tuple.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", b"\0" * 12),
     "bad header at byte 62: a one-element shape needs a trailing comma, as in (3,)")
case("np_fortran_int.npy", npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", b"\0" * 24),
     "bad header at byte 44: fortran_order must be True or False")
case("np_unbalanced_quote.npy", npy("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }", b"\0" * 24),
     "dtype '<f4, ' is not supported (sinter reads bool, int8, uint8, int32, int64, float16, float32 and float64)")
case("np_duplicate_key.npy", npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b"\0" * 8),
     "bad header at byte 27: duplicate key 'descr'")
case("np_text_after.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", b"\0" * 8),
     "bad header at byte 68: unexpected text after the dict")
case("np_bad_utf8_v3.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".encode() + b"\xe2\x82", b"\0" * 8, version=3),
     "header is not valid UTF-8 (byte 69 of the file)")
case("np_non_ascii_v1.npy", npy(b"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\xe9", b"\0" * 8),
     "header has a non-ASCII byte at byte 67 of the file")
case("np_bool_byte.npy", npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", b"\1\0\7"),
     "bool element 2 is 7, not 0 or 1")
case("np_huge_header.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + OK_F4.encode(),
     "header length 1073741824 exceeds the limit of 1048576 bytes")

# --- CSV -----------------------------------------------------------------------------------
case("csv_empty.csv", b"", "empty file: a header row naming the columns is needed")
case("csv_blank_only.csv", b"\n\r\n\n", "empty file: a header row naming the columns is needed")
case("csv_short_row.csv", b"a,b,y\n1,2,x\n3,4\n", "3: 2 fields, but the header names 3 columns")
case("csv_long_row.csv", b"a,b,y\n1,2,x,9\n", "2: more than the 3 fields the header names")
case("csv_not_a_number.csv", b"a,b,y\n1,2,x\n3,four,y\n", "3:2: column 'b': expected a number, got 'four'")
case("csv_missing_value.csv", b"a,b,y\n1,,x\n", "2:2: column 'b': empty value (missing values are not supported)")
case("csv_empty_label.csv", b"a,b,y\n1,2,\n", "2:3: column 'y': empty label")
case("csv_empty_column_name.csv", b"a,,y\n1,2,3\n", "1:2: empty column name in the header")
case("csv_duplicate_column.csv", b"a,b,a\n1,2,3\n", "1:3: duplicate column name 'a' (also column 1)")
case("csv_unclosed_quote.csv", b'a,b,y\n1,2,"cat\n3,4,dog\n', "2:3: a quoted field is not closed before the end of the file")
case("csv_text_after_quote.csv", b'a,b,y\n1,2,"cat"s\n', "2:3: text after the closing quote of a field")
case("csv_stray_quote.csv", b'a,b,y\n1,2",x\n', "2:2: a quote inside an unquoted field (quote the whole field)")
case("csv_bad_utf8.csv", b"a,b,y\n1,2,caf\xc3\n", "2:3: invalid UTF-8")
case("csv_nul_byte.csv", b"a,b,y\n1,2,c\0t\n", "2:3: a NUL byte in a field")
case("csv_multiline_then_error.csv", b'a,b,y\n1,2,"two\nlines"\n3,x,z\n', "4:2: column 'b': expected a number, got 'x'")
case("csv_label_overflow.csv", b"a,y\n1,18446744073709551616\n", "2:2: column 'y': 18446744073709551616 does not fit 64 bits")


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(VALID, exist_ok=True)
    lines = []
    for name, data, msg in cases:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        if msg is None:
            continue
        if name.startswith("idx_missing_shard"):
            full = PREFIX + "gone.safetensors: " + msg
        elif name.startswith("csv_") and msg[0].isdigit():
            full = PREFIX + name + ":" + msg
        else:
            full = PREFIX + name + ": " + msg
        lines.append(f"{name}\t{full}")
    with open(os.path.join(OUT, "EXPECTED"), "w") as f:
        f.write("\n".join(lines) + "\n")

    # Valid files from this independent writer: keys in another order than sinter writes them,
    # a header padded with newlines and tabs, metadata, and a tensor at an odd offset.
    data = struct.pack("<4f", 1, 2, 3, 4) + struct.pack("<3H", 0x3F80, 0xC000, 0x7F80) + b"\x05" + struct.pack("<2d", 0.5, -0.25)
    header = {"__metadata__": {"format": "pt", "note": "é"},
              "z_f32": {"shape": [2, 2], "data_offsets": [0, 16], "dtype": "F32"},
              "y_bf16": {"data_offsets": [16, 22], "dtype": "BF16", "shape": [3]},
              "x_u8": {"dtype": "U8", "shape": [], "data_offsets": [22, 23]},
              "w_f64": {"dtype": "F64", "shape": [2], "data_offsets": [23, 39]}}
    h = json.dumps(header, ensure_ascii=False).encode() + b"\n\t "
    with open(os.path.join(VALID, "mixed.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)
    empty = json.dumps({"e": {"dtype": "I32", "shape": [0, 4], "data_offsets": [0, 0]}}).encode()
    with open(os.path.join(VALID, "empty_tensor.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(empty)) + empty)
    print(f"{OUT}: {len(lines)} malformed files; {VALID}: 2 valid files")


if __name__ == "__main__":
    main()
