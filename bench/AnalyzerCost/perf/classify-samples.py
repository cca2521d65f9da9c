"""Counts the samples of a `perf script -F comm,tid,ip,sym` dump of a build.

analyzer: the stack has a frame of TrefGuard.Analyzers (or the floor analyzer); everything it calls counts, the
          control flow graphs it asks for included.
driver:   no analyzer frame, but a frame of Roslyn's analyzer driver (its bookkeeping for the analyzers).
other:    the rest of the build (the compile, the JIT, the GC, MSBuild).
tiers:    for analyzer samples, the JIT tier of the innermost analyzer frame (QuickJitted is unoptimized code).
"""
import collections
import re
import sys

TIER = re.compile(r"\[(QuickJitted|OptimizedTier1|InstrumentedTier|Optimized|OptimizedTier1OSR|InstrumentedTierOSR|PreJIT|Tier0|Tier1)\]")


def classify(frames, counts, tiers):
    if not frames:
        return
    counts["total"] += 1
    for frame in frames:  # innermost first
        if "TrefGuard.Analyzers" in frame or "TrefGuard.AnalyzerCost.Floor" in frame:
            counts["analyzer"] += 1
            match = TIER.search(frame)
            tiers[match.group(1) if match else "unknown"] += 1
            return
    stack = " ".join(frames)
    counts["driver" if "AnalyzerDriver" in stack or "AnalyzerExecutor" in stack else "other"] += 1


def main(path):
    counts, tiers, frames = collections.Counter(), collections.Counter(), []
    with open(path, errors="replace") as dump:
        for line in dump:
            if not line.strip():
                classify(frames, counts, tiers)
                frames = []
            elif line[0] in " \t":
                parts = line.strip().split(None, 1)
                frames.append(parts[1] if len(parts) > 1 else "")
    classify(frames, counts, tiers)
    print(", ".join(f"{key} {counts[key]}" for key in ("total", "analyzer", "driver", "other")))
    print("analyzer samples by tier: " + ", ".join(f"{tier} {n}" for tier, n in tiers.most_common()))


if __name__ == "__main__":
    main(sys.argv[1])
