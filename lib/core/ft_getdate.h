/*
 * ft_getdate.h - free-form date and time parsing.
 *
 * The subset of the classic getdate grammar that scripts feed to
 * flow-cat -t/-T and to the filter language's time primitives:
 *
 *   2024-03-14 09:11:51      2024-03-14T09:11      20240314
 *   Mar 14 2024 09:11        14 Mar 2024           Thursday, March 14, 2024
 *   03/14/2024 09:11:51      2024/03/14            14-Mar-2024
 *   09:11  9:11pm  21:11:51.250 (fraction ignored)
 *   now  today  yesterday  tomorrow  (today is "now", as in getdate)
 *   1 hour ago  -2 days  +90 minutes  last week  next monday  3 days ago 12:00
 *   @1710406800              (seconds since 1970)
 *   zones: UTC GMT Z, US and central European names, +HHMM, -HH:MM
 *
 * Everything is local time (the TZ environment variable) unless a zone is
 * written.  A date without a time means its midnight; a time without a date
 * means today; relative items are applied last, calendar units (years,
 * months, days) in local time, the others as exact seconds.
 */
#ifndef FT_GETDATE_H
#define FT_GETDATE_H

#include <time.h>
#include "core/ft_err.h"

/*
 * Parse `text` as a point in time, relative items counted from `now`.
 * Returns 0 and stores *out, or -1 with a message in err naming the text
 * and the word that could not be understood.
 */
int ft_getdate(const char *text, time_t now, time_t *out, struct ft_err *err);

#endif
