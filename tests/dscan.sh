#!/bin/sh
# dscan.sh BUILD_DIR - flow-dscan on realistic traffic (flow-gen -R) with a
# host scan and a port scan crafted here (v5 streams written from
# stream-format.md): both reported, nothing else; suppress lists, interface
# lists, state files carried between runs (-p/-l and SIGUSR1), bad input.
build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
exec python3 - "$build" "$here" <<'PYTHON'
import os, signal, struct, subprocess, sys, tempfile, time

build = os.path.abspath(sys.argv[1])
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from lib import report, finish, tool, wait_for  # noqa: E402

DSCAN, GEN, CAT = (tool(build, n) for n in ("flow-dscan", "flow-gen", "flow-cat"))
work = tempfile.mkdtemp(prefix="ftkit-dscan-")
T0 = 1710406800            # 2024-03-14 09:00:00 UTC, flow-gen -R's default start


def ip(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


def v5_stream(flows):
    """An uncompressed little-endian v5 stream: a 22-byte header (EX_VER 5,
    flags STREAMING) and 64-byte records."""
    head = b"\xcf\x10\x01\x03" + struct.pack("<I", 22) + struct.pack("<HHH", 2, 2, 5) + \
        struct.pack("<HHI", 8, 4, 8)
    recs = []
    for i, f in enumerate(flows):
        secs = f.get("secs", T0 + i)
        recs.append(struct.pack("<IIIIIIIHHIIIIHHBBBBBBBBHH", secs, 0, 100000, ip("192.0.2.1"),
                                ip(f["src"]), ip(f["dst"]), 0, f.get("input", 1), 2,
                                f.get("pkts", 1), f.get("octets", 44), 100000, 100000,
                                f.get("sport", 40000), f["dport"], f.get("prot", 6), 0,
                                f.get("flags", 0x02), 0, 0, 0, 24, 24, 0, 0))
    return head + b"".join(recs)


def write(name, flows):
    path = os.path.join(work, name)
    open(path, "wb").write(v5_stream(flows))
    return path


def host_scan(src, n, first=1):
    return [{"src": src, "dst": "10.%d.%d.%d" % (1 + (i >> 16) % 250, (i >> 8) & 255, i & 255),
             "dport": 445} for i in range(first, first + n)]


def port_scan(src, dst, n):
    return [{"src": src, "dst": dst, "dport": 1 + i} for i in range(n)]


def dscan(args, stdin_path, timeout=120):
    with open(stdin_path, "rb") as f:
        return subprocess.run([DSCAN] + args, stdin=f, capture_output=True, text=True,
                              timeout=timeout, cwd=work)


def alarms(r):
    return [l for l in r.stdout.splitlines() if "scan:" in l]


def main():
    if not all((DSCAN, GEN, CAT)):
        report(False, "flow-dscan, flow-gen, flow-cat built")
        return
    normal = os.path.join(work, "normal.ft")
    with open(normal, "wb") as out:
        subprocess.run([GEN, "-R", "-s", "7", "-n", "400000", "-D", "6h"], stdout=out, check=True)
    r = dscan(["-b", "-d", "1"], normal)
    m = [w for w in r.stderr.split() if w.startswith("probes=")]
    report(r.returncode == 0 and alarms(r) == [] and m and int(m[0][7:]) > 1000,
           "realistic traffic, its own scanners' knocks among it: no alarm (%s, %s)"
           % (m[0] if m else "no stats", alarms(r)[:2]))

    scans = write("scans.ft", host_scan("203.0.113.9", 300) +
                  port_scan("203.0.113.7", "10.1.1.1", 100))
    mixed = os.path.join(work, "mixed.ft")
    with open(mixed, "wb") as out:
        subprocess.run([CAT, normal, scans], stdout=out, check=True)
    r = dscan(["-b"], mixed)
    got = alarms(r)
    report(r.returncode == 0 and len(got) == 2 and
           got[0].startswith("host scan: src=203.0.113.9 destinations=201 ") and
           got[1].startswith("port scan: src=203.0.113.7 dst=10.1.1.1 ports=65 "),
           "a host scan and a port scan among realistic traffic: both, only they (%s)" % got)
    report(all("first=2024-03-14T" in l and "last=2024-03-14T" in l for l in got),
           "alarms say when the scan started and crossed the threshold")

    r = dscan(["-b", "-D", "299", "-S", "99"], scans)
    got = alarms(r)
    report(len(got) == 2 and got[0].startswith("host scan: src=203.0.113.9 destinations=300 ")
           and got[1].startswith("port scan: src=203.0.113.7 dst=10.1.1.1 ports=100 "),
           "-D 299 -S 99: 300 destinations and 100 ports still cross (%s)" % alarms(r))
    r = dscan(["-b", "-D", "300", "-S", "100"], scans)
    report(alarms(r) == [], "-D 300 -S 100: exactly at the thresholds, no alarm")

    answered = write("answered.ft", [dict(f, flags=0x12) for f in host_scan("203.0.113.9", 300)])
    r = dscan(["-b"], answered)
    report(alarms(r) == [], "flows with ACK are conversations, not probes")
    big = write("big.ft", [dict(f, pkts=5) for f in host_scan("203.0.113.9", 300)])
    r = dscan(["-b"], big)
    report(alarms(r) == [], "flows above the packets trigger are not probes")
    r = dscan(["-b", "-P", "5"], big)
    report(len(alarms(r)) == 1, "-P 5 lets them count")
    r = dscan(["-b", "-i", "2-4"], scans)
    report(alarms(r) == [], "-i 2-4: flows from interface 1 are not looked at")
    r = dscan(["-b", "-i", "!7"], scans)
    report(len(alarms(r)) == 2, "-i !7: interface 1 is looked at")
    spread = write("spread.ft", host_scan("203.0.113.9", 300))
    r = dscan(["-b", "-t", "100"], spread)
    report(alarms(r) == [], "-t 100: probes forgotten after 100 flows never add up to 201")

    supp = os.path.join(work, "quiet")
    open(supp + ".src", "w").write("# our own vulnerability scanner\n203.0.113.9\n")
    open(supp + ".dst", "w").write("10.1.1.0/24   # the lab\n")
    r = dscan(["-b", "-L", supp], scans)
    report(alarms(r) == [], "suppress lists: the source and the destination network")
    open(supp + ".dst", "w").write("10.1.1.0/24\nnot-an-address!\n")
    r = dscan(["-b", "-L", supp], scans)
    report(r.returncode == 1 and "quiet.dst line 2" in r.stderr,
           "a bad suppress line: exit 1, file and line named (%s)" % r.stderr.strip())

    # state carried between runs: 150 destinations, then 100 more
    state = os.path.join(work, "state")
    first = write("first.ft", host_scan("203.0.113.9", 150))
    second = write("second.ft", host_scan("203.0.113.9", 100, first=151))
    r1 = dscan(["-b", "-p", "-s", state], first)
    r2 = dscan(["-b", "-l", "-s", state], second)
    r3 = dscan(["-b", "-s", state], second)
    report(alarms(r1) == [] and len(alarms(r2)) == 1 and "destinations=201" in alarms(r2)[0]
           and alarms(r3) == [], "-p then -l: the second half of a scan completes it (%s)"
           % alarms(r2))
    report(not os.path.exists(state + ".tmp"), "the state file is written whole (no .tmp left)")

    # SIGUSR1 writes the state while the stream is still open
    usr1 = os.path.join(work, "usr1.state")
    p = subprocess.Popen([DSCAN, "-b", "-s", usr1], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
    p.stdin.write(v5_stream(host_scan("203.0.113.9", 50)))
    p.stdin.flush()
    time.sleep(0.5)
    p.send_signal(signal.SIGUSR1)
    p.stdin.write(v5_stream(host_scan("203.0.113.9", 1))[22:])   # one more record
    p.stdin.flush()
    ok = wait_for(lambda: os.path.exists(usr1), 5)
    p.stdin.close()
    p.wait(timeout=10)
    probes = sum(1 for l in open(usr1) if l.startswith("probe ")) if ok else 0
    report(ok and probes >= 50, "SIGUSR1: the state file holds the %d probes so far" % probes)

    r = subprocess.run([DSCAN, "-h"], capture_output=True, text=True)
    report(r.returncode == 1 and "Usage" in r.stderr, "-h: usage, exit 1 (as the original)")
    r = dscan(["-b", "-i", "5-2"], scans)
    report(r.returncode == 1 and "bad interface list" in r.stderr, "-i 5-2 refused")
    r = subprocess.run([DSCAN, "-b"], input=b"not a flow stream", capture_output=True)
    report(r.returncode == 1 and b"flow-dscan:" in r.stderr, "not a stream: exit 1 with a message")
    r = dscan(["-b", "-l", "-s", os.path.join(work, "no-such-state")], scans)
    report(r.returncode == 1 and "no-such-state" in r.stderr, "-l without a state file: exit 1")


main()
finish("dscan")
PYTHON
