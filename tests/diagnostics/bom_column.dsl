let y = zz + 1
# the byte-order mark before line 1 takes no column: the caret is under zz
