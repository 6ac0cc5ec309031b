#!/usr/bin/env bash
# Benchmark, one machine, one run, every signal on. The same wrk load against
#   direct   — nginx as the upstream (fixed JSON, or nginx+lua waiting and streaming like a model)
#   gateway  — llm-gateway (release build, JSON access lines, OTLP span export) proxying to that nginx
#   haproxy  — haproxy (nbthread 2, keep-alive both sides) proxying to that nginx, the reference proxy
# Scenarios (arguments; default: all but soak):
#   tiny           fixed tiny JSON upstream at 1 and 64 connections (the proxy's own cost)
#   slow           1,000 concurrent requests to an upstream that answers in 200 ms
#   stream         2,000 concurrent SSE streams (first chunk after 200 ms, 20 chunks 50 ms apart)
#   observability  the gateway with logs + OTLP against the same build with both off, 64 connections,
#                  OBSERVABILITY_ROUNDS (15) pairs of OBSERVABILITY_CELL (3s) cells, the order alternating; the
#                  median cost, and each gateway's CPU per request
#   soak           SOAK_SECONDS (600) of 2,000 streams, gateway RSS sampled every 30 s
# COLLECTOR=own gives the OTLP collector stand-in an nginx of its own (default: the upstream's nginx answers).
# Prints markdown tables and writes them to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
LONG_DURATION=${LONG_DURATION:-20s}
SOAK_SECONDS=${SOAK_SECONDS:-600}
UPSTREAM_PORT=18081 HAPROXY_PORT=18082 GATEWAY_PORT=18083 METRICS_PORT=18084 QUIET_PORT=18085 QUIET_METRICS_PORT=18086
scenarios=("$@")
((${#scenarios[@]})) || scenarios=(tiny slow stream observability)
work=$(mktemp -d)
# The gateways' logs (an access line per request, gigabytes over a run) go to memory: on disk, the kernel's
# writeback of them took the cores at random moments of the run, in whichever cell was running then.
logs=$(mktemp -d -p /dev/shm)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work" "$logs"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

missing=()
for tool in wrk nginx haproxy; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ]] || missing+=(lua)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light libnginx-mod-http-lua haproxy >/dev/null
fi

./scripts/build-deps.sh >&2
echo "== building llm-gateway (release)" >&2
swift build -c release --product llm-gateway >&2
binary=${LLM_GATEWAY_BIN:-$(swift build -c release --show-bin-path)/llm-gateway}

body=$(tr -d '\n' < bench/completion.json)
cat > "$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_temp_path $work/body;
    lua_code_cache on;
    server {
        listen 127.0.0.1:$UPSTREAM_PORT backlog=4096;
        set \$bench_completion '$body';
        location /slow/ { content_by_lua_file $PWD/bench/upstream/slow.lua; }
        location /stream/ { content_by_lua_file $PWD/bench/upstream/stream.lua; }
        location / {
            default_type application/json;
            return 200 '$body';
        }
    }
}
CONF
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)

# The collector stand-in: by default the upstream's own nginx answers the export POSTs (as in every earlier
# run); COLLECTOR=own gives it an nginx worker of its own, as a real collector is a process of its own (sharing
# the upstream's one worker, each export POST holds up the upstream's answers while it is read).
COLLECTOR_PORT=$UPSTREAM_PORT
if [[ ${COLLECTOR:-shared} == own ]]; then
    COLLECTOR_PORT=18087
    bench/tools/collector-conf.sh "$work" "$COLLECTOR_PORT" > "$work/collector.conf"
    nginx -c "$work/collector.conf" -g 'daemon off;' &
    pids+=($!)
fi

cat > "$work/haproxy.cfg" <<CONF
global
    nbthread 2
    maxconn 8000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    http-reuse always
frontend bench
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend upstream
backend upstream
    server nginx 127.0.0.1:$UPSTREAM_PORT maxconn 6000
CONF
haproxy -f "$work/haproxy.cfg" -db &
pids+=($!)

# One config for both gateways: a provider per upstream behaviour, a public model per provider.
gateway_config() {
    cat <<CONF
server:
  host: 127.0.0.1
  port: $1
  metrics_port: $2
  # The seed's 1,000 (client connections, and upstream connections per provider) would hold the
  # 2,000-stream scenario to half its clients; the gateway logs a warning when a pool makes requests wait.
  max_connections: 4096
connection_pool:
  max_connections_per_provider: 4096
logging:
  level: info
providers:
  tiny:
    type: openai
    base_url: http://127.0.0.1:$UPSTREAM_PORT
    api_key: sk-bench
  slow:
    type: openai
    base_url: http://127.0.0.1:$UPSTREAM_PORT/slow
    api_key: sk-bench
  stream:
    type: openai
    base_url: http://127.0.0.1:$UPSTREAM_PORT/stream
    api_key: sk-bench
models:
  bench-model:
    - provider: tiny
      model: bench-model
  bench-slow:
    - provider: slow
      model: bench-slow
  bench-stream:
    - provider: stream
      model: bench-stream
CONF
}
gateway_config $GATEWAY_PORT $METRICS_PORT > "$work/gateway.yaml"
gateway_config $QUIET_PORT $QUIET_METRICS_PORT > "$work/quiet.yaml"
# Every signal on: metrics, an access line per request, spans exported over OTLP/HTTP with gzip (nginx
# answers the export POSTs with 200, standing in for a collector).
OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$COLLECTOR_PORT" OTEL_BSP_SCHEDULE_DELAY=1000 \
    "$binary" serve --config "$work/gateway.yaml" > "$logs/gateway.log" 2>&1 &
pids+=($!)
gateway_pid=$!
# The same build with neither: warnings only, no exporter.
LOG_LEVEL=warning "$binary" serve --config "$work/quiet.yaml" > "$logs/quiet.log" 2>&1 &
pids+=($!)
quiet_pid=$!

for port in $UPSTREAM_PORT $HAPROXY_PORT $GATEWAY_PORT $QUIET_PORT; do
    for _ in $(seq 100); do
        curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d '{"model":"bench-model","messages":[{"role":"user","content":"x"}]}' "http://127.0.0.1:$port/v1/chat/completions" && break
        sleep 0.1
    done
done

# The URL path of each scenario's upstream behaviour, direct and through haproxy (the gateway picks it by model).
declare -A path=([tiny]=/v1/chat/completions [slow]=/slow/v1/chat/completions [stream]=/stream/v1/chat/completions)
declare -A model=([tiny]=bench-model [slow]=bench-slow [stream]=bench-stream)

# wrk → "req/s p50_us p99_us errors" (errors = non-2xx + socket errors)
measure() {
    local port=$1 behaviour=$2 connections=$3 duration=$4 threads=1 url_path=/v1/chat/completions
    ((connections > 1)) && threads=2
    [[ $port == "$UPSTREAM_PORT" || $port == "$HAPROXY_PORT" ]] && url_path=${path[$behaviour]}
    local args=("${model[$behaviour]}")
    [[ $behaviour == stream ]] && args+=(stream)
    wrk -t"$threads" -c"$connections" -d"$duration" --timeout 10s --latency -s bench/chat.lua \
        "http://127.0.0.1:$port$url_path" -- "${args[@]}" |
        awk '
            function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
            /Requests\/sec/ { rps = $2 }
            $1 == "50.000%" || $1 == "50%" { p50 = us($2) }
            $1 == "99.000%" || $1 == "99%" { p99 = us($2) }
            /Non-2xx/ { errors += $NF }
            /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
            END { printf "%.0f %.0f %.0f %d\n", rps, p50, p99, errors }'
}
# CPU ticks (user + system) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# measure_cpu PORT PID DURATION: the tiny-upstream measurement at 64 connections, with the gateway's CPU per request
# (µs): "req/s cpu_µs_per_request".
measure_cpu() {
    local before after rps
    before=$(cpu_ticks "$2")
    read -r rps _ _ _ <<< "$(measure "$1" tiny 64 "$3")"
    after=$(cpu_ticks "$2")
    awk -v r="$rps" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v d="${3%s}" \
        'BEGIN { printf "%s %.1f\n", r, t * 1000000 / hz / (r * d) }'
}
rss_mib() { awk -v key="$2" '$1 == key":" { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ).md"
# The harness is the checkout's; the gateway is the checkout's build unless LLM_GATEWAY_BIN names another one.
gateway_build="this checkout's build"
[[ -n ${LLM_GATEWAY_BIN:-} ]] && gateway_build="$LLM_GATEWAY_BIN (sha256 $(sha256sum "$binary" | cut -c1-12))"
echo "Commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'); gateway: $gateway_build; $(nproc) cores; $(date -u +%FT%TZ)." | tee "$out"

# One table: each target at `connections`, ratios against direct and haproxy, added latency against direct.
compare() {
    local behaviour=$1 connections=$2 duration=$3 label=$4
    declare -A result
    for target in direct:$UPSTREAM_PORT haproxy:$HAPROXY_PORT gateway:$GATEWAY_PORT; do
        measure "${target##*:}" "$behaviour" "$connections" 2s >/dev/null # warm-up: connections and pools at the cell's size
        result[${target%%:*}]=$(measure "${target##*:}" "$behaviour" "$connections" "$duration")
        echo "  $label ${target%%:*}: ${result[${target%%:*}]}" >&2
    done
    read -r drps dp50 dp99 _ <<< "${result[direct]}"
    read -r hrps _ _ _ <<< "${result[haproxy]}"
    {
        echo
        echo "### $label — $connections connections, $duration per cell"
        echo
        echo "| target | req/s | p50 (µs) | p99 (µs) | errors | ÷ direct | ÷ haproxy | added p50 (µs) | added p99 (µs) |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for name in direct haproxy gateway; do
            read -r rps p50 p99 errors <<< "${result[$name]}"
            awk -v n="$name" -v r="$rps" -v p50="$p50" -v p99="$p99" -v e="$errors" -v d="$drps" -v h="$hrps" -v d50="$dp50" -v d99="$dp99" \
                'BEGIN { printf "| %s | %d | %d | %d | %d | %.2f | %.2f | %+d | %+d |\n", n, r, p50, p99, e, r / d, r / h, p50 - d50, p99 - d99 }'
        done
        echo
        echo "Gateway RSS after this table: $(rss_mib $gateway_pid VmRSS) MiB (peak so far $(rss_mib $gateway_pid VmHWM) MiB)."
    } | tee -a "$out"
}

for scenario in "${scenarios[@]}"; do
    case $scenario in
    tiny)
        compare tiny 1 "$DURATION" "Tiny upstream"
        compare tiny 64 "$DURATION" "Tiny upstream"
        ;;
    slow) compare slow 1000 "$LONG_DURATION" "Upstream answering in 200 ms" ;;
    stream) compare stream 2000 "$LONG_DURATION" "SSE streams (200 ms, then 20 chunks 50 ms apart)" ;;
    observability)
        measure $QUIET_PORT tiny 64 2s >/dev/null
        measure $GATEWAY_PORT tiny 64 2s >/dev/null
        # Short cells, many pairs: this machine's speed wanders by a third within a minute (the quiet gateway's
        # CPU per request went 49 → 82 µs over one 5 × 10 s run), and a pair of short cells sees the same speed.
        cell=${OBSERVABILITY_CELL:-3s}
        # Rounds of the pair back to back, the order alternating (quiet first, then full first) so that a machine
        # speeding up or slowing down over the run favours neither: one pair moved 8–26 % with the machine alone.
        costs=() lines=() quiet_cpus=() full_cpus=()
        for round in $(seq "${OBSERVABILITY_ROUNDS:-15}"); do
            if ((round % 2)); then
                read -r quiet quiet_cpu <<< "$(measure_cpu $QUIET_PORT "$quiet_pid" "$cell")"
                read -r full full_cpu <<< "$(measure_cpu $GATEWAY_PORT "$gateway_pid" "$cell")"
            else
                read -r full full_cpu <<< "$(measure_cpu $GATEWAY_PORT "$gateway_pid" "$cell")"
                read -r quiet quiet_cpu <<< "$(measure_cpu $QUIET_PORT "$quiet_pid" "$cell")"
            fi
            costs+=("$(awk -v q="$quiet" -v f="$full" 'BEGIN { printf "%.1f", (q - f) * 100 / q }')")
            quiet_cpus+=("$quiet_cpu") full_cpus+=("$full_cpu")
            # The gateway's own CPU per request beside the throughput: what the signals cost it, whatever the
            # machine's speed in that round.
            lines+=("round $round: logs + OTLP off $quiet req/s ($quiet_cpu µs CPU/request), on $full req/s ($full_cpu µs), cost ${costs[-1]} %")
        done
        median_of() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
        median=$(median_of "${costs[@]}")
        {
            echo
            echo "### Observability cost — tiny upstream, 64 connections, $cell per cell, ${#costs[@]} rounds"
            echo
            printf -- '- %s\n' "${lines[@]}"
            echo
            echo "Logs + OTLP cost: median $median % of throughput. Gateway CPU per request, medians: off" \
                "$(median_of "${quiet_cpus[@]}") µs, on $(median_of "${full_cpus[@]}") µs."
        } | tee -a "$out"
        ;;
    soak)
        echo -e "\n### Soak — 2,000 streams for $SOAK_SECONDS s, gateway RSS every 30 s\n" | tee -a "$out"
        measure $GATEWAY_PORT stream 2000 "${SOAK_SECONDS}s" > "$work/soak" &
        load=$!
        samples=()
        for ((t = 30; t <= SOAK_SECONDS; t += 30)); do
            sleep 30
            samples+=("$(rss_mib $gateway_pid VmRSS)")
        done
        wait $load
        read -r rps p50 p99 errors < "$work/soak"
        {
            echo "RSS (MiB) at 30 s steps: ${samples[*]}"
            echo "Streams/s $rps, whole-stream p50 $p50 µs, p99 $p99 µs, errors $errors; peak RSS $(rss_mib $gateway_pid VmHWM) MiB."
        } | tee -a "$out"
        ;;
    *) echo "unknown scenario: $scenario" >&2 && exit 2 ;;
    esac
done
