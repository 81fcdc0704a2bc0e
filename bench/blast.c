/*
 * blast - replay pre-encoded NetFlow datagrams (from mkdgram) to a collector
 * on loopback at a steady rate of flows per second, with sendmmsg.
 *
 *   blast -f dgrams.bin -p port -r flows_per_s -n flows [-6] [-b batch]
 *         [-T max_seconds] [-k pid -K ms]
 *
 * The datagrams are sent round and round until -n flows have gone (the count
 * is rounded up to whole datagrams), paced against the clock so that flows
 * sent never run ahead of rate * elapsed time; bursts are one sendmmsg batch.
 * Sequence numbers are rewritten as a router would number them (v5: flows
 * before the datagram; v9: datagrams before it), so the collector sees no
 * gaps the network did not make.  -k/-K send SIGHUP to pid every ms
 * milliseconds while sending (flow-capture rotates its file on HUP).
 * The last line on stdout: flows datagrams seconds flows_per_second.
 * Every loop is bounded: by -n, and by -T seconds (default 120).
 * Benchmark helper only: not part of ftkit's build.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 256

struct dgram {
    uint8_t *data;
    uint32_t len, flows;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static struct dgram *load(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    uint8_t *all = malloc((size_t)size + 1);
    if (!all || fread(all, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "blast: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    size_t cap = 1024, n = 0;
    struct dgram *d = malloc(cap * sizeof *d);
    for (size_t off = 0; off + 8 <= (size_t)size;) {
        uint32_t hdr[2];
        memcpy(hdr, all + off, sizeof hdr);
        if (hdr[0] < 16 || off + 8 + hdr[0] > (size_t)size) {
            fprintf(stderr, "blast: %s: bad record at %zu\n", path, off);
            exit(1);
        }
        if (n == cap)
            d = realloc(d, (cap *= 2) * sizeof *d);
        d[n].data = all + off + 8;
        d[n].len = hdr[0];
        d[n].flows = hdr[1];
        n++;
        off += 8 + hdr[0];
    }
    if (n == 0) {
        fprintf(stderr, "blast: %s: no datagrams\n", path);
        exit(1);
    }
    *count = n;
    return d;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int port = 0, v6 = 0, batch = 32, ch;
    double rate = 0, max_s = 120, hup_ms = 0;
    unsigned long long want = 0;
    pid_t hup_pid = 0;
    while ((ch = getopt(argc, argv, "6b:f:k:K:n:p:r:T:")) != -1) {
        switch (ch) {
        case '6': v6 = 1; break;
        case 'b': batch = atoi(optarg); break;
        case 'f': path = optarg; break;
        case 'k': hup_pid = (pid_t)atoi(optarg); break;
        case 'K': hup_ms = atof(optarg); break;
        case 'n': want = strtoull(optarg, NULL, 10); break;
        case 'p': port = atoi(optarg); break;
        case 'r': rate = atof(optarg); break;
        case 'T': max_s = atof(optarg); break;
        default:
            fprintf(stderr, "usage: blast -f dgrams.bin -p port -r flows_per_s -n flows "
                    "[-6] [-b batch] [-T max_s] [-k pid -K ms]\n");
            return 2;
        }
    }
    if (!path || port <= 0 || rate <= 0 || want == 0 || batch < 1 || batch > MAX_BATCH) {
        fprintf(stderr, "blast: need -f, -p, -r > 0, -n > 0, 1 <= -b <= %d\n", MAX_BATCH);
        return 2;
    }
    size_t nd;
    struct dgram *d = load(path, &nd);

    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_loopback;
        sl = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sl = sizeof *a;
    }
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        perror("blast: connect");
        return 1;
    }

    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    unsigned long long sent_flows = 0, sent_dgrams = 0, errors = 0, hups = 0;
    uint32_t v5_seq = 0, v9_seq = 0;
    size_t next = 0;
    double t0 = now_s(), next_hup = t0 + hup_ms / 1000.0, deadline = t0 + max_s;
    while (sent_flows < want) {
        /* pace: the flows already sent may not run ahead of the clock */
        double due = t0 + (double)sent_flows / rate;
        double t = now_s();
        if (t > deadline) {
            fprintf(stderr, "blast: time limit of %.0f s reached\n", max_s);
            break;
        }
        if (due > t)
            sleep_until(due);
        if (hup_pid > 0 && hup_ms > 0 && now_s() >= next_hup) {
            kill(hup_pid, SIGHUP);
            hups++;
            next_hup += hup_ms / 1000.0;
        }
        int k = 0;
        unsigned long long batch_flows = 0;
        while (k < batch && sent_flows + batch_flows < want) {
            struct dgram *g = &d[next];
            next = (next + 1) % nd;
            uint16_t ver = (uint16_t)(g->data[0] << 8 | g->data[1]);
            if (ver == 5) {
                put_be32(g->data + 16, v5_seq);
                v5_seq += g->flows;
            } else if (ver == 9) {
                put_be32(g->data + 12, v9_seq++);
            }
            iov[k].iov_base = g->data;
            iov[k].iov_len = g->len;
            memset(&msgs[k], 0, sizeof msgs[k]);
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
            batch_flows += g->flows;
            k++;
        }
        /* the data of this batch must stay as it is until sendmmsg returns:
         * a batch never holds the same datagram twice unless nd < batch */
        int done = 0, spins = 0;
        while (done < k) {
            int s = sendmmsg(fd, msgs + done, (unsigned)(k - done), 0);
            if (s < 0) {
                if ((errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) &&
                    spins++ < 1000) {
                    errors++;
                    struct timespec ts = {0, 100000};
                    nanosleep(&ts, NULL);
                    continue;
                }
                perror("blast: sendmmsg");
                return 1;
            }
            done += s;
        }
        sent_flows += batch_flows;
        sent_dgrams += (unsigned long long)k;
    }
    double secs = now_s() - t0;
    if (errors || hups)
        fprintf(stderr, "blast: %llu send retries, %llu HUPs sent\n", errors, hups);
    printf("%llu %llu %.3f %.0f\n", sent_flows, sent_dgrams, secs,
           secs > 0 ? (double)sent_flows / secs : 0.0);
    return 0;
}
