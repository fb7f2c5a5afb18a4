let r = iterate a = 1 { a = a + 1 } until a max 3
