print([true, false] @ [true, false])
