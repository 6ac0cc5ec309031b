#!/usr/bin/env bash
# Work per proxied request, two ways, against a fixed tiny upstream (nginx) on this machine:
#   per-request.sh counts BINARY [quiet|full]
#       uprobes on swift_job_run, malloc, swift_retain, swift_allocObject, and the system calls and context
#       switches of the gateway's threads, while wrk -c4 runs; each count divided
#       by swift_task_create (one task per request). Deterministic, so it compares builds on a noisy machine.
#   per-request.sh cpu BINARY_A BINARY_B [quiet|full] [ROUNDS]
#       user+sys CPU of each gateway (from /proc) per request while wrk -c16 runs 4 s, the builds alternating, and
#       minor page faults per 1,000 requests (memory taken fresh from the kernel). SIGNALS_B gives B other signals
#       (one build against itself: what a signal costs per request). Then each build's median CPU per request by
#       thread name (event loops, the exporters' encoding thread, the log writer): the encoding thread's share is
#       not lost in the noise of the whole.
#   per-request.sh latency BINARY [ROUNDS] [SIGNALS…]
#       wrk -c1 for 8 s against gateways of one build with each of SIGNALS (default: quiet full), alternating:
#       requests/s, p50 and p99 of each (what the signals add to a lone client's tail).
#   per-request.sh system BINARY [ROUNDS]
#       the quiet and the full gateway of one build at 64 connections, 3 s cells alternating: CPU µs per request of
#       the gateway (by thread, with context switches per request), the upstream nginx, the collector nginx and the
#       whole machine (the rest: wrk and the kernel's softirqs) — what the signals cost the other processes too.
#   per-request.sh profile BINARY [quiet|full] [OUT]
#       perf record (cpu-clock, call graphs) of the gateway while wrk -c16 runs 4 s; prints the top symbols by
#       self time and writes perf.data to OUT (default /tmp/gateway.perf.data) for perf report. EVENT=probe_…:…
#       records a probe (e.g. one the counts mode added) instead, with its callers: where jobs are enqueued.
# quiet = logs at warning, no exporter; full = JSON access lines and OTLP export (to a second nginx); logs and
# otlp = one of the two.
# CACHE=1 turns the response cache on and sends every request a prompt of its own (all misses).
# LIMITED=1 gives the requests a client key with a per-minute rate limit none reaches (what the limiter costs).
# UPSTREAM_REQUESTS_PER_CONNECTION=1 has the upstream close each connection after one answer: the gateway opens an
# upstream connection per request (what connecting costs).
# CLOSE=1 has every request ask for `connection: close`: each one a connection of its own (what accepting costs).
# UPSTREAM_MODEL names the deployment's model differently from the public bench-model (the gateway then puts that
# name into every body it forwards).
# STREAM=1 proxies streamed requests to bench/upstream/stream.lua instead (200 ms, then 20 events 50 ms apart),
# with CONNECTIONS (default 200) clients; counts and CPU are then per stream.
# Needs root (perf probe), perf, wrk and nginx; writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=$1; shift
work=$(mktemp -d)
# The gateways' logs go to memory: on disk, the kernel's writeback of them took the cores at random moments.
logs=$(mktemp -d -p /dev/shm)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for server in nginx collector; do
        if [[ -f $work/$server.pid ]]; then kill "$(cat "$work/$server.pid")" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    rm -rf "$work" "$logs"
}
trap cleanup EXIT
UPSTREAM=18181
stream=${STREAM:-0}
path="" lua="" stream_location="" wrk_args=(bench-model whole)
if [[ $stream == 1 ]]; then
    path=/stream wrk_args=(bench-model stream)
    stream_location="location /stream/ { content_by_lua_file $PWD/bench/upstream/stream.lua; }"
    lua="load_module /usr/lib/nginx/modules/ndk_http_module.so; load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;"
fi
script=bench/chat.lua
[[ ${CACHE:-0} == 1 ]] && script=bench/chat-unique.lua
[[ ${LIMITED:-0} == 1 ]] && wrk_args+=(sk-bench-client)
cat > "$work/nginx.conf" <<NGINX
$lua
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests ${UPSTREAM_REQUESTS_PER_CONNECTION:-1000000};
    client_body_temp_path $work;
    server {
        listen 127.0.0.1:$UPSTREAM;
        $stream_location
        location / { default_type application/json; return 200 '$(tr -d '\n' < bench/completion.json)'; }
    }
}
NGINX
nginx -c "$work/nginx.conf"
# The collector stand-in: an nginx of its own, as a collector is a process of its own (sharing the upstream's one
# worker, every export POST would hold up the upstream's answers).
COLLECTOR=18182
bench/tools/collector-conf.sh "$work" "$COLLECTOR" > "$work/collector.conf"
nginx -c "$work/collector.conf"

# start BINARY PORT SIGNALS: a gateway proxying bench-model to the upstream; prints its pid.
start() {
    cat > "$work/gw-$2.yaml" <<YAML
server: {host: 127.0.0.1, port: $2, metrics_port: $(($2 + 100)), max_connections: 4096}
connection_pool: {max_connections_per_provider: 4096}
providers: {tiny: {type: openai, base_url: "http://127.0.0.1:$UPSTREAM$path", api_key: sk-bench}}
models: {bench-model: [{provider: tiny, model: ${UPSTREAM_MODEL:-bench-model}}]}
YAML
    # The response cache, every request a miss (each prompt is new): the key and the store on every request.
    [[ ${CACHE:-0} == 1 ]] && echo "cache: {enabled: true, ttl_seconds: 3600, max_size_mb: 64}" >> "$work/gw-$2.yaml"
    # A client key with a rate limit no request reaches: the limiter's bookkeeping on every request.
    [[ ${LIMITED:-0} == 1 ]] &&
        echo "auth: {api_keys: [{name: bench, key: sk-bench-client, rate_limit: {requests_per_minute: 100000000, tokens_per_minute: 100000000000}}]}" >> "$work/gw-$2.yaml"
    local env=()
    case $3 in
    full) env=("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$COLLECTOR" OTEL_BSP_SCHEDULE_DELAY=1000) ;;
    logs) ;;
    otlp) env=(LOG_LEVEL=warning "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$COLLECTOR" OTEL_BSP_SCHEDULE_DELAY=1000) ;;
    *) env=(LOG_LEVEL=warning) ;;
    esac
    env "${env[@]}" "$1" serve --config "$work/gw-$2.yaml" > "$logs/gw-$2.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$2/health/live" && break; sleep 0.1; done
}
# load PORT CONNECTIONS DURATION (streams: CONNECTIONS clients whatever is asked)
load() {
    local connections=$2
    [[ $stream == 1 ]] && connections=${CONNECTIONS:-200}
    local close=()
    [[ ${CLOSE:-0} == 1 ]] && close=(-H "Connection: close")
    wrk -t1 -c"$connections" -d"$3" "${close[@]}" -s "$script" "http://127.0.0.1:$1/v1/chat/completions" -- "${wrk_args[@]}"
}

# Per thread name of PID (event loops, the encoding thread, the log writer), summed: CPU ticks, voluntary and
# involuntary context switches.
threads() {
    for task in /proc/"$1"/task/*; do
        # Threads come and go (the runtime's dispatch workers): one that is gone is skipped.
        stat=$(cat "$task/stat" 2>/dev/null) || continue
        status=$(cat "$task/status" 2>/dev/null) || continue
        sed -E 's/^[0-9]+ \((.*)\) /\1\t/' <<< "$stat" | awk -F'\t' -v status="$status" '{
            split($2, f, " "); name = $1; gsub(/[^A-Za-z]+/, "-", name)
            v = status; sub(/.*\nvoluntary_ctxt_switches:[ \t]*/, "", v); sub(/\n.*/, "", v)
            n = status; sub(/.*nonvoluntary_ctxt_switches:[ \t]*/, "", n); sub(/\n.*/, "", n)
            print name, f[12] + f[13], v + 0, n + 0
        }'
    done | awk '{ t[$1] += $2; v[$1] += $3; n[$1] += $4 } END { for (k in t) print k, t[k], v[k], n[k] }' | sort
}

case $mode in
counts)
    binary=$1 signals=${2:-quiet}
    lib=$(dirname "$(ldd "$binary" | awk '/libswiftCore.so/{print $3}')")
    libc=$(ldd "$binary" | awk '/libc.so.6/{print $3}')
    perf probe -q -x "$lib/libswiftCore.so" -a swift_retain -a swift_allocObject 2>/dev/null || true
    perf probe -q -x "$lib/libswift_Concurrency.so" -a swift_job_run -a swift_task_create 2>/dev/null || true
    perf probe -q -x "$libc" -a malloc 2>/dev/null || true
    start "$binary" 18191 "$signals"
    load 18191 4 1s > /dev/null
    load 18191 4 4s > /dev/null &
    loader=$!
    sleep 0.5
    pid=$(pgrep -f "$work/gw-18191.yaml" | head -1)
    perf stat -x, -o "$work/counts" -e probe_libswiftCore:swift_retain,probe_libswiftCore:swift_allocObject \
        -e probe_libswift_Concurrency:swift_job_run,probe_libswift_Concurrency:swift_task_create,probe_libc:malloc \
        -e raw_syscalls:sys_enter,context-switches -p "$pid" -- sleep 2
    wait "$loader"
    awk -F, '/swift_task_create/{n=$1} NF >= 3 && $1 ~ /^[0-9]/ {v[$3]=$1} END {for (k in v) if (k !~ /task_create/) printf "%s %.1f per request\n", substr(k, index(k, ":") + 1), v[k] / n}' "$work/counts"
    ;;
cpu)
    a=$1 b=$2 signals=${3:-full} rounds=${4:-5}
    start "$a" 18192 "$signals"
    start "$b" 18193 "${SIGNALS_B:-$signals}"
    declare -A results faults thread_costs
    for _ in $(seq "$rounds"); do
        for port in 18192 18193; do
            pid=$(pgrep -f "$work/gw-$port.yaml" | head -1)
            read -r f0 u0 s0 < <(awk '{print $10, $14, $15}' "/proc/$pid/stat")
            before=$(threads "$pid")
            requests=$(load "$port" 16 4s | awk '/requests in/{print $1}')
            read -r f1 u1 s1 < <(awk '{print $10, $14, $15}' "/proc/$pid/stat")
            ticks=$(getconf CLK_TCK)
            results[$port]+="$(((u1 - u0 + s1 - s0) * 1000000 / ticks / requests)) "
            faults[$port]+="$(((f1 - f0) * 1000 / requests)) "
            thread_costs[$port]+=$(join <(echo "$before") <(threads "$pid") |
                awk -v r="$requests" -v t="$ticks" '{printf "%s=%.1f ", $1, ($5 - $2) * 1000000 / t / r}')$'\n'
        done
    done
    sorted() { tr ' ' '\n' <<< "$1" | sort -n | tr '\n' ' '; }
    echo "A $a: CPU µs per request $(sorted "${results[18192]}")  page faults per 1,000 requests $(sorted "${faults[18192]}")"
    echo "B $b: CPU µs per request $(sorted "${results[18193]}")  page faults per 1,000 requests $(sorted "${faults[18193]}")"
    # Per thread name, the median over the rounds (µs per request).
    for port in 18192 18193; do
        printf '%s by thread:' "$([[ $port == 18192 ]] && echo A || echo B)"
        tr ' ' '\n' <<< "${thread_costs[$port]}" | awk -F= 'NF == 2 {v[$1] = v[$1] " " $2} END {for (n in v) print n, v[n]}' |
            while read -r name values; do
                printf ' %s %s' "$name" "$(tr ' ' '\n' <<< "$values" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
            done
        echo
    done
    ;;
latency)
    binary=$1 rounds=${2:-2}
    shift 2 || true
    variants=("$@")
    ((${#variants[@]})) || variants=(quiet full)
    for index in "${!variants[@]}"; do start "$binary" $((18195 + index * 2)) "${variants[$index]}"; done
    for _ in $(seq "$rounds"); do
        for index in "${!variants[@]}"; do
            port=$((18195 + index * 2)) signals=${variants[$index]}
            wrk -t1 -c1 -d8s --latency -s "$script" "http://127.0.0.1:$port/v1/chat/completions" -- "${wrk_args[@]}" |
                awk -v s="$signals" '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} END {print s, r " req/s", "p50 " p50, "p99 " p99}'
        done
    done
    ;;
system)
    binary=$1 rounds=${2:-5}
    start "$binary" 18192 quiet
    start "$binary" 18193 full
    upstream=$(pgrep -P "$(cat "$work/nginx.pid")" | head -1)
    collector=$(pgrep -P "$(cat "$work/collector.pid")" | head -1)
    ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
    machine() { awk 'NR == 1 { print $2 + $3 + $4 + $6 + $7 + $8 }' /proc/stat; }
    for port in 18192 18193; do load "$port" 64 1s > /dev/null; done
    for _ in $(seq "$rounds"); do
        for port in 18192 18193; do
            pid=$(pgrep -f "$work/gw-$port.yaml" | head -1)
            g0=$(ticks "$pid") u0=$(ticks "$upstream") c0=$(ticks "$collector") m0=$(machine) t0=$(threads "$pid")
            requests=$(load "$port" 64 3s | awk '/requests in/ { print $1 }')
            g1=$(ticks "$pid") u1=$(ticks "$upstream") c1=$(ticks "$collector") m1=$(machine) t1=$(threads "$pid")
            awk -v name="$([[ $port == 18192 ]] && echo quiet || echo full)" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
                -v g=$((g1 - g0)) -v u=$((u1 - u0)) -v c=$((c1 - c0)) -v m=$((m1 - m0)) 'BEGIN {
                    f = 1000000 / hz / n
                    printf "%-5s %6.0f req/s  CPU µs/request: gateway %.1f, upstream %.1f, collector %.1f, rest %.1f, machine %.1f\n",
                        name, n / 3, g * f, u * f, c * f, (m - g - u - c) * f, m * f
                }'
            join <(echo "$t0") <(echo "$t1") | awk -v n="$requests" -v hz="$(getconf CLK_TCK)" '
                $5 > $2 || $7 > $4 { printf "      %s %.1f µs, %.3f + %.3f switches", $1, ($5 - $2) * 1000000 / hz / n, ($6 - $3) / n, ($7 - $4) / n }
                END { print "" }'
        done
    done
    ;;
profile)
    binary=$1 signals=${2:-full} out=${3:-/tmp/gateway.perf.data}
    start "$binary" 18194 "$signals"
    load 18194 "${CONNECTIONS:-16}" 1s > /dev/null
    load 18194 "${CONNECTIONS:-16}" 5s > /dev/null &
    loader=$!
    sleep 0.5
    pid=$(pgrep -f "$work/gw-18194.yaml" | head -1)
    event=${EVENT:-cpu-clock}
    rate=()
    [[ $event == cpu-clock ]] && rate=(-F 2000)
    perf record -q -e "$event" "${rate[@]}" -g -o "$out" -p "$pid" -- sleep 4 2> /dev/null
    wait "$loader"
    perf report -i "$out" --no-children --sort symbol --stdio 2> /dev/null | grep -E '^ +[0-9]' | head -60
    ;;
*) echo "usage: per-request.sh counts BINARY [quiet|full] | cpu BINARY_A BINARY_B [quiet|full] [ROUNDS] | system BINARY [ROUNDS] | profile BINARY [quiet|full] [OUT]" >&2; exit 2 ;;
esac
