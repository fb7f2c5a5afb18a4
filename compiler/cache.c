/* cache.c: sinter run's cache of compiled programs (see cache.h).
 *
 * An entry is the executable `sinter build` would make, stored in the cache directory as one
 * file named by its key in hex: a CacheHeader, then the executable's bytes. The key hashes
 * everything the generated code depends on: the full compiler's build ID (any rebuild changes
 * it) with sinter's and LLVM's versions, the host CPU's model and features (code is generated
 * for it), the options that change code (-O2/-O3, --no-fuse), the source's path (run-time
 * messages name it) and text, the embedded standard library, and what the compiler read from
 * files (a `load` with a literal path reads the file's header: IrFunc.reads).
 *
 * A reader checks the header (magic, key, size, checksum of the bytes) before anything runs, so
 * a stale, truncated or corrupt entry is a miss, and the compile that follows rewrites it. A
 * writer fills a temporary file and renames it over the entry, so two processes racing on one
 * key each see a whole entry or none. The checked bytes are copied into a memfd and executed
 * from there (fexecve): what was checked is what runs, and the cache needs no exec permission. */
#include "cache.h"

#include "prelude.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <llvm/Config/llvm-config.h> /* LLVM_VERSION_STRING; nothing of LLVM is called */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

extern char **environ;

/* The entries kept: a store removes the least recently used beyond this many (an entry is the
 * size of a built program, about 1 MB). */
#define CACHE_MAX_ENTRIES 100

/* Starts every entry; the last byte is the format's version. */
#define CACHE_MAGIC "sinter\0\1"

typedef struct CacheHeader {
  char magic[8];
  uint64_t key[2];
  uint64_t size;   /* bytes of the executable, which follow the header */
  uint64_t sum[2]; /* their hash */
} CacheHeader;

/* --- hashing ---------------------------------------------------------------------------------- */

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  return k ^ (k >> 33);
}

/* MurmurHash3_x64_128 (Austin Appleby, public domain) with a 64-bit seed, little-endian: fast
 * (an entry's checksum costs a fraction of a millisecond) and good enough to tell programs
 * apart; the cache is one user's own, so nobody is expected to forge a collision. */
static void murmur3(const void *data, size_t len, uint64_t seed, uint64_t out[2]) {
  const uint8_t *p = data;
  const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = seed, h2 = seed, k1, k2;
  size_t nblocks = len / 16;
  for (size_t i = 0; i < nblocks; i++) {
    memcpy(&k1, p + 16 * i, 8);
    memcpy(&k2, p + 16 * i + 8, 8);
    h1 ^= rotl64(k1 * c1, 31) * c2;
    h1 = (rotl64(h1, 27) + h2) * 5 + 0x52dce729;
    h2 ^= rotl64(k2 * c2, 33) * c1;
    h2 = (rotl64(h2, 31) + h1) * 5 + 0x38495ab5;
  }
  uint8_t tail[16] = {0};
  memcpy(tail, p + 16 * nblocks, len & 15);
  memcpy(&k1, tail, 8);
  memcpy(&k2, tail + 8, 8);
  if ((len & 15) > 8) h2 ^= rotl64(k2 * c2, 33) * c1;
  if ((len & 15) > 0) h1 ^= rotl64(k1 * c1, 31) * c2;
  h1 ^= len;
  h2 ^= len;
  h1 += h2;
  h2 += h1;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 += h2;
  h2 += h1;
  out[0] = h1;
  out[1] = h2;
}

/* Adds len bytes to the key h: their hash chained onto h with their length, so that no two
 * sequences of parts give the same key by shifting bytes from one part to the next. */
static void key_add(uint64_t h[2], const void *data, size_t len) {
  uint64_t chain[4] = {h[0], h[1]};
  murmur3(data, len, h[0] ^ h[1], chain + 2);
  murmur3(chain, sizeof chain, len, h);
}

static void key_add_str(uint64_t h[2], const char *s) { key_add(h, s, strlen(s)); }

/* --- what the code depends on ------------------------------------------------------------------ */

/* The GNU build ID of an ELF executable (written by the linker: a hash of the linked contents),
 * from its PT_NOTE segments. Returns its length, 0 when there is none. */
static size_t build_id(const char *path, uint8_t *id, size_t max) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  size_t found = 0;
  Elf64_Ehdr eh;
  if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
      eh.e_ident[EI_CLASS] == ELFCLASS64) {
    for (int i = 0; i < eh.e_phnum && !found; i++) {
      Elf64_Phdr ph;
      uint8_t notes[4096];
      if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != (ssize_t)sizeof ph ||
          ph.p_type != PT_NOTE || ph.p_filesz > sizeof notes ||
          pread(fd, notes, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
        continue;
      size_t align = ph.p_align == 8 ? 8 : 4;
      for (size_t off = 0; off + sizeof(Elf64_Nhdr) <= ph.p_filesz;) {
        Elf64_Nhdr nh;
        memcpy(&nh, notes + off, sizeof nh);
        size_t name = off + sizeof nh, desc = name + ((nh.n_namesz + align - 1) & ~(align - 1));
        size_t next = desc + ((nh.n_descsz + align - 1) & ~(align - 1));
        if (next > ph.p_filesz) break;
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && memcmp(notes + name, "GNU", 4) == 0 &&
            nh.n_descsz <= max) {
          memcpy(id, notes + desc, nh.n_descsz);
          found = nh.n_descsz;
          break;
        }
        off = next;
      }
    }
  }
  close(fd);
  return found;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t)hi << 32 | lo;
}
#endif

/* What the host CPU offers code generated for it: on x86 the cpuid leaves that tell LLVM its
 * model and features, and the register state the OS enables (xgetbv); elsewhere the kernel's
 * hardware capabilities. */
static void key_add_cpu(uint64_t h[2]) {
#if defined(__x86_64__) || defined(__i386__)
  static const unsigned leaves[][2] = {{0, 0},   {1, 0},    {7, 0},          {7, 1},
                                       {13, 1},  {0x19, 0}, {0x24, 0},       {0x80000000, 0},
                                       {0x80000001, 0},     {0x80000008, 0}};
  enum { NLEAVES = sizeof leaves / sizeof leaves[0] };
  uint32_t words[NLEAVES * 4 + 2] = {0};
  unsigned max = __get_cpuid_max(0, NULL), ext = __get_cpuid_max(0x80000000, NULL);
  for (int i = 0; i < NLEAVES; i++) {
    unsigned leaf = leaves[i][0], *r = words + 4 * i;
    if (leaf > (leaf >= 0x80000000 ? ext : max)) continue;
    __cpuid_count(leaf, leaves[i][1], r[0], r[1], r[2], r[3]);
    if (leaf == 1) r[1] &= 0x00ffffff; /* leaf 1's top byte is the core's APIC ID */
    if (leaf == 0x80000008) r[0] = r[2] = r[3] = 0; /* address sizes and core counts */
  }
  if (words[4 + 2] & (1u << 27)) { /* OSXSAVE */
    uint64_t x = xgetbv0();
    words[NLEAVES * 4] = (uint32_t)x;
    words[NLEAVES * 4 + 1] = (uint32_t)(x >> 32);
  }
  key_add(h, words, sizeof words);
#else
  unsigned long caps[2] = {getauxval(AT_HWCAP), getauxval(AT_HWCAP2)};
  const char *platform = (const char *)getauxval(AT_PLATFORM);
  key_add(h, caps, sizeof caps);
  key_add_str(h, platform ? platform : "");
#endif
}

bool cache_wanted(const Options *o) {
  const char *debug = getenv("SINTER_DEBUG");
  return !o->interp && !o->no_cache && !(debug && *debug);
}

bool cache_key(const Unit *u, const Options *o, const char *compiler, CacheKey *k, char **why) {
  uint8_t id[64];
  size_t idn = build_id(compiler, id, sizeof id);
  if (!idn) {
    if (asprintf(why, "the compiler %s has no build ID", compiler) < 0) *why = NULL;
    return false;
  }
  uint64_t h[2] = {0, 0};
  key_add(h, CACHE_MAGIC, 8);
  key_add(h, id, idn);
  key_add_str(h, SN_VERSION);
  key_add_str(h, LLVM_VERSION_STRING);
  key_add_cpu(h);
  int32_t options[2] = {o->opt_level, o->fuse};
  key_add(h, options, sizeof options);
  key_add_str(h, u->src->path);
  key_add(h, u->src->text, u->src->len);
  for (int i = 0; i < sn_stdlib_nfiles; i++) {
    key_add_str(h, sn_stdlib_files[i].path);
    key_add(h, sn_stdlib_files[i].text, sn_stdlib_files[i].len);
  }
  for (int i = 0; i < u->ir->reads.n; i++) key_add_str(h, u->ir->reads.items[i]);
  k->h[0] = h[0];
  k->h[1] = h[1];
  return true;
}

/* --- the directory and its entries ------------------------------------------------------------ */

char *cache_dir(char **why) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char *dir = NULL;
  int n = -1;
  if (xdg && xdg[0] == '/') n = asprintf(&dir, "%s/sinter", xdg); /* the XDG spec ignores a relative one */
  else if (home && *home) n = asprintf(&dir, "%s/.cache/sinter", home);
  if (n < 0) {
    *why = strdup("neither XDG_CACHE_HOME nor HOME is set");
    return NULL;
  }
  /* create each missing directory of the path, private to the user */
  for (char *p = dir + 1;; p++) {
    if (*p != '/' && *p) continue;
    char c = *p;
    *p = 0;
    mkdir(dir, 0700);
    *p = c;
    if (!c) break;
  }
  struct stat st;
  if (stat(dir, &st) != 0) { /* a symlink to a directory of ours is fine */
    if (asprintf(why, "cannot create %s: %s", dir, strerror(errno)) < 0) *why = NULL;
  } else if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
    if (asprintf(why, "%s is not a directory that only you can write", dir) < 0) *why = NULL;
  } else {
    return dir;
  }
  free(dir);
  return NULL;
}

static char *entry_path(const char *dir, const CacheKey *k) {
  char *p;
  if (asprintf(&p, "%s/%016llx%016llx", dir, (unsigned long long)k->h[0], (unsigned long long)k->h[1]) < 0) die("out of memory");
  return p;
}

char *cache_scratch_path(const char *dir, const CacheKey *k) {
  char *e = entry_path(dir, k), *p;
  if (asprintf(&p, "%s.exe.%d", e, (int)getpid()) < 0) die("out of memory");
  free(e);
  return p;
}

static bool write_all(int fd, const void *data, size_t n) {
  const uint8_t *p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

int cache_open(const char *dir, const CacheKey *k) {
  char *path = entry_path(dir, k);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  free(path);
  if (fd < 0) return -1;
  int prog = -1;
  struct stat st;
  CacheHeader hd;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_size > (off_t)sizeof hd) {
    size_t size = (size_t)st.st_size;
    uint8_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      memcpy(&hd, map, sizeof hd);
      uint64_t sum[2];
      if (memcmp(hd.magic, CACHE_MAGIC, 8) == 0 && hd.key[0] == k->h[0] && hd.key[1] == k->h[1] &&
          hd.size == size - sizeof hd) {
        murmur3(map + sizeof hd, hd.size, 0, sum);
        if (sum[0] == hd.sum[0] && sum[1] == hd.sum[1]) prog = memfd_create("sinter-program", MFD_CLOEXEC);
        if (prog >= 0 && !write_all(prog, map + sizeof hd, hd.size)) {
          close(prog);
          prog = -1;
        }
      }
      munmap(map, size);
    }
  }
  if (prog >= 0) futimens(fd, NULL); /* used now: the last to go (evict) */
  close(fd);
  return prog;
}

typedef struct Aged {
  char *name;
  struct timespec mtime;
} Aged;

static int older_first(const void *a, const void *b) {
  const struct timespec *x = &((const Aged *)a)->mtime, *y = &((const Aged *)b)->mtime;
  if (x->tv_sec != y->tv_sec) return x->tv_sec < y->tv_sec ? -1 : 1;
  return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* Removes the least recently used files beyond CACHE_MAX_ENTRIES. A temporary file that a
 * killed writer left counts as an entry and ages out like one. */
static void evict(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  int dfd = dirfd(d), n = 0, cap = 0;
  Aged *files = NULL;
  struct dirent *e;
  while ((e = readdir(d))) {
    struct stat st;
    if (e->d_name[0] == '.' || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 128;
      files = realloc(files, (size_t)cap * sizeof *files);
      if (!files) die("out of memory");
    }
    files[n++] = (Aged){strdup(e->d_name), st.st_mtim};
  }
  if (n > CACHE_MAX_ENTRIES) {
    qsort(files, (size_t)n, sizeof *files, older_first);
    for (int i = 0; i < n - CACHE_MAX_ENTRIES; i++) unlinkat(dfd, files[i].name, 0);
  }
  for (int i = 0; i < n; i++) free(files[i].name);
  free(files);
  closedir(d);
}

bool cache_store(const char *dir, const CacheKey *k, const char *exe, char **why) {
  char *final = entry_path(dir, k), *tmp = NULL;
  int in = open(exe, O_RDONLY | O_CLOEXEC), out = -1;
  struct stat st;
  uint8_t *map = MAP_FAILED;
  bool ok = false;
  if (in < 0 || fstat(in, &st) != 0 ||
      (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, in, 0)) == MAP_FAILED) {
    if (asprintf(why, "cannot read %s: %s", exe, strerror(errno)) < 0) *why = NULL;
    goto done;
  }
  CacheHeader hd = {.key = {k->h[0], k->h[1]}, .size = (uint64_t)st.st_size};
  memcpy(hd.magic, CACHE_MAGIC, 8);
  murmur3(map, hd.size, 0, hd.sum);
  if (asprintf(&tmp, "%s.tmp.XXXXXX", final) < 0) die("out of memory");
  out = mkstemp(tmp);
  bool written = out >= 0 && write_all(out, &hd, sizeof hd) && write_all(out, map, hd.size);
  if (out >= 0 && close(out) != 0) written = false;
  if (!written || rename(tmp, final) != 0) {
    if (asprintf(why, "cannot write %s: %s", final, strerror(errno)) < 0) *why = NULL;
    if (out >= 0) unlink(tmp);
    goto done;
  }
  ok = true;
  evict(dir);
done:
  if (map != MAP_FAILED) munmap(map, (size_t)st.st_size);
  if (in >= 0) close(in);
  unlink(exe);
  free(tmp);
  free(final);
  return ok;
}

void cache_exec(int fd, const char *name, const Options *o, int argc, char **argv) {
  char **av = malloc((size_t)(argc + 3) * sizeof *av);
  if (!av) die("out of memory");
  int n = 0;
  av[n++] = (char *)name;
  if (o->quiet) av[n++] = "--quiet"; /* sn_main's option of every program */
  for (int i = 0; i < argc; i++) av[n++] = argv[i];
  av[n] = NULL;
  fflush(stdout);
  fexecve(fd, av, environ);
  int e = errno;
  free(av);
  errno = e;
}
