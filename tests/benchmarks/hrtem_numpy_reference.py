#!/usr/bin/env python3
"""Vectorised numpy reference of mgscope's per-box HRTEM work, for the speed comparison.

Box grid, the same work per box as imaging/box_transform.cpp + box_features.cpp: normalise, Hann
window, rfft2, power, irfft2 (circular ACF), whitening by the radial median of each ring, local
maxima above a threshold in the search annulus, ACF secondary peak.

Sliding grid (the ordered-area map that `mgscope hrtem` computes by default, imaging/area_map.cpp):
boxes at a stride of SLIDING_FRACTION of the box, those on the box grid left out (the program
takes them from it); the same work without the ACF, plus, for each box with a spot above the
threshold, the fringe energy of its 4 x 4 cells at the strongest spot (the demodulation behind
the area map's votes, BoxMeasurer::cell_energies).

Boxes are processed in batches with numpy's batched FFTs (pocketfft), so Python loops run over
rings and batches, never over pixels.

Usage: hrtem_numpy_reference.py IMAGE.tif PIXEL_NM [STRIDE_FRACTION [SLIDING_FRACTION]]
  STRIDE_FRACTION: the box grid's stride as a fraction of the box (default 1).
  SLIDING_FRACTION: the sliding grid's stride as a fraction of the box (default 0: no sliding
  grid; the program's default is 0.25).
  IMAGE.tif is read with tifffile (Debian python3-tifffile); reading is not timed.
Prints one line per pass (boxes, seconds, boxes per second) and, with a sliding grid, the total.
"""
import sys
import time

import numpy as np

THRESHOLD = 20.0  # about the null calibration's level on 100 px boxes of synthetic glass


class Geometry:
    """Rings, the search annulus and its neighbours, the window and the ACF lags of an n px box."""

    def __init__(self, n, pixel_nm):
        self.n = n
        half = n // 2 + 1
        self.half = half
        dq = 1.0 / (n * pixel_nm)
        r_min, r_max = 1.0 / (0.60 * dq), min(1.0 / (0.15 * dq), n / 2 - 1)
        ky = np.fft.fftfreq(n, 1.0 / n)[:, None]
        kx = np.arange(half)[None, :]
        r = np.hypot(kx, ky)
        rbin = np.rint(r).astype(int)
        first, last = max(1, int(round(r_min)) - 2), int(round(r_max)) + 2
        self.rings = [np.flatnonzero(rbin.ravel() == b) for b in range(first, last + 1)]
        core = (r >= r_min) & (r <= r_max) & ~((kx == 0) & (ky <= 0))
        self.core_idx = np.flatnonzero(core.ravel())
        kyc, kxc = np.unravel_index(self.core_idx, (n, half))
        kyc = np.where(kyc > n // 2, kyc - n, kyc)
        self.core_kx, self.core_ky = kxc, kyc
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
        self.nbs = np.stack(nbs)  # 8 x core
        lag = np.minimum(np.arange(n), n - np.arange(n)) * pixel_nm
        lag_r = np.hypot(lag[:, None], lag[None, :]).ravel()
        self.lag_idx = np.flatnonzero((lag_r > 0.18) & (lag_r < 0.5 * n * pixel_nm))
        win1 = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
        self.win = (win1[:, None] * win1[None, :]).astype(np.float32)
        self.pos = np.arange(n)


def measure(g, boxes, with_acf, with_cells):
    """The per-box work on a batch of boxes (b x n x n); returns the number of spots found."""
    n, half = g.n, g.half
    m = boxes.mean(axis=(1, 2), keepdims=True)
    sd = boxes.std(axis=(1, 2), keepdims=True)
    v = (boxes - m) / np.where(sd > 0, sd, 1)
    F = np.fft.rfft2(v * g.win)
    P = (F.real ** 2 + F.imag ** 2).reshape(len(boxes), -1)
    if with_acf:
        acf = np.fft.irfft2(P.reshape(len(boxes), n, half), s=(n, n)).reshape(len(boxes), -1)
        acf /= acf[:, :1]
        acf[:, g.lag_idx].max(axis=1)
    W = np.empty_like(P)
    for ring in g.rings:
        med = np.median(P[:, ring], axis=1, keepdims=True)
        W[:, ring] = P[:, ring] * (np.log(2) / np.where(med > 0, med, 1))
    wc = W[:, g.core_idx]
    is_max = np.all(wc[:, None, :] >= W[:, g.nbs], axis=1)
    spots = is_max & (wc > THRESHOLD)
    if with_cells:
        ordered = np.flatnonzero(spots.any(axis=1))
        if len(ordered):
            best = np.argmax(np.where(spots[ordered], wc[ordered], -1), axis=1)
            kx, ky = g.core_kx[best], g.core_ky[best]
            phase = 2 * np.pi * (kx[:, None, None] * g.pos[None, None, :] + ky[:, None, None] * g.pos[None, :, None]) / n
            demod = v[ordered] * np.exp(-1j * phase)
            c = n // 4
            cells = demod[:, :4 * c, :4 * c].reshape(len(ordered), 4, c, 4, c).sum(axis=(2, 4))
            np.abs(cells) ** 2
    return int(spots.sum())


def run_pass(g, img, step, skip_step, with_acf, with_cells):
    n = g.n
    view = np.lib.stride_tricks.sliding_window_view(img, (n, n))[::step, ::step]  # ny x nx x n x n
    ny, nx = view.shape[:2]
    if skip_step:  # leave out the boxes that lie on the box grid (the program reuses them)
        ys, xs = np.meshgrid(np.arange(ny) * step, np.arange(nx) * step, indexing="ij")
        keep = np.flatnonzero(((ys % skip_step) != 0) | ((xs % skip_step) != 0))
    else:
        keep = np.arange(ny * nx)
    flat = view.reshape(-1, n, n)
    t0 = time.perf_counter()
    found = 0
    batch = 256
    for b0 in range(0, len(keep), batch):
        found += measure(g, flat[keep[b0:b0 + batch]], with_acf, with_cells)
    return len(keep), time.perf_counter() - t0, found


def main():
    import tifffile

    path, pixel_nm = sys.argv[1], float(sys.argv[2])
    stride_frac = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    sliding_frac = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    img = tifffile.imread(path).astype(np.float32)
    n = int(round(1.985 / pixel_nm))
    g = Geometry(n, pixel_nm)
    s = max(1, int(round(n * stride_frac)))
    nb, dt, found = run_pass(g, img, s, 0, True, False)
    print(f"numpy: {nb} boxes of {n} px in {dt:.3f} s = {nb / dt:.0f} boxes/s ({found} spots)")
    if sliding_frac > 0:
        ss = max(1, int(round(n * sliding_frac)))
        nbs, dts, found_s = run_pass(g, img, ss, s if s % ss == 0 else 0, False, True)
        print(f"numpy sliding: {nbs} boxes at {ss} px in {dts:.3f} s = {nbs / dts:.0f} boxes/s ({found_s} spots)")
        print(f"numpy total: {nb + nbs} boxes in {dt + dts:.3f} s")


if __name__ == "__main__":
    main()
