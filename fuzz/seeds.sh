#!/bin/sh
# fuzz/seeds.sh CORPUS_DIR [BUILD_DIR]: starting corpora for every target
# of fuzz/targets, in CORPUS_DIR/NAME/, made from ../shared (FTKIT_SHARED):
# the captures' datagrams (split by version with fuzz/seedtool, ftlib's pcap
# reader) and frames, the compat inputs (streams), configs and symbol
# tables, flow-report's expected outputs; streams of every record format,
# compression and byte order written by flow-gen; and the small seeds kept
# in fuzz/seeds/NAME/.  BUILD_DIR is fuzz/build.sh's (seedtool, flow-gen).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: fuzz/seeds.sh CORPUS_DIR [BUILD_DIR]}
bd=${2:-$top/build-fuzz}
shared=${FTKIT_SHARED:-$top/../shared}
names=$(sed -n 's/^\([a-z0-9_]\{1,\}\)[[:space:]].*/\1/p' "$top/fuzz/targets")
for n in $names; do mkdir -p "$out/$n"; done
# copy FILE TARGET [MAX]: FILE's first MAX bytes (default 64 KiB) as a seed
copy() {
    [ -d "$out/$2" ] || return 0
    [ -f "$1" ] && head -c "${3:-65536}" "$1" >"$out/$2/$(echo "$1" | tr '/' '_')"
}
seed_of() { sed -n "s/^$1[[:space:]]\{1,\}[0-9]\{1,\}[[:space:]]\{1,\}//p" "$top/fuzz/targets"; }

pcaps=$(find "$shared/captures" -name '*.pcap' 2>/dev/null | sort)
# datagrams and template files
[ -n "$pcaps" ] && [ -x "$bd/fuzz/seedtool" ] && "$bd/fuzz/seedtool" "$out" $pcaps
for f in $pcaps; do copy "$f" pcap; done
# frames: the link type's index in fuzz_pcap_frame.c's table, then the frame
[ -n "$pcaps" ] && python3 - "$out/pcap_frame" $pcaps <<'PY'
import struct, sys
dlts = [0, 1, 12, 101, 113, 276, 108, 14]
outdir, n = sys.argv[1], 0
for path in sys.argv[2:]:
    data = open(path, 'rb').read()
    if len(data) < 24:
        continue
    magic = data[:4]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    if magic not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        continue
    link = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
    if link not in dlts:
        continue
    off, k = 24, 0
    while off + 16 <= len(data) and k < 30:
        incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        k += 1
        with open('%s/seed-%05d' % (outdir, n), 'wb') as fp:
            fp.write(bytes([dlts.index(link)]) + frame[:2047])
        n += 1
PY
# the sensor's packets: the same frames behind fuzz_packet.c's link-type index
# and two bytes of wire length beyond the capture (0)
if [ -d "$out/packet" ]; then
    for f in "$out"/pcap_frame/seed-*; do
        [ -f "$f" ] || continue
        python3 - "$f" "$out/packet/$(basename "$f")" <<'PY'
import sys
frame_dlts = [0, 1, 12, 101, 113, 276, 108, 14]
packet_dlts = [1, 113, 276, 12, 14, 101, 228, 229, 0, 108]
d = open(sys.argv[1], 'rb').read()
if d:
    open(sys.argv[2], 'wb').write(bytes([packet_dlts.index(frame_dlts[d[0] % 8]), 0, 0]) + d[1:])
PY
    done
fi
# streams: the compat inputs, then flow-gen's of every format
for f in $(find "$shared/compat/inputs" -type f 2>/dev/null | sort); do copy "$f" stream; done
if [ -x "$bd/flow-gen" ]; then
    for v in 1 5 6 7 8.1 8.2 8.3 8.4 8.5 8.6 8.7 8.8 8.9 8.10 8.11 8.12 8.13 8.14 1005 extended; do
        for z in 0 9 zstd zstd:19; do
            for b in little big; do
                "$bd/flow-gen" -n 12 -R -V "$v" -z "$z" -b "$b" \
                    >"$out/stream/gen-$v-$z-$b" 2>/dev/null || rm -f "$out/stream/gen-$v-$z-$b"
            done
        done
    done
fi
# import: the compat inputs of each format after the byte that picks it
for f in "$shared"/compat/inputs/*.csv; do
    [ -f "$f" ] && { printf '\002'; head -c 32768 "$f"; } >"$out/import/csv-$(basename "$f")"
done
for f in "$shared"/compat/inputs/*.cflowd.bin; do
    [ -f "$f" ] && { printf '\000'; head -c 32768 "$f"; } >"$out/import/cflowd-$(basename "$f")"
done
for f in $(echo "$pcaps" | head -n 4); do
    { printf '\001'; head -c 32768 "$f"; } >"$out/import/pcap-$(basename "$f")"
done
# configs: the files named in fuzz/targets (cfg:A,B), from compat/cfg and etc/
for n in $names; do
    case $(seed_of "$n") in
    cfg:*)
        for c in $(seed_of "$n" | sed 's/^cfg://; s/,/ /g'); do
            copy "$shared/compat/cfg/$c" "$n"
            copy "$top/etc/$c" "$n"
            copy "$top/etc/nightly/$c" "$n"
        done ;;
    esac
done
copy "$top/etc/demo-filter.cfg" filter
for f in "$shared"/compat/sym/*.sym "$top"/etc/sym/*.sym; do copy "$f" sym; done
for f in $(find "$shared/compat/expected/report" -type f 2>/dev/null | sort | head -n 40); do
    copy "$f" rptin 32768
done
# the small seeds kept with the targets
for n in $names; do
    [ -d "$top/fuzz/seeds/$n" ] && cp "$top/fuzz/seeds/$n"/* "$out/$n/" 2>/dev/null
done
# dictionaries for the text targets: the words their seeds use (keywords,
# types, field names), which libFuzzer then splices in (-dict, run.sh)
mkdir -p "$out/../dict"
for n in $names; do
    case $n in pdu_*|stream|pcap|pcap_frame|packet) continue ;; esac
    python3 - "$out/$n" "$out/../dict/$n.dict" <<'PY'
import os, re, sys
words = {}
for f in sorted(os.listdir(sys.argv[1])):
    text = open(os.path.join(sys.argv[1], f), 'rb').read().decode('latin-1')
    for w in re.findall(r'[A-Za-z@{][A-Za-z0-9_.{}+-]{1,40}', text):
        words[w] = words.get(w, 0) + 1
best = sorted(words, key=lambda w: -words[w])[:400]
with open(sys.argv[2], 'w') as fp:
    for w in best:
        fp.write('"%s"\n' % w.replace('\\', '\\\\').replace('"', '\\"'))
PY
done
for n in $names; do
    echo "$n: $(ls "$out/$n" | wc -l) seeds"
done
