# modes: jit interp
# args: --resume=ck.safetensors
# `==` and `!=` compare a string argument when the program runs (a literal pair when compiling).
arg resume: str = ""
arg out: str = ""
print(resume == "", resume != "", resume == "ck.safetensors", out == "", out == resume, "a" != "a")
