let r = iterate a = 1.0 { a = [1.0, 2.0] } until true max 3
