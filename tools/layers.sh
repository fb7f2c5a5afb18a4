#!/bin/sh
# layers.sh: the include and call graphs of runtime/ and compiler/, checked for circles, and the
# runtime's layers checked for uses from below (docs/design.md, "The runtime's layers").
#
#   tools/layers.sh [--strict] [BUILD]      from the repository's root; BUILD defaults to build
#
# The include graph joins a file to the headers it includes ("..." only, resolved as the
# Makefile's -I flags do: the file's folder, include/, then runtime/ or compiler/). The call
# graph joins an object under BUILD/obj to the objects defining its undefined symbols (nm).
# A file and its header count as one module (sema.c and sema.h are compiler/sema), and so do the
# files of a module split by concern, which share an internal header NAME_int.h: NAME_*.c are
# the module NAME (sema_call.c, sema_shape.c, ... are compiler/sema), one walk whose files may
# call each other.
#
# runtime/ must have no cycle in either graph, and a file of one layer may use (include or call)
# only its own layer and those below it: core < math < io, ot (io and ot do not use each other) < plot
# (which uses io, not ot);
# a runtime file includes headers only, never another .c file. include/sinter/<layer>.h belongs
# to its layer, include/sinter/abi.h to core (it includes core.h alone), and the umbrella
# include/sinter.h is for programs, not for the runtime's own files. Every failure is an error.
# compiler/ cycles are listed as warnings, errors with --strict.
# Exit status: 0 when there is no error, 1 otherwise.
set -eu

# The runtime's layers, each with those it may use: a new layer is a folder and an entry here.
LAYERS="core: math:core io:core,math ot:core,math plot:core,math,io"

strict=0
if [ "${1:-}" = --strict ]; then
  strict=1
  shift
fi
BUILD=${1:-build}
[ -d "$BUILD/obj/runtime" ] || {
  echo "layers.sh: $BUILD/obj/runtime: no objects; build first (make)" >&2
  exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "I FROM TO": FROM includes TO, both paths from the root.
includes() {
  find "$@" -type f \( -name '*.c' -o -name '*.h' -o -name '*.re' -o -name '*.y' \) | sort >"$tmp/files"
  xargs grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' <"$tmp/files" | awk -v files="$tmp/files" '
    function normal(p,   n, part, out, i, k) {
      n = split(p, part, "/")
      k = 0
      for (i = 1; i <= n; i++) {
        if (part[i] == "." || part[i] == "") continue
        if (part[i] == ".." && k > 0 && out[k] != "..") k--
        else out[++k] = part[i]
      }
      p = out[1]
      for (i = 2; i <= k; i++) p = p "/" out[i]
      return p
    }
    BEGIN { while ((getline f <files) > 0) exists[f] = 1 }
    {
      colon = index($0, ":")
      from = substr($0, 1, colon - 1)
      inc = substr($0, colon + 1)
      sub(/^[^"]*"/, "", inc)
      sub(/".*/, "", inc)
      dir = from
      sub(/\/[^\/]*$/, "", dir)
      top = from
      sub(/\/.*/, "", top)
      split(dir "/" inc SUBSEP "include/" inc SUBSEP top "/" inc, cand, SUBSEP)
      for (i = 1; i <= 3; i++)
        if (normal(cand[i]) in exists) {
          print "I", from, normal(cand[i])
          break
        }
    }'
}

# "D MODULE SYMBOL" for what an object defines, "U MODULE SYMBOL" for what it needs; objects
# whose source is gone (left by an older layout) are passed over.
symbols() {
  find "$@" -name '*.o' | sort | while read -r o; do
    m=${o#"$BUILD"/obj/}
    case $m in
    gen/*) src=$BUILD/${m%.o}.c ;;
    *) src=${m%.o}.c ;;
    esac
    if [ -f "$src" ]; then echo "$o"; fi
  done >"$tmp/objects"
  [ -s "$tmp/objects" ] || return 0
  # nm -A: "OBJECT:ADDRESS TYPE SYMBOL", or "OBJECT: U SYMBOL" for an undefined one
  { xargs nm -A -g --defined-only <"$tmp/objects"; xargs nm -A -u <"$tmp/objects"; } |
    awk -v prefix="$BUILD/obj/" '
      NF == 3 {
        m = substr($1, length(prefix) + 1)
        sub(/\.o:.*/, "", m)
        print $2 == "U" ? "U" : "D", m, $3
      }'
}

includes runtime include >"$tmp/runtime.inc"
symbols "$BUILD/obj/runtime" >"$tmp/runtime.sym"
includes compiler include >"$tmp/compiler.inc"
compiler_objs=
for d in "$BUILD/obj/compiler" "$BUILD/obj/gen"; do [ -d "$d" ] && compiler_objs="$compiler_objs $d"; done
[ -n "$compiler_objs" ] && symbols $compiler_objs >"$tmp/compiler.sym" || : >"$tmp/compiler.sym"

# The modules split by concern: each NAME_int.h's NAME.
split_modules=$(find compiler runtime -name '*_int.h' | sed 's/_int\.h$//' | sort | tr '\n' ' ')

check() { # TREE SEVERITY LAYERS FILES...
  tree=$1 severity=$2 layers=$3
  shift 3
  cat "$@" | awk -v tree="$tree" -v severity="$severity" -v layers="$layers" -v layer_table="$LAYERS" \
    -v split_modules="$split_modules" '
    function module(p,   i) {
      sub(/\.(c|h|re|y)$/, "", p)
      for (i = 1; i <= nsplit; i++)
        if (index(p, splits[i] "_") == 1) return splits[i]
      return p
    }

    function layer(m,   p) {
      if (m ~ /^runtime\//) {
        split(m, p, "/")
        return m ~ /^runtime\/[^\/]+\/./ && (p[2] in rank) ? p[2] : "?"
      }
      if (m == "include/sinter") return "umbrella"
      if (m == "include/sinter/abi") return "core"
      if (m == "include/sinter/mathpoly") return "math"
      if (m ~ /^include\/sinter\//) { sub(/^include\/sinter\//, "", m); return m in rank ? m : "?" }
      return "?"
    }

    # May layer a use layer b? Its own, the ones below it; the umbrella uses every layer.
    function allowed(a, b) { return a == b || a == "umbrella" || ((a, b) in below) }

    function edge(kind, a, b, why) {
      if (a == b) return
      if (!((kind, a, b) in has)) {
        has[kind, a, b] = why
        nout[kind, a]++
        out[kind, a, nout[kind, a]] = b
        node[kind, a] = 1
        node[kind, b] = 1
      } else if (why != "" && length(has[kind, a, b]) < 60) {
        has[kind, a, b] = has[kind, a, b] ", " why
      }
    }

    # Tarjan: the strongly connected components of graph `kind`; each one of several modules is
    # a circle.
    function strong(kind, v,   i, j, w, scc, n) {
      idx[kind, v] = low[kind, v] = ++counter
      stack[++sp] = v
      on[kind, v] = 1
      for (i = 1; i <= nout[kind, v]; i++) {
        w = out[kind, v, i]
        if (!((kind, w) in idx)) {
          strong(kind, w)
          if (low[kind, w] < low[kind, v]) low[kind, v] = low[kind, w]
        } else if (on[kind, w] && idx[kind, w] < low[kind, v]) {
          low[kind, v] = idx[kind, w]
        }
      }
      if (low[kind, v] != idx[kind, v]) return
      n = 0
      do {
        w = stack[sp--]
        on[kind, w] = 0
        member[++n] = w
      } while (w != v)
      if (n < 2) return
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && member[j - 1] > member[j]; j--) {
          w = member[j]; member[j] = member[j - 1]; member[j - 1] = w
        }
      scc = member[1]
      for (i = 2; i <= n; i++) scc = scc " " member[i]
      problem(kind " circle: " scc)
      for (i = 1; i <= n; i++) for (w = 1; w <= n; w++)
        if ((kind, member[i], member[w]) in has)
          print "  " member[i] " -> " member[w] (has[kind, member[i], member[w]] != "" ? ": " has[kind, member[i], member[w]] : "")
    }

    function problem(text) {
      print severity ": " tree ": " text
      problems++
    }

    BEGIN {
      nsplit = split(split_modules, splits, " ")
      n = split(layer_table, entry, " ")
      for (i = 1; i <= n; i++) {
        split(entry[i], part, ":")
        rank[part[1]] = 1
        m = split(part[2], uses, ",")
        for (j = 1; j <= m; j++) below[part[1], uses[j]] = 1
      }
    }
    $1 == "I" {
      if (layers && $3 ~ /\.c$/) problem($2 " includes " $3 ": a file includes headers only")
      edge("include", module($2), module($3), "")
      next
    }
    $1 == "D" { if (!($3 in def)) def[$3] = module($2); next }
    $1 == "U" { need[++nneed] = module($2) SUBSEP $3; next }
    END {
      for (i = 1; i <= nneed; i++) {
        split(need[i], p, SUBSEP)
        if (p[2] in def) edge("call", p[1], def[p[2]], p[2])
      }
      nodes = 0
      for (k in node) {
        split(k, p, SUBSEP)
        list[p[1], ++count[p[1]]] = p[2]
        if (!(p[2] in seen)) { seen[p[2]] = 1; nodes++ }
      }
      for (g = 1; g <= 2; g++) {
        kind = g == 1 ? "include" : "call"
        # sorted, so that the report is the same on every run
        for (i = 2; i <= count[kind]; i++)
          for (j = i; j > 1 && list[kind, j - 1] > list[kind, j]; j--) {
            t = list[kind, j]; list[kind, j] = list[kind, j - 1]; list[kind, j - 1] = t
          }
        sp = 0
        for (i = 1; i <= count[kind]; i++)
          if (!((kind, list[kind, i]) in idx)) strong(kind, list[kind, i])
        if (!layers) continue
        for (i = 1; i <= count[kind]; i++) {
          a = list[kind, i]
          if (a !~ /^runtime\//) continue
          if (layer(a) == "?") { problem(a ": not in a layer folder (LAYERS in tools/layers.sh)"); continue }
          for (j = 1; j <= nout[kind, a]; j++) {
            b = out[kind, a, j]
            lb = layer(b)
            if (lb == "?" && b !~ /^runtime\//) continue
            if (lb == "umbrella" || !allowed(layer(a), lb))
              problem(a " (" layer(a) ") " (kind == "include" ? "includes " : "calls ") b " (" lb ")" \
                      (has[kind, a, b] != "" ? ": " has[kind, a, b] : ""))
          }
        }
      }
      edges = 0
      for (k in has) edges++
      if (!problems)
        print tree ": " nodes " modules, " edges " include and call edges: no circles" \
              (layers ? "; every layer uses only itself and the layers below it" : "")
      exit problems > 0
    }'
}

status=0
check runtime error 1 "$tmp/runtime.inc" "$tmp/runtime.sym" || status=1
if [ "$strict" = 1 ]; then
  check compiler error 0 "$tmp/compiler.inc" "$tmp/compiler.sym" || status=1
else
  check compiler warning 0 "$tmp/compiler.inc" "$tmp/compiler.sym" || :
fi
exit $status
