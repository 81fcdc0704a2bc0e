/* Unit tests of ft_getdate: the date forms scripts pass to flow-cat -t/-T. */
#include <stdlib.h>
#include <time.h>
#include "core/ft_getdate.h"
#include "ft_test.h"

/* Thu 2024-03-14 09:00:00 UTC: the moment "now" is in these tests. */
#define NOW 1710406800LL

static void use_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static void expect(const char *text, long long now, long long want)
{
    struct ft_err err = {{0}};
    time_t got = 0;
    int rc = ft_getdate(text, (time_t)now, &got, &err);
    CHECK(rc == 0, "\"%s\" refused: %s", text, err.msg);
    if (rc == 0)
        CHECK((long long)got == want, "\"%s\": got %lld, want %lld (off by %lld s)", text,
              (long long)got, want, (long long)got - want);
}

static void expect_error(const char *text)
{
    struct ft_err err = {{0}};
    time_t got = 0;
    int rc = ft_getdate(text, (time_t)NOW, &got, &err);
    CHECK(rc == -1, "\"%s\" accepted as %lld", text, (long long)got);
    CHECK(rc != -1 || strstr(err.msg, "cannot parse date") != NULL, "message for \"%s\": %s",
          text, err.msg);
}

static void absolute_forms_utc(void)
{
    use_tz("UTC");
    expect("2024-03-14 09:11:51", NOW, 1710407511);
    expect("2024-03-14T09:11:51", NOW, 1710407511);
    expect("2024-03-14 09:11:51.750", NOW, 1710407511);
    expect("2024-03-14", NOW, 1710374400);
    expect("20240314", NOW, 1710374400);
    expect("Mar 14 2024 09:11", NOW, 1710407460);
    expect("mar. 14, 2024 09:11", NOW, 1710407460);
    expect("March 14 09:11", NOW, 1710407460);          /* year of "now" */
    expect("Thursday, March 14, 2024", NOW, 1710374400);
    expect("14 Mar 2024", NOW, 1710374400);
    expect("14-Mar-2024 09:11:51", NOW, 1710407511);
    expect("03/14/2024 09:11:51", NOW, 1710407511);
    expect("3/14/24 9:11:51", NOW, 1710407511);
    expect("2024/03/14 09:11:51", NOW, 1710407511);
    expect("09:11:51 2024-03-14", NOW, 1710407511);     /* any order */
    expect("9:11pm", NOW, 1710450660);                  /* today 21:11 */
    expect("12:00 am", NOW, 1710374400);
    expect("12:30pm", NOW, 1710419400);
    expect("Thu Mar 14 09:11:51 UTC 2024", NOW, 1710407511);   /* date(1) */
    expect("Thu, 14 Mar 2024 09:11:51 +0000", NOW, 1710407511); /* date -R */
    expect("03/14 0911", NOW, 1710407460);              /* HHMM after a date */
    expect("03/14 1999", NOW, 921369600);               /* cannot be HHMM: a year */
    expect("@1710406800", NOW, 1710406800);
    expect("@0", NOW, 0);
    expect("1970-01-01 00:00:00", NOW, 0);
    expect("2024-02-29", NOW, 1709164800);
}

static void relative_forms(void)
{
    use_tz("UTC");
    expect("now", NOW, NOW);
    expect("today", NOW, NOW);                          /* getdate: today is now */
    expect("yesterday", NOW, NOW - 86400);
    expect("tomorrow", NOW, NOW + 86400);
    expect("1 hour ago", NOW, NOW - 3600);
    expect("-2 days", NOW, NOW - 2 * 86400);
    expect("+90 minutes", NOW, NOW + 5400);
    expect("2 hours 30 minutes ago", NOW, NOW - 9000);
    expect("last week", NOW, NOW - 7 * 86400);
    expect("next fortnight", NOW, NOW + 14 * 86400);
    expect("yesterday 12:00", NOW, 1710331200);
    expect("3 days ago 12:00", NOW, 1710417600 - 3 * 86400);
    expect("2024-03-14 09:11:51 -1 hour", NOW, 1710407511 - 3600);
    expect("2024-01-31 +1 month", NOW, 1709337600);     /* Feb 31 -> Mar 2 */
    expect("@1710406800 +10 seconds", NOW, 1710406810);
    /* NOW is a Thursday. */
    expect("thursday", NOW, 1710374400);
    expect("next thursday", NOW, 1710374400 + 7 * 86400);
    expect("last thursday", NOW, 1710374400 - 7 * 86400);
    expect("monday", NOW, 1710374400 + 4 * 86400);
    expect("last monday", NOW, 1710374400 - 3 * 86400);
}

static void zones(void)
{
    use_tz("America/New_York");
    expect("2024-03-14 09:11:51 UTC", NOW, 1710407511);
    expect("2024-03-14 09:11:51Z", NOW, 1710407511);
    expect("2024-03-14 09:11:51 +0100", NOW, 1710407511 - 3600);
    expect("2024-03-14 09:11:51 -05:00", NOW, 1710407511 + 5 * 3600);
    expect("2024-03-14 09:11:51 CET", NOW, 1710407511 - 3600);
    expect("2024-03-14 09:11:51 PDT", NOW, 1710407511 + 7 * 3600);
    /* Local time: EDT (UTC-4) on March 14, EST before March 10 2024. */
    expect("2024-03-14 09:11:51", NOW, 1710421911);
    expect("Mar 14 2024 09:11", NOW, 1710421860);
    expect("2024-03-14", NOW, 1710388800);
    expect("2024-03-09 12:00", NOW, 1710003600);
    /* A calendar day across the DST change is 23 hours long. */
    expect("2024-03-09 12:00 +1 day", NOW, 1710086400);
    expect("2024-03-09 12:00 +24 hours", NOW, 1710003600 + 86400);
    use_tz("UTC");
}

static void errors(void)
{
    use_tz("UTC");
    expect_error("");
    expect_error("   ");
    expect_error("soon");
    expect_error("2024-13-01");
    expect_error("2024-02-30");
    expect_error("2023-02-29");
    expect_error("25:00");
    expect_error("09:61");
    expect_error("13:00 pm");
    expect_error("2024-03-14 2024-03-15");
    expect_error("09:00 10:00");
    expect_error("Mar 32");
    expect_error("@");
    expect_error("@1710406800 09:00");
    expect_error("1 fortnite ago");
    expect_error("2024-03-14 #");
    expect_error("99999999999999999999");
    expect_error("last");
    expect_error("123456");
    /* The message names the word that stopped the parse. */
    struct ft_err err = {{0}};
    time_t t;
    CHECK(ft_getdate("2024-03-14 blah", NOW, &t, &err) == -1, "blah accepted");
    CHECK(strstr(err.msg, "\"blah\"") != NULL, "message: %s", err.msg);
    /* A NULL err is allowed. */
    CHECK(ft_getdate("bad bad", NOW, &t, NULL) == -1, "bad accepted");
}

/* Every instant of a day round-trips through "YYYY-MM-DD HH:MM:SS". */
static void round_trip(void)
{
    use_tz("Europe/Berlin");
    unsigned bad = 0;
    static const long long changes[] = {1711846800LL, 1729990800LL};   /* 2024 */
    for (int c = 0; c < 2; c++)
    for (long long t = changes[c] - 86400; t < changes[c] + 86400; t += 599) {
        struct tm tm;
        char text[64];
        time_t tt = (time_t)t, got = 0;
        localtime_r(&tt, &tm);
        strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
        if (ft_getdate(text, NOW, &got, NULL) != 0)
            bad++;
        /* The hour repeated at the end of DST is ambiguous; mktime picks one. */
        else if ((long long)got != t && (long long)got != t - 3600 && (long long)got != t + 3600)
            bad++;
        else if ((long long)got != t && tm.tm_hour != 2)
            bad++;
    }
    CHECK_EQ_U(bad, 0, "round-trip failures around the DST change");
    use_tz("UTC");
}

int main(void)
{
    absolute_forms_utc();
    relative_forms();
    zones();
    errors();
    round_trip();
    return ft_test_report("test_getdate");
}
