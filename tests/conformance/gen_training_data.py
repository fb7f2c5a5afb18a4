#!/usr/bin/python3
"""gen_training_data.py: writes the small training sets of docs/training.md ("Data") in each format
sinter loads, all holding the same six examples (two f32 features, an integer class): NumPy's
.npy (tests/lang/data/train_x.npy, f32 [6, 2], and train_y.npy, i64 [6]), safetensors
(train.safetensors, tensors "x" and "y", written here by the format's specification: an 8-byte
little-endian header length, the JSON header, the data) and CSV (train.csv, a header row, the
label last). Run with Debian's interpreter: /usr/bin/python3 tests/conformance/gen_training_data.py
"""
import json
import os
import struct

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lang", "data")

X = np.array([[0.5, 1.0], [1.5, -0.5], [-1.0, 2.0], [0.0, 0.25], [2.5, 1.5], [-0.75, -1.25]], dtype=np.float32)
Y = np.array([0, 2, 1, 0, 2, 1], dtype=np.int64)


def safetensors(path, tensors):
    header, data = {}, b""
    for name, t in tensors.items():
        raw = np.ascontiguousarray(t).astype(t.dtype.newbyteorder("<")).tobytes()
        dtype = {np.float32: "F32", np.int64: "I64"}[t.dtype.type]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


np.save(os.path.join(DATA, "train_x.npy"), X)
np.save(os.path.join(DATA, "train_y.npy"), Y)
safetensors(os.path.join(DATA, "train.safetensors"), {"x": X, "y": Y})
with open(os.path.join(DATA, "train.csv"), "w") as f:
    f.write("width,height,class\n")
    for row, label in zip(X, Y):
        f.write(f"{float(row[0])!r},{float(row[1])!r},{label}\n")
