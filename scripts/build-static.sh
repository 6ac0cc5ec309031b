#!/usr/bin/env bash
# Builds llm-gateway with the Swift runtime and Foundation linked in statically (--static-swift-stdlib), so the
# binary needs only glibc, libstdc++, zlib, libdeflate and hiredis at run time (what deployment/docker/Dockerfile installs).
# Foundation's static archives reference each other in cycles that the toolchain's link arguments leave
# unresolved, so they are linked as one group.  Usage: scripts/build-static.sh [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-release}"
group=(-Xlinker --start-group)
for library in Foundation FoundationNetworking FoundationInternationalization _FoundationICU FoundationEssentials \
    _FoundationCShims _FoundationCollections CoreFoundation _CFURLSessionInterface; do
    group+=(-Xlinker "-l$library")
done
group+=(-Xlinker --end-group -Xlinker -lstdc++)
swift build -c "$configuration" --static-swift-stdlib --product llm-gateway "${group[@]}"
echo "$(swift build -c "$configuration" --show-bin-path)/llm-gateway"
