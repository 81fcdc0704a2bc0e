/* Unit tests of flow-report's output read back (report/ft_rptin.h): header
 * blocks, tables and their key columns, where reports start, the record
 * limit line, tally lines, CRLF, malformed input, the item limit, and every expected
 * flow-report output of the compat cases. */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include "core/ft_file.h"
#include "report/ft_rptin.h"
#include "ft_test.h"

static struct ft_rptin *parse(const char *text, size_t limit)
{
    struct ft_err err;
    struct ft_rptin *in = ft_rptin_parse(text, strlen(text), "test", limit, &err);
    CHECK(in != NULL, "parse: %s", err.msg);
    return in;
}

static const char with_header[] =
    "#  --- ---- ---- Report Information --- --- ---\n"
    "# build-version:        flow-tools 0.68.5\n"
    "# name:                 top-ports\n"
    "# type:                 ip-destination-port\n"
    "# records:              3\n"
    "# records_shown:      2\n"
    "#\n"
    "# rec1: records,ignores,flows,octets,packets,duration\n"
    "3,0,208,5192796,8410,2595459\n"
    "# recn: ip-destination-port*,flows,octets,packets,duration\n"
    "2048,39,1752548,2107,477096\n"
    "80,22,19376,34827,22\n"
    "# stop, hit record limit.\n";

static void header_and_tables(void)
{
    struct ft_rptin *in = parse(with_header, 0);
    if (!in)
        return;
    CHECK_EQ_U(in->nreports, 1, "one report");
    const struct ft_rpt_report *r = &in->reports[0];
    CHECK_EQ_U(r->nheader, 7, "header lines, the records lines among them");
    CHECK_EQ_S(r->header[0], "#  --- ---- ---- Report Information --- --- ---", "header kept whole");
    CHECK_EQ_S(ft_rpt_header_value(r, "name"), "top-ports", "name field");
    CHECK_EQ_S(ft_rpt_header_value(r, "records_shown"), "2", "records_shown field");
    CHECK(ft_rpt_header_value(r, "missing") == NULL, "no such field");
    CHECK_EQ_U(r->ntables, 2, "rec1 and recn");
    const struct ft_rpt_table *tot = ft_rpt_table_of(r, "rec1");
    const struct ft_rpt_table *t = ft_rpt_table_of(r, "recn");
    CHECK(tot && t, "both tables found");
    if (!tot || !t)
        goto out;
    CHECK_EQ_U(tot->nrows, 1, "totals row");
    CHECK_EQ_S(ft_rpt_cell(tot, 0, 2), "208", "total flows");
    CHECK_EQ_U(t->ncols, 5, "columns");
    CHECK_EQ_S(t->cols[0], "ip-destination-port", "key title without its mark");
    CHECK(t->key[0] && !t->key[1], "key column marked");
    CHECK_EQ_U(ft_rpt_col(t, "octets"), 2, "column by title");
    CHECK(ft_rpt_col(t, "bogus") == -1, "no such column");
    CHECK_EQ_U(t->nrows, 2, "rows");
    CHECK_EQ_S(ft_rpt_cell(t, 1, 0), "80", "cell");
    CHECK(t->hit_limit && !tot->hit_limit, "record limit line belongs to recn");
    CHECK_EQ_U(t->line, 10, "column line number");
out:
    ft_rptin_free(in);
}

static void report_boundaries(void)
{
    /* a time series: rec1/recn pairs without headers, then a header */
    struct ft_rptin *in = parse("# rec1: records,flows\n1,5\n# recn: ip-protocol*,flows\n6,5\n"
                                "# rec1: records,flows\n1,3\n# recn: ip-protocol*,flows\n17,3\n"
                                "# recn: ip-protocol*,flows\n1,1\n"
                                "#  --- ---- ---- Report Information --- --- ---\n# name: x\n"
                                "# rec1: records,flows\n0,0\n# rec2: a,b\n1,2\n", 0);
    if (!in)
        return;
    CHECK_EQ_U(in->nreports, 4, "a report per rec1, second recn or header");
    if (in->nreports == 4) {
        CHECK_EQ_U(in->reports[1].ntables, 2, "second interval: rec1 and recn");
        CHECK_EQ_S(ft_rpt_cell(&in->reports[1].tables[1], 0, 0), "17", "second interval's key");
        CHECK_EQ_U(in->reports[2].ntables, 1, "recn without totals: a report of its own");
        CHECK_EQ_U(in->reports[3].nheader, 2, "header of the last report");
        CHECK_EQ_U(in->reports[3].ntables, 2, "rec2 stays with its rec1");
    }
    ft_rptin_free(in);
}

static void line_ends_and_blanks(void)
{
    struct ft_rptin *in = parse("# recn: ip-address*,flows\r\n\r\n10.0.0.1,4\r\n10.0.0.2,5", 0);
    if (!in)
        return;
    const struct ft_rpt_table *t = in->nreports ? ft_rpt_table_of(&in->reports[0], "recn") : NULL;
    CHECK(t && t->nrows == 2, "CRLF and a missing last line end");
    if (t && t->nrows == 2) {
        CHECK_EQ_S(ft_rpt_cell(t, 0, 1), "4", "no CR in the last cell");
        CHECK_EQ_S(ft_rpt_cell(t, 1, 1), "5", "last line without line end");
    }
    ft_rptin_free(in);
}

static void tallies(void)
{
    struct ft_rptin *in = parse("# recn: ip-port*,flows\n80,5\n53,4\n#TALLY %recs=1.0 %flows=9.0\n"
                                "443,3\n#TALLY %recs=2.0 %flows=12.0\n", 0);
    if (!in)
        return;
    const struct ft_rpt_table *t = &in->reports[0].tables[0];
    CHECK_EQ_U(in->reports[0].nheader, 0, "tally lines are no header");
    CHECK_EQ_U(t->nrows, 3, "rows around the tallies");
    CHECK_EQ_U(t->ntallies, 2, "tallies kept");
    if (t->ntallies == 2) {
        CHECK_EQ_U(t->tallies[0].after, 2, "first tally after two rows");
        CHECK_EQ_U(t->tallies[1].after, 3, "second tally at the end");
        CHECK_EQ_S(t->tallies[0].text, "#TALLY %recs=1.0 %flows=9.0", "tally text whole");
    }
    ft_rptin_free(in);
    struct ft_err err;
    CHECK(ft_rptin_parse("#TALLY %recs=1\n", 15, "test", 0, &err) == NULL, "tally before a table");
}

static void malformed(void)
{
    struct ft_err err;
    const char *bad[][2] = {
        {"1,2,3\n", "test line 1: data before a column line"},
        {"# recn: a*,b\n1,2\n1,2,3\n", "test line 3: 3 fields, the column line (line 1) has 2"},
        {"# recn: a*,b\n1\n", "test line 2: 1 fields, the column line (line 1) has 2"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ft_rptin *in = ft_rptin_parse(bad[i][0], strlen(bad[i][0]), "test", 0, &err);
        CHECK(in == NULL, "refused: %s", bad[i][0]);
        if (in)
            ft_rptin_free(in);
        else
            CHECK(strncmp(err.msg, bad[i][1], strlen(bad[i][1])) == 0, "message \"%s\"", err.msg);
    }
    const char nul[] = "# recn: a*,b\n1,\0002\n";
    struct ft_rptin *in = ft_rptin_parse(nul, sizeof nul - 1, "test", 0, &err);
    CHECK(in == NULL, "a NUL byte refused");
    ft_rptin_free(in);
}

static void item_limit(void)
{
    /* column line 1 item, each row 2: 11 items hold 5 rows */
    struct ft_rptin *in = parse("# recn: a*,b\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n7,7\n", 11);
    if (!in)
        return;
    const struct ft_rpt_table *t = &in->reports[0].tables[0];
    CHECK_EQ_U(t->nrows, 5, "rows kept within the limit");
    CHECK_EQ_U(in->refused, 2, "rows refused and counted");
    ft_rptin_free(in);
    /* once full, header and column lines are refused too */
    in = parse("# recn: a*,b\n1,1\n# name: x\n# recn: c*,d\n2,2\n", 3);
    if (!in)
        return;
    CHECK_EQ_U(in->nreports, 1, "nothing kept past the limit");
    CHECK_EQ_U(in->refused, 3, "header, column and data line refused");
    ft_rptin_free(in);
}

static void numbers(void)
{
    double v = 0;
    CHECK(ft_rpt_number("42", &v) && v == 42, "integer");
    CHECK(ft_rpt_number("-1.5", &v) && v == -1.5, "negative decimal");
    CHECK(ft_rpt_number("0.459770", &v), "fraction");
    CHECK(!ft_rpt_number("10.0.0.1", &v), "address is no number");
    CHECK(!ft_rpt_number("tcp", &v), "name is no number");
    CHECK(!ft_rpt_number("", &v), "empty is no number");
    CHECK(!ft_rpt_number("1.", &v), "dangling point");
    CHECK(!ft_rpt_number("nan", &v), "nan is no number");
}

/* Every expected flow-report output of the compat cases parses, and each
 * table's rows have as many cells as its titles (checked by the parser). */
static void compat_outputs(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/compat/expected/report", ft_test_shared());
    DIR *d = opendir(dir);
    CHECK(d != NULL, "cannot open %s", dir);
    if (!d)
        return;
    unsigned files = 0, tables = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        struct ft_err err;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = ft_file_read(path, 1 << 26, &len, &err);
        CHECK(text != NULL, "%s", err.msg);
        if (!text)
            continue;
        struct ft_rptin *in = ft_rptin_parse(text, len, e->d_name, 0, &err);
        CHECK(in != NULL, "%s", err.msg);
        if (in) {
            files++;
            for (size_t i = 0; i < in->nreports; i++)
                tables += (unsigned)in->reports[i].ntables;
        }
        ft_rptin_free(in);
        free(text);
    }
    closedir(d);
    CHECK(files >= 90, "compat report outputs read: %u", files);
    CHECK(tables >= 150, "tables found in them: %u", tables);
}

int main(void)
{
    header_and_tables();
    report_boundaries();
    line_ends_and_blanks();
    tallies();
    malformed();
    item_limit();
    numbers();
    compat_outputs();
    return ft_test_report("test_rptin");
}
