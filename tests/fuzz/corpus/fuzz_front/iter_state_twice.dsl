let r = iterate a = 1, a = 2 { a = a } until true max 1
