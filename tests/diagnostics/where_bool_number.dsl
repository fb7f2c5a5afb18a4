print(where([true, false], [true, true], 1))
