let r = iterate a = 1 { a = a + 1 } until a > 2 max 2.5
