/* ft_pcap.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_PCAP_FLAT_H
#define FT_PCAP_FLAT_H
#include "net/ft_pcap.h"
#endif
