#!/usr/bin/env python3
"""Strong and weak scaling of `mpirun -n R lwl classify --mnist` (784-20-10),
modelled from what `lwl bench` measured on this machine (BENCHMARKS.md "MPI").

Per iteration each rank computes K/R items; then two allgathers: the tree of
per-block consensus sums (exec::reduce: every rank sends the largest tree
nodes inside its block range, (E + N)·8 bytes each, counted exactly below)
and the block statistics (128 bytes per tree node); with exemptions two more
gather the class nodes' y and b rows (2·C·8 bytes per item, all items).
An allgather of B bytes in all over R ranks is modelled as
    ceil(log2 R)·alpha + (R − 1)/R · B / beta
(recursive doubling for latency, ring for bandwidth). alpha is the measured
TCP-loopback latency of an 8-byte allgather; beta the network's bandwidth.

Usage: experiments/mpi/model.py  (prints the tables of BENCHMARKS.md)
"""
import math

E, N, C = 784 * 20 + 20 * 10, 784 + 20 + 10, 10   # edges, nodes, classes
T_WM = 1.53e-9        # s per weight-multiply, one rank, one thread, f64 (lwl bench, batch 1000-4000)
ALPHA = 10e-6         # s, 8-byte allgather on TCP loopback, 2 ranks (8-11 us measured)
BLOCK = 16            # items per layout block (Layout::preferred)
NETS = {"10 Gbit/s": 1.25e9, "100 Gbit/s": 12.5e9}


def owner(b, blocks, ranks):
    return b * ranks // blocks


def segments(blocks, ranks):
    """Tree nodes the ranks send in exec::reduce, summed over ranks: each
    rank's block range split greedily from the left into the largest tree
    nodes inside it (a node at block x of level l covers x .. x + 2^l,
    cut at the last block)."""
    total = 0
    for r in range(ranks):
        # the range of rank r: blocks b with b·R // blocks == r
        lo = -(-r * blocks // ranks)
        hi = -(-(r + 1) * blocks // ranks)
        x = lo
        while x < hi:
            l = 0
            while (x % (1 << (l + 1)) == 0) and min(x + (1 << (l + 1)), blocks) <= hi and (1 << (l + 1)) < 2 * blocks:
                l += 1
            total += 1
            x = min(x + (1 << l), blocks)
    return total


def allgather(total_bytes, ranks, beta):
    if ranks == 1:
        return 0.0
    return math.ceil(math.log2(ranks)) * ALPHA + (ranks - 1) / ranks * total_bytes / beta


def iteration(items, ranks, beta, exempt, rank_tree=False):
    blocks = math.ceil(items / BLOCK)
    compute = items * E * T_WM / ranks
    seg = segments(blocks, ranks)
    if rank_tree:
        # not built: the tree's levels above the ranks' ranges combined by
        # point-to-point sends up a tree of ranks, the root broadcast back;
        # each level one (E + N)·8-byte message (a rank's own nodes are summed
        # locally first, the tree fixed by block index either way)
        hop = ALPHA + (E + N) * 8 / beta
        comm = 2 * math.ceil(math.log2(ranks)) * hop if ranks > 1 else 0.0
    else:
        comm = allgather(seg * (E + N) * 8, ranks, beta) + allgather(seg * 128, ranks, beta)
    if exempt:
        comm += 2 * allgather(items * C * 8, ranks, beta)
    return compute, comm


def tenth(ranks, beta, exempt, rank_tree=False):
    """Smallest batch (a multiple of 16 items per rank) at which the
    collectives take at most 10% of an iteration."""
    k = 16 * ranks
    while k < 10**8:
        c, m = iteration(k, ranks, beta, exempt, rank_tree)
        if m <= 0.1 * (c + m):
            return k
        k = int(k * 1.1) // (16 * ranks) * (16 * ranks) + 16 * ranks
    return "> 1e8"


def main():
    for exempt, rank_tree in ((False, False), (True, False), (False, True)):
        mode = "exemptions (class rows gathered)" if exempt else "plain labels"
        if rank_tree:
            mode += ", projected with a reduction tree over ranks (not built)"
        print(f"\n## {mode}")
        for net, beta in NETS.items():
            print(f"\n{net}: iteration ms (compute + collectives), speed-up over one rank, comm share")
            for label, batch in (("strong, batch 4000", lambda r: 4000), ("strong, batch 60000", lambda r: 60000),
                                 ("weak, 1000 per rank", lambda r: 1000 * r), ("weak, 4000 per rank", lambda r: 4000 * r)):
                row = []
                for r in (1, 8, 64, 512):
                    k = batch(r)
                    c, m = iteration(k, r, beta, exempt, rank_tree)
                    c1, _ = iteration(k, 1, beta, exempt, rank_tree)
                    row.append(f"R={r}: {1e3 * (c + m):.3g} ms, ×{c1 / (c + m):.3g}, {100 * m / (c + m):.0f}%")
                print(f"  {label:22s} " + " | ".join(row))
            print("  batch where collectives reach 10%: " +
                  ", ".join(f"R={r}: {tenth(r, beta, exempt, rank_tree)}" for r in (2, 8, 64, 512)))


if __name__ == "__main__":
    main()
