# common.sh: sourced by the benchmark scripts after `set -e` with the build directory in $1:
# where sinter and the outputs are, Debian's Python (with NumPy, SciPy, POT), the result row
# (name, sinter, reference, ratio, target), and cc_bench NAME, which builds bench/NAME.c
# against libsinter into $out/NAME.
build=${1:-build}
sinter="$build/bin/sinter"
out="$build/bench"
mkdir -p "$out"
py=/usr/bin/python3
cc_bench() {
  gcc -std=c11 -D_GNU_SOURCE -O3 -march=native -fopenmp -Iinclude "bench/$1.c" \
    "$build/lib/libsinter.a" -lopenblas -lcjson -lm -lpthread -o "$out/$1"
}
row() { printf '%-34s %-16s %-16s %-9s %s\n' "$1" "$2" "$3" "$4" "$5"; }
