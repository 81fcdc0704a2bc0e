/* ft_filter.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_FILTER_FLAT_H
#define FT_FILTER_FLAT_H
#include "lang/ft_filter.h"
#endif
