#!/usr/bin/env bash
# Builds every libFuzzer target (clang, address + undefined sanitizers) in build-fuzz/ and runs
# each for SECONDS (default 60) on seeds made from samples/, one target after another, printing
# the executions per target. A crash, leak, timeout (> 10 s per input) or a single allocation
# over 256 MB stops that target and leaves its reproducer in build-fuzz/findings/<target>/;
# turn each into a regression test in the ordinary suite. (The process's total RSS is capped at
# 2 GB only: the sanitizer runtime and the libraries OpenCV loads take ~90 MB before the first
# input, and libFuzzer's corpus and ASan's quarantine grow from there.)
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_qd fuzz_indent fuzz_dsc fuzz_power_law_table fuzz_toml fuzz_tiff fuzz_dm fuzz_ser fuzz_mrc fuzz_emd
           fuzz_ome_xml fuzz_deflate fuzz_spot_calibration fuzz_picture)
fi
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (Debian: apt-get install clang)"; exit 2; }

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMGSCOPE_FUZZ=ON -DMGSCOPE_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]}"

# Seeds: the project's own sample files and a few hand-made headers, per target.
seeds=build-fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{fuzz_qd,fuzz_indent,fuzz_dsc,fuzz_power_law_table,fuzz_toml}
for f in samples/mce/*/*.dat; do head -c 20000 "$f" > "$seeds/fuzz_qd/$(basename "$(dirname "$f")")_$(basename "$f")"; done
for f in samples/indent/grid/indent_r01_c0*.csv samples/study/ascast/hardness/indent_r01_c01.txt; do
  head -c 8000 "$f" > "$seeds/fuzz_indent/$(basename "$f")"; done
printf 'Mon Apr 29 10:41:06 2019\n\nNumber of Points = 2\nDepth (nm)\tLoad (\xb5N)\tTime (s)\n1\t2\t0\n2\t3\t0.1\n' \
  > "$seeds/fuzz_indent/triboscan.txt"
printf '0.0   0.0   0.0\n0.1  12.5   0.25\n' > "$seeds/fuzz_indent/antonpaar.txt"
for f in samples/dsc/*.txt samples/dsc/generic_example.csv; do head -c 20000 "$f" > "$seeds/fuzz_dsc/$(basename "$f")"; done
printf 'Time (s);Furnace Temperature (\xc2\xb0C);Sample Temperature (\xc2\xb0C);TG (mg);HeatFlow (mW)\n0;105,5;100,5;12,5;-0,25\n' \
  > "$seeds/fuzz_dsc/setaram.txt"
printf 'composition,T_K,minus_dSm_max_JkgK,mu0H_T\nGd60Co40,200,5,5\nGd55Co45,220,7,2\n' > "$seeds/fuzz_power_law_table/table.csv"
find samples -name '*.toml' -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$seeds/fuzz_toml" \;
for f in samples/hrtem/*.tif; do mkdir -p "$seeds/fuzz_tiff"; head -c 200000 "$f" > "$seeds/fuzz_tiff/$(basename "$f")"; done
# Uncompressed 16-bit strips, which the reader can leave in the file (memory-mapped): the samples are Deflate.
"$(command -v /usr/bin/python3 || command -v python3)" -c "import numpy, tifffile; tifffile.imwrite('$seeds/fuzz_tiff/strips_u16.tif', (numpy.arange(48 * 64) * 37 % 65536).astype('uint16').reshape(48, 64), photometric='minisblack', rowsperstrip=8)" \
  || echo "fuzz.sh: no numpy/tifffile: fuzz_tiff starts without an uncompressed seed"

# Our deflate encoder: rows of 2, 37 and 2341 bytes (a map figure's scanline) repeating the row above
# in whole or in part, after the two bytes that give the row length.
mkdir -p "$seeds/fuzz_deflate"
"$(command -v /usr/bin/python3 || command -v python3)" - "$seeds/fuzz_deflate" <<'PY'
import random, sys
random.seed(1)
for row, rows in ((2, 300), (37, 60), (2341, 12)):
    data = bytearray()
    for r in range(rows):
        for k in range(row):
            above = data[-row] if r else 0
            data.append(above if r % 4 else (k // 7 * 31 + r) % 256)
        if r % 5 == 3: data[-1] ^= 0x55
    open(f"{sys.argv[1]}/rows_{row}", "wb").write(bytes([row >> 8, row & 255]) + bytes(data))
PY

# TIA SER series of two 33 x 17 frames (rows bottom-up, mapped as they lie by the second read), uint16
# and float32, 32-bit offsets (version 0x210) and 64-bit (0x220).
mkdir -p "$seeds/fuzz_ser"
"$(command -v /usr/bin/python3 || command -v python3)" - "$seeds/fuzz_ser" <<'PY'
import struct, sys
for version, dtype, fmt in ((0x210, 2, "H"), (0x220, 7, "f")):
    wide = version == 0x220
    b = bytearray(struct.pack("<HHHiiii", 0x4949, 0x0197, version, 0x4122, 0x4152, 2, 2))
    at = len(b)
    b += struct.pack("<q" if wide else "<i", 0)
    b += struct.pack("<iiddii", 1, 2, 0.0, 1.0, 0, 0) + struct.pack("<i", 0)
    offsets = []
    for f in range(2):
        offsets.append(len(b))
        b += struct.pack("<ddiddihii", -1e-9, 2.5e-10, 2, 0.0, 2.5e-10, 0, dtype, 33, 17)
        b += struct.pack("<%d%s" % (33 * 17, fmt), *[(k * 37 + f) % 4000 for k in range(33 * 17)])
    b[at:at + (8 if wide else 4)] = struct.pack("<q" if wide else "<i", len(b))
    for v in offsets + [0, 0]:
        b += struct.pack("<q" if wide else "<i", v)
    open(f"{sys.argv[1]}/series_{dtype}.ser", "wb").write(bytes(b))
PY

# DM3/DM4 (both tag byte orders), MRC (a 3-section stack, FEI1 records for two sections) and EMD: the reader
# targets had started from an empty corpus. Small real files of ../shared/data/hrtem join them when
# present (cut to -max_len).
mkdir -p "$seeds/fuzz_dm" "$seeds/fuzz_mrc" "$seeds/fuzz_emd"
"$(command -v /usr/bin/python3 || command -v python3)" - "$seeds" <<'PY'
import struct, sys
out = sys.argv[1]
def dm(version, little):
    word = (lambda v: struct.pack(">Q", v)) if version == 4 else (lambda v: struct.pack(">I", v))
    order = "<" if little else ">"
    def entry(kind, name, body):
        size = struct.pack(">Q", len(body)) if version == 4 else b""
        return bytes([kind]) + struct.pack(">H", len(name)) + name + size + body
    def group(entries):
        return b"\x01\x00" + word(len(entries)) + b"".join(entries)
    def data(name, info, payload):
        return entry(21, name, b"%%%%" + word(len(info)) + b"".join(word(w) for w in info) + payload)
    def scalar(name, code, fmt, v):
        return data(name, [code], struct.pack(order + fmt, v))
    def units(name, text):
        return data(name, [20, 4, len(text)], b"".join(struct.pack(order + "H", ord(c)) for c in text))
    w, h = 6, 4
    pixels = b"".join(struct.pack(order + "f", x + 10.0 * y) for y in range(h) for x in range(w))
    axes = [entry(20, b"", group([scalar(b"Origin", 6, "f", 0.0), scalar(b"Scale", 6, "f", s), units(b"Units", u)]))
            for s, u in ((0.5, "nm"), (2.0, "A"))]
    image = group([entry(20, b"Calibrations", group([entry(20, b"Dimension", group(axes))])),
                   data(b"Data", [20, 6, w * h], pixels), scalar(b"DataType", 3, "i", 2),
                   entry(20, b"Dimensions", group([scalar(b"", 5, "I", w), scalar(b"", 5, "I", h)]))])
    root = group([entry(20, b"ImageList", group([entry(20, b"", group([entry(20, b"ImageData", image)]))]))])
    size = struct.pack(">Q", len(root)) if version == 4 else struct.pack(">I", len(root))
    return struct.pack(">I", version) + size + struct.pack(">I", 1 if little else 0) + root + bytes(8)
for version in (3, 4):
    for little in (True, False):
        open(f"{out}/fuzz_dm/synthetic_{'le' if little else 'be'}.dm{version}", "wb").write(dm(version, little))
nx, ny, nz = 6, 4, 3
header = bytearray(1024)
struct.pack_into("<10i6f3i3f2i", header, 0, nx, ny, nz, 2, 0, 0, 0, nx, ny, nz, 12.0, 16.0, 3.0, 90, 90, 90,
                 1, 2, 3, 0.0, 100.0, 50.0, 0, 2 * 128)
header[104:108] = b"FEI1"
struct.pack_into("<i", header, 108, 20140)
header[208:216] = b"MAP DD\x00\x00"
records = bytearray(2 * 128)
for r in range(2):
    struct.pack_into("<2f", records, r * 128 + 44, 1.25e-11, 8.1e5)
pixels = b"".join(struct.pack("<f", x + 10.0 * y + 100.0 * z) for z in range(nz) for y in range(ny) for x in range(nx))
open(f"{out}/fuzz_mrc/fei1_stack.mrc", "wb").write(bytes(header) + bytes(records) + pixels)
PY
real=../shared/data/hrtem
for f in fuzz_dm/test-1.dm4 fuzz_dm/dmTest_float32_nonSquare_diffPixelSize.dm3 fuzz_dm/test_STEM_image.dm3 \
         fuzz_mrc/temp.mrc fuzz_emd/example_image_berkeley.emd; do
  if [ -f "$real/${f#*/}" ]; then head -c 65536 "$real/${f#*/}" > "$seeds/$f"; fi
done

# A spot calibration of 20 null boxes, as --save-threshold writes one (docs/schemas/hrtem.spot_calibration.schema.json).
mkdir -p "$seeds/fuzz_spot_calibration"
"$(command -v /usr/bin/python3 || command -v python3)" - "$seeds/fuzz_spot_calibration" <<'PY'
import json, sys
settings = {"box_nm": "1.985", "window": "hann", "acf": "circular", "d_min_nm": "0.15", "d_max_nm": "0.6",
            "acf_min_lag_nm": "0.18", "same_direction_deg": "15", "alpha": "0.01", "alpha_secondary": "0.1",
            "null_boxes": "2000", "seed": "20230111"}
doc = {"format": "mgscope spot calibration", "version": 1, "program": {"version": "0"}, "source": "a.tif",
       "pixel_nm": 0.0199, "box_px": 100, "settings": settings, "level": 16.8, "secondary_level": 11.0,
       "formula_level": 10.16, "null_boxes_used": 20, "null_median_max": 7.2, "description": "seed",
       "tail_start": 9.5, "tail_mean_excess": 1.3, "tail_share": 0.1, "search_pixels": 258,
       "null_maxima": [5 + 0.25 * k for k in range(20)], "null_spectrum_side": 64,
       "null_spectrum": [0.0] + [1.0 / (1 + k) for k in range(1, 40)]}
open(f"{sys.argv[1]}/calibration.json", "w").write(json.dumps(doc, indent=1))
PY

# PNG (gray 8 and 16-bit, RGB, palette, Adam7) and a baseline JPEG, each after the byte that picks its
# reader (fuzz_picture.cpp: even PNG, odd JPEG).
mkdir -p "$seeds/fuzz_picture"
"$(command -v /usr/bin/python3 || command -v python3)" - "$seeds/fuzz_picture" <<'PY'
import struct, sys, zlib
out = sys.argv[1]
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
def png(name, w, h, depth, colour, row, interlace=0, extra=b""):
    raw = b"".join(b"\x00" + row(y) for y in range(h))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, interlace))
            + extra + chunk(b"tEXt", b"Software\x00seed") + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open(f"{out}/{name}", "wb").write(b"\x00" + data)
png("gray8.png", 24, 16, 8, 0, lambda y: bytes((x * 7 + y) % 256 for x in range(24)))
png("gray16.png", 24, 16, 16, 0, lambda y: b"".join(struct.pack(">H", x * 900 + y) for x in range(24)))
png("rgb.png", 24, 16, 8, 2, lambda y: bytes(v for x in range(24) for v in (x, x, x + (y == 3))))
png("palette.png", 24, 16, 8, 3, lambda y: bytes((x + y) % 4 for x in range(24)),
    extra=chunk(b"PLTE", bytes([0, 0, 0, 80, 80, 80, 160, 160, 160, 255, 255, 255])))
# An Adam7 picture's passes are stored one after another; a stream that ends early is what the
# fuzzer needs, so the rows of the non-interlaced layout serve as its (short) data.
png("adam7.png", 24, 16, 8, 0, lambda y: bytes(24), interlace=1)
# The smallest baseline JPEG: 24 x 16 gray, one quantisation table of ones, one-code Huffman tables,
# six blocks of DC 0 and end-of-block.
def seg(marker, body):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body
bits = "00" * 6
bits += "1" * (-len(bits) % 8)
jpeg = (b"\xff\xd8" + seg(0xDB, b"\x00" + bytes([1] * 64))
        + seg(0xC0, b"\x08" + struct.pack(">HH", 16, 24) + b"\x01\x01\x11\x00")
        + seg(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00") + seg(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
        + seg(0xDA, b"\x01\x01\x00\x00\x3f\x00") + bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
        + b"\xff\xd9")
open(f"{out}/baseline.jpg", "wb").write(b"\x01" + jpeg)
PY

# OME-XML as Fiji/Bio-Formats and tifffile write it: a T stack with Plane DeltaT, a Z x T stack with
# TiffData, and a multi-file dataset (the first byte: the pages the file holds).
mkdir -p "$seeds/fuzz_ome_xml"
"$(command -v /usr/bin/python3 || command -v python3)" - "$seeds/fuzz_ome_xml" <<'PY'
import sys
head = '<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" Creator="seed">'
def pixels(order, z, t, extra):
    return ('<Image ID="Image:0" Name="s"><Pixels ID="Pixels:0" DimensionOrder="%s" Type="uint16" SizeX="64" SizeY="48" '
            'SizeZ="%d" SizeC="1" SizeT="%d" PhysicalSizeX="0.199" PhysicalSizeXUnit="&#197;" PhysicalSizeY="0.0199" '
            'PhysicalSizeYUnit="nm" TimeIncrement="750" TimeIncrementUnit="ms"><Channel ID="Channel:0:0"/>%s</Pixels></Image>'
            % (order, z, t, extra))
planes = "".join('<Plane TheZ="0" TheC="0" TheT="%d" DeltaT="%g" DeltaTUnit="s"/>' % (k, 1.5 * k) for k in range(4))
tiffdata = "".join('<TiffData IFD="%d" FirstZ="%d" FirstT="%d" PlaneCount="1"/>' % (2 * t + z, z, t)
                   for t in range(3) for z in range(2))
other = ('<TiffData FirstT="1" PlaneCount="1"><UUID FileName="part_2.ome.tif">urn:uuid:1</UUID></TiffData>'
         '<TiffData FirstT="0" PlaneCount="1"><UUID FileName="fuzz.ome.tif">urn:uuid:0</UUID></TiffData>')
seeds = {"t_stack": (4, pixels("XYCZT", 1, 4, '<TiffData PlaneCount="4"/>' + planes)),
         "zt_stack": (6, pixels("XYZCT", 2, 3, tiffdata)),
         "multi_file": (1, pixels("XYZCT", 1, 2, other))}
for name, (pages, body) in seeds.items():
    open(f"{sys.argv[1]}/{name}", "wb").write(bytes([pages]) + (head + body + "</OME>").encode())
PY

for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/findings/$t"
  seed_dir="$seeds/$t"
  [ -d "$seed_dir" ] || seed_dir=""
  log="build-fuzz/findings/$t/log.txt"
  # libhdf5 (C) asks malloc for what a damaged file declares (281 TB once): ASan's default aborts there,
  # where the real malloc returns NULL and libhdf5 reports "memory allocation failed", which the EMD
  # reader turns into an InputError. Our C++ allocations still abort, and -malloc_limit_mb still
  # catches any single allocation between 256 MB and ASan's 1 TB maximum.
  asan=quarantine_size_mb=64
  lsan=
  if [ "$t" = fuzz_emd ]; then asan=$asan:allocator_may_return_null=1; lsan=suppressions=tests/fuzz/lsan_hdf5.supp; fi
  set +e
  ASAN_OPTIONS=$asan LSAN_OPTIONS=$lsan \
  "build-fuzz/tests/fuzz/$t" "build-fuzz/corpus/$t" $seed_dir -max_total_time="$seconds" -rss_limit_mb=2048 \
    -malloc_limit_mb=256 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/$t/" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "$t: $runs executions in ${seconds} s, exit $rc$([ $rc -ne 0 ] && echo " (see $log)")"
done
