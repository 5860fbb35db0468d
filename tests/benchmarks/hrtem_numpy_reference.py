#!/usr/bin/env python3
"""Vectorised numpy reference of mgscope's per-box HRTEM work, for the speed comparison.

Same work per box as imaging/box_transform.cpp + box_features.cpp: normalise, Hann window, rfft2,
power, irfft2 (circular ACF), whitening by the radial median of each ring, local maxima above a
threshold in the search annulus, ACF secondary peak. Boxes are processed in batches with numpy's
batched FFTs (pocketfft), so Python loops run over rings and batches, never over pixels.

Usage: hrtem_numpy_reference.py IMAGE.tif PIXEL_NM [STRIDE_FRACTION]
  IMAGE.tif is read with tifffile (Debian python3-tifffile); reading is not timed.
Prints one line: boxes, seconds, boxes per second.
"""
import sys
import time

import numpy as np


def main():
    import tifffile

    path, pixel_nm = sys.argv[1], float(sys.argv[2])
    stride_frac = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    img = tifffile.imread(path).astype(np.float32)
    h, w = img.shape
    n = int(round(1.985 / pixel_nm))
    s = max(1, int(round(n * stride_frac)))
    half = n // 2 + 1
    dq = 1.0 / (n * pixel_nm)
    r_min, r_max = 1.0 / (0.60 * dq), min(1.0 / (0.15 * dq), n / 2 - 1)
    ky = np.fft.fftfreq(n, 1.0 / n)[:, None]
    kx = np.arange(half)[None, :]
    r = np.hypot(kx, ky)
    rbin = np.rint(r).astype(int)
    first, last = max(1, int(round(r_min)) - 2), int(round(r_max)) + 2
    rings = [np.flatnonzero(rbin.ravel() == b) for b in range(first, last + 1)]
    core = (r >= r_min) & (r <= r_max) & ~((kx == 0) & (ky <= 0))
    core_idx = np.flatnonzero(core.ravel())
    kyc, kxc = np.unravel_index(core_idx, (n, half))
    kyc = np.where(kyc > n // 2, kyc - n, kyc)
    nbs = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx == 0 and dy == 0:
                continue
            x, y = kxc + dx, kyc + dy
            flip = x < 0
            x = np.where(flip, -x, x)
            y = np.where(flip, -y, y)
            nbs.append((y % n) * half + x)
    nbs = np.stack(nbs)  # 8 x core
    lag = np.minimum(np.arange(n), n - np.arange(n)) * pixel_nm
    lag_r = np.hypot(lag[:, None], lag[None, :]).ravel()
    lag_idx = np.flatnonzero((lag_r > 0.18) & (lag_r < 0.5 * n * pixel_nm))
    win1 = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
    win = (win1[:, None] * win1[None, :]).astype(np.float32)

    view = np.lib.stride_tricks.sliding_window_view(img, (n, n))[::s, ::s]  # ny x nx x n x n
    boxes_all = view.reshape(-1, n, n)
    t0 = time.perf_counter()
    found = 0
    batch = 256
    for b0 in range(0, boxes_all.shape[0], batch):
        boxes = boxes_all[b0:b0 + batch]
        m = boxes.mean(axis=(1, 2), keepdims=True)
        sd = boxes.std(axis=(1, 2), keepdims=True)
        x = (boxes - m) / np.where(sd > 0, sd, 1) * win
        F = np.fft.rfft2(x)
        P = (F.real ** 2 + F.imag ** 2).reshape(len(boxes), -1)
        acf = np.fft.irfft2(P.reshape(len(boxes), n, half), s=(n, n)).reshape(len(boxes), -1)
        acf /= acf[:, :1]
        W = np.empty_like(P)
        for ring in rings:
            med = np.median(P[:, ring], axis=1, keepdims=True)
            W[:, ring] = P[:, ring] * (np.log(2) / np.where(med > 0, med, 1))
        wc = W[:, core_idx]
        is_max = np.all(wc[:, None, :] >= W[:, nbs], axis=1)
        spots = is_max & (wc > 20.0)
        found += int(spots.sum())
        acf_sec = acf[:, lag_idx].max(axis=1)
        del acf_sec
    dt = time.perf_counter() - t0
    nb = boxes_all.shape[0]
    print(f"numpy: {nb} boxes of {n} px in {dt:.3f} s = {nb / dt:.0f} boxes/s ({found} spots)")


if __name__ == "__main__":
    main()
