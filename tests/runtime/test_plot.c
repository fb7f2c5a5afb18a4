/* test_plot.c: the plot layer (runtime/plot/plot.c) draws each kind of picture into a scratch
 * directory; the PNG is decoded here (zlib, the PNG filters undone) and checked for its size
 * and for the colours its data must show; bad data, bad paths and inputs are refused with
 * messages, leaving no file behind. */
#include "rt_test.h"

#include <dirent.h>
#include <zlib.h>

/* A decoded PNG: width x height pixels of 3 bytes (RGB; alpha dropped). */
typedef struct Image {
  uint32_t width, height;
  unsigned char *rgb;
} Image;

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int paeth(int a, int b, int c) {
  int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Reads an 8-bit RGB or RGBA, non-interlaced PNG (what cairo writes); 0 on any other file. */
static int png_read(const char *path, Image *im) {
  size_t n;
  unsigned char *f = (unsigned char *)read_file(path, &n);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!f || n < 33 || memcmp(f, sig, 8) != 0 || memcmp(f + 12, "IHDR", 4) != 0) return free(f), 0;
  im->width = be32(f + 16), im->height = be32(f + 20);
  int depth = f[24], type = f[25], interlace = f[28];
  if (depth != 8 || (type != 2 && type != 6) || interlace) return free(f), 0;
  size_t bpp = type == 6 ? 4 : 3, row = im->width * bpp, zlen = 0;
  unsigned char *z = malloc(n);
  for (size_t at = 8; at + 12 <= n;) {
    uint32_t len = be32(f + at);
    if (memcmp(f + at + 4, "IDAT", 4) == 0) memcpy(z + zlen, f + at + 8, len), zlen += len;
    at += 12 + len;
  }
  uLongf raw_len = (uLongf)((row + 1) * im->height);
  unsigned char *raw = malloc(raw_len);
  int ok = uncompress(raw, &raw_len, z, zlen) == Z_OK && raw_len == (row + 1) * im->height;
  im->rgb = malloc((size_t)im->width * im->height * 3);
  unsigned char *prev = calloc(row, 1), *cur = malloc(row);
  for (uint32_t y = 0; ok && y < im->height; y++) {
    const unsigned char *line = raw + y * (row + 1) + 1;
    int filter = line[-1];
    for (size_t i = 0; i < row; i++) {
      int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      int pred = filter == 0 ? 0 : filter == 1 ? a : filter == 2 ? b : filter == 3 ? (a + b) / 2 : paeth(a, b, c);
      cur[i] = (unsigned char)(line[i] + pred);
    }
    ok = filter <= 4;
    for (uint32_t x = 0; x < im->width; x++) memcpy(im->rgb + ((size_t)y * im->width + x) * 3, cur + x * bpp, 3);
    memcpy(prev, cur, row);
  }
  free(prev);
  free(cur);
  free(raw);
  free(z);
  free(f);
  if (!ok) free(im->rgb);
  return ok;
}

/* The pixels within `tol` of colour (r, g, b) in every channel. */
static long count_colour(const Image *im, int r, int g, int b, int tol) {
  long k = 0;
  for (size_t i = 0; i < (size_t)im->width * im->height; i++) {
    const unsigned char *p = im->rgb + 3 * i;
    k += abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
  }
  return k;
}

/* The files in the scratch directory whose names contain `part`. */
static int files_with(const char *part) {
  DIR *d = opendir(scratch());
  int k = 0;
  for (struct dirent *e; d && (e = readdir(d));) k += strstr(e->d_name, part) != NULL;
  if (d) closedir(d);
  return k;
}

static SnTensor *tensor(SnDtype dt, int64_t rank, const int64_t *shape, const double *v) {
  SnTensor *t = sn_tensor_new(dt, rank, shape);
  for (int64_t i = 0; i < sn_tensor_numel(t); i++) sn_tensor_set_f64(t, i, v[i]);
  return t;
}

/* matplotlib's first two colours, the series' and point sets' */
#define BLUE 31, 119, 180
#define ORANGE 255, 127, 14

TEST(lines_two_series_with_legend) {
  double v[2 * 50];
  for (int i = 0; i < 50; i++) v[i] = exp(-i / 10.0), v[50 + i] = 0.5 + 0.01 * i;
  const int64_t shape[2] = {2, 50};
  SnTensor *y = tensor(SN_F32, 2, shape, v);
  const char *labels[2] = {"train", "test"};
  SnPlotStyle st = {.title = "loss", .xlabel = "epoch", .ylabel = "value", .width = 640, .height = 480};
  const char *path = scratch_path("lines.png");
  CHECK(sn_plot_lines(path, y, NULL, labels, &st) == 0);
  Image im;
  CHECK(png_read(path, &im));
  if (!im.rgb) return;
  CHECK_EQ_INT(im.width, 640);
  CHECK_EQ_INT(im.height, 480);
  CHECK(count_colour(&im, 255, 255, 255, 0) > 640 * 480 / 2); /* a white page */
  CHECK(count_colour(&im, 0, 0, 0, 40) > 1000);               /* box, ticks, labels */
  CHECK(count_colour(&im, BLUE, 30) > 300);
  CHECK(count_colour(&im, ORANGE, 30) > 300);
  free(im.rgb);
  CHECK_EQ_INT(files_with(".tmp"), 0);
  st.logy = 1;
  CHECK(sn_plot_lines(path, y, NULL, labels, &st) == 0);
  sn_tensor_release(y);
}

TEST(lines_against_x_default_size) {
  double xv[3] = {1, 10, 100}, yv[3] = {3, 1, 2};
  const int64_t n[1] = {3};
  SnTensor *x = tensor(SN_F64, 1, n, xv), *y = tensor(SN_I64, 1, n, yv);
  SnPlotStyle st = {0};
  const char *path = scratch_path("xy.png");
  CHECK(sn_plot_lines(path, y, x, NULL, &st) == 0);
  Image im;
  CHECK(png_read(path, &im));
  CHECK_EQ_INT(im.width, 800);
  CHECK_EQ_INT(im.height, 600);
  CHECK(count_colour(&im, BLUE, 30) > 300);
  CHECK_EQ_INT(count_colour(&im, ORANGE, 30), 0);
  free(im.rgb);
  sn_tensor_release(x);
  sn_tensor_release(y);
}

TEST(scatter_two_sets) {
  double p[2 * 200], q[2 * 100];
  rng_state = 7;
  for (int i = 0; i < 200; i++) p[2 * i] = uniform01(), p[2 * i + 1] = uniform01();
  for (int i = 0; i < 100; i++) q[2 * i] = 2 + uniform01(), q[2 * i + 1] = uniform01();
  const int64_t sp[2] = {200, 2}, sq[2] = {100, 2};
  SnTensor *a = tensor(SN_F64, 2, sp, p), *b = tensor(SN_F32, 2, sq, q);
  const char *labels[2] = {"source", "target"};
  SnPlotStyle st = {.title = "clouds"};
  const char *path = scratch_path("scatter.png");
  CHECK(sn_plot_scatter(path, a, b, labels, &st) == 0);
  Image im;
  CHECK(png_read(path, &im));
  long blue = count_colour(&im, BLUE, 30), orange = count_colour(&im, ORANGE, 30);
  CHECK(blue > 500 && orange > 250);
  /* the target cloud is right of the source: orange pixels' mean column is larger */
  double cb = 0, co = 0;
  for (size_t i = 0; i < (size_t)im.width * im.height; i++) {
    const unsigned char *px = im.rgb + 3 * i;
    if (abs(px[0] - 31) <= 30 && abs(px[1] - 119) <= 30 && abs(px[2] - 180) <= 30) cb += (double)(i % im.width);
    if (abs(px[0] - 255) <= 30 && abs(px[1] - 127) <= 30 && abs(px[2] - 14) <= 30) co += (double)(i % im.width);
  }
  CHECK(co / (double)orange > cb / (double)blue + 100);
  free(im.rgb);
  sn_tensor_release(a);
  sn_tensor_release(b);
}

TEST(density_heat_map) {
  double p[2 * 2000];
  rng_state = 11;
  for (int i = 0; i < 2000; i++) {
    double u = uniform01() + uniform01() + uniform01(), w = uniform01() + uniform01() + uniform01();
    p[2 * i] = u, p[2 * i + 1] = w;
  }
  const int64_t sp[2] = {2000, 2};
  SnTensor *a = tensor(SN_F64, 2, sp, p);
  SnPlotStyle st = {.title = "density", .width = 500, .height = 500};
  const char *path = scratch_path("density.png");
  CHECK(sn_plot_density(path, a, 20, &st) == 0);
  Image im;
  CHECK(png_read(path, &im));
  CHECK_EQ_INT(im.width, 500);
  CHECK(count_colour(&im, 68, 1, 84, 12) > 1000);  /* viridis' dark purple: empty cells */
  CHECK(count_colour(&im, 253, 231, 37, 40) > 100); /* its yellow: the fullest cells */
  free(im.rgb);
  sn_tensor_release(a);
}

TEST(bad_data_and_paths) {
  double v[4] = {1, NAN, 3, 4};
  const int64_t s4[1] = {4}, s22[2] = {2, 2}, s3[1] = {3};
  SnTensor *y = tensor(SN_F64, 1, s4, v), *pts = tensor(SN_F64, 2, s22, v), *x3 = tensor(SN_F64, 1, s3, v);
  SnPlotStyle st = {0};
  const char *path = scratch_path("bad.png");
  CHECK(sn_plot_lines(path, y, NULL, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "bad.png: y[1] is nan; a picture needs finite values");
  CHECK(sn_plot_scatter(path, pts, NULL, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "x[0, 1] is nan");
  CHECK(sn_plot_lines(path, y, x3, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "x must have one value per point of y (4), but it has shape [3]");
  CHECK(sn_plot_scatter(path, y, NULL, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "x must be 2-D points [n, 2], not a tensor of 1 dimensions");
  CHECK(sn_plot_density(path, pts, 0, &st) != 0);
  CHECK_HAS(sn_error_message(), "bins must be 1 to 1024, not 0");
  sn_tensor_set_f64(y, 1, -2);
  st.logy = 1;
  CHECK(sn_plot_lines(path, y, NULL, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "logy needs positive values, but y[1] is -2");
  CHECK_EQ_INT(files_with("bad.png"), 0);
  st.logy = 0;
  CHECK(sn_plot_lines(scratch_path("no/such/dir/p.png"), y, NULL, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "no/such/dir/p.png: cannot create a file beside it: No such file or directory");
  /* an input of the program is never replaced, and a failed picture keeps the old file whole */
  const char *input = scratch_path("input.png");
  CHECK(write_file(input, "keep", 4));
  CHECK(sn_io_add_input(input) == 0);
  CHECK(sn_plot_lines(input, y, NULL, NULL, &st) != 0);
  CHECK_HAS(sn_error_message(), "refusing to overwrite a file this program read as an input");
  sn_io_clear_inputs();
  sn_tensor_set_f64(y, 2, INFINITY);
  CHECK(sn_plot_lines(input, y, NULL, NULL, &st) != 0);
  size_t n;
  char *kept = read_file(input, &n);
  CHECK(kept && n == 4 && memcmp(kept, "keep", 4) == 0);
  free(kept);
  CHECK_EQ_INT(files_with(".tmp"), 0);
  sn_tensor_release(y);
  sn_tensor_release(pts);
  sn_tensor_release(x3);
}

/* As the language calls them: the legend's names in one string, failures located. */
TEST(calls_from_programs) {
  double v[6] = {1, 2, 3, 3, 2, 1};
  const int64_t s23[2] = {2, 3}, s32[2] = {3, 2};
  SnTensor *y = tensor(SN_F64, 2, s23, v), *p = tensor(SN_F64, 2, s32, v);
  const char *path = scratch_path("call.png");
  CHECK(sn_plot_lines_call("prog.dsl:1:1", path, y, y, 0, "up\ndown", "t", "x", "y", 0) == 0);
  Image im;
  CHECK(png_read(path, &im));
  CHECK(count_colour(&im, BLUE, 30) > 300 && count_colour(&im, ORANGE, 30) > 300);
  free(im.rgb);
  CHECK(sn_plot_lines_call("prog.dsl:1:1", path, y, y, 0, "up", "", "", "", 0) != 0);
  CHECK_HAS(sn_error_message(), "prog.dsl:1:1: error: ");
  CHECK_HAS(sn_error_message(), "call.png: labels= gives 1 names for 2 series");
  CHECK(sn_plot_scatter_call("prog.dsl:2:1", path, p, p, 1, "a\nb", "", "", "") == 0);
  CHECK(sn_plot_density_call("prog.dsl:3:1", path, p, 5000, "", "", "") != 0);
  CHECK_HAS(sn_error_message(), "bins must be 1 to 1024, not 5000");
  sn_tensor_release(y);
  sn_tensor_release(p);
}
