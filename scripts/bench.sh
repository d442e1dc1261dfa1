#!/usr/bin/env bash
# The benchmark of issue 15: one run prints every speed target with its figure, the floor
# measured in the same run, the ratio and ✓/✗, as a Markdown table for docs/performance.md.
#
#     scripts/bench.sh
#
# What it does:
#  1. builds the release binary and the examples (cargo; no network once the dependencies
#     are in cargo's cache);
#  2. generates the workloads into $BENCH_DATA unless they are there already: city
#     (50,000 stewards, 2,000,000 visits) and city4m (4,000,000 visits); a workload folder
#     that has no stamp of this script was made elsewhere and is used as it is, never
#     deleted. Workloads are only read: every build works on a copy in $BENCH_TMP;
#  3. for each workload, under /usr/bin/time -v with HONGGUANJIA_TIMINGS=1 (the stage lines
#     `阶段 …` and bytes per kind of output `输出 …` are printed for each build):
#     - a first build into an empty folder; floor: `cp -a` of that finished output into an
#       empty folder, and `rm -rf` of the copy after every other measurement (each from one
#       thread, after `sync`); the script deletes nothing else before it exits, so no build
#       pays for the script's own deletions, and it `sync`s after each copy it makes, so no
#       build pays for the writing back of the script's own copies either;
#     - a rebuild with unchanged input replacing the output;
#     - (city only) a single-threaded build (RAYON_NUM_THREADS=1) of the same input, whose
#       files must have the same sha256 as the parallel build's;
#     - a rebuild after a site-title change (every page changes) replacing the output;
#     - (city only) a rebuild after one steward's name changed, with the build's own count
#       of files written (`写入 N 个文件`) against all files;
#     - reading the CSV files (`cat > /dev/null`, from the page cache) as the floor of
#       the `读取+检查+统计` stage, whose figure is the best of the workload's parallel
#       builds (first, unchanged, title, name): each reads the same records, and this
#       machine's speed varies by a fifth from one minute to the next;
#  4. the sample site (the repository's own): a build, the single-threaded comparison and
#     the edit-to-reload latency of `serve`;
#  5. `serve` edit-to-reload latency by target/release/examples/serve_latency when that
#     example exists (it is called with a copy of the site folder, edits it and prints
#     `serve_reload_ms=NN`), for the sample and the city;
#  6. hongguanjia against Hugo on 10,000 simple pages, in turn, three each (before the
#     workloads, so that no large deletion precedes them); the search index alone
#     (examples/search_index) and a roll-up of 1,000 member summaries after them;
#  7. the print kit with PDFs (`print --pdf`) of the sample and of one community
#     (`--community fangmenjie`), each beside a bare `chromium --headless --print-to-pdf`
#     of one page (the kit's index) measured just before it, best of two: the floor of
#     any printing, a browser's start and one PDF;
#  8. deletes the floors' copies, timing each, and prints the table of targets, then the
#     other measurements.
#
# The machine should be quiet: wall times of a loaded machine say little. CPU time
# (user+sys) is printed beside every build for that reason.
#
# Environment:
#   BENCH_WORKLOADS  workloads, default "city city4m"
#   BENCH_DATA       where workloads live, default bench-data/ in the repository
#   BENCH_TMP        where copies and outputs go (removed at exit), default $BENCH_DATA;
#                    the floors are measured there, so keep it on the outputs' disk
#   BENCH_SINGLE     0 to skip the single-threaded city build (the sample's is always run)
#   BENCH_EDIT       0 to skip the one-steward edit
#   BENCH_SERVE      0 to skip the serve latency
#   BENCH_SEARCH     0 to skip the search index alone
#   BENCH_ROLLUP     members of the roll-up, default 1000 (0 = skip)
#   BENCH_HUGO       0 to skip the simple-pages comparison (hongguanjia and Hugo)
#   BENCH_PRINT      0 to skip the print kit's PDFs (skipped anyway without chromium)
#   BENCH_TIMEOUT    stop a build after this many seconds (0 = never, the default)
#   BENCH_REST       seconds to wait between workloads (default 300): the title-change
#                    rebuild deleted the output it replaced, see the comment there
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=${BENCH_DATA:-"$ROOT/bench-data"}
WORKLOADS=${BENCH_WORKLOADS-"city city4m"}
SINGLE=${BENCH_SINGLE:-1}
EDIT=${BENCH_EDIT:-1}
SERVE=${BENCH_SERVE:-1}
SEARCH=${BENCH_SEARCH:-1}
ROLLUP=${BENCH_ROLLUP:-1000}
HUGO=${BENCH_HUGO:-1}
PRINT=${BENCH_PRINT:-1}
TIMEOUT=${BENCH_TIMEOUT:-0}
REST=${BENCH_REST:-300}

if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time is missing (GNU time, for wall time and peak RSS)." >&2
    echo "bench: install it with: sudo apt-get install time   (Debian/Ubuntu package 'time')" >&2
    exit 1
fi
for tool in cargo python3 find sha256sum awk sync; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench: $tool is missing" >&2
        exit 1
    fi
done
if [[ "$TIMEOUT" != 0 ]] && ! command -v timeout >/dev/null; then
    echo "bench: BENCH_TIMEOUT needs timeout(1) (coreutils)" >&2
    exit 1
fi

mkdir -p "$DATA"
TMP=$(mktemp -d "${BENCH_TMP:-$DATA}/hgj-bench.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# "0:01.23" or "1:02:03" (from time -v) to seconds.
to_seconds() {
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# `calc '"%.1f", a / b' A B`: awk arithmetic on figures a, b (and c); "?" when one is
# missing or not a number.
calc() {
    local expr=$1 x
    shift
    for x in "$@"; do
        [[ "$x" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "?"; return; }
    done
    awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" "BEGIN { if (b == 0) b = 1e-9; printf $expr }"
}

# The table of targets, as Markdown rows.
TARGETS=()
HUGO_ROW=""
# | target | figure | floor | ratio | requirement | verdict |
target() { TARGETS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
# Rows measured before a workload's main rows, shown after them.
LATER=()
later() { LATER+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
# ✓ when awk condition $1 holds for a=$2, b=$3; ? when a figure is missing.
verdict() {
    local cond=$1 a=${2:-?} b=${3:-0}
    if [[ ! "$a" =~ ^[0-9.]+$ || ! "$b" =~ ^[0-9.]+$ ]]; then
        echo "?"
    elif awk -v a="$a" -v b="$b" "BEGIN { exit !($cond) }"; then
        echo "✓"
    else
        echo "✗"
    fi
}
OTHER=()
other() { OTHER+=("$(printf '%-34s %s' "$1" "$2")"); }
FAILURES=0

echo "== cargo build --release"
cargo build --release --bin hongguanjia --example gen_sample --example search_index
if [[ -f examples/serve_latency.rs ]]; then
    cargo build --release --example serve_latency
fi
BIN="$ROOT/target/release/hongguanjia"
GEN="$ROOT/target/release/examples/gen_sample"
LATENCY="$ROOT/target/release/examples/serve_latency"
GEN_HASH=$(sha256sum examples/gen_sample.rs | cut -c1-16)

# Runs "$@" under /usr/bin/time -v with HONGGUANJIA_TIMINGS=1; stdout and stderr go to
# $TMP/out.txt and $TMP/err.txt. Sets WALL, CPU (user+sys), USER_S, SYS_S, RSS (MiB) and
# STATUS.
timed() {
    local -a cmd=("$@")
    if [[ "$TIMEOUT" != 0 ]]; then
        cmd=(timeout --signal=TERM --kill-after=10 "$TIMEOUT" "${cmd[@]}")
    fi
    STATUS=0
    HONGGUANJIA_TIMINGS=1 /usr/bin/time -v -o "$TMP/time.txt" "${cmd[@]}" \
        >"$TMP/out.txt" 2>"$TMP/err.txt" || STATUS=$?
    WALL=$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time.txt")")
    local user sys
    user=$(sed -n 's/.*User time (seconds): //p' "$TMP/time.txt")
    sys=$(sed -n 's/.*System time (seconds): //p' "$TMP/time.txt")
    CPU=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.2f", u + s }')
    USER_S=${user:-?}
    SYS_S=${sys:-?}
    RSS=$(mib "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")")
    [[ -n "$WALL" ]] || WALL="?"
}

# Builds site $2 into $3 (label $1) and prints what it took with the stage lines. Extra
# environment for the build comes after the output folder. Returns the build's status.
build() {
    local label=$1 site=$2 out=$3
    shift 3
    sync
    timed env "$@" "$BIN" build --root "$site" --output "$out"
    # User and system time apart: system time here is mostly creating and deleting files,
    # which the disk's recent deletions can multiply (see docs/performance.md, 机器).
    echo "== $label: wall ${WALL}s, CPU ${CPU}s (user ${USER_S}s, sys ${SYS_S}s), peak ${RSS} MiB, exit $STATUS"
    grep -E '^(阶段|输出) ' "$TMP/err.txt" | sed 's/^/   /' || true
    grep -v -E '^(阶段|输出) ' "$TMP/err.txt" | sed 's/^/   ! /' | head -20 || true
    sed 's/^/   /' "$TMP/out.txt"
    if [[ $STATUS != 0 ]]; then
        FAILURES=$((FAILURES + 1))
        [[ $STATUS == 124 || $STATUS == 137 ]] && echo "   stopped after BENCH_TIMEOUT=${TIMEOUT}s"
    fi
    return "$STATUS"
}

# Seconds of the stage named $1 in the last build's stage lines.
stage() {
    sed -n "s/^阶段 $1: \([0-9.]*\)s.*/\1/p" "$TMP/err.txt" | head -1
}

# Keeps in load_best the faster of it and the last build's 读取+检查+统计.
keep_best_load() {
    local s
    s=$(stage '读取+检查+统计')
    load_best=$(awk -v a="$load_best" -v b="$s" 'BEGIN { print (b != "" && (a == "" || b < a)) ? b : a }')
}

# Copies the site folder $1 to $2 (records, settings, the site's own templates and files).
copy_site() {
    mkdir -p "$2"
    local part
    for part in site.toml content static templates themes; do
        if [[ -e "$1/$part" ]]; then
            cp -a "$1/$part" "$2/"
        fi
    done
}

# sha256 of every file under $1, by relative path.
digest() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# Generates workload $1 into $DATA/$1 unless it is there.
generate() {
    local name=$1 site="$DATA/$1"
    local -a args
    case "$name" in
        city) args=(--scale city) ;;
        city4m) args=(--scale city4m) ;;
        *) echo "bench: unknown workload $name (city, city4m)" >&2; exit 2 ;;
    esac
    local stamp="$GEN_HASH ${args[*]}"
    if [[ -f "$site/.bench-complete" && "$(cat "$site/.bench-complete")" == "$stamp" ]]; then
        echo "== workload $name: $site"
        return
    fi
    if [[ -f "$site/site.toml" && ! -f "$site/.bench-complete" ]]; then
        echo "== workload $name: $site (made elsewhere, used as it is)"
        return
    fi
    echo "== workload $name: generating into $site"
    rm -rf "$site"
    "$GEN" "$site" "${args[@]}"
    echo "$stamp" >"$site/.bench-complete"
}

# Edit-to-reload of `serve` on a copy of site $2 (label $1); prints the milliseconds or 未测.
serve_latency() {
    local label=$1 site=$2
    if [[ "$SERVE" == 0 || ! -x "$LATENCY" ]]; then
        echo "未测"
        return
    fi
    # serve_latency works on a copy of its own, edits the first steward's name (saved as
    # Excel saves: a new file renamed over the old) and prints the median of its rounds.
    local times=9
    [[ "$label" == sample ]] || times=3
    local ms
    ms=$("$LATENCY" --root "$site" --edit content/stewards.csv --times "$times" --bin "$BIN" \
        2>"$TMP/serve-err-$label.txt" | sed -n 's/^serve_reload_ms=\([0-9.]*\).*/\1/p' | tail -1) || true
    echo "${ms:-?}"
}

for w in $WORKLOADS; do
    generate "$w"
done

# --- the sample site --------------------------------------------------------------------
echo "== sample site (the repository's own)"
SAMPLE="$TMP/sample"
copy_site "$ROOT" "$SAMPLE"
build "sample, first build" "$SAMPLE" "$TMP/sample-out" || true
other "sample: first build" "${WALL}s (CPU ${CPU}s, peak ${RSS} MiB)"
build "sample, single-threaded" "$SAMPLE" "$TMP/sample-one" RAYON_NUM_THREADS=1 || true
SAMPLE_SAME="✗"
if [[ "$(digest "$TMP/sample-out")" == "$(digest "$TMP/sample-one")" ]]; then
    SAMPLE_SAME="✓"
fi
SAMPLE_SERVE=$(serve_latency sample "$SAMPLE")

# --- the print kit's PDFs ---------------------------------------------------------------------
# Beside a bare `chromium --print-to-pdf` of one page measured just before: a browser's
# start and one PDF, the least any printing costs on this machine at this minute.
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
print_floor() {
    local best="" i t0 t1 s
    for i in 1 2; do
        rm -rf "$TMP/floor-profile" "$TMP/floor.pdf"
        t0=$(now)
        "$BROWSER" --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$TMP/floor-profile" --no-pdf-header-footer \
            --print-to-pdf="$TMP/floor.pdf" "file://$TMP/print-html/index.html" >/dev/null 2>&1 || true
        t1=$(now)
        s=$(elapsed "$t0" "$t1")
        best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best"
}
if [[ "$PRINT" != 0 && -n "$BROWSER" ]]; then
    echo "== print kit (sample)"
    "$BIN" print --root "$SAMPLE" --output "$TMP/print-html" >/dev/null
    floor=$(print_floor)
    timed "$BIN" print --root "$SAMPLE" --output "$TMP/print-all" --pdf
    pdfs=$(grep -o "PDF：[0-9]* 个" "$TMP/out.txt" | grep -o '[0-9]*' || echo "?")
    echo "print --pdf: ${WALL}s (CPU ${CPU}s of this process), $pdfs PDFs; floor ${floor}s"
    target "print --pdf（样例，$pdfs 个 PDF）" "${WALL}s" "chromium 打印一页 ${floor}s" \
        "$(calc '"%.1f×", a / b' "$WALL" "$floor")" "≤ 30 s" "$(verdict 'a <= 30' "$WALL")"
    floor=$(print_floor)
    timed "$BIN" print --root "$SAMPLE" --output "$TMP/print-one" --pdf --community fangmenjie
    echo "print --pdf --community fangmenjie: ${WALL}s; floor ${floor}s"
    target "print --pdf --community（一个社区，4 个 PDF）" "${WALL}s" "chromium 打印一页 ${floor}s" \
        "$(calc '"%.1f×", a / b' "$WALL" "$floor")" "≤ 10 s" "$(verdict 'a <= 10' "$WALL")"
elif [[ "$PRINT" != 0 ]]; then
    target "print --pdf（样例）" "未测（没有 chromium）" "—" "—" "≤ 30 s" "?"
fi

# --- hongguanjia and Hugo on 10,000 simple pages ---------------------------------------------
# As like each other as records allow: 10,000 stewards with one visit each, one short page
# per steward; Hugo: 10,000 pages from front matter with a minimal layout.
if [[ "$HUGO" != 0 ]]; then
    site="$TMP/simple"
    mkdir -p "$site/content"
    printf 'title = "bench"\nbase_url = "https://example.org/"\n' >"$site/site.toml"
    python3 - "$site/content" <<'EOF'
import sys
d = sys.argv[1]
with open(f"{d}/communities.csv", "w") as f:
    f.write("编号,名称\n" + "".join(f"c{c:03d},社区{c}\n" for c in range(400)))
with open(f"{d}/stewards.csv", "w") as f:
    f.write("编号,姓名,社区,联系楼幢,党员类别\n")
    f.write("".join(f"S{i:05d},红管家{i},c{i % 400:03d},{i % 50 + 1}幢,在册\n" for i in range(10_000)))
with open(f"{d}/visits.csv", "w") as f:
    f.write("日期,红管家,户数\n" + "".join(f"2018-01-{i % 28 + 1:02d},S{i:05d},1\n" for i in range(10_000)))
with open(f"{d}/cases.csv", "w") as f:
    f.write("编号,日期,红管家,类别,事项,状态\n")
EOF
    HUGO_SITE="$TMP/hugo"
    if command -v hugo >/dev/null; then
        mkdir -p "$HUGO_SITE/content/posts" "$HUGO_SITE/layouts/_default"
        printf 'baseURL = "https://example.org/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' >"$HUGO_SITE/config.toml"
        printf '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><p>{{ .Params.community }} {{ .Date.Format "2006-01-02" }}</p>{{ .Content }}</body></html>\n' >"$HUGO_SITE/layouts/_default/single.html"
        printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ range first 50 .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>\n' >"$HUGO_SITE/layouts/_default/list.html"
        python3 - "$HUGO_SITE/content/posts" <<'EOF'
import sys
for i in range(10_000):
    with open(f"{sys.argv[1]}/p{i:05d}.md", "w") as out:
        out.write(f'+++\ntitle = "红管家 {i}"\ndate = 2018-01-{i % 28 + 1:02d}\ncommunity = "社区{i % 400}"\n+++\n走访群众，收集意见建议。\n')
EOF
    fi
    # Turn about, three each, each into a folder of its own (nothing is deleted until the
    # script exits, see the city workloads): the disk's speed drifts over minutes, and
    # the best of runs interleaved in time compares the two tools at the same drift.
    hgj_best=""
    hugo_best=""
    for run in 1 2 3; do
        build "simple 10k pages, build $run (empty folder)" "$site" "$TMP/simple-out$run" || true
        hgj_pages=$(find "$TMP/simple-out$run" -name '*.html' | wc -l)
        hgj_best=$(awk -v a="${hgj_best:-1e9}" -v b="$WALL" 'BEGIN { print (b < a) ? b : a }')
        if command -v hugo >/dev/null; then
            sync
            timed hugo --quiet -s "$HUGO_SITE" -d "$HUGO_SITE/public$run" || true
            echo "== hugo $(hugo version | cut -d' ' -f2), 10k simple pages, build $run: wall ${WALL}s, CPU ${CPU}s"
            hugo_pages=$(find "$HUGO_SITE/public$run" -name '*.html' | wc -l)
            hugo_best=$(awk -v a="${hugo_best:-1e9}" -v b="$WALL" 'BEGIN { print (b < a) ? b : a }')
        fi
    done
    other "hongguanjia, 10k simple pages" "best ${hgj_best}s, $hgj_pages pages"
    if command -v hugo >/dev/null; then
        other "Hugo, 10k simple pages" "best ${hugo_best}s, $hugo_pages pages"
        # Per page: (hugo s / hugo pages) / (hongguanjia s / hongguanjia pages).
        ratio=$(awk -v h="$hugo_best" -v hp="$hugo_pages" -v g="$hgj_best" -v gp="$hgj_pages" \
            'BEGIN { printf "%.1f", (h / hp) / (g / gp) }')
        HUGO_ROW="| 每页比 Hugo 快（10k 简单页面） | ${hgj_best}s / $hgj_pages 页 | Hugo ${hugo_best}s / $hugo_pages 页 | ${ratio}× | ≥ 3× | $(verdict 'a >= 3' "$ratio") |"
    else
        HUGO_ROW="| 每页比 Hugo 快（10k 简单页面） | ${hgj_best}s / $hgj_pages 页 | Hugo 未安装 | — | ≥ 3× | ? |"
    fi
fi

# --- the city workloads -------------------------------------------------------------------
declare -A FIRST_RSS FIRST COPY UNCHANGED CHANGED LOAD CSV_MB CAT_S CAT_MBS PEAK ROWS_LATER
for w in $WORKLOADS; do
    site="$TMP/$w"
    out="$TMP/$w-out"
    echo "== $w: copying the workload to $site"
    copy_site "$DATA/$w" "$site"
    # The copies this script makes are written back before a build is timed, so that no
    # build pays for the script's own writes (a gigabyte written back while the next
    # build reads its records slowed that stage by half a second).
    sync
    csv_bytes=$(find "$site/content" -name '*.csv' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    csv_mb=$(awk -v b="$csv_bytes" 'BEGIN { printf "%.0f", b / 1e6 }')

    # Reading the CSV, from the page cache (the copy just read them in).
    find "$site/content" -name '*.csv' -print0 | xargs -0 cat >/dev/null
    t0=$(now)
    find "$site/content" -name '*.csv' -print0 | xargs -0 cat >/dev/null
    t1=$(now)
    cat_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    cat_mbs=$(awk -v b="$csv_bytes" -v s="$cat_s" 'BEGIN { printf "%.0f", (s > 0 ? b / 1e6 / s : 0) }')

    peak=0
    load_best=""
    build "$w, build 1: first, into an empty folder" "$site" "$out" || continue
    first=$WALL
    FIRST_RSS[$w]=$RSS
    peak=$((RSS > peak ? RSS : peak))
    load_best=$(stage '读取+检查+统计')
    files=$(find "$out" -type f | wc -l)
    pages=$(find "$out" -name '*.html' | wc -l)
    out_mb=$(du -sm "$out" | cut -f1)
    grep '^输出 ' "$TMP/err.txt" >"$TMP/$w-kinds.txt" || true

    # Floors: copying the finished output into an empty folder, and deleting that copy.
    sync
    t0=$(now)
    cp -a "$out" "$TMP/$w-copy"
    t1=$(now)
    copy_s=$(elapsed "$t0" "$t1")
    echo "== $w: floor: cp -a ${copy_s}s ($files files, $out_mb MiB); rm -rf of the copy at the end"
    sync

    build "$w, build 2: unchanged input, replaces the output" "$site" "$out" || continue
    unchanged=$WALL
    peak=$((RSS > peak ? RSS : peak))
    keep_best_load

    if [[ "$w" == city && "$SINGLE" != 0 ]]; then
        build "$w, single-threaded (RAYON_NUM_THREADS=1)" "$site" "$TMP/$w-one" RAYON_NUM_THREADS=1 || true
        same="✗"
        if [[ $STATUS == 0 && "$(digest "$out")" == "$(digest "$TMP/$w-one")" ]]; then
            same="✓"
        fi
        later "单线程与并行输出逐字节相同（$w，sha256）" "$files 个文件" "—" "—" "相同" "$same"
    fi

    sed -i '0,/^title = "/s//title = "改 /' "$site/site.toml"
    build "$w, build 3: site title changed (every page), replaces the output" "$site" "$out" || continue
    changed=$WALL
    peak=$((RSS > peak ? RSS : peak))
    keep_best_load

    if [[ "$w" == city && "$EDIT" != 0 ]]; then
        # The first steward's name, one more character: their page, their community's
        # page, the lists and figures that show them change.
        python3 - "$site/content/stewards.csv" <<'EOF'
import csv, io, sys
path = sys.argv[1]
text = open(path, encoding="utf-8-sig").read()
rows = list(csv.reader(io.StringIO(text)))
rows[1][rows[0].index("姓名")] += "新"
out = io.StringIO()
csv.writer(out, lineterminator="\n").writerows(rows)
open(path, "w", encoding="utf-8").write(out.getvalue())
EOF
        if build "$w, one steward's name changed" "$site" "$out"; then
            keep_best_load
        fi
        written=$(cat "$TMP/out.txt" "$TMP/err.txt" | grep -o "写入 [0-9]* 个文件" | grep -o '[0-9]*' | head -1 || true)
        total=$(cat "$TMP/out.txt" "$TMP/err.txt" | grep -o "共 [0-9]* 个文件" | grep -o '[0-9]*' | head -1 || true)
        if [[ -n "$written" && -n "$total" ]]; then
            later "改一名红管家的姓名：写入的文件（$w）" "$written / $total 个" "—" \
                "$(calc '"%.2f%%", a * 100 / b' "$written" "$total")" "只写有变化的页面（≤ 1%）" \
                "$(verdict 'a * 100 <= b' "$written" "$total")"
        else
            later "改一名红管家的姓名：写入的文件（$w）" "构建未报告写入数（${WALL}s）" "—" "—" "只写有变化的页面" "?"
        fi
    fi
    # Kept for the table, which needs the floor's deletion: that comes at the very end.
    FIRST[$w]=$first COPY[$w]=$copy_s UNCHANGED[$w]=$unchanged CHANGED[$w]=$changed
    LOAD[$w]=$load_best CSV_MB[$w]=$csv_mb CAT_S[$w]=$cat_s CAT_MBS[$w]=$cat_mbs PEAK[$w]=$peak
    ROWS_LATER[$w]=$(printf '%s\n' "${LATER[@]}")
    LATER=()
    if [[ "$w" != "${WORKLOADS##* }" ]]; then
        # The title-change rebuild deleted the output it replaced, a city's worth of files;
        # ext4 searches past inodes deleted in the last minutes when it creates files, so
        # the next workload's first build would pay for this one's deletion.
        echo "== $w: resting ${REST}s before the next workload"
        sleep "$REST"
    fi
    other "$w: output" "$files files ($pages .html, redirects included), $out_mb MiB, CSV $csv_mb MB"
done

if [[ -n "${FIRST_RSS[city]:-}" && -n "${FIRST_RSS[city4m]:-}" ]]; then
    target "内存随走访数：city4m / city" "${FIRST_RSS[city4m]} / ${FIRST_RSS[city]} MiB" "—" \
        "$(calc '"%.2f", a / b' "${FIRST_RSS[city4m]}" "${FIRST_RSS[city]}")" "< 1.1" \
        "$(verdict 'a < 1.1 * b' "${FIRST_RSS[city4m]}" "${FIRST_RSS[city]}")"
else
    target "内存随走访数：city4m / city" "未测" "—" "—" "< 1.1" "?"
fi

# --- serve ------------------------------------------------------------------------------
if [[ "$SAMPLE_SERVE" == 未测 ]]; then
    target "serve：改一个文件到页面重新载入（样例）" "未测" "—" "—" "≤ 100 ms" "?"
else
    target "serve：改一个文件到页面重新载入（样例）" "$SAMPLE_SERVE ms" "—" "—" "≤ 100 ms" \
        "$(verdict 'a <= 100' "$SAMPLE_SERVE")"
fi
if [[ " $WORKLOADS " == *" city "* ]]; then
    CITY_SERVE=$(serve_latency city "$DATA/city")
    if [[ "$CITY_SERVE" == 未测 ]]; then
        target "serve：改一个文件到页面重新载入（city）" "未测" "—" "—" "≤ 3 s" "?"
    else
        target "serve：改一个文件到页面重新载入（city）" "$CITY_SERVE ms" "—" "—" "≤ 3 s" \
            "$(verdict 'a <= 3000' "$CITY_SERVE")"
    fi
fi
target "单线程与并行输出逐字节相同（样例，sha256）" "—" "—" "—" "相同" "$SAMPLE_SAME"

# --- the search index alone ---------------------------------------------------------------
if [[ "$SEARCH" != 0 ]]; then
    for w in $WORKLOADS; do
        echo "== search index alone: $w"
        "$ROOT/target/release/examples/search_index" "$DATA/$w" --runs 3 | sed 's/^/   /' \
            || echo "   search_index failed"
    done
fi

# --- a roll-up of $ROLLUP member summaries -------------------------------------------------
# What a province's CI runs after collecting the summary.json its members published.
if [[ "$ROLLUP" != 0 ]]; then
    echo "== roll-up of $ROLLUP member summaries"
    site="$TMP/rollup"
    mkdir -p "$site"
    "$BIN" build --root "$SAMPLE" --output "$TMP/rollup-member" >/dev/null
    python3 - "$TMP/rollup-member/data/summary.json" "$site" "$ROLLUP" <<'EOF'
import json, os, sys
source, site, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = json.load(open(source, encoding="utf-8"))
TEXT = ("name", "category", "community", "batch", "url", "id", "date", "member", "party_org")
def scale(v, k):
    if isinstance(v, bool) or not isinstance(v, (int, dict, list)):
        return v
    if isinstance(v, int):
        return v * k // 4
    if isinstance(v, list):
        return [scale(x, k) for x in v]
    return {key: (val if key in TEXT else scale(val, k)) for key, val in v.items()}
lines = ['title = "bench roll-up"', 'base_url = "https://example.org/"', 'level = "省"', ""]
for i in range(n):
    s = scale(base, 4 + i % 5)
    s["format"], s["version"] = "hongguanjia-summary", 1
    s["name"], s["level"] = f"成员{i:04d}", "区县"
    s["period"], s["as_of"] = base["period"], base["as_of"]
    os.makedirs(f"{site}/members/m{i:04d}", exist_ok=True)
    with open(f"{site}/members/m{i:04d}/summary.json", "w", encoding="utf-8") as f:
        json.dump(s, f, ensure_ascii=False)
    lines += ["[[members]]", f'path = "members/m{i:04d}/summary.json"', ""]
open(f"{site}/site.toml", "w", encoding="utf-8").write("\n".join(lines))
EOF
    for run in 1 2; do
        build "roll-up of $ROLLUP, build $run" "$site" "$TMP/rollup-out" || true
        other "roll-up of $ROLLUP members, build $run" "${WALL}s (CPU ${CPU}s, peak ${RSS} MiB)"
    done
    rm -rf "$site" "$TMP/rollup-out" "$TMP/rollup-member"
fi

# --- the floors' deletions, then the workloads' rows --------------------------------------
# The copies of the outputs are deleted only now, after every timed build: ext4 does not
# reuse an inode deleted in the last few minutes and searches further for a free one, so
# files created after a mass deletion cost several times the system time, and a deletion
# by this script would bill whatever build came next. The scratch folders themselves go
# when the script exits.
W_ROWS=()
for w in $WORKLOADS; do
    [[ -n "${FIRST[$w]:-}" ]] || continue
    sync
    t0=$(now)
    rm -rf "$TMP/$w-copy"
    t1=$(now)
    delete_s=$(elapsed "$t0" "$t1")
    echo "== $w: floor: rm -rf of the copy ${delete_s}s"
    first=${FIRST[$w]} copy_s=${COPY[$w]} changed=${CHANGED[$w]} csv_mb=${CSV_MB[$w]}
    W_ROWS+=("| 首次构建到空文件夹（$w） | ${first}s | cp -a ${copy_s}s | $(calc '"%.1f×", a / b' "$first" "$copy_s") | ≤ 10 s | $(verdict 'a <= 10' "$first") |")
    W_ROWS+=("| 输入不变时重新构建并替换（$w） | ${UNCHANGED[$w]}s | — | — | ≤ 5 s | $(verdict 'a <= 5' "${UNCHANGED[$w]}") |")
    floor=$(calc '"%.2f", a + b' "$copy_s" "$delete_s")
    ok=$(verdict 'a <= 12' "$changed")
    ratio_ok=$(verdict 'a <= 1.6 * b' "$changed" "$floor")
    [[ "$ratio_ok" == "✓" ]] || ok=$ratio_ok
    W_ROWS+=("| 改站点标题（每页都变）后重新构建并替换（$w） | ${changed}s | cp -a ${copy_s}s + rm -rf ${delete_s}s = ${floor}s | $(calc '"%.2f×", a / b' "$changed" "$floor") | ≤ 12 s 且 ≤ 1.6× | $ok |")
    if [[ -n "${LOAD[$w]}" ]]; then
        mbs=$(calc '"%.0f", a / b' "$csv_mb" "${LOAD[$w]}")
        W_ROWS+=("| 读取+检查+统计（$w，$csv_mb MB CSV；各次并行构建中最快的） | ${LOAD[$w]}s = $mbs MB/s | cat（页缓存）${CAT_S[$w]}s = ${CAT_MBS[$w]} MB/s | $(calc '"%.1f×", a / b' "${LOAD[$w]}" "${CAT_S[$w]}") | ≥ 100 MB/s | $(verdict 'a >= 100' "$mbs") |")
    fi
    W_ROWS+=("| 内存峰值（$w） | ${PEAK[$w]} MiB | — | — | ≤ 600 MiB | $(verdict 'a <= 600' "${PEAK[$w]}") |")
    while IFS= read -r row; do
        [[ -n "$row" ]] && W_ROWS+=("$row")
    done <<<"${ROWS_LATER[$w]}"
done

# --- the report -------------------------------------------------------------------------------
echo
echo "== 目标（$(date -u '+%Y-%m-%d %H:%M UTC')，$(nproc) 核，负载 $(cut -d' ' -f1-3 /proc/loadavg)，$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' + 未提交的改动')）"
echo
echo "| 目标 | 结果 | 下限（同次测得） | 比值 | 要求 | 达到 |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${W_ROWS[@]}" "${TARGETS[@]}"
[[ -z "$HUGO_ROW" ]] || echo "$HUGO_ROW"
for w in $WORKLOADS; do
    [[ -s "$TMP/$w-kinds.txt" ]] || continue
    echo
    echo "== 每类输出的文件和字节（$w，首次构建）"
    echo
    echo "| 类别 | 文件 | 字节 | 平均每个 |"
    echo "|---|---:|---:|---:|"
    sed -n 's/^输出 \(.*\): \([0-9]*\) 个文件，\([0-9]*\) 字节（平均每个 \([0-9]*\) 字节）/| \1 | \2 | \3 | \4 |/p' "$TMP/$w-kinds.txt"
done
echo
echo "== 其他"
printf '%s\n' "${OTHER[@]}"
if [[ $FAILURES != 0 ]]; then
    echo
    echo "bench: $FAILURES build(s) failed or were stopped" >&2
    exit 1
fi
