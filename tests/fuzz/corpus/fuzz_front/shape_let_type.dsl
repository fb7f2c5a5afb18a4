let x: f32[3] = zeros(4)
