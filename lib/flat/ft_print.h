/* ft_print.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_PRINT_FLAT_H
#define FT_PRINT_FLAT_H
#include "text/ft_print.h"
#endif
