/* ft_flow.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_FLOW_FLAT_H
#define FT_FLOW_FLAT_H
#include "core/ft_flow.h"
#endif
