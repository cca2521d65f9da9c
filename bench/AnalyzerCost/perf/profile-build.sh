#!/usr/bin/env bash
# Profiles one build of a corpus the harness wrote, with perf, and counts where the samples went.
#   bash bench/AnalyzerCost/perf/profile-build.sh <work folder>/tref-20000/Corpus.csproj TrefGuard|Floor|None
# Needs Linux perf. The runtime writes /tmp/perf-<pid>.map so that perf can name JIT-compiled methods.
set -euo pipefail
project=$1
set_name=$2
out=$(mktemp -d)
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -F 999 -g -o "$out/perf.data" -- \
  dotnet build "$project" --no-restore --no-incremental -c Release -nologo -v:q \
  -p:AnalyzerSet="$set_name" -p:ReportAnalyzer=true -p:UseSharedCompilation=false
perf script -i "$out/perf.data" -F comm,tid,ip,sym > "$out/perf.txt" 2>/dev/null
python3 "$(dirname "$0")/classify-samples.py" "$out/perf.txt"
rm -rf "$out"
