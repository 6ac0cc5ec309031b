#!/usr/bin/env bash
# Sizing from expected traffic, with the deployment guide's formula:
#   concurrency = RPS × duration; cores = concurrency / 100; memory = concurrency × per-request MB + 512 MB;
#   pods = max(3, cores / 2).
# Usage: size-calculator.sh RPS AVG_REQUEST_MS MEMORY_PER_REQUEST_MB
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: $0 RPS AVG_REQUEST_MS MEMORY_PER_REQUEST_MB" >&2
    exit 2
fi
awk -v rps="$1" -v ms="$2" -v mb="$3" 'BEGIN {
    concurrent = rps * ms / 1000
    cores = sprintf("%.0f", concurrent / 100) + 0
    memory_gb = (concurrent * mb + 512) / 1024
    pods = cores / 2 > 3 ? cores / 2 : 3
    pods = sprintf("%.0f", pods) + 0
    print "==================================="
    print "LLM Gateway Resource Calculator"
    print "==================================="
    print "Expected RPS: " rps
    print "Avg Request Duration: " ms "ms"
    print "Memory per Request: " mb "MB"
    print ""
    print "Calculated Requirements:"
    printf "  Concurrent Requests: %.0f\n", concurrent
    print "  Total CPU Cores: " cores
    printf "  Total Memory: %.1fGB\n", memory_gb
    print ""
    print "Recommended Deployment:"
    print "  Number of Pods: " pods
    printf "  CPU per Pod: %.1f cores\n", cores / pods
    printf "  Memory per Pod: %.1fGB\n", sprintf("%.1f", memory_gb) / pods
    print "==================================="
}'
