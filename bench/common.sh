# common.sh: sourced by the benchmark scripts after `set -e` with the build directory in $1:
# where sinter and the outputs are, Debian's Python (with NumPy, SciPy, POT) and the result row
# (name, sinter, reference, ratio, target).
build=${1:-build}
sinter="$build/bin/sinter"
out="$build/bench"
mkdir -p "$out"
py=/usr/bin/python3
row() { printf '%-34s %-16s %-16s %-9s %s\n' "$1" "$2" "$3" "$4" "$5"; }
