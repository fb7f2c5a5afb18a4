/* test_csv_layout.c: the CSV reader's delimiter and header: the delimiter found from the header
 * line when none is given, files without a header (header=false), and the errors that stop a
 * headerless file or a wrongly separated one from being read silently wrong. */
#include "rt_test.h"

static SnStatus parse(const char *text, const char *label, char delimiter, int32_t header, SnCsvData *d) {
  SnCsvSpec spec = {.label = label, .dtype = SN_F64, .delimiter = delimiter, .header = header};
  return sn_csv_parse(text, strlen(text), "t.csv", &spec, d);
}

static double x_at(const SnCsvData *d, int64_t i) { return ((double *)d->x->data)[i]; }
static int64_t y_at(const SnCsvData *d, int64_t i) { return ((int64_t *)d->y->data)[i]; }

TEST(delimiter_found_from_the_header_line) {
  static const struct { const char *text; } cases[] = {
      {"a;b;label\n1;2;0\n3.5;4;1\n"},
      {"a\tb\tlabel\n1\t2\t0\n3.5\t4\t1\n"},
      {"a|b|label\n1|2|0\n3.5|4|1\n"},
      {"\n\na,b,label\n1,2,0\n3.5,4,1\n"},
      /* quoted names hide what they hold: ',' outnumbers ';' outside the quotes */
      {"\"a;x;y\",b,label\n1,2,0\n3.5,4,1\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    SnCsvData d;
    CHECK_EQ_INT(parse(cases[i].text, "last", 0, SN_CSV_HEADER_CHECK, &d), 0);
    CHECK(d.x && d.x->shape[0] == 2 && d.x->shape[1] == 2);
    CHECK(x_at(&d, 0) == 1 && x_at(&d, 1) == 2 && x_at(&d, 2) == 3.5 && x_at(&d, 3) == 4);
    CHECK(y_at(&d, 0) == 0 && y_at(&d, 1) == 1);
    CHECK_STR(d.label_name, "label");
    sn_csv_free(&d);
  }
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}

TEST(a_given_delimiter_is_used) {
  SnCsvData d;
  /* "1,5" is one field when ';' is given: not a number */
  CHECK_EQ_INT(parse("a;b\n1,5;0\n", "last", ';', SN_CSV_HEADER_CHECK, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv:2:1: column 'a': expected a number, got '1,5'");
  /* one column by choice: no features is then what was asked for */
  CHECK_EQ_INT(parse("a b\n1 2\n", NULL, ',', SN_CSV_HEADER_CHECK, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv:2:1: column 'a b': expected a number, got '1 2'");
  CHECK_EQ_INT(parse("y\n1\n2\n", "last", ',', SN_CSV_HEADER_CHECK, &d), 0);
  CHECK(d.x->shape[0] == 2 && d.x->shape[1] == 0 && y_at(&d, 1) == 2);
  sn_csv_free(&d);
}

TEST(one_column_found_with_a_label_is_an_error) {
  SnCsvData d;
  CHECK_EQ_INT(parse("a b label\n1 2 0\n", "last", 0, SN_CSV_HEADER_CHECK, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv:1: the header names one column, 'a b label', so no feature is left besides the "
                                "label; if the fields are separated by another character than , tab ; or |, pass sep=\"...\"");
  CHECK(d.x == NULL && d.y == NULL);
}

TEST(a_first_row_of_numbers_is_not_taken_for_names) {
  SnCsvData d;
  CHECK_EQ_INT(parse("1,2,0\n3,4,1\n", "last", 0, SN_CSV_HEADER_CHECK, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv:1: the first row (1, 2, 0) holds only numbers: it looks like data, not a header "
                                "naming the columns; pass header=false for a file without one, or header=true if these "
                                "are the names");
  /* header=true: numbers are names when the program says so (years, say) */
  CHECK_EQ_INT(parse("2019,2020,label\n1,2,0\n", "last", 0, SN_CSV_HEADER_YES, &d), 0);
  CHECK_STR(d.names[0], "2019");
  CHECK(d.x->shape[0] == 1 && x_at(&d, 1) == 2);
  sn_csv_free(&d);
  /* one name among numbers is a header */
  CHECK_EQ_INT(parse("1,2,label\n1,2,0\n", "last", 0, SN_CSV_HEADER_CHECK, &d), 0);
  sn_csv_free(&d);
}

TEST(header_false_reads_every_row) {
  SnCsvData d;
  /* equal values would be duplicate names in a header */
  CHECK_EQ_INT(parse("1;1;0\n3;4;1\n\n5;6;0\n", "last", 0, SN_CSV_HEADER_NO, &d), 0);
  CHECK(d.x->shape[0] == 3 && d.x->shape[1] == 2);
  CHECK(x_at(&d, 0) == 1 && x_at(&d, 1) == 1 && x_at(&d, 4) == 5 && x_at(&d, 5) == 6);
  CHECK(y_at(&d, 0) == 0 && y_at(&d, 1) == 1 && y_at(&d, 2) == 0);
  CHECK_STR(d.names[0], "1");
  CHECK_STR(d.label_name, "3");
  sn_csv_free(&d);
  /* columns are named by their numbers, as the messages count them */
  CHECK_EQ_INT(parse("1,2\n3,x\n", "first", 0, SN_CSV_HEADER_NO, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv:2:2: column '2': expected a number, got 'x'");
  CHECK_EQ_INT(parse("1,2\n3,4\n", "2", 0, SN_CSV_HEADER_NO, &d), 0);
  CHECK(d.x->shape[0] == 2 && d.x->shape[1] == 1 && y_at(&d, 1) == 4);
  sn_csv_free(&d);
  CHECK_EQ_INT(parse("\n", NULL, 0, SN_CSV_HEADER_NO, &d), 1);
  CHECK_STR(sn_error_message(), "t.csv: empty file");
  CHECK_EQ_INT(sn_tensor_live_count(), 0);
}
