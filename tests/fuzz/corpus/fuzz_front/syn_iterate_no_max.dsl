let r = iterate x = 1 { x = x + 1 } until x > 3
