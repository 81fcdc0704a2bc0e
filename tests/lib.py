"""tests/lib.py - helpers shared by the scenario scripts written in Python
(capture.sh, captures.sh, capture-tag.sh, exporters.sh); the shell scripts
have the same in tests/lib.sh.

A script's Python is fed on stdin, so it finds this file through the
directory its shell part passes:  sys.path.insert(0, HERE); from lib import ...

Every script prints one line per check ("ok   NAME" or "FAIL NAME") and ends
with "SCRIPT: N passed, M failed" (run-all.sh reads those lines); every wait
is bounded; every process a script starts is killed at the end.
"""
import glob
import os
import signal
import socket
import struct
import subprocess
import zlib
import sys
import time

counts = {"passed": 0, "failed": 0}


def report(ok, what):
    """One check: counted, one line, flushed (daemons write to the same tty)."""
    counts["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)
    sys.stdout.flush()
    return ok


def finish(name):
    """The summary line, then exit 1 when a check failed."""
    print("%s: %d passed, %d failed" % (name, counts["passed"], counts["failed"]))
    sys.exit(1 if counts["failed"] else 0)


# Where a build tree keeps each program family (or "." for a flat tree).
TOOL_DIRS = (".", "capture", "cat", "print", "header", "tag", "nfilter", "gen")


def tool(build, name):
    """The program `name` of the build tree, or None when it is not built."""
    for d in TOOL_DIRS:
        p = os.path.join(build, d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def free_port(ipv6_too=False):
    """A UDP port free on 127.0.0.1 right now (the kernel picks it), and with
    ipv6_too on ::1 as well, for daemons listening on both."""
    for _ in range(50):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        if ipv6_too:
            try:
                s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s6.bind(("::1", port))
                s6.close()
            except OSError:
                s4.close()
                continue
        s4.close()
        return port
    raise RuntimeError("no free port")


def wait_for(cond, timeout=5.0, step=0.05):
    """Poll cond until it holds, at most timeout seconds; its last value."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def files(workdir, prefix="ft-"):
    """The capture files (by prefix) anywhere below workdir, sorted."""
    return sorted(p for p in glob.glob(os.path.join(workdir, "**", prefix + "*"),
                                       recursive=True) if os.path.isfile(p))


def stop(p, sig=signal.SIGTERM, timeout=10.0):
    """Signal a process and wait for it, killing it after timeout; its status."""
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def kill_all(procs):
    """Kill what a script started and is still running (its final cleanup)."""
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


def udp_socket_state(port):
    """(rx_queue bytes, drops) of the UDP socket bound to 127.0.0.1:port."""
    want = "0100007F:%04X" % port
    try:
        with open("/proc/net/udp") as f:
            for line in f.readlines()[1:]:
                v = line.split()
                if v[1] == want:
                    return int(v[4].split(":")[1], 16), int(v[12])
    except (OSError, IndexError, ValueError):
        pass
    return None


RECORD_SIZES = {1: 60, 5: 64, 6: 72, 7: 68, 1005: 72, 9005: 272}  # formats tests store blocked


def unblock(body, rec, e, name):
    """Records of a body stored in column blocks (header flag 0x100, ftkit-stream(5))."""
    out, p, head = bytearray(), 0, 4 + (rec + 7) // 8
    while p < len(body):
        if len(body) - p < head:
            raise ValueError("%s: truncated block head" % name)
        n = struct.unpack(e + "I", body[p:p + 4])[0]
        cols = [j for j in range((head - 4) * 8) if body[p + 4 + j // 8] >> (j % 8) & 1]
        if not 0 < n <= 8192 or (cols and cols[-1] >= rec):
            raise ValueError("%s: impossible block head" % name)
        block, c = bytearray(n * rec), p + head
        for j in cols:
            block[j::rec] = body[c:c + n]
            c += n
        if c > len(body):
            raise ValueError("%s: truncated block" % name)
        out += block
        p = c
    return bytes(out)


def parse_stream(data, name="stream"):
    """Header fields and raw (inflated) record bytes of a stream-version-3
    file, read from stream-format.md independently of ftlib."""
    if len(data) < 8 or data[0] != 0xCF or data[1] != 0x10 or data[3] != 3:
        raise ValueError("%s: not a stream version 3 file" % name)
    e = "<" if data[2] == 1 else ">"
    hlen = struct.unpack(e + "I", data[4:8])[0]
    h = {"order": e, "tlv": {}}
    p = 8
    while p + 4 <= hlen:
        t, l = struct.unpack(e + "HH", data[p:p + 4])
        v = data[p + 4:p + 4 + l]
        p += 4 + l
        if t in (0x02,):
            h["tlv"][t] = struct.unpack(e + "H", v)[0]
        elif t in (0x0f, 0x10):
            h["tlv"][t] = v.rstrip(b"\0").decode()
        elif l == 4:
            h["tlv"][t] = struct.unpack(e + "I", v)[0]
    body = data[hlen:]
    flags = h["tlv"].get(0x08, 0)
    if flags & 0x40:
        raise ValueError("%s: zstd-compressed (not read here)" % name)
    if flags & 0x02:
        body = zlib.decompressobj().decompress(body)
    if flags & 0x100:
        body = unblock(body, RECORD_SIZES[h["tlv"].get(0x02)], e, name)
    h.update(d_version=h["tlv"].get(0x02), flags=flags, count=h["tlv"].get(0x0a),
             lost=h["tlv"].get(0x0b), corrupt=h["tlv"].get(0x0d), resets=h["tlv"].get(0x0e),
             start=h["tlv"].get(0x06), end=h["tlv"].get(0x07), host=h["tlv"].get(0x0f),
             comment=h["tlv"].get(0x10), body=body)
    return h


def read_stream(path):
    with open(path, "rb") as f:
        return parse_stream(f.read(), path)


def pcap_ip_packets(path):
    """(frame number, ethertype, frame bytes, offset of the IP header) of each
    IPv4 or IPv6 frame of an Ethernet pcap file (VLAN tags skipped)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        raise ValueError("%s: not an Ethernet capture" % path)
    pos, frame = 24, 0
    while pos + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        pkt = data[pos + 16:pos + 16 + caplen]
        pos += 16 + caplen
        frame += 1
        p = 12
        etype = struct.unpack("!H", pkt[p:p + 2])[0]
        p += 2
        while etype in (0x8100, 0x88A8):                    # VLAN tags
            etype = struct.unpack("!H", pkt[p + 2:p + 4])[0]
            p += 4
        if etype in (0x0800, 0x86DD):
            yield frame, etype, pkt, p
