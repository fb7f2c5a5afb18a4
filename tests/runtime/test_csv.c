/* test_csv.c: CSV tables into features and labels: typed columns, the three kinds of label,
 * RFC 4180 quoting, line endings, and errors that name the line and the column. */
#include "rt_test.h"

static SnStatus parse(const char *text, const char *label, SnDtype dtype, SnCsvData *d) {
  SnCsvSpec spec = {label, dtype, 0, SN_CSV_HEADER_CHECK};
  return sn_csv_parse(text, strlen(text), "t.csv", &spec, d);
}

TEST(text_labels_become_sorted_classes) {
  SnCsvData d;
  CHECK_EQ_INT(parse("sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n"
                     "4.9,1.4,setosa\n", "last", SN_F32, &d), 0);
  CHECK(d.x && d.x->dtype == SN_F32 && d.x->shape[0] == 4 && d.x->shape[1] == 2);
  CHECK_EQ_INT(d.nfeatures, 2);
  CHECK_STR(d.names[0], "sepal");
  CHECK_STR(d.names[1], "petal");
  CHECK_STR(d.label_name, "species");
  CHECK_EQ_INT(d.label_type, SN_CSV_TEXT);
  CHECK_EQ_INT(d.nclasses, 3);
  CHECK_STR(d.classes[0], "setosa");
  CHECK_STR(d.classes[2], "virginica");
  const int64_t want[4] = {0, 1, 2, 0};
  for (int i = 0; i < 4; i++) CHECK_EQ_INT(((int64_t *)d.y->data)[i], want[i]);
  CHECK(((float *)d.x->data)[2] == 7.0f && ((float *)d.x->data)[7] == 1.4f);
  CHECK_EQ_INT(d.types[0], SN_CSV_FLOAT);
  sn_csv_free(&d);
  CHECK(d.x == NULL && d.names == NULL);
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(integer_and_float_labels) {
  SnCsvData d;
  CHECK_EQ_INT(parse("y,a,b\n3,1,2\n-1,3,4.5\n+7,5,6\n", "first", SN_F64, &d), 0);
  CHECK(d.y && d.y->dtype == SN_I64 && d.label_type == SN_CSV_INT);
  CHECK_EQ_INT(((int64_t *)d.y->data)[1], -1);
  CHECK_EQ_INT(((int64_t *)d.y->data)[2], 7);
  CHECK(d.x->dtype == SN_F64 && ((double *)d.x->data)[3] == 4.5);
  CHECK_EQ_INT(d.types[0], SN_CSV_INT);
  CHECK_EQ_INT(d.types[1], SN_CSV_FLOAT);
  sn_csv_free(&d);
  CHECK_EQ_INT(parse("a,target,b\n1,0.5,2\n3,1e3,4\n", "target", SN_F32, &d), 0);
  CHECK(d.y->dtype == SN_F64 && d.label_type == SN_CSV_FLOAT && ((double *)d.y->data)[1] == 1000);
  CHECK_STR(d.names[1], "b");
  sn_csv_free(&d);
  CHECK_EQ_INT(parse("a,b\n1,2\n", NULL, SN_F32, &d), 0);
  CHECK(d.y == NULL && d.label_name == NULL && d.nfeatures == 2);
  sn_csv_free(&d);
}

TEST(quoting_line_endings_and_blank_lines) {
  SnCsvData d;
  const char *text = "\xEF\xBB\xBF" "x,\"the, label\"\r\n"
                     "\r\n"
                     "1.5,\"say \"\"hi\"\"\"\r\n"
                     " 2 ,\"two\nlines\"\n"
                     "\n"
                     "3,plain";
  CHECK_EQ_INT(parse(text, "the, label", SN_F32, &d), 0);
  CHECK(d.x->shape[0] == 3 && ((float *)d.x->data)[1] == 2.0f);
  CHECK_EQ_INT(d.nclasses, 3);
  CHECK_STR(d.classes[0], "plain");
  CHECK_STR(d.classes[1], "say \"hi\"");
  CHECK_STR(d.classes[2], "two\nlines");
  sn_csv_free(&d);
  SnCsvSpec spec = {"last", SN_F32, ';', SN_CSV_HEADER_CHECK};
  CHECK_EQ_INT(sn_csv_parse("a;b\n1,5;x\n", 9, "t.csv", &spec, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv:2:1: column 'a': expected a number, got '1,5'");
  CHECK_EQ_INT(sn_csv_parse("a;b\n1.5;x\n", 10, "t.csv", &spec, &d), 0);
  sn_csv_free(&d);
}

/* Errors name the line and column; a record spread over lines counts them all. */
TEST(errors_name_line_and_column) {
  static const struct { const char *text, *label, *msg; } cases[] = {
      {"", NULL, "t.csv: empty file: a header row naming the columns is needed"},
      {"a,b\n1,2\n3\n", NULL, "t.csv:3: 1 fields, but the header names 2 columns"},
      {"a,b\n1,2,3\n", NULL, "t.csv:2: more than the 2 fields the header names"},
      {"a,b\n1,x\n", NULL, "t.csv:2:2: column 'b': expected a number, got 'x'"},
      {"a,b\n1,\n", NULL, "t.csv:2:2: column 'b': empty value (missing values are not supported)"},
      {"a,,c\n", NULL, "t.csv:1:2: empty column name in the header"},
      {"a,b,a\n", NULL, "t.csv:1:3: duplicate column name 'a' (also column 1)"},
      {"a,b\n1,\"2\n", NULL, "t.csv:2:2: a quoted field is not closed before the end of the file"},
      {"a,b\n1,\"2\"x\n", NULL, "t.csv:2:2: text after the closing quote of a field"},
      {"a,b\n1,2\"\n", NULL, "t.csv:2:2: a quote inside an unquoted field (quote the whole field)"},
      {"a,b\n\"x\ny\",1\n5,q\n", "a", "t.csv:4:2: column 'b': expected a number, got 'q'"},
      {"a,b\n1,\xff\n", "b", "t.csv:2:2: invalid UTF-8"},
      {"a,b\n1,\n", "b", "t.csv:2:2: column 'b': empty label"},
      {"a,b\n1,2\n", "c", "t.csv: no column named 'c' for the label (the header names 2 columns)"},
      {"a,b\n1,99999999999999999999\n", "b", "t.csv:2:2: column 'b': 99999999999999999999 does not fit 64 bits"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    SnCsvData d;
    SnCsvSpec spec = {cases[i].label, SN_F32, 0, SN_CSV_HEADER_CHECK};
    CHECK_EQ_INT(sn_csv_parse(cases[i].text, strlen(cases[i].text), "t.csv", &spec, &d), 1);
    CHECK_STR(sn_error_message(), cases[i].msg);
    CHECK(d.x == NULL && d.y == NULL);
  }
  SnCsvData d;
  SnCsvSpec bad = {NULL, SN_I32, 0, SN_CSV_HEADER_CHECK};
  CHECK_EQ_INT(sn_csv_parse("a\n1\n", 4, "t.csv", &bad, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv: CSV features are read as f32 or f64, not i32");
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(read_a_file) {
  const char *text = "f1,f2,label\n0.25,1,cat\n0.5,2,dog\n";
  const char *path = scratch_path("pets.csv");
  CHECK(write_file(path, text, strlen(text)));
  SnCsvSpec spec = {"label", SN_F32, 0, SN_CSV_HEADER_CHECK};
  SnCsvData d;
  CHECK_EQ_INT(sn_csv_read(path, &spec, &d), 0);
  CHECK(d.x->shape[0] == 2 && ((float *)d.x->data)[2] == 0.5f && ((int64_t *)d.y->data)[1] == 1);
  sn_csv_free(&d);
  /* It is now an input: writing over it is refused. */
  CHECK(sn_io_check_output(path) != 0);
  CHECK_EQ_INT(sn_csv_read(scratch_path("nope.csv"), &spec, &d), 1);
  CHECK_HAS(sn_error_message(), "nope.csv: cannot open");
}

TEST(many_rows) {
  /* 20000 rows, so the growing arrays are exercised. */
  size_t cap = 20000 * 16 + 16, n = 0;
  char *text = malloc(cap);
  n += (size_t)sprintf(text, "a,b\n");
  for (int i = 0; i < 20000; i++) n += (size_t)sprintf(text + n, "%d,%d\n", i, i % 7);
  SnCsvData d;
  SnCsvSpec spec = {"b", SN_F64, 0, SN_CSV_HEADER_CHECK};
  CHECK_EQ_INT(sn_csv_parse(text, n, "big.csv", &spec, &d), 0);
  CHECK(d.x->shape[0] == 20000 && ((double *)d.x->data)[19999] == 19999);
  CHECK(((int64_t *)d.y->data)[19999] == 19999 % 7);
  sn_csv_free(&d);
  free(text);
}
