/* ft_format.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_FORMAT_FLAT_H
#define FT_FORMAT_FLAT_H
#include "stream/ft_format.h"
#endif
