#!/usr/bin/env python3
"""soak.py BUILD_DIR SECONDS [WORKDIR] - flow-capture under mixed traffic.

Several exporters on loopback addresses send at a steady rate: v5, v9 with
template refreshes, IPFIX with template withdrawals and new templates, one
that sends a malformed datagram of every kind the decoders count, and one
that floods templates past the per-exporter limit.  flow-capture rotates on
SIGHUP every ROTATE_S seconds.  At the end it is stopped right after the
last datagram, and:
  - it ran to the end and exited 0;
  - every valid flow sent is stored (file headers' counts), none lost;
  - each drop reason counted equals what was sent of that kind;
  - resident memory after warm-up stays within 10% (not under ASan, whose
    quarantine grows by design).
Prints ok/FAIL lines and "soak: N passed, M failed".  tests/soak.sh runs it
for 60 s in the suite, bench/soak.sh for 30 minutes.
"""
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import report, finish, tool, files, wait_for  # noqa: E402

ROTATE_S = 10
TICK_S = 0.02
# datagrams per second of each valid exporter, and flows in each
V5_RATE, V5_FLOWS = 60, 30
V9_RATE, V9_FLOWS = 60, 20
IPFIX_RATE, IPFIX_FLOWS = 60, 20
BAD_EVERY_S = 1.0           # one datagram of each malformed kind this often
FLOOD_EVERY_S = 20.0        # a template flood this often
FLOOD_TEMPLATES = 300       # past the 256 an exporter may hold
TEMPLATE_LIMIT = 256

now = time.time
T0 = int(now())


def v5_records(base, n):
    return b"".join(struct.pack(">IIIHHIIIIHHBBBBHHBBH", 0x0a000000 + (base + i) % 65521,
                                0xc6120000 + (base * 7 + i) % 4093, 0, 1, 2, 1 + i % 9,
                                100 * (1 + i % 50), 1000, 2000, 1024 + i, 443, 0, 0x18, 6,
                                0, 0, 0, 24, 24, 0) for i in range(n))


class Exporters:
    """The datagrams of each exporter, with sequence numbers as routers keep them."""

    def __init__(self):
        self.v5_seq = 0
        self.v9_seq = 0
        self.v9_sent = 0
        self.ipfix_seq = 0
        self.ipfix_sent = 0
        self.ipfix_tid = 300
        self.valid_flows = 0

    def v5(self):
        d = struct.pack(">HHIIIIBBH", 5, V5_FLOWS, 100000, int(now()), 0, self.v5_seq, 0, 0, 0)
        d += v5_records(self.v5_seq, V5_FLOWS)
        self.v5_seq += V5_FLOWS
        self.valid_flows += V5_FLOWS
        return d

    V9_FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4), (22, 4), (21, 4)]

    def v9(self):
        sets = b""
        if self.v9_sent % 50 == 0:      # template refresh
            body = struct.pack(">HH", 256, len(self.V9_FIELDS)) + b"".join(
                struct.pack(">HH", t, l) for t, l in self.V9_FIELDS)
            sets += struct.pack(">HH", 0, 4 + len(body)) + body
        recs = b"".join(struct.pack(">IIHHBIIII", 0x0a140000 + i, 0xc6130000 + self.v9_sent % 999,
                                    2000 + i, 53, 17, 1 + i, 80 * (1 + i), 5000, 6000)
                        for i in range(V9_FLOWS))
        pad = (-len(recs)) % 4
        sets += struct.pack(">HH", 256, 4 + len(recs) + pad) + recs + b"\0" * pad
        d = struct.pack(">HHIIII", 9, V9_FLOWS, 10000, int(now()), self.v9_seq, 1) + sets
        self.v9_seq += 1
        self.v9_sent += 1
        self.valid_flows += V9_FLOWS
        return d

    IPFIX_FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 8), (1, 8), (152, 8), (153, 8)]

    def ipfix(self):
        sets = b""
        n = self.ipfix_sent
        if n % 100 == 0:
            if n:       # withdraw the template in use, announce the next one
                sets += struct.pack(">HHHH", 2, 8, self.ipfix_tid, 0)
                self.ipfix_tid = 300 if self.ipfix_tid == 301 else 301
            body = struct.pack(">HH", self.ipfix_tid, len(self.IPFIX_FIELDS)) + b"".join(
                struct.pack(">HH", t, l) for t, l in self.IPFIX_FIELDS)
            sets += struct.pack(">HH", 2, 4 + len(body)) + body
        ms = int(now() * 1000)
        recs = b"".join(struct.pack(">IIHHBQQQQ", 0x0a1e0000 + i, 0xc6120000 + n % 777, 3000 + i,
                                    80, 6, 2 + i, 120 * (2 + i), ms - 1000, ms)
                        for i in range(IPFIX_FLOWS))
        sets += struct.pack(">HH", self.ipfix_tid, 4 + len(recs)) + recs
        d = struct.pack(">HHIII", 10, 16 + len(sets), int(now()), self.ipfix_seq, 7) + sets
        self.ipfix_seq += IPFIX_FLOWS
        self.ipfix_sent += 1
        self.valid_flows += IPFIX_FLOWS
        return d


def malformed(n):
    """One datagram of each kind the decoders count, by the reason's name; n
    is the round, the sequence number of the v9 exporters here (one datagram
    a round each, so no loss is counted)."""
    v9h = lambda sid: struct.pack(">HHIIII", 9, 1, 1000, int(now()), n, sid)   # noqa: E731
    ipfix = lambda body, dom: struct.pack(">HHIII", 10, 16 + len(body), int(now()), 0, dom) + body  # noqa: E731
    var_tmpl = struct.pack(">HHHHHH", 2, 16, 400, 2, 8, 4) + struct.pack(">HH", 82, 65535)
    return {
        "short": b"\x00",
        "version": struct.pack(">HH", 77, 1) + b"\0" * 60,
        "count": struct.pack(">HH", 5, 31) + b"\0" * (20 + 30 * 48),
        "size": struct.pack(">HHIIIIBBH", 5, 1, 0, 0, 0, 0, 0, 0, 0) + b"\0" * 49,
        "v8-aggregation": struct.pack(">HHIIIIBBBB", 8, 0, 0, 0, 0, 0, 0, 0, 15, 2) + b"\0" * 4,
        "length": struct.pack(">HHIII", 10, 400, 0, 0, 9),
        "set": v9h(90) + struct.pack(">HH", 0, 2),
        "template": v9h(91) + struct.pack(">HHHHHH", 0, 12, 7, 1, 8, 4),
        "options-template": v9h(92) + struct.pack(">HHHHH", 1, 10, 300, 0, 0) + b"\0\0",
        "no-template": v9h(93) + struct.pack(">HH", 999, 8) + b"\0" * 4,
        # a variable-length field whose length runs past its set
        "record": ipfix(var_tmpl + struct.pack(">HHIB", 400, 9, 0x0a000001, 200), 94),
    }


def flood_datagrams(seq):
    """FLOOD_TEMPLATES templates from one v9 exporter, ten per datagram; the
    datagrams carry sequence numbers from seq on."""
    out = []
    for first in range(256, 256 + FLOOD_TEMPLATES, 10):
        body = b"".join(struct.pack(">HHHH", tid, 1, 8, 4)
                        for tid in range(first, min(first + 10, 256 + FLOOD_TEMPLATES)))
        out.append(struct.pack(">HHIIII", 9, 10, 1000, int(now()), seq + len(out), 5) +
                   struct.pack(">HH", 0, 4 + len(body)) + body)
    return out


def sender(port, seconds, on_tick):
    ex = Exporters()
    socks = {}
    for name, addr in (("v5", "127.0.0.2"), ("v9", "127.0.0.3"), ("ipfix", "127.0.0.4"),
                       ("bad", "127.0.0.5"), ("flood", "127.0.0.6")):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, 0))
        socks[name] = s
    dest = ("127.0.0.1", port)
    sent_bad = {}
    floods = rounds = flood_seq = 0
    start = now()
    due = {"v5": 0.0, "v9": 0.0, "ipfix": 0.0, "bad": 0.0, "flood": 0.0}
    while now() - start < seconds:
        t = now() - start
        for name, rate, make in (("v5", V5_RATE, ex.v5), ("v9", V9_RATE, ex.v9),
                                 ("ipfix", IPFIX_RATE, ex.ipfix)):
            while due[name] <= t:
                socks[name].sendto(make(), dest)
                due[name] += 1.0 / rate
        if due["bad"] <= t:
            for kind, d in malformed(rounds).items():
                socks["bad"].sendto(d, dest)
                sent_bad[kind] = sent_bad.get(kind, 0) + 1
            rounds += 1
            due["bad"] += BAD_EVERY_S
        if due["flood"] <= t:
            for d in flood_datagrams(flood_seq):
                socks["flood"].sendto(d, dest)
                flood_seq += 1
            floods += 1
            due["flood"] += FLOOD_EVERY_S
        on_tick(t)
        time.sleep(TICK_S)
    sent_bad["template-limit"] = floods * (FLOOD_TEMPLATES - TEMPLATE_LIMIT)
    return ex.valid_flows, sent_bad


def rss_kib(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def sanitized(build):
    try:
        return "-fsanitize" in open(os.path.join(build, "Makefile")).read().split("\nCFLAGS =")[1].split("\n")[0]
    except (OSError, IndexError):
        return False


def main():
    build, seconds = os.path.abspath(sys.argv[1]), float(sys.argv[2])
    work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="ftkit-soak-")
    capture = tool(build, "flow-capture")
    if not capture:
        report(False, "flow-capture built in %s" % build)
        return
    wd = os.path.join(work, "files")
    os.makedirs(wd, exist_ok=True)
    log = os.path.join(work, "capture.log")
    port = None
    for _ in range(5):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        p = subprocess.Popen([capture, "-D", "-N", "0", "-V", "extended", "-S", "1", "-B", "4M",
                              "-w", wd, "127.0.0.1/0/%d" % port],
                             stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        if wait_for(lambda: "listening on port" in open(log).read() or p.poll() is not None, 10) \
                and p.poll() is None:
            break
    else:
        report(False, "flow-capture starts: %s" % open(log).read()[-300:])
        return
    samples = []
    last = {"rot": 0.0, "rss": -1.0}

    def on_tick(t):
        if t - last["rot"] >= ROTATE_S:
            p.send_signal(signal.SIGHUP)
            last["rot"] = t
        if t - last["rss"] >= 1.0:
            samples.append((t, rss_kib(p.pid)))
            last["rss"] = t

    valid, sent_bad = sender(port, seconds, on_tick)
    alive = p.poll() is None
    p.send_signal(signal.SIGTERM)       # at once: the daemon drains its socket
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "hung"
    text = open(log).read()
    report(alive and rc == 0, "flow-capture ran %d s under load and exited 0 (%s)" % (seconds, rc))
    stored = lost = 0
    for f in files(wd):
        with open(f, "rb") as fh:
            head = fh.read(4096)
        e = "<" if head[2] == 1 else ">"
        hlen = struct.unpack(e + "I", head[4:8])[0]
        q = 8
        while q + 4 <= hlen:
            t, l = struct.unpack(e + "HH", head[q:q + 4])
            if t in (0x0a, 0x0b) and l == 4:
                v = struct.unpack(e + "I", head[q + 4:q + 8])[0]
                stored += v if t == 0x0a else 0
                lost += v if t == 0x0b else 0
            q += 4 + l
    drops = re.search(r"socket_drops=(\d+)", text.split("STAT (exit)")[-1])
    report(stored == valid and lost == 0,
           "every valid flow stored: %d of %d sent, %d lost in headers, kernel drops %s, %d files"
           % (stored, valid, lost, drops and drops.group(1), len(files(wd))))
    final = text.split("STAT (exit)")[-1]
    for kind, n in sorted(sent_bad.items()):
        m = re.search(r"\b%s=(\d+)" % re.escape(kind), final)
        got = int(m.group(1)) if m else 0
        report(got == n, "malformed %s: %d counted, %d sent" % (kind, got, n))
    warm = [r for t, r in samples if t >= seconds * 0.3 and r]
    if sanitized(build):
        print("skip resident memory: an ASan/TSan build (its quarantine grows by design); "
              "%s KiB at the end" % (warm[-1] if warm else "?"))
    elif len(warm) >= 3:
        lo, hi = min(warm), max(warm)
        report(hi <= lo * 1.10, "resident memory flat after warm-up: %d..%d KiB (+%.1f%%)"
               % (lo, hi, 100.0 * (hi - lo) / lo))
    else:
        report(False, "resident memory sampled (%d samples)" % len(warm))


main()
finish("soak")
