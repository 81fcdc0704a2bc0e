/* ft_text.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_TEXT_FLAT_H
#define FT_TEXT_FLAT_H
#include "text/ft_text.h"
#endif
