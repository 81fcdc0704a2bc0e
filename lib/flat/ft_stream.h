/* ft_stream.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_STREAM_FLAT_H
#define FT_STREAM_FLAT_H
#include "stream/ft_stream.h"
#endif
