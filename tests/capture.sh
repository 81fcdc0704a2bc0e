#!/bin/sh
# capture.sh BUILD_DIR - scenario tests of flow-capture, flow-send,
# flow-fanout and flow-expire on the loopback interface (127.0.0.1, ::1).
#
# Files are checked with a reader written here from stream-format.md
# (header TLVs, zlib, the v1/v5/v7 record layouts), independent of ftlib.
# Ports are chosen free at run time; every wait is bounded in time.
# Prints one line per check and "capture: N passed, M failed".

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
exec python3 - "$build" "$shared" "$here" <<'PYTHON'
import hashlib, os, re, shutil, signal, socket, struct, subprocess, sys
import tempfile, time, zlib

build, shared = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[3])
from lib import report, finish, tool, wait_for, files, kill_all, read_stream  # noqa: E402
import lib  # noqa: E402
procs = []
daemons = []        # pids of detached daemons, killed at the end


CAPTURE, SEND, FANOUT, EXPIRE = (tool(build, n) for n in
                                 ("flow-capture", "flow-send", "flow-fanout", "flow-expire"))
INPUT = os.path.join(shared, "compat", "inputs", "v5.ft")
work = tempfile.mkdtemp(prefix="ftkit-capture-")
ENV = dict(os.environ, TZ="America/New_York")

# ---- records of the streams read by lib.read_stream (independent of ftlib) ----

REC_SIZE = {1: 60, 5: 64, 7: 68}


def flow_tuples(h):
    """(src, dst, pkts, octets, sport, dport, prot) of each v1/v5/v7 record."""
    size = REC_SIZE[h["d_version"]]
    e, b = h["order"], h["body"]
    out = []
    for i in range(len(b) // size):
        r = b[i * size:(i + 1) * size]
        src, dst = struct.unpack(e + "II", r[16:24])
        pkts, octs = struct.unpack(e + "II", r[32:40])
        sport, dport = struct.unpack(e + "HH", r[48:52])
        out.append((src, dst, pkts, octs, sport, dport, r[52]))
    return sorted(out)


def records(h):
    size = REC_SIZE.get(h["d_version"])
    if size:
        return len(h["body"]) // size, len(h["body"]) % size == 0
    n = h["count"] or 0
    return n, (n == 0 and not h["body"]) or (n > 0 and len(h["body"]) % n == 0)


INPUT_FLOWS = flow_tuples(read_stream(INPUT))

# ---- processes, ports, waiting -------------------------------------------


def built_with_zstd():
    """The build's config.h says whether zstd was found: a build with it must start."""
    try:
        return "#define HAVE_ZSTD 1" in open(os.path.join(build, "config.h")).read()
    except OSError:
        return False


def free_port():
    """A port free on both 127.0.0.1 and ::1: the daemons here listen on either."""
    return lib.free_port(ipv6_too=True)


SANITIZER = re.compile(r"(AddressSanitizer|ThreadSanitizer|LeakSanitizer|runtime error:)")
sanitizer_reports = []
daemon_logs = []


class Daemon:
    def __init__(self, prog, args, log):
        self.log = log
        daemon_logs.append(log)
        self.p = subprocess.Popen([prog] + args, stdout=subprocess.DEVNULL,
                                  stderr=open(log, "w"), env=ENV)
        procs.append(self.p)

    def text(self):
        with open(self.log) as f:
            return f.read()

    def wait_log(self, pattern, timeout=5.0):
        return wait_for(lambda: re.search(pattern, self.text()) is not None, timeout)

    def sig(self, sig):
        if self.p.poll() is None:
            self.p.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        self.sig(sig)
        try:
            status = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            status = None
        m = SANITIZER.search(self.text())
        if m and self.log not in [r[0] for r in sanitizer_reports]:
            sanitizer_reports.append((self.log, self.text()[max(0, m.start() - 200):][:3000]))
        return status

    def alive(self):
        return self.p.poll() is None


def capture(workdir, spec, *opts, log=None):
    os.makedirs(workdir, exist_ok=True)
    d = Daemon(CAPTURE, ["-D", "-w", workdir] + list(opts) + [spec],
               log or workdir.rstrip("/") + ".log")
    d.wait_log("listening on port", 5)
    return d


def send(spec, *opts, path=INPUT, timeout=60):
    return send_report(spec, *opts, path=path, timeout=timeout)[0]


def send_report(spec, *opts, path=INPUT, timeout=60):
    """flow-send -d 1: exit status and the number of datagrams it sent."""
    with open(path, "rb") as f:
        r = subprocess.run([SEND, "-d", "1"] + list(opts) + [spec], stdin=f,
                           capture_output=True, timeout=timeout, env=ENV)
    m = re.search(rb"sent (\d+) datagrams", r.stderr)
    return r.returncode, int(m.group(1)) if m else -1


def total_flows(paths):
    return sum(records(read_stream(p))[0] for p in paths)


def wait_flows(workdir, want, timeout=10.0):
    """Wait until the capture logged as many flows as sent (stats at exit)."""
    return wait_for(lambda: total_flows(files(workdir)) >= want, timeout)


def rotate(d, workdir, timeout=15.0):
    """SIGHUP, then wait until the next file is open (a tmp- name not seen
    before; the last one may still be there, waiting for its rename):
    signals that come faster than the writer rotates are merged."""
    old = files(workdir, "tmp-")
    d.sig(signal.SIGHUP)
    return wait_for(lambda: any(f not in old for f in files(workdir, "tmp-")), timeout)


def udp(dest, payloads, family=socket.AF_INET, sport=0):
    s = socket.socket(family, socket.SOCK_DGRAM)
    if sport:
        s.bind((dest[0], sport))
    for p in payloads:
        s.sendto(p, dest)
        time.sleep(0.002)
    s.close()


def v5_datagram(seq, count=1, uptime=100000, secs=1700000000, src=0x0a000001):
    hdr = struct.pack(">HHIIIIBBH", 5, count, uptime, secs, 0, seq, 0, 0, 0)
    recs = b""
    for i in range(count):
        recs += struct.pack(">IIIHHIIIIHHBBBBHHBBH", src + i, 0x0a000002, 0, 1, 2, 10, 1000,
                            uptime - 50, uptime - 10, 1024, 80, 0, 0x10, 6, 0, 0, 0, 24, 24, 0)
    return hdr + recs


def v9_template_and_data(seq, n, template=True, data=True, source_id=7):
    """A v9 datagram: template 256 (src, dst, pkts, octets, proto + pad)
    and/or a data set of n records."""
    sets, count = b"", 0
    if template:
        fields = [(8, 4), (12, 4), (2, 4), (1, 4), (4, 1)]
        body = struct.pack(">HH", 256, len(fields)) + b"".join(struct.pack(">HH", *f)
                                                            for f in fields)
        sets += struct.pack(">HH", 0, 4 + len(body)) + body
        count += 1
    if data:
        body = b"".join(struct.pack(">IIIIB", 0x0a000001 + i, 0x0a000002, 3, 300, 17)
                        for i in range(n))
        body += b"\0" * ((4 - (4 + len(body)) % 4) % 4)
        sets += struct.pack(">HH", 256, 4 + len(body)) + body
        count += n
    return struct.pack(">HHIIII", 9, count, 5000, int(time.time()), seq, source_id) + sets


def header_ok(h, what, d_version, count):
    report(h["d_version"] == d_version, "%s: export version %s (want %s)"
           % (what, h["d_version"], d_version))
    report(h["flags"] & 0x01 == 0x01, "%s: header says complete (DONE)" % what)
    n, whole = records(h)
    report(whole and n == h["count"] == count, "%s: %s records, header count %s, sent %d"
           % (what, n, h["count"], count))
    report(h["start"] and h["end"] and h["start"] <= h["end"] <= time.time() + 1,
           "%s: capture start %s <= end %s" % (what, h["start"], h["end"]))
    report(bool(h["host"]), "%s: hostname %r" % (what, h["host"]))


# ---- 1. round trips --------------------------------------------------------

def test_round_trips():
    for version, dv, family in ((1, 1, "4"), (5, 5, "4"), (7, 7, "4"), (9, 9005, "6")):
        port = free_port()
        lo = "127.0.0.1" if family == "4" else "::1"
        wd = os.path.join(work, "rt%d" % version)
        d = capture(wd, "%s/0/%d" % (lo, port), "-C", "round trip")
        rc = send("0/%s/%d" % (lo, port), "-V", str(version), "-r", "2000")
        report(rc == 0, "v%d: flow-send exit status %d" % (version, rc))
        # stopped at once: what the socket holds is read before the last file closes
        status = d.stop()
        report(status == 0, "v%d over IPv%s: flow-capture exits 0 on SIGTERM (%s)"
               % (version, family, status))
        done = files(wd)
        report(len(done) == 1 and not files(wd, "tmp-"),
               "v%d: one ft- file and no tmp- file (%d)" % (version, len(done)))
        if not done:
            continue
        h = read_stream(done[0])
        header_ok(h, "v%d" % version, dv, len(INPUT_FLOWS))
        report(h["comment"] == "round trip", "v%d: comment %r" % (version, h["comment"]))
        report(h["lost"] == 0 and h["corrupt"] == 0,
               "v%d: lost %s corrupt %s" % (version, h["lost"], h["corrupt"]))
        if dv in REC_SIZE:
            report(flow_tuples(h) == INPUT_FLOWS, "v%d: addresses, ports, protocol and "
                   "counters equal the input's" % version)
        else:
            # extended file: send it on as v5 and compare that capture
            port2 = free_port()
            wd2 = os.path.join(work, "rt9to5")
            d2 = capture(wd2, "127.0.0.1/0/%d" % port2)
            send("0/127.0.0.1/%d" % port2, "-V", "5", "-r", "2000", path=done[0])
            d2.stop()
            f2 = files(wd2)
            report(len(f2) == 1 and flow_tuples(read_stream(f2[0])) == INPUT_FLOWS,
                   "v9 -> extended -> v5: the flows equal the input's")


# ---- 2. rotation, naming, nesting ----------------------------------------

NAME = re.compile(r"^ft-v05\.(\d{4})-(\d\d)-(\d\d)\.(\d\d)(\d\d)(\d\d)([+-])(\d\d)(\d\d)$")


def expected_dirs(t, nesting):
    tm = time.localtime(t)
    y, m, d = "%04d" % tm.tm_year, "%02d" % tm.tm_mon, "%02d" % tm.tm_mday
    return {0: [], 1: [y], 2: [y, y + "-" + m], 3: [y, y + "-" + m, y + "-" + m + "-" + d],
            -1: [y + "-" + m + "-" + d], -2: [y + "-" + m, y + "-" + m + "-" + d],
            -3: [y, y + "-" + m, y + "-" + m + "-" + d]}[nesting]


def name_matches_start(path, workdir, nesting):
    """The file name is the local time of its capture start, in the
    directories the nesting level asks for."""
    h = read_stream(path)
    t = h["start"]
    tm = time.localtime(t)
    off = tm.tm_gmtoff
    want = "ft-v05.%s%s%02d%02d" % (time.strftime("%Y-%m-%d.%H%M%S", tm),
                                    "-" if off < 0 else "+", abs(off) // 3600,
                                    abs(off) % 3600 // 60)
    rel = os.path.relpath(path, workdir).split(os.sep)
    return rel[-1] == want and rel[:-1] == expected_dirs(t, nesting), rel


def test_rotation():
    os.environ["TZ"] = ENV["TZ"]
    time.tzset()
    for nesting in (3, 0, -1, -2, 2, 1):
        port = free_port()
        wd = os.path.join(work, "rot%d" % nesting)
        d = capture(wd, "127.0.0.1/0/%d" % port, "-N", str(nesting), "-V", "5")
        sent = 0
        rounds = 3 if nesting == 3 else 1
        for i in range(rounds):
            send("0/127.0.0.1/%d" % port, "-r", "5000")
            sent += len(INPUT_FLOWS)
            time.sleep(0.3)
            rotate(d, wd)       # the next file starts in the next second
        rotate(d, wd)           # a quiet interval still gets its (empty) file
        d.stop()
        done = files(wd)
        report(len(done) == rounds + 2 and not files(wd, "tmp-"),
               "-N %d: %d ft- files after %d SIGHUPs and SIGTERM, no tmp-"
               % (nesting, len(done), rounds + 1))
        good = [name_matches_start(p, wd, nesting) for p in done]
        report(all(g[0] for g in good), "-N %d: names and directories from the capture "
               "start in local time (%s)" % (nesting, "/".join(good[0][1]) if good else "-"))
        counts = [read_stream(p)["count"] for p in done]
        report(sum(counts) == sent and counts[-1] == 0,
               "-N %d: flows per file %s add up to %d, the quiet one is empty"
               % (nesting, counts, sent))
        starts = [read_stream(p)["start"] for p in done]
        report(len(set(starts)) == len(starts), "-N %d: every file has its own second"
               % nesting)


def test_hup_in_opening_second():
    """A SIGHUP in the second its file opened: names have one-second
    resolution, so that file rotates early in the next second, and the writer
    goes on writing it meanwhile.  Flows sent in that second land in it and
    the receiver never waits for a free batch (-Q 2: two batches of 2048)."""
    port = free_port()
    wd = os.path.join(work, "samesec")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-V", "5", "-z", "0", "-Q", "2")
    udp(("127.0.0.1", port), [v5_datagram(0, 30)])
    n, t0, opened = 200, 0.0, None
    for _ in range(5):      # until a file opens early enough in its second
        rotate(d, wd)
        new = [p for p in files(wd, "tmp-") if read_stream(p)["start"]]
        opened = max(read_stream(p)["start"] for p in new) if new else None
        t0 = time.time()
        if opened is not None and t0 - opened < 0.5:
            break
    d.sig(signal.SIGHUP)
    # 6000 flows in about 0.25 s: more than the two batches hold
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for seq in range(n):
        s.sendto(v5_datagram(30 + seq * 30, 30), ("127.0.0.1", port))
        time.sleep(0.001)
    s.close()
    in_second = opened is not None and int(time.time()) == opened
    wait_for(lambda: len(files(wd, "tmp-")) == 1 and read_stream(files(wd, "tmp-")[0])["start"]
             > opened, 3)
    d.stop()
    m = re.search(r"STAT \(exit\): .*stalls=(\d+) ", d.text())
    by_start = {read_stream(p)["start"]: read_stream(p)["count"] for p in files(wd)}
    report(in_second, "the SIGHUP and the flows came in the second the file opened (%s)"
           % opened)
    report(by_start.get(opened) == 30 * n and max(by_start) > opened,
           "the file went on taking flows until the next second, then rotated (%s)"
           % sorted(by_start.items()))
    report(m is not None and m.group(1) == "0",
           "the receiver never waited for the writer (stalls=%s)" % (m and m.group(1)))


# ---- 3. expiry (flow-capture -e/-E, flow-expire) --------------------------

def test_expiry():
    port = free_port()
    wd = os.path.join(work, "exp")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-V", "5", "-e", "2", "-N", "0")
    for i in range(4):
        send("0/127.0.0.1/%d" % port, "-r", "5000")
        time.sleep(0.2)
        rotate(d, wd)
    d.stop()
    done = files(wd)
    report(len(done) == 2, "-e 2: two files kept (%d)" % len(done))
    report(len(re.findall(r"remove/1 ", d.text())) == 3, "-e 2: removals logged")
    starts = [read_stream(p)["start"] for p in done]
    report(starts and min(starts) >= time.time() - 3.5, "-e 2: the newest files are kept")

    # flow-expire on a tree: copies of one file with different capture starts
    tree = os.path.join(work, "tree")
    src = read_stream(INPUT)
    raw = open(INPUT, "rb").read()
    sizes = []
    for i, sub in enumerate(("2020/a", "2021/b", "2022", "2023/c/d")):
        os.makedirs(os.path.join(tree, sub), exist_ok=True)
        p = os.path.join(tree, sub, "ft-v05.%d" % i)
        # rewrite CAP_START in place: the value follows its 4-byte TLV head
        data = bytearray(raw)
        e = src["order"]
        hlen = struct.unpack(e + "I", data[4:8])[0]
        q = 8
        while q + 4 <= hlen:
            t, l = struct.unpack(e + "HH", data[q:q + 4])
            if t == 0x06:
                data[q + 4:q + 8] = struct.pack(e + "I", 1600000000 + 1000 * (3 - i))
            q += 4 + l
        open(p, "wb").write(bytes(data))
        sizes.append(len(data))
    open(os.path.join(tree, "README"), "w").write("not a flow file\n")
    r = subprocess.run([EXPIRE, "-n", "-e", "1", "-w", tree], capture_output=True, text=True,
                       timeout=30)
    report(r.returncode == 0 and "3 files would be removed" in r.stderr and
           len(files(tree)) == 4, "flow-expire -n: reports 3, removes none")
    # the size limit's boundary: a tree of exactly the limit stays whole, one
    # byte over costs the oldest file
    for limit, gone in ((sum(sizes), 0), (sum(sizes) - 1, 1)):
        r = subprocess.run([EXPIRE, "-n", "-E", str(limit), "-w", tree], capture_output=True,
                           text=True, timeout=30)
        report(r.returncode == 0 and "%d files would be removed" % gone in r.stderr,
               "flow-expire -E %s bytes for a tree of %d: %d removed (%s)" % (
                   limit, sum(sizes), gone, r.stderr.strip()))
    r = subprocess.run([EXPIRE, "-E", str(sizes[0] * 2 + 10), "-w", tree], capture_output=True,
                       text=True, timeout=30)
    left = sorted(os.path.relpath(p, tree) for p in files(tree))
    # capture starts: file 3 is the oldest, file 0 the newest
    report(r.returncode == 0 and left == ["2020/a/ft-v05.0", "2021/b/ft-v05.1"],
           "flow-expire -E: the oldest by capture start go first (%s)" % left)
    report(os.path.exists(os.path.join(tree, "README")), "flow-expire: other files stay")


# ---- 4. kill -9, restart, templates --------------------------------------

def test_crash_restart():
    port = free_port()
    wd = os.path.join(work, "crash")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0")
    sport = free_port()
    udp(("127.0.0.1", port), [v9_template_and_data(0, 5)], sport=sport)
    report(wait_for(lambda: os.path.exists(os.path.join(wd, ".ftkit-templates.%d" % port)), 3),
           "v9 templates saved in the work directory")
    wait_for(lambda: files(wd, "tmp-"), 3)
    d.stop(signal.SIGKILL)
    tmp = files(wd, "tmp-")
    report(len(tmp) == 1 and not files(wd), "kill -9 leaves one tmp- file and no ft- file")
    before = hashlib.sha256(open(tmp[0], "rb").read()).hexdigest() if tmp else ""
    time.sleep(1.05)    # a new second: the new file gets its own name
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0")
    report(d.wait_log("loaded templates"), "restart loads the saved templates")
    udp(("127.0.0.1", port), [v9_template_and_data(1, 4, template=False)], sport=sport)
    time.sleep(0.3)
    report(d.alive(), "restart runs")
    d.stop()
    done = files(wd)
    report(len(done) == 1 and read_stream(done[0])["count"] == 4,
           "data without a template decodes after restart (%s flows)"
           % (read_stream(done[0])["count"] if done else "-"))
    after = hashlib.sha256(open(tmp[0], "rb").read()).hexdigest() if tmp else "x"
    report(tmp and os.path.exists(tmp[0]) and before == after,
           "the old tmp- file is left as it was")


# ---- 5. counters: lost, resets, corrupt; malformed input -------------------

def test_counters_and_garbage():
    port = free_port()
    wd = os.path.join(work, "count")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-S", "1")
    dest = ("127.0.0.1", port)
    good = [v5_datagram(0, 2), v5_datagram(2, 3), v5_datagram(10, 1),   # 5 lost
            v5_datagram(5000, 2)]                                        # reset
    garbage = [b"", b"\x00", b"\x00\x05", os.urandom(3),
               struct.pack(">HH", 5, 30) + b"\0" * 20,                   # count, no records
               v5_datagram(0, 2)[:-1],                                   # one byte short
               struct.pack(">HH", 5, 31) + b"\0" * (20 + 30 * 48),       # 31 said, 30 held
               struct.pack(">HH", 77, 1) + b"\0" * 60,                   # version
               struct.pack(">HHIIII", 9, 1, 0, 0, 0, 0) + struct.pack(">HH", 0, 200),
               struct.pack(">HHIII", 10, 9999, 0, 0, 0)]                 # IPFIX length
    udp(dest, good[:2])
    udp(dest, garbage)
    udp(dest, good[2:])
    time.sleep(0.4)
    report(d.alive(), "flow-capture keeps running after %d malformed datagrams" % len(garbage))
    d.stop()
    done = files(wd)
    if not report(len(done) == 1, "one file"):
        return
    h = read_stream(done[0])
    report(h["count"] == 8, "good flows written (%s of 8)" % h["count"])
    report(h["lost"] == 5, "lost flows from the sequence gap: %s (want 5)" % h["lost"])
    report(h["resets"] == 1, "sequence resets: %s (want 1)" % h["resets"])
    report(h["corrupt"] == len(garbage), "corrupt packets: %s (want %d)"
           % (h["corrupt"], len(garbage)))
    report(re.search(r"STAT \(exit\): datagrams=4 flows=8 corrupt=%d" % len(garbage), d.text())
           is not None, "exit statistics count datagrams, flows and corrupt ones")
    report("drops:" in d.text() and "short=" in d.text(), "drop reasons in the statistics")


def test_flood():
    """A burst faster than the writer: every datagram is either written or
    counted by the kernel as dropped, and every decoded flow reaches a file."""
    port = free_port()
    wd = os.path.join(work, "flood")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-Q", "4", "-B", "256K")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = 20000
    for seq in range(n):
        s.sendto(v5_datagram(seq * 30, 30), ("127.0.0.1", port))
    s.close()
    # Stopped at once: the daemon reads what the socket still holds before it
    # exits, so every datagram is accepted or counted by the kernel.
    d.stop()
    m = re.search(r"STAT \(exit\): datagrams=(\d+) flows=(\d+) .*socket_drops=(\d+) "
                  r"stalls=(\d+) queue_drops=(\d+)", d.text())
    if not report(m is not None, "flood: exit statistics"):
        return
    dgrams, flows, sock, stalls, qdrops = (int(x) for x in m.groups())
    written = total_flows(files(wd))
    report(dgrams + sock == n, "flood: %d accepted + %d dropped by the kernel = %d sent"
           % (dgrams, sock, n))
    report(qdrops == 0 and written == flows == 30 * dgrams,
           "flood: every decoded flow is in a file (%d of %d)" % (written, flows))
    lost = sum(read_stream(p)["lost"] or 0 for p in files(wd))
    resets = sum(read_stream(p)["resets"] or 0 for p in files(wd))
    report(sock == 0 or lost > 0 or resets > 0,
           "flood: kernel drops show as lost flows or resets in the headers")


def test_allow_list():
    port = free_port()
    wd = os.path.join(work, "allow")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-V", "5", "-a", "10.0.0.0/8")
    udp(("127.0.0.1", port), [v5_datagram(0, 2), v5_datagram(2, 2)])
    d.stop()
    done = files(wd)
    h = read_stream(done[0]) if done else None
    report(h is not None and h["count"] == 0 and h["corrupt"] == 2,
           "-a 10.0.0.0/8 refuses 127.0.0.1 and counts it as corrupt (%s)"
           % repr(h and (h["count"], h["corrupt"])))
    report("Unexpected PDU: src_ip=127.0.0.1" in d.text(), "refusal logged")
    port = free_port()
    wd = os.path.join(work, "remote")
    d = capture(wd, "127.0.0.1/127.0.0.2/%d" % port, "-N", "0", "-V", "5")
    udp(("127.0.0.1", port), [v5_datagram(0, 2)])
    d.stop()
    done = files(wd)
    h = read_stream(done[0]) if done else None
    report(h is not None and h["count"] == 0 and h["corrupt"] == 1,
           "remoteip 127.0.0.2 only: 127.0.0.1 refused")


# ---- 6. write errors --------------------------------------------------------

def small_filesystem(path):
    """A 96 KiB tmpfs when we may mount one; else None (ulimit is used)."""
    os.makedirs(path, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return None
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", path],
                       capture_output=True)
    return path if r.returncode == 0 else None


def test_write_errors():
    port = free_port()
    wd = os.path.join(work, "full")
    mounted = small_filesystem(wd)
    opts = ["-N", "0", "-V", "5", "-z", "0"]
    if mounted:
        d = capture(wd, "127.0.0.1/0/%d" % port, *opts, log=os.path.join(work, "full.log"))
    else:
        # without root: a file size limit makes writes fail with EFBIG
        log = os.path.join(work, "full.log")
        d = Daemon("/bin/sh", ["-c", 'ulimit -f 64; exec "$0" "$@"', CAPTURE, "-D", "-w", wd]
                   + opts + ["127.0.0.1/0/%d" % port], log)
        d.wait_log("listening on port", 5)
    how = "tmpfs" if mounted else "ulimit -f"
    try:
        send("0/127.0.0.1/%d" % port, "-r", "5000")
        time.sleep(0.3)
        rotate(d, wd)
        wait_for(lambda: files(wd), 5)      # renamed once it is on disk
        first = files(wd)
        digest = hashlib.sha256(open(first[0], "rb").read()).hexdigest() if first else ""
        for _ in range(8):      # far more than fits
            send("0/127.0.0.1/%d" % port, "-r", "20000")
        time.sleep(0.5)
        # the writer may hold the data in its buffers: each rotation writes
        # it out, so the error shows at the latest after a second one
        logged = False
        for _ in range(3):
            d.sig(signal.SIGHUP)
            logged = d.wait_log(r"(No space left|too large|write error)", 2.5)
            if logged:
                break
        report(logged, "%s: the write error is logged" % how)
        report(d.alive(), "%s: flow-capture keeps running" % how)
        report(first and hashlib.sha256(open(first[0], "rb").read()).hexdigest() == digest,
               "%s: the file renamed before is intact" % how)
        for p in files(wd, "tmp-"):
            os.unlink(p)         # free the space again
        for _ in range(16):      # retries come every few seconds
            send("0/127.0.0.1/%d" % port, "-r", "5000")
            if d.wait_log("writing files again", 0.5):
                break
        time.sleep(0.3)
        rotate(d, wd)            # finish the file written since the recovery
        status = d.stop()
        later = [p for p in files(wd) if p not in first]
        hs = [read_stream(p) for p in later]
        report(status == 0 and any(h["count"] > 0 and h["flags"] & 1 for h in hs),
               "%s: writing resumes when there is room again" % how)
        report(any((h["lost"] or 0) > 0 for h in hs),
               "%s: the flows that could not be written are counted as lost" % how)
        report(re.search(r"write_errors=[1-9]", d.text()) is not None,
               "%s: write errors in the statistics" % how)
    finally:
        d.stop()
        if mounted:
            subprocess.run(["umount", mounted])


# ---- 7. flow-fanout -------------------------------------------------------

def test_fanout():
    for mode, extra, dv in (("forwarding", [], 9005), ("-V 5", ["-V", "5"], 5)):
        pa, pb, pf = free_port(), free_port(), free_port()
        wa, wb = os.path.join(work, "fan-a" + str(dv)), os.path.join(work, "fan-b" + str(dv))
        a = capture(wa, "127.0.0.1/0/%d" % pa, "-N", "0")
        b = capture(wb, "::1/0/%d" % pb, "-N", "0")
        f = Daemon(FANOUT, ["-D"] + extra + ["0/0/%d" % pf, "0/127.0.0.1/%d" % pa,
                                             "0/::1/%d" % pb], os.path.join(work, "fan.log"))
        f.wait_log("listening on port", 5)
        send("0/127.0.0.1/%d" % pf, "-V", "9", "-r", "2000")
        time.sleep(0.5)
        report(f.stop() == 0, "flow-fanout %s: exits 0 on SIGTERM" % mode)
        a.stop()
        b.stop()
        for w, fam in ((wa, "IPv4"), (wb, "IPv6")):
            done = files(w)
            h = read_stream(done[0]) if done else None
            report(h is not None and h["d_version"] == dv and h["count"] == len(INPUT_FLOWS),
                   "flow-fanout %s: %s destination got %s flows as d_version %s"
                   % (mode, fam, h and h["count"], h and h["d_version"]))
        if dv == 5:
            report(flow_tuples(read_stream(files(wa)[0])) == INPUT_FLOWS,
                   "flow-fanout -V 5: the flows equal the input's")
        report(re.search(r"sent=[1-9]", f.text()) is not None, "flow-fanout statistics")


# ---- 8. flow-send pacing ----------------------------------------------------

def test_send_rate():
    port = free_port()
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", port))
    n = len(INPUT_FLOWS)
    t0 = time.time()
    _, sent1 = send_report("0/127.0.0.1/%d" % port, "-V", "5", "-r", "2000f")
    took = time.time() - t0
    report(took >= 0.8 * (n - 200) / 2000.0 and took < 10,
           "flow-send -r 2000f: %d flows in %.2f s" % (n, took))
    t0 = time.time()
    _, sent2 = send_report("0/127.0.0.1/%d" % port, "-V", "5", "-r", "40")
    took = time.time() - t0
    report(sent2 > 4 and took >= 0.8 * (sent2 - 4) / 40.0 and took < 10,
           "flow-send -r 40: %d datagrams in %.2f s" % (sent2, took))
    sink.setblocking(False)
    got = 0
    try:
        while True:
            sink.recv(65536)
            got += 1
    except BlockingIOError:
        pass
    sink.close()
    report(got == sent1 + sent2 and got > 0,
           "flow-send: every datagram arrived (%d of %d)" % (got, sent1 + sent2))


# ---- 9. daemon mode, pid file, options -------------------------------------

def test_daemon():
    port = free_port()
    wd = os.path.join(work, "daemon")
    os.makedirs(wd, exist_ok=True)
    pidbase = os.path.join(work, "fc.pid")
    r = subprocess.run([CAPTURE, "-w", wd, "-p", pidbase, "127.0.0.1/0/%d" % port],
                       capture_output=True, timeout=10, env=ENV)
    pidfile = "%s.%d" % (pidbase, port)
    report(r.returncode == 0, "detaching: the parent exits 0 once the daemon runs")
    pid = int(open(pidfile).read()) if os.path.exists(pidfile) else 0
    if pid:
        daemons.append(pid)
    report(pid > 0 and os.path.exists("/proc/%d" % pid), "pid file %s names the daemon" %
           os.path.basename(pidfile))
    r2 = subprocess.run([CAPTURE, "-w", wd, "-p", pidbase + "2", "127.0.0.1/0/%d" % port],
                        capture_output=True, timeout=10, env=ENV)
    report(r2.returncode == 1, "a second daemon on the same port: exit status 1 (%d)"
           % r2.returncode)
    if pid:
        os.kill(pid, signal.SIGTERM)
        report(wait_for(lambda: not os.path.exists(pidfile), 5), "SIGTERM removes the pid file")
    r = subprocess.run([CAPTURE, "-h"], capture_output=True, text=True)
    report(r.returncode == 0 and "Usage" in r.stderr, "flow-capture -h: usage, exit 0")
    r = subprocess.run([CAPTURE, "-y"], capture_output=True, text=True)
    report(r.returncode == 1, "flow-capture -y: exit 1")
    # without -D the daemon detaches, yet a failure to start is said on the
    # terminal that started it (and the exit status is 1)
    r = subprocess.run([CAPTURE, "-w", "/no/such/dir", "127.0.0.1/0/%d" % free_port()],
                       capture_output=True, text=True, timeout=10)
    report(r.returncode == 1 and "flow-capture: chdir /no/such/dir" in r.stderr,
           "a daemon that cannot start says why on stderr (%r)" % r.stderr.strip())
    r = subprocess.run([CAPTURE, "0/0/0"], capture_output=True, text=True)
    report(r.returncode == 1 and "Specify workdir with -w." in r.stderr, "workdir required")
    r = subprocess.run([CAPTURE, "-w", wd, "-n", "1440", "0/0/0"], capture_output=True, text=True)
    report(r.returncode == 1 and "rotations limited" in r.stderr, "-n 1440 refused")
    r = subprocess.run([CAPTURE, "-w", wd, "-N", "4", "0/0/0"], capture_output=True, text=True)
    report(r.returncode == 1 and "nesting" in r.stderr, "-N 4 refused")
    for prog in (SEND, FANOUT, EXPIRE):
        r = subprocess.run([prog, "-h"], capture_output=True, text=True)
        report(r.returncode == 0 and "Usage" in r.stderr,
               "%s -h: usage, exit 0" % os.path.basename(prog))


def test_file_options():
    """-R, -m, -b, -z, -U, -S: what each changes in the files or the log."""
    port = free_port()
    wd = os.path.join(work, "opts")
    hook_log = os.path.join(work, "hook.log")
    hook = os.path.join(work, "hook.sh")
    with open(hook, "w") as f:
        f.write('#!/bin/sh\necho "$#:$1" >> %s\n' % hook_log)
    os.chmod(hook, 0o755)
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-V", "5", "-b", "big", "-z", "0",
                "-m", "255.255.0.0", "-R", hook, "-S", "1")
    send("0/127.0.0.1/%d" % port, "-r", "5000")
    d.stop()
    done = files(wd)
    if not report(len(done) == 1, "one file with -b big -z 0 -m -R"):
        return
    h = read_stream(done[0])
    report(h["order"] == ">" and not h["flags"] & 0x02, "-b big -z 0: big-endian, uncompressed")
    masked = sorted(t if t[1] >> 28 == 0xe else (t[0] & 0xffff0000, t[1] & 0xffff0000) + t[2:]
                    for t in INPUT_FLOWS)
    got = flow_tuples(h)
    report(got == masked, "-m 255.255.0.0: addresses masked, the rest unchanged")
    # The program is started as the last file is finished and may still be
    # starting when the daemon has exited: wait for its line.
    wait_for(lambda: os.path.exists(hook_log) and os.path.getsize(hook_log) > 0)
    lines = open(hook_log).read().split() if os.path.exists(hook_log) else []
    report(lines == ["1:" + os.path.relpath(done[0], wd)],
           "-R: the program ran once with the final name (%s)" % lines)
    text = d.text()
    report(re.search(r"STAT: now=\d+ startup=\d+ src_ip=127\.0\.0\.1 dst_ip=127\.0\.0\.1 "
                     r"d_ver=5 pkts=\d+ flows=%d lost=0 reset=0" % len(INPUT_FLOWS), text)
           is not None, "-S: flow-tools STAT line per exporter")

    port = free_port()
    wd = os.path.join(work, "zstd")
    d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-z", "zstd")
    if d.alive():
        send("0/127.0.0.1/%d" % port, "-r", "5000")
        d.stop()
        done = files(wd)
        data = open(done[0], "rb").read() if done else b""
        e = "<" if data[2:3] == b"\x01" else ">"
        hlen = struct.unpack(e + "I", data[4:8])[0] if data else 0
        report(done and data[hlen:hlen + 4] == b"\x28\xb5\x2f\xfd",
               "-z zstd: the records are one zstd frame")
    elif built_with_zstd():
        report(False, "-z zstd: flow-capture did not start (%s)" % d.text().strip()[:200])
    else:
        print("skip -z zstd: not built with zstd")

    if os.geteuid() == 0 and subprocess.run(["id", "nobody"], capture_output=True).returncode == 0:
        port = free_port()
        wd = os.path.join(work, "user")
        os.makedirs(wd)
        os.chmod(work, 0o755)
        shutil.chown(wd, "nobody")
        d = capture(wd, "127.0.0.1/0/%d" % port, "-N", "0", "-U", "nobody")
        send("0/127.0.0.1/%d" % port, "-r", "5000")
        time.sleep(0.3)
        uid = None
        try:
            uid = os.stat("/proc/%d" % d.p.pid).st_uid
        except OSError:
            pass
        d.stop()
        done = files(wd)
        report(uid is not None and uid != 0 and done and os.stat(done[0]).st_uid == uid,
               "-U nobody: runs and writes as nobody (uid %s)" % uid)
    else:
        print("skip -U: not root")


def rewrite_exaddr(src_path, dst_path, exaddr):
    """A copy of a v5 stream, uncompressed, with every exaddr replaced."""
    data = open(src_path, "rb").read()
    h = read_stream(src_path)
    e = h["order"]
    hlen = struct.unpack(e + "I", data[4:8])[0]
    head = bytearray(data[:hlen])
    q = 8
    while q + 4 <= hlen:
        t, l = struct.unpack(e + "HH", head[q:q + 4])
        if t == 0x08:
            head[q + 4:q + 8] = struct.pack(e + "I", h["flags"] & ~0x02)
        q += 4 + l
    body = bytearray(h["body"])
    for i in range(len(body) // 64):
        body[i * 64 + 12:i * 64 + 16] = struct.pack(e + "I", exaddr)
    open(dst_path, "wb").write(bytes(head) + bytes(body))


def exaddrs(path):
    h = read_stream(path)
    e, b = h["order"], h["body"]
    return {struct.unpack(e + "I", b[i * 64 + 12:i * 64 + 16])[0] for i in range(len(b) // 64)}


def test_spoof():
    if os.geteuid() != 0:
        print("skip -s: not root")
        return
    fake = 0x0a010203
    path = os.path.join(work, "exaddr.ft")
    rewrite_exaddr(INPUT, path, fake)
    pc, pf = free_port(), free_port()
    wd = os.path.join(work, "spoof")
    d = capture(wd, "127.0.0.1/0/%d" % pc, "-N", "0")
    rc = send("0/127.0.0.1/%d" % pc, "-s", "-r", "5000", path=path)
    d.stop()
    done = files(wd)
    report(rc == 0 and done and exaddrs(done[0]) == {fake},
           "flow-send -s: the collector sees the flows' exporter 10.1.2.3 (%s)"
           % (done and [socket.inet_ntoa(struct.pack(">I", a)) for a in exaddrs(done[0])]))
    wd = os.path.join(work, "spoof-fan")
    d = capture(wd, "127.0.0.1/0/%d" % pc, "-N", "0")
    f = Daemon(FANOUT, ["-D", "-s", "0/0/%d" % pf, "0/127.0.0.1/%d" % pc],
               os.path.join(work, "spoof-fan.log"))
    f.wait_log("listening on port", 5)
    send("0/127.0.0.1/%d" % pf, "-s", "-r", "5000", path=path)
    time.sleep(0.3)
    f.stop()
    d.stop()
    done = files(wd)
    report(done and read_stream(done[0])["count"] == len(INPUT_FLOWS) and
           exaddrs(done[0]) == {fake}, "flow-fanout -s: forwarded from the exporter's address")


def test_pcap():
    pcap = os.path.join(shared, "captures", "exporters", "pmacctd-v9.pcap")
    ref = os.path.join(shared, "captures", "exporters", "expected", "pmacctd-v9.jsonl")
    if not (os.path.exists(pcap) and os.path.exists(ref)):
        print("skip -r: no pmacctd-v9.pcap")
        return
    want = sum(1 for line in open(ref) if '"record_type":"flow"' in line)
    wd = os.path.join(work, "pcap")
    os.makedirs(wd)
    r = subprocess.run([CAPTURE, "-N", "0", "-w", wd, "-r", pcap], capture_output=True,
                       timeout=60, env=ENV)
    done = files(wd)
    h = read_stream(done[0]) if done else None
    report(r.returncode == 0 and h is not None and h["count"] == want and h["d_version"] == 9005,
           "-r pmacctd-v9.pcap: %s flows (reference %d), extended format"
           % (h and h["count"], want))


# ---- 7. compression levels against an independent deflate --------------

def v5_pcap(path, datagrams=400):
    """A pcap of Ethernet/IPv4/UDP frames holding v5 datagrams of 30 varied
    records each: enough bytes for several parallel-deflate chunks."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for d in range(datagrams):
        recs = b"".join(struct.pack(">IIIHHIIIIHHBBBBHHBBH", 0x0a000000 + (d * 31 + i) % 9973,
                                    0xc0a80000 + (d * 7 + i * 13) % 4099, 0, 1, 2,
                                    1 + (d + i) % 40, 64 * (1 + (d * i) % 1500),
                                    1000 + d, 2000 + d, 1024 + (i * 37 + d) % 60000,
                                    (80, 443, 53, 22)[(d + i) % 4], 0, 0x12, (6, 17)[i % 2],
                                    0, 0, 0, 24, 16, 0) for i in range(30))
        payload = struct.pack(">HHIIIIBBH", 5, 30, 100000 + d, 1700000000 + d // 10, 0,
                              d * 30, 0, 0, 0) + recs
        udp = struct.pack(">HHHH", 40000, 2055, 8 + len(payload), 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), d & 0xffff, 0, 64, 17, 0,
                         bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])) + udp
        frame = b"\x00\x01\x02\x03\x04\x05\x00\x0a\x0b\x0c\x0d\x0e\x08\x00" + ip
        out.append(struct.pack("<IIII", 1700000000 + d // 10, (d % 10) * 100000,
                               len(frame), len(frame)) + frame)
    open(path, "wb").write(b"".join(out))


def chunked_deflate(raw, level, chunk=256 * 1024):
    """The one zlib stream of ftkit's parallel deflate (ft_pdeflate.h), made
    here with Python's zlib: raw deflate chunks, each primed with the 32 KiB
    before it and ended by a sync flush (the last by finish), behind a zlib
    header announcing the level and ahead of the Adler-32 of all bytes."""
    flevel = 0 if level < 2 else 1 if level < 6 else 2 if level == 6 else 3
    head = (0x78 << 8) | (flevel << 6)
    head += 31 - head % 31
    body = []
    for at in range(0, max(len(raw), 1), chunk):
        dict_ = raw[max(0, at - 32768):at]
        c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY,
                             **({"zdict": dict_} if dict_ else {}))
        last = at + chunk >= len(raw)
        body.append(c.compress(raw[at:at + chunk]) +
                    c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    return struct.pack(">H", head) + b"".join(body) + struct.pack(">I", zlib.adler32(raw))


def test_zlib_levels():
    """Every -z level (and the default, 6) on one thread and on two: the bytes
    are those of zlib at that level, made independently here."""
    pcap = os.path.join(work, "levels.pcap")
    v5_pcap(pcap)
    for level in [None] + list(range(1, 10)):
        for threads in (1, 2):
            wd = os.path.join(work, "z%s-j%d" % (level, threads))
            os.makedirs(wd)
            args = [CAPTURE, "-N", "0", "-V", "5", "-j", str(threads), "-w", wd, "-r", pcap]
            if level is not None:
                args[1:1] = ["-z", str(level)]
            r = subprocess.run(args, capture_output=True, timeout=60, env=ENV)
            done = files(wd)
            data = open(done[0], "rb").read() if done else b""
            e = "<" if data[2:3] == b"\x01" else ">"
            hlen = struct.unpack(e + "I", data[4:8])[0] if len(data) >= 8 else 0
            body = data[hlen:]
            try:
                raw = zlib.decompress(body)
            except zlib.error:
                raw = b""
            lv = 6 if level is None else level
            want = zlib.compress(raw, lv) if threads == 1 else chunked_deflate(raw, lv)
            report(r.returncode == 0 and len(raw) == 12000 * 64 and body == want,
                   "-z %s -j %d: zlib level %d's bytes (%d records)" % (
                       level if level is not None else "(default)", threads, lv,
                       len(raw) // 64))


if not all((CAPTURE, SEND, FANOUT, EXPIRE)):
    report(False, "programs built in %s" % build)
else:
    try:
        for t in (test_round_trips, test_rotation, test_hup_in_opening_second, test_expiry, test_crash_restart,
                  test_counters_and_garbage, test_flood, test_allow_list, test_write_errors, test_fanout,
                  test_send_rate, test_daemon, test_file_options, test_spoof, test_pcap,
                  test_zlib_levels):
            only = os.environ.get("CAPTURE_TESTS")   # e.g. "expiry,fanout" while debugging
            if only and t.__name__[5:] not in only.split(","):
                continue
            try:
                t()
            except Exception as e:       # a broken scenario must not hide the others
                report(False, "%s: %s: %s" % (t.__name__, type(e).__name__, e))
        for log, text in sanitizer_reports:
            print(text)
        report(not sanitizer_reports, "no sanitizer reports in %d daemon logs (%s)"
               % (len(daemon_logs), ", ".join(os.path.basename(r[0]) for r in sanitizer_reports)))
    finally:
        kill_all(procs)
        for pid in daemons:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(work, ignore_errors=True)
finish("capture")
PYTHON
