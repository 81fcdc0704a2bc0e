#!/bin/sh
# capture-tag.sh BUILD_DIR - flow-capture -T (tagging at capture) on loopback.
#
# A v5 stream is sent with flow-send to flow-capture -T; the tags stored in
# the capture files must be those tests/tagoracle.py computes from the tag
# language's rules (and flow-tag must agree).  Files
# are read by a small reader written here from stream-format.md (header
# TLVs, zlib, the v1005 layout), not by ftlib.  Ports are chosen free at
# run time; every wait is bounded.  Prints one line per check and
# "capture-tag: N passed, M failed".

build=${1:-.}
here=$(cd "$(dirname "$0")" && pwd)
shared=${FTKIT_SHARED:-$here/../../shared}
exec python3 - "$build" "$shared" "$here" <<'PYTHON'
import collections, os, re, shutil, signal, struct, subprocess, sys
import tempfile, time, zlib

build, shared = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[3])
from lib import report, finish, tool, free_port, wait_for, files, stop, kill_all, read_stream, parse_stream  # noqa: E402
import tagoracle  # noqa: E402
compat = os.path.join(shared, "compat")
CFG = os.path.join(compat, "cfg", "tag.cfg")
INPUT = os.path.join(compat, "inputs", "v5.ft")
work = tempfile.mkdtemp(prefix="ftkit-capture-tag-")
daemons = []
logs = []


CAPTURE, SEND, TAG, PRINT = (tool(build, n) for n in
                             ("flow-capture", "flow-send", "flow-tag", "flow-print"))

# ---- v1005 records of the streams read by lib.read_stream (independent of ftlib) ----


def tagged_flows(h):
    """(src, dst, nexthop, input, output, sport, dport, prot, src_tag, dst_tag)
    of each little-endian v1005 record, as a multiset."""
    b, out = h["body"], collections.Counter()
    for i in range(len(b) // 72):
        r = b[i * 72:(i + 1) * 72]
        src, dst, nh, inp, outp = struct.unpack("<IIIHH", r[16:32])
        sport, dport = struct.unpack("<HH", r[48:52])
        stag, dtag = struct.unpack("<II", r[64:72])
        out[(src, dst, nh, inp, outp, sport, dport, r[52], stag, dtag)] += 1
    return out


# ---- processes ----------------------------------------------------------------


def start_capture(name, *opts):
    """flow-capture in the foreground on a free loopback port."""
    workdir = os.path.join(work, name)
    os.makedirs(workdir)
    log = workdir + ".log"
    logs.append(log)
    port = free_port()
    p = subprocess.Popen([CAPTURE, "-D", "-w", workdir] + list(opts) +
                         ["127.0.0.1/127.0.0.1/%d" % port],
                         stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    daemons.append(p)
    up = wait_for(lambda: "listening on port" in open(log).read() or p.poll() is not None)
    return p, workdir, port, up and p.poll() is None


def send(port, *opts):
    with open(INPUT, "rb") as f:
        r = subprocess.run([SEND] + list(opts) + ["0/127.0.0.1/%d" % port], stdin=f,
                           capture_output=True, timeout=60)
    return r.returncode


def flows_in(workdir, reader):
    total = 0
    for path in files(workdir):
        try:
            total += reader(path)
        except (ValueError, zlib.error, struct.error):
            pass
    return total


def rotate_until(p, workdir, want, reader, timeout=10.0):
    """SIGHUP until the closed files hold `want` flows (datagrams may still
    be in the socket buffer when flow-send ends)."""
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        p.send_signal(signal.SIGHUP)
        if wait_for(lambda: flows_in(workdir, reader) >= want, 1.0):
            return True
    return flows_in(workdir, reader) >= want


def run(args, stdin_path):
    with open(stdin_path, "rb") as f:
        return subprocess.run(args, stdin=f, capture_output=True, timeout=60)

# ---- the checks ---------------------------------------------------------------


def count_v1005(path):
    h = read_stream(path)
    return len(h["body"]) // 72 if h["d_version"] == 1005 else 0


def oracle(definition, exaddr="127.0.0.1"):
    """The tagged flows as tests/tagoracle.py computes them from the tag
    language's rules, for flows a collector received from exaddr."""
    actions, defs = tagoracle.load(CFG)
    want = collections.Counter()
    for f in tagoracle.v5_flows(read_stream(INPUT), exaddr):
        want[f["raw"] + tagoracle.tag_flow(actions, defs[definition], f)] += 1
    return want


def v5_tagged(definition):
    """flow-capture -T on a v5 stream stores the tags the definition gives (as
    the oracle computes them, and as flow-tag gives them), in v1005 files."""
    want = oracle(definition)
    by_tag = tagged_flows(parse_stream(run([TAG, "-t", CFG, "-T", definition], INPUT).stdout,
                                       "flow-tag output"))
    report(sum(((want - by_tag) + (by_tag - want)).values()) == 0,
           "%s: flow-tag gives the oracle's tags" % definition)
    p, workdir, port, up = start_capture("v5-" + definition, "-n", "0", "-t", CFG,
                                         "-T", definition)
    if not report(up, "%s: flow-capture -T %s listens" % (definition, definition)):
        stop(p)
        return
    report(send(port) == 0, "%s: flow-send exit status" % definition)
    report(rotate_until(p, workdir, sum(want.values()), count_v1005),
           "%s: %d flows stored as v1005" % (definition, sum(want.values())))
    report(stop(p) == 0, "%s: flow-capture exits 0 on SIGTERM" % definition)
    got = collections.Counter()
    headers_ok = True
    for path in files(workdir):
        h = read_stream(path)
        headers_ok &= h["d_version"] == 1005
        got += tagged_flows(h)
    report(headers_ok and files(workdir), "%s: every file is d_version 1005" % definition)
    diff = sum(((want - got) + (got - want)).values())
    report(diff == 0 and sum(got.values()) > 0,
           "%s: tags equal the oracle's (%d flows, %d differ)"
           % (definition, sum(got.values()), diff))
    tagged = sum(n for k, n in got.items() if k[8] or k[9])
    report(tagged > 0, "%s: %d flows carry a tag" % (definition, tagged))


def v9_extended():
    """v9 flows tagged at capture go to extended files, tags included."""
    if not PRINT:
        report(False, "v9: flow-print not built")
        return
    expected = run([TAG, "-t", CFG, "-T", "sites"], INPUT)
    want = sorted(subprocess.run([PRINT, "-f", "9"], input=expected.stdout,
                                 capture_output=True).stdout.decode().splitlines()[1:])
    p, workdir, port, up = start_capture("v9", "-n", "0", "-t", CFG, "-T", "sites")
    if not report(up, "v9: flow-capture -T sites listens"):
        stop(p)
        return
    report(send(port, "-V", "9") == 0, "v9: flow-send -V 9 exit status")

    rotate_until(p, workdir, len(want), lambda path: len(
        subprocess.run([PRINT, "-f", "9"], stdin=open(path, "rb"),
                       capture_output=True).stdout.splitlines()[1:])
        if read_stream(path)["d_version"] == 9005 else 0)
    stop(p)
    paths = files(workdir)
    report(paths and all(read_stream(x)["d_version"] == 9005 for x in paths),
           "v9: files are in the extended format (9005)")
    got = []
    for path in paths:
        got += subprocess.run([PRINT, "-f", "9"], stdin=open(path, "rb"),
                              capture_output=True).stdout.decode().splitlines()[1:]
    report(sorted(got) == want and want,
           "v9: tags equal flow-tag's (%d of %d flows)" % (len(got), len(want)))


def refused(what, args, message):
    r = subprocess.run([CAPTURE, "-D", "-w", os.path.join(work, "refused")] + args +
                       ["127.0.0.1/127.0.0.1/%d" % free_port()],
                       capture_output=True, timeout=10)
    err = r.stderr.decode(errors="replace")
    report(r.returncode == 1 and message in err,
           "%s: exit %d, message %r" % (what, r.returncode, err.strip()[:120]))


def commented_config():
    """tag.cfg as flow-tools reads it too: CRLF line ends, tabs, comment lines
    of more words than a statement may have and longer than a line."""
    cfg = os.path.join(work, "commented.cfg")
    many = "# " + " ".join("word%d" % i for i in range(300))
    with open(CFG) as src, open(cfg, "w", newline="") as out:
        out.write(many + "\r\n")
        for line in src.read().splitlines():
            out.write(line.replace("  ", "\t") + "\r\n\t" + many[:40] + "\r\n")
    plain, commented = (run([TAG, "-t", c, "-T", "sites"], INPUT) for c in (CFG, cfg))
    report(commented.returncode == 0 and commented.stdout == plain.stdout,
           "flow-tag: a commented CRLF tag.cfg tags alike (exit %d, %s)"
           % (commented.returncode, commented.stderr.decode(errors="replace").strip()[:80]))
    p, workdir, port, up = start_capture("commented", "-n", "0", "-t", cfg, "-T", "sites")
    report(up, "flow-capture -T: a commented CRLF tag.cfg is read")
    stop(p)


def tag_command_line():
    """flow-tag's options (tools.md section 10), shared with flow-nfilter."""
    for args, what, want in ((["-h"], "-h", "Usage: flow-tag"),
                             (["-t", CFG, "-T", "sites", "extra"], "an extra argument",
                              "Extra arguments starting with extra"),
                             (["-t", CFG], "no -T", "no tag definition given (-T)")):
        r = run([TAG] + args, INPUT)
        err = r.stderr.decode(errors="replace")
        report(r.returncode == 1 and not r.stdout and want in err,
               "flow-tag %s: exit %d, %r" % (what, r.returncode, err.strip()[:60]))


missing = [n for n, p in (("flow-capture", CAPTURE), ("flow-send", SEND),
                          ("flow-tag", TAG)) if not p]
try:
    if missing:
        report(False, "not built: " + " ".join(missing))
    else:
        os.makedirs(os.path.join(work, "refused"))
        v5_tagged("sites")
        v5_tagged("blanket")
        v9_extended()
        commented_config()
        tag_command_line()
        refused("unknown definition", ["-t", CFG, "-T", "nonexistent"], "nonexistent")
        refused("-V 5 with -T", ["-t", CFG, "-T", "sites", "-V", "5"],
                "Must be v1005 with tagging.")
        refused("missing tag file", ["-t", os.path.join(work, "none.cfg"), "-T", "sites"],
                "none.cfg")
        reports = [l for l in logs if re.search(r"(AddressSanitizer|LeakSanitizer|"
                                                r"runtime error:)", open(l).read())]
        report(not reports, "no sanitizer reports in %d daemon logs %s" % (len(logs), reports))
finally:
    kill_all(daemons)
    shutil.rmtree(work, ignore_errors=True)

finish("capture-tag")
PYTHON
