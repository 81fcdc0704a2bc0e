/* ft_tag.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_TAG_FLAT_H
#define FT_TAG_FLAT_H
#include "lang/ft_tag.h"
#endif
