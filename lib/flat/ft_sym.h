/* ft_sym.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_SYM_FLAT_H
#define FT_SYM_FLAT_H
#include "text/ft_sym.h"
#endif
