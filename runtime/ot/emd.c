/* emd.c: exact optimal transport on a dense cost by the network simplex method (as POT's ot.emd,
 * from LEMON): the plan, its cost and the dual potentials. */
#include "ot/rt_ot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

/* An arc enters the basis only when its reduced cost is below -SN_OT_PRICE_EPS times the size of
 * its cost and end potentials (ten units in the last place), so rounding noise in the potentials
 * never drives a pivot; the value is LEMON's as adapted for transport by Bonneel et al. (2011). */
#define SN_OT_PRICE_EPS 2.2204460492503131e-15
/* Block search prices sqrt(arcs) arcs a block (LEMON's BLOCK_SIZE_FACTOR 1), at least this many. */
#define SN_OT_MIN_BLOCK 10
/* The default pivot limit is this many pivots per node: problems of a few thousand points need
 * about 20, so reaching it means something pathological, not a slow start. */
#define SN_OT_ITER_PER_NODE 1000
/* The potentials are recomputed from the tree this often (in pivots): each subtree shift adds up
 * to one rounding to the reduced costs of tree arcs, and the drift must stay far below the
 * pricing tolerance. */
#define SN_OT_REFRESH_EVERY 1024

/* --- network simplex -------------------------------------------------------------------------
 * The transport problem min <P, C> over P >= 0 with P 1 = a, P^T 1 = b as a minimum-cost flow
 * on the complete bipartite graph: node i < n is source i with supply a_i, node n + j is sink j
 * with supply -b_j, and real arc e = i m + j (i -> n + j) costs C_ij. The primal network simplex
 * keeps a spanning tree basis (Dantzig 1963; Ahuja, Magnanti & Orlin 1993, ch. 11) rooted at an
 * artificial node joined to every node by a big-M arc, stored LEMON's way (Kiraly & Kovacs 2012):
 * parent and pred arc, the preorder `thread` and its inverse, subtree sizes and last
 * successors, so a pivot costs the cycle, the stem and the moved subtree, never the whole graph.
 * Entering arcs are chosen by block search over the rows of C (Grigoriadis 1986); the leaving
 * arc by Cunningham's (1976) strongly feasible rule, so degenerate pivots cannot cycle.
 *
 * Every arc is uncapacitated and a non-tree arc carries no flow, so the arc state LEMON keeps
 * per arc is implied: an arc is in the tree exactly when it is the pred arc of one of its ends,
 * and flows live on nodes (the flow of the node's pred arc). That keeps the memory O(n + m)
 * besides C itself, which is read in place. Reduced costs are C_ij + pi_i - pi_{n+j} >= 0 at the
 * optimum, so u_i = -pi_i and v_j = pi_{n+j} are the dual potentials. */

typedef struct Simplex {
  int64_t n, m;          /* sources (rows of C) and sinks (columns) */
  const double *cost;    /* n x m, row-major; real arc e is (e / m) -> n + e % m */
  int64_t arcs;          /* n m; the artificial arc of node u is arcs + u */
  int32_t root;          /* the artificial root, node n + m */
  double art_cost;       /* the big-M cost of the artificial arc root -> sink */
  double *supply;        /* [root + 1]: a_i for sources, -b_j for sinks */
  double *pi;            /* [root + 1] node potentials */
  double *flow;          /* [root + 1] flow on the node's pred arc */
  int64_t *pred;         /* [root + 1] the tree arc from the node to its parent */
  uint8_t *up;           /* [root + 1] 1 when the pred arc points from the node to its parent */
  int32_t *parent, *thread, *rev_thread, *succ_num, *last_succ; /* [root + 1] */
  int32_t *dirty;        /* [root + 1] scratch: nodes whose thread changed in a pivot */
  int64_t block;         /* arcs priced per block */
  int64_t next_arc;      /* where the next pricing pass starts */
  int reference;         /* price with the plain loop (the oracle for the vector kernel) */
  /* The pivot under way. */
  int64_t in_arc;
  int32_t join, u_in, v_in, u_out;
  double delta;
} Simplex;

static inline int32_t arc_src(const Simplex *s, int64_t e) {
  if (e < s->arcs) return (int32_t)(e / s->m);
  int32_t u = (int32_t)(e - s->arcs);
  return s->supply[u] >= 0 ? u : s->root;
}

static inline int32_t arc_tgt(const Simplex *s, int64_t e) {
  if (e < s->arcs) return (int32_t)(s->n + e % s->m);
  int32_t u = (int32_t)(e - s->arcs);
  return s->supply[u] >= 0 ? s->root : u;
}

static inline double arc_cost(const Simplex *s, int64_t e) {
  if (e < s->arcs) return s->cost[e];
  return s->supply[e - s->arcs] >= 0 ? 0 : s->art_cost;
}

static inline int in_tree(const Simplex *s, int64_t e) {
  return s->pred[e / s->m] == e || s->pred[s->n + e % s->m] == e;
}

static inline double reduced_cost(const Simplex *s, int64_t e) {
  return arc_cost(s, e) + s->pi[arc_src(s, e)] - s->pi[arc_tgt(s, e)];
}

/* The magnitude the pricing tolerance is relative to: the arc's cost and end potentials. */
static inline double arc_scale(const Simplex *s, int64_t e) {
  double a = fabs(s->pi[arc_src(s, e)]), b = fabs(s->pi[arc_tgt(s, e)]), c = fabs(arc_cost(s, e));
  return fmax(fmax(a, b), c);
}

static void simplex_free(Simplex *s) {
  free(s->supply);
  free(s->pi);
  free(s->flow);
  free(s->pred);
  free(s->up);
  free(s->parent);
  free(s->thread);
  free(s->rev_thread);
  free(s->succ_num);
  free(s->last_succ);
  free(s->dirty);
}

static SnStatus simplex_alloc(Simplex *s) {
  size_t k = (size_t)s->root + 1;
  s->supply = malloc(k * sizeof *s->supply);
  s->pi = malloc(k * sizeof *s->pi);
  s->flow = malloc(k * sizeof *s->flow);
  s->pred = malloc(k * sizeof *s->pred);
  s->up = malloc(k);
  s->parent = malloc(k * sizeof(int32_t));
  s->thread = malloc(k * sizeof(int32_t));
  s->rev_thread = malloc(k * sizeof(int32_t));
  s->succ_num = malloc(k * sizeof(int32_t));
  s->last_succ = malloc(k * sizeof(int32_t));
  s->dirty = malloc(k * sizeof(int32_t));
  if (!s->supply || !s->pi || !s->flow || !s->pred || !s->up || !s->parent || !s->thread ||
      !s->rev_thread || !s->succ_num || !s->last_succ || !s->dirty)
    return sn_error_set("emd: out of memory for a problem with %lld nodes", (long long)s->root);
  return 0;
}

/* The starting basis: every node hangs from the root by its artificial arc, sources sending
 * their supply up at cost 0 and sinks receiving their demand at the big-M cost, which exceeds
 * the cost of any real path (LEMON's ART_COST), so artificial flow is driven out. */
static void simplex_init(Simplex *s, double max_cost) {
  int32_t root = s->root;
  s->art_cost = (fmax(max_cost, 0) + 1) * (double)root;
  s->parent[root] = -1;
  s->pred[root] = -1;
  s->up[root] = 0;
  s->flow[root] = 0;
  s->thread[root] = 0;
  s->rev_thread[0] = root;
  s->succ_num[root] = root + 1;
  s->last_succ[root] = root - 1;
  s->supply[root] = 0;
  s->pi[root] = 0;
  for (int32_t u = 0; u < root; u++) {
    s->parent[u] = root;
    s->pred[u] = s->arcs + u;
    s->thread[u] = u + 1;
    s->rev_thread[u + 1] = u;
    s->succ_num[u] = 1;
    s->last_succ[u] = u;
    if (s->supply[u] >= 0) {
      s->up[u] = 1;
      s->pi[u] = 0;
      s->flow[u] = s->supply[u];
    } else {
      s->up[u] = 0;
      s->pi[u] = s->art_cost;
      s->flow[u] = -s->supply[u];
    }
  }
  int64_t b = (int64_t)sqrt((double)s->arcs);
  s->block = b < SN_OT_MIN_BLOCK ? SN_OT_MIN_BLOCK : b;
  s->next_arc = 0;
}

/* --- pricing: the most negative reduced cost C_ij + pi_i - pi_{n+j} of a row segment --------
 * Both kernels compute rc = (c[j] + pis) - pit[j] in that order and keep the first minimum, so
 * they pick the same arc bit for bit. */

static void price_plain(const double *c, const double *pit, double pis, int64_t len, double *min,
                        int64_t *arg) {
  double mn = *min;
  int64_t at = -1;
  for (int64_t j = 0; j < len; j++) {
    double rc = c[j] + pis - pit[j];
    if (rc < mn) mn = rc, at = j;
  }
  if (at >= 0) *min = mn, *arg = at;
}

#if defined(__AVX512F__)
/* Eight lanes each keep their first minimum (strict <); the smallest index among the lanes that
 * hold the overall minimum is then the first minimum of the row. */
static void price_avx512(const double *c, const double *pit, double pis, int64_t len, double *min,
                         int64_t *arg) {
  __m512d vmin = _mm512_set1_pd(*min), vpis = _mm512_set1_pd(pis);
  __m512i vidx = _mm512_set1_epi64(-1), vj = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  const __m512i step = _mm512_set1_epi64(8);
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    __m512d rc =
        _mm512_sub_pd(_mm512_add_pd(_mm512_loadu_pd(c + j), vpis), _mm512_loadu_pd(pit + j));
    __mmask8 lt = _mm512_cmp_pd_mask(rc, vmin, _CMP_LT_OQ);
    vmin = _mm512_mask_mov_pd(vmin, lt, rc);
    vidx = _mm512_mask_mov_epi64(vidx, lt, vj);
    vj = _mm512_add_epi64(vj, step);
  }
  if (j < len) {
    __mmask8 tail = (__mmask8)((1u << (len - j)) - 1);
    __m512d rc = _mm512_sub_pd(_mm512_add_pd(_mm512_maskz_loadu_pd(tail, c + j), vpis),
                               _mm512_maskz_loadu_pd(tail, pit + j));
    __mmask8 lt = _mm512_mask_cmp_pd_mask(tail, rc, vmin, _CMP_LT_OQ);
    vmin = _mm512_mask_mov_pd(vmin, lt, rc);
    vidx = _mm512_mask_mov_epi64(vidx, lt, vj);
  }
  double mn = _mm512_reduce_min_pd(vmin);
  if (mn < *min) {
    __mmask8 eq = _mm512_cmp_pd_mask(vmin, _mm512_set1_pd(mn), _CMP_EQ_OQ);
    *arg = _mm512_mask_reduce_min_epi64(eq, vidx);
    *min = mn;
  }
}
#define price_fast price_avx512
#else
#define price_fast price_plain
#endif

/* Prices real arcs [e0, e1), updating the running minimum and its arc. The kernels do not look
 * at the tree, and a tree arc has reduced cost 0 only up to rounding. When one wins the block
 * within the tolerance, nothing in the block can enter and the block is passed over; when one
 * wins past it (drift that the periodic refresh keeps rare), the block is priced again skipping
 * tree arcs. */
static void price_block(const Simplex *s, int64_t e0, int64_t e1, double *min, int64_t *best) {
  double min0 = *min;
  int64_t best0 = *best;
  void (*kernel)(const double *, const double *, double, int64_t, double *, int64_t *) =
      s->reference ? price_plain : price_fast;
  const double *pit = s->pi + s->n;
  for (int64_t e = e0; e < e1;) {
    int64_t i = e / s->m, j = e - i * s->m, len = s->m - j;
    if (len > e1 - e) len = e1 - e;
    int64_t at = -1;
    kernel(s->cost + e, pit + j, s->pi[i], len, min, &at);
    if (at >= 0) *best = e + at;
    e += len;
  }
  if (*best == best0 || !in_tree(s, *best) || *min >= -SN_OT_PRICE_EPS * arc_scale(s, *best)) {
    if (*best != best0 && in_tree(s, *best)) *min = min0, *best = best0;
    return;
  }
  *min = min0, *best = best0;
  for (int64_t e = e0; e < e1; e++) {
    double rc = reduced_cost(s, e);
    if (rc < *min && !in_tree(s, e)) *min = rc, *best = e;
  }
}

/* Block search (LEMON's BlockSearchPivotRule): price block after block from where the last
 * search stopped, carrying the minimum, and stop after the first block that leaves a reduced
 * cost below the tolerance. 0 when a whole pass finds none: the basis is optimal. */
static int find_entering(Simplex *s) {
  double min = 0;
  int64_t best = -1, e = s->next_arc;
  for (int64_t left = s->arcs; left > 0;) {
    int64_t len = s->arcs - e;
    if (len > s->block) len = s->block;
    if (len > left) len = left;
    price_block(s, e, e + len, &min, &best);
    left -= len;
    e += len;
    if (e == s->arcs) e = 0;
    if (best >= 0 && min < -SN_OT_PRICE_EPS * arc_scale(s, best)) {
      s->in_arc = best;
      s->next_arc = e;
      return 1;
    }
  }
  return 0;
}

/* The apex of the cycle the entering arc closes: climb from the end with the smaller subtree. */
static void find_join(Simplex *s) {
  int32_t u = arc_src(s, s->in_arc), v = arc_tgt(s, s->in_arc);
  while (u != v) {
    if (s->succ_num[u] < s->succ_num[v]) u = s->parent[u];
    else v = s->parent[v];
  }
  s->join = u;
}

/* The leaving arc: flow goes along the entering arc from its source, so on the source's path
 * the arcs pointing up lose flow, and on the target's path those pointing down. Among the arcs
 * that block first, the last one met going round the cycle from the apex is chosen
 * (Cunningham's rule: strict < on the source side, <= on the target side). A backward arc always
 * exists (every arc at the sink end points into it), so delta is finite. */
static void find_leaving(Simplex *s) {
  int32_t first = arc_src(s, s->in_arc), second = arc_tgt(s, s->in_arc), side = 0;
  double delta = INFINITY;
  for (int32_t u = first; u != s->join; u = s->parent[u])
    if (s->up[u] && s->flow[u] < delta) delta = s->flow[u], s->u_out = u, side = 1;
  for (int32_t u = second; u != s->join; u = s->parent[u])
    if (!s->up[u] && s->flow[u] <= delta) delta = s->flow[u], s->u_out = u, side = 2;
  s->delta = delta;
  s->u_in = side == 1 ? first : second;
  s->v_in = side == 1 ? second : first;
}

/* Pushes delta round the cycle. The blocking arc ends at exactly 0 (x - x), and no flow turns
 * negative since delta is the smallest decreasing flow. */
static void change_flow(Simplex *s) {
  double d = s->delta;
  if (d <= 0) return;
  for (int32_t u = arc_src(s, s->in_arc); u != s->join; u = s->parent[u])
    s->flow[u] += s->up[u] ? -d : d;
  for (int32_t u = arc_tgt(s, s->in_arc); u != s->join; u = s->parent[u])
    s->flow[u] += s->up[u] ? d : -d;
}

/* Re-hangs the subtree of u_out from v_in by the entering arc, rooted now at u_in: the stem
 * u_in .. u_out reverses, the subtree's preorder is spliced in after v_in, and subtree sizes and
 * last successors are fixed on the paths to the apex (LEMON's updateTreeStructure). */
static void update_tree(Simplex *s) {
  int32_t *parent = s->parent, *thread = s->thread, *rev = s->rev_thread, *last_succ = s->last_succ;
  int32_t *succ_num = s->succ_num;
  int32_t u_in = s->u_in, v_in = s->v_in, u_out = s->u_out, join = s->join;
  int32_t old_rev_thread = rev[u_out], old_succ_num = succ_num[u_out];
  int32_t old_last_succ = last_succ[u_out], v_out = parent[u_out];
  int32_t ndirty = 0;

  int32_t u = last_succ[u_in];
  int32_t right = thread[u];
  int32_t last = old_rev_thread == v_in ? thread[last_succ[u_out]] : thread[v_in];

  /* Walk up the stem, moving each stem node's remaining subtree after the previous one. */
  int32_t stem = u_in, par_stem = v_in;
  thread[v_in] = u_in;
  s->dirty[ndirty++] = v_in;
  while (stem != u_out) {
    int32_t new_stem = parent[stem];
    thread[u] = new_stem;
    s->dirty[ndirty++] = u;
    int32_t w = rev[stem];
    thread[w] = right;
    rev[right] = w;
    parent[stem] = par_stem;
    par_stem = stem;
    stem = new_stem;
    u = last_succ[stem] == last_succ[par_stem] ? rev[par_stem] : last_succ[stem];
    right = thread[u];
  }
  parent[u_out] = par_stem;
  thread[u] = last;
  rev[last] = u;
  last_succ[u_out] = u;
  if (old_rev_thread != v_in) {
    thread[old_rev_thread] = right;
    rev[right] = old_rev_thread;
  }
  for (int32_t k = 0; k < ndirty; k++) rev[thread[s->dirty[k]]] = s->dirty[k];

  /* The stem's pred arcs (with their flows) move one node down, and sizes invert. */
  int32_t sc = 0, ls = last_succ[u_out];
  for (u = u_out; u != u_in;) {
    int32_t w = parent[u];
    s->pred[u] = s->pred[w];
    s->up[u] = !s->up[w];
    s->flow[u] = s->flow[w];
    sc += succ_num[u] - succ_num[w];
    succ_num[u] = sc;
    last_succ[w] = ls;
    u = w;
  }
  s->pred[u_in] = s->in_arc;
  s->up[u_in] = u_in == arc_src(s, s->in_arc);
  s->flow[u_in] = s->delta;
  succ_num[u_in] = old_succ_num;

  int32_t up_limit_in = -1, up_limit_out = -1;
  if (last_succ[join] == v_in) up_limit_out = join;
  else up_limit_in = join;
  for (u = v_in; u != up_limit_in && last_succ[u] == v_in; u = parent[u])
    last_succ[u] = last_succ[u_out];
  int32_t repl =
      join != old_rev_thread && v_in != old_rev_thread ? old_rev_thread : last_succ[u_out];
  for (u = v_out; u != up_limit_out && last_succ[u] == old_last_succ; u = parent[u])
    last_succ[u] = repl;
  for (u = v_in; u != join; u = parent[u]) succ_num[u] += old_succ_num;
  for (u = v_out; u != join; u = parent[u]) succ_num[u] -= old_succ_num;
}

/* Shifts the moved subtree's potentials so the entering arc's reduced cost is 0. */
static void update_potential(Simplex *s) {
  int32_t u_in = s->u_in, v_in = s->v_in;
  double c = arc_cost(s, s->pred[u_in]);
  double sigma = s->up[u_in] ? s->pi[v_in] - s->pi[u_in] - c : s->pi[v_in] - s->pi[u_in] + c;
  int32_t end = s->thread[s->last_succ[u_in]];
  for (int32_t u = u_in; u != end; u = s->thread[u]) s->pi[u] += sigma;
}

/* Potentials from scratch down the preorder, parents before children: each tree arc gets
 * reduced cost 0 up to one rounding. */
static void refresh_potentials(Simplex *s) {
  s->pi[s->root] = 0;
  for (int32_t u = s->thread[s->root]; u != s->root; u = s->thread[u]) {
    double c = arc_cost(s, s->pred[u]);
    s->pi[u] = s->up[u] ? s->pi[s->parent[u]] - c : s->pi[s->parent[u]] + c;
  }
}

static void pivot(Simplex *s) {
  find_join(s);
  find_leaving(s);
  change_flow(s);
  update_tree(s);
  update_potential(s);
}

/* The start: one pass over C finds the largest cost (for the big-M) and the cheapest arc into
 * each sink; those arcs enter first (LEMON's initial pivots for many sources and sinks), which
 * replaces most of the artificial basis. */
static SnStatus simplex_start(Simplex *s) {
  int64_t n = s->n, m = s->m;
  double *best = malloc((size_t)m * sizeof *best), *top = malloc((size_t)m * sizeof *top);
  int64_t *arg = malloc((size_t)m * sizeof *arg);
  SnStatus st = 0;
  if (!best || !top || !arg) {
    st = sn_error_set("emd: out of memory");
    goto done;
  }
  for (int64_t j = 0; j < m; j++) best[j] = top[j] = s->cost[j], arg[j] = 0;
  for (int64_t i = 1; i < n; i++) {
    const double *row = s->cost + i * m;
    for (int64_t j = 0; j < m; j++) {
      if (row[j] < best[j]) best[j] = row[j], arg[j] = i;
      top[j] = row[j] > top[j] ? row[j] : top[j];
    }
  }
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t j = 0; j < m; j++) lo = best[j] < lo ? best[j] : lo, hi = top[j] > hi ? top[j] : hi;
  /* Potentials reach (n + m) times the cost range plus the big-M; past 2^1000 their sums could
   * overflow, and no rounding-level tolerance would mean anything. */
  if (!((fmax(hi, 0) - fmin(lo, 0) + 1) * (double)s->root < 0x1p1000)) {
    st = sn_error_set("emd: C ranges over [%g, %g], too wide to solve exactly in f64 with %lld "
                      "points; rescale C (divide it by its largest magnitude)",
                      lo, hi, (long long)s->root);
    goto done;
  }
  simplex_init(s, hi);
  for (int64_t j = 0; j < m; j++) {
    s->in_arc = arg[j] * m + j;
    if (in_tree(s, s->in_arc) || reduced_cost(s, s->in_arc) >= 0) continue;
    pivot(s);
  }
done:
  free(best);
  free(top);
  free(arg);
  return st;
}

/* Pivots until no arc prices out or max_iter pivots were made. Optimality is confirmed on
 * potentials recomputed from the tree, so accumulated rounding cannot fake it. Returns 1 when
 * optimal. */
static int simplex_run(Simplex *s, int64_t max_iter, int64_t *iters) {
  int64_t it = 0;
  for (;; it++) {
    if (!find_entering(s)) {
      refresh_potentials(s);
      if (!find_entering(s)) break;
    }
    if (it == max_iter) break;
    pivot(s);
    if ((it + 1) % SN_OT_REFRESH_EVERY == 0) refresh_potentials(s);
  }
  *iters = it;
  return it < max_iter;
}

/* --- EMD ------------------------------------------------------------------------------------ */

/* Fills out from the final basis: the support (tree arcs with flow), the cost, the dense plan
 * if asked, and the potentials. Rows and columns with zero weight were left out of the network
 * (their mass is 0, as POT does); they get the tightest feasible potential, the c-transform
 * u_i = min_j C_ij - v_j (first the rows over the kept columns, then the left-out columns over
 * all rows), so u_i + v_j <= C_ij holds everywhere. Last, potentials are centred so that
 * a.u = b.v (POT's center_ot_dual), which fixes the constant they are defined up to. */
static SnStatus emd_extract(const Simplex *s, int64_t n, int64_t m, const double *C,
                            const double *a, const double *b, const int64_t *ri,
                            const int64_t *cj, int dense, SnOtEmdResult *out) {
  int64_t nn = s->n, mm = s->m, cap = s->root;
  SnOtTriplet *t = malloc((size_t)cap * sizeof *t);
  if (!t) return sn_error_set("emd: out of memory");
  int64_t k = 0;
  for (int32_t u = 0; u < s->root; u++) {
    int64_t e = s->pred[u];
    if (e < s->arcs && s->flow[u] > 0) t[k++] = (SnOtTriplet){ri[e / mm], cj[e % mm], s->flow[u]};
  }
  SnStatus st = snrt_ot_sparse_fill(&out->support, t, k);
  free(t);
  if (st) return st;
  const int64_t *rows = out->support.rows->data, *cols = out->support.cols->data;
  const double *mass = out->support.mass->data;
  double cost = 0;
  for (int64_t q = 0; q < k; q++) cost += mass[q] * C[rows[q] * m + cols[q]];
  out->cost = cost;
  if (dense) {
    int64_t shape[2] = {n, m};
    if (!(out->plan = sn_tensor_zeros(SN_F64, 2, shape))) return 1;
    double *p = out->plan->data;
    for (int64_t q = 0; q < k; q++) p[rows[q] * m + cols[q]] = mass[q];
  }
  int64_t sn[1] = {n}, sm[1] = {m};
  if (!(out->u = sn_tensor_new(SN_F64, 1, sn)) || !(out->v = sn_tensor_new(SN_F64, 1, sm)))
    return 1;
  double *u = out->u->data, *v = out->v->data;
  for (int64_t i = 0; i < n; i++) u[i] = NAN;
  for (int64_t j = 0; j < m; j++) v[j] = NAN;
  for (int64_t i = 0; i < nn; i++) u[ri[i]] = -s->pi[i];
  for (int64_t j = 0; j < mm; j++) v[cj[j]] = s->pi[nn + j];
  if (nn < n)
    for (int64_t i = 0; i < n; i++) {
      if (!isnan(u[i])) continue;
      double best = INFINITY;
      for (int64_t j = 0; j < mm; j++) best = fmin(best, C[i * m + cj[j]] - v[cj[j]]);
      u[i] = best;
    }
  if (mm < m)
    for (int64_t j = 0; j < m; j++) {
      if (!isnan(v[j])) continue;
      double best = INFINITY;
      for (int64_t i = 0; i < n; i++) best = fmin(best, C[i * m + j] - u[i]);
      v[j] = best;
    }
  double au = 0, bv = 0, sa = 0, sb = 0;
  for (int64_t i = 0; i < n; i++) au += a[i] * u[i], sa += a[i];
  for (int64_t j = 0; j < m; j++) bv += b[j] * v[j], sb += b[j];
  double c = (bv - au) / (sa + sb);
  for (int64_t i = 0; i < n; i++) u[i] += c;
  for (int64_t j = 0; j < m; j++) v[j] -= c;
  return 0;
}

SnStatus sn_ot_emd_f64(int64_t n, int64_t m, const double *a, const double *b, const double *C,
                       const SnOtEmdOptions *opt, SnOtEmdResult *out) {
  memset(out, 0, sizeof *out);
  if (n < 1 || m < 1)
    return sn_error_set("emd: the cost matrix is %lld x %lld; it needs at least one row and one "
                        "column", (long long)n, (long long)m);
  if (n + m >= INT32_MAX || n > INT64_MAX / m)
    return sn_error_set("emd: a %lld x %lld problem is too large", (long long)n, (long long)m);
  double sa = 1, sb = 1, ratio = 1;
  if (snrt_ot_check_weights("emd", "a", a, n, &sa) || snrt_ot_check_weights("emd", "b", b, m, &sb) ||
      snrt_ot_check_finite("emd", "C", C, n, m) || snrt_ot_mass_ratio("emd", sa, sb, &ratio))
    return 1;

  /* Weights (uniform when not given), b rescaled to a's total, and the kept rows and columns. */
  double *wa = malloc((size_t)n * sizeof *wa), *wb = malloc((size_t)m * sizeof *wb);
  int64_t *ri = malloc((size_t)n * sizeof *ri), *cj = malloc((size_t)m * sizeof *cj);
  double *packed = NULL;
  Simplex s = {0};
  SnStatus st = 0;
  if (!wa || !wb || !ri || !cj) {
    st = sn_error_set("emd: out of memory");
    goto done;
  }
  int64_t nn = 0, mm = 0;
  for (int64_t i = 0; i < n; i++) {
    wa[i] = a ? a[i] : 1.0 / (double)n;
    if (wa[i] > 0) ri[nn++] = i;
  }
  for (int64_t j = 0; j < m; j++) {
    wb[j] = (b ? b[j] : 1.0 / (double)m) * ratio;
    if (wb[j] > 0) cj[mm++] = j;
  }
  const double *cost = C;
  if (nn < n || mm < m) {
    if (!(packed = malloc((size_t)(nn * mm) * sizeof *packed))) {
      st = sn_error_set("emd: out of memory");
      goto done;
    }
    for (int64_t i = 0; i < nn; i++)
      for (int64_t j = 0; j < mm; j++) packed[i * mm + j] = C[ri[i] * m + cj[j]];
    cost = packed;
  }

  s.n = nn;
  s.m = mm;
  s.cost = cost;
  s.arcs = nn * mm;
  s.root = (int32_t)(nn + mm);
  s.reference = opt && opt->reference;
  if ((st = simplex_alloc(&s))) goto done;
  for (int64_t i = 0; i < nn; i++) s.supply[i] = wa[ri[i]];
  for (int64_t j = 0; j < mm; j++) s.supply[nn + j] = -wb[cj[j]];
  if ((st = simplex_start(&s))) goto done;
  int64_t max_iter =
      opt && opt->max_iter > 0 ? opt->max_iter : SN_OT_ITER_PER_NODE * (int64_t)s.root;
  out->converged = simplex_run(&s, max_iter, &out->iterations);
  if ((st = emd_extract(&s, n, m, C, wa, wb, ri, cj, opt && opt->dense, out))) goto done;
  if (!out->converged) {
    /* Supply still on the sources' artificial arcs is mass the plan does not move yet. */
    double stray = 0;
    for (int32_t u = 0; u < nn; u++)
      if (s.pred[u] >= s.arcs) stray += s.flow[u];
    sn_error_set("emd: did not converge in %lld pivots (max_iter); the plan returned is the last "
                 "basis, not optimal, with %.3g of the total mass %.12g not yet transported; "
                 "raise max_iter",
                 (long long)max_iter, stray, sa);
    st = SN_OT_NOT_CONVERGED;
  }
done:
  if (st && st != SN_OT_NOT_CONVERGED) sn_ot_emd_free(out);
  simplex_free(&s);
  free(packed);
  free(wa);
  free(wb);
  free(ri);
  free(cj);
  return st;
}

/* --- tensor arguments and the call from generated code ------------------------------------ */

SnStatus sn_ot_emd(const SnTensor *a, const SnTensor *b, const SnTensor *C,
                   const SnOtEmdOptions *opt, SnOtEmdResult *out) {
  memset(out, 0, sizeof *out);
  SnTensor *hc = NULL, *ha = NULL, *hb = NULL;
  const double *c = snrt_ot_as_f64("emd", "C", C, 2, &hc), *pa = NULL, *pb = NULL;
  SnStatus st = 1;
  if (!c) goto done;
  if (a && (!(pa = snrt_ot_as_f64("emd", "a", a, 1, &ha)) ||
            snrt_ot_size_match("emd", "the length of a", a->shape[0], "the number of rows of C",
                               C->shape[0])))
    goto done;
  if (b && (!(pb = snrt_ot_as_f64("emd", "b", b, 1, &hb)) ||
            snrt_ot_size_match("emd", "the length of b", b->shape[0], "the number of columns of C",
                               C->shape[1])))
    goto done;
  st = sn_ot_emd_f64(C->shape[0], C->shape[1], pa, pb, c, opt, out);
done:
  sn_tensor_release(hc);
  sn_tensor_release(ha);
  sn_tensor_release(hb);
  return st;
}

SnResult *sn_ot_emd_call(const char *where, const SnTensor *a, const SnTensor *b,
                         const SnTensor *C, int64_t max_iter) {
  SnResult *r = sn_result_new(9);
  if (!r) return sn_result_failed(where, NULL);
  SnOtEmdOptions opt = {.max_iter = max_iter, .dense = 1};
  SnOtEmdResult e = {0};
  SnStatus st = sn_ot_emd(a, b, C, &opt, &e);
  if (st != 0 && st != SN_OT_NOT_CONVERGED) return sn_result_failed(where, r);
  sn_result_set_tensor(r, 0, "plan", e.plan);
  sn_result_set_f64(r, 1, "cost", e.cost);
  sn_result_set_tensor(r, 2, "f", e.u);
  sn_result_set_tensor(r, 3, "g", e.v);
  sn_result_set_i64(r, 4, "iterations", e.iterations);
  sn_result_set_i64(r, 5, "converged", e.converged);
  snrt_ot_set_support(r, 6, &e.support);
  return r;
}
