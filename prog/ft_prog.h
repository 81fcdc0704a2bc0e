/*
 * ft_prog.h - what every ftkit program does the same way: messages on stderr
 * prefixed with the program's flow-tools name, fatal errors with exit status 1,
 * and the options shared by many tools (-b byte order).
 *
 * This is program-side code (it prints and exits), so it lives outside lib/.
 */
#ifndef FT_PROG_H
#define FT_PROG_H

/* The name messages start with; set once at the top of main(). */
extern const char *ft_progname;

/* "progname: message" on stderr. */
void ft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, then exit(1). */
void ft_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* -b big|little (any case) as FT_ORDER_*; dies with the original's message otherwise. */
int ft_opt_byte_order(const char *arg);

#endif
