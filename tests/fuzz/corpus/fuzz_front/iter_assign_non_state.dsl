let r = iterate a = 1 { b = 2 } until true max 3
