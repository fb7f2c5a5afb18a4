# A file that starts with a UTF-8 byte-order mark (as some Windows editors save it) runs.
let x = 2
print(x * 21)
