/* ft_trie.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_TRIE_FLAT_H
#define FT_TRIE_FLAT_H
#include "lang/ft_trie.h"
#endif
