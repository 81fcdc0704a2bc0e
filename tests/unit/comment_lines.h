/*
 * comment_lines.h - the comment lines every config language must take
 * (test_filter, test_tag, test_exporters): one of more words than any
 * language splits a statement into, and one longer than a line.
 */
#ifndef COMMENT_LINES_H
#define COMMENT_LINES_H

#include <string.h>

/* "# word word ..." into many_words and "#xxx..." into long_line, both
 * size bytes (at least 1024, so that the second is longer than a line). */
static inline void comment_lines(char *many_words, char *long_line, size_t size)
{
    many_words[0] = '#';
    many_words[1] = '\0';
    while (strlen(many_words) + sizeof " word" < size)
        strcat(many_words, " word");
    memset(long_line, 'x', size - 1);
    long_line[0] = '#';
    long_line[size - 1] = '\0';
}

#endif
