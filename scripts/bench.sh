#!/usr/bin/env bash
# Benchmark of hongguanjia at city scale. Run from anywhere:
#
#     scripts/bench.sh
#
# 1. builds the release binary and the sample generator (cargo, no network needed once the
#    dependencies are in cargo's cache);
# 2. generates the workloads into bench-data/ unless they are there already (and were made
#    by the same generator): bench-data/city (2,000,000 visits) and bench-data/city4m
#    (4,000,000 visits), each a whole site folder;
# 3. for each workload, runs `hongguanjia build` twice into the same output folder with
#    HONGGUANJIA_TIMINGS=1 (the program's per-stage lines, `阶段 …`, pass through on stderr)
#    under /usr/bin/time -v; the second run replaces the first run's output, which is the
#    case the target is about. Prints wall time, peak RSS and pages written;
# 4. times the sample site (the repository root) the same way, and the search index alone
#    for each workload (examples/search_index.rs);
# 5. measures the file-system floor: 120,000 files of 1 KB in 40,000 folders, created and
#    then deleted from one thread, in the same place as the outputs;
# 6. prints a summary table.
#
# Temporary outputs go to bench-data/tmp.* and are removed at exit; the workloads stay.
#
# Environment:
#   BENCH_WORKLOADS  which workloads, default "town city city4m" (town: about 10,000 pages,
#                    to compare with Hugo on 10,000 simple pages when hugo is installed)
#   BENCH_TIMEOUT    stop a build after this many seconds (0 = never, the default)
#   BENCH_FLOOR      0 to skip the file-system floor
#   BENCH_ROLLUP     members of the roll-up step, default 1000 (0 = skip): the sample's
#                    published data/summary.json copied under that many names, each with
#                    its counts scaled, rolled up by one `hongguanjia build` (docs/rollup.md)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA="$ROOT/bench-data"
WORKLOADS=${BENCH_WORKLOADS:-"town city city4m"}
TIMEOUT=${BENCH_TIMEOUT:-0}
FLOOR=${BENCH_FLOOR:-1}
ROLLUP=${BENCH_ROLLUP:-1000}

if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time is missing (GNU time, for wall time and peak RSS)." >&2
    echo "bench: install it with: sudo apt-get install time   (Debian/Ubuntu package 'time')" >&2
    exit 1
fi
for tool in cargo python3 find sha256sum; do
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
TMP=$(mktemp -d "$DATA/tmp.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds since the epoch with fractions, for the steps /usr/bin/time does not measure.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# "0:01.23" or "1:02:03" (from time -v) to seconds.
to_seconds() {
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}
human_kb() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

SUMMARY=()
FAILURES=0
row() { SUMMARY+=("$(printf '%-22s %10s %12s %9s  %s' "$@")"); }

echo "== build (cargo build --release)"
cargo build --release --bin hongguanjia --example gen_sample --example search_index
BIN="$ROOT/target/release/hongguanjia"
GEN="$ROOT/target/release/examples/gen_sample"
GEN_HASH=$(sha256sum examples/gen_sample.rs | cut -c1-16)

# Runs "$@" under /usr/bin/time -v (its report into $TMP/time.txt); sets WALL and RSS_KB.
# The command's own stdout and stderr pass through. Returns the command's status.
timed() {
    local status=0
    local -a cmd=("$@")
    if [[ "$TIMEOUT" != 0 ]]; then
        cmd=(timeout --signal=TERM --kill-after=10 "$TIMEOUT" "${cmd[@]}")
    fi
    /usr/bin/time -v -o "$TMP/time.txt" "${cmd[@]}" || status=$?
    WALL=$(to_seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time.txt")")
    RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
    [[ -n "$WALL" ]] || WALL="?"
    [[ -n "$RSS_KB" ]] || RSS_KB=0
    return "$status"
}

# Generates workload $1 into bench-data/$1 unless a complete copy from this generator is
# there.
generate() {
    local name=$1 site="$DATA/$1"
    local -a args
    case "$name" in
        city) args=(--scale city) ;;
        city4m) args=(--scale city4m) ;;
        town) args=(--scale town) ;;
        *) echo "bench: unknown workload $name (town, city, city4m)" >&2; exit 2 ;;
    esac
    local stamp="$GEN_HASH ${args[*]}"
    if [[ -f "$site/.bench-complete" && "$(cat "$site/.bench-complete")" == "$stamp" ]]; then
        echo "== workload $name: reusing $site"
        SUMMARY_GEN+=("$(printf '%-10s %10s %10s  %s' "$name" "reused" "$(du -sh "$site/content" | cut -f1)" "$site")")
        return
    fi
    echo "== workload $name: generating into $site"
    rm -rf "$site"
    local t0 t1
    t0=$(now)
    "$GEN" "$site" "${args[@]}"
    t1=$(now)
    echo "$stamp" >"$site/.bench-complete"
    SUMMARY_GEN+=("$(printf '%-10s %9ss %10s  %s' "$name" "$(elapsed "$t0" "$t1")" "$(du -sh "$site/content" | cut -f1)" "$site")")
}

# Builds site $2 into $3 three times; summary label $1: into a fresh folder; again with
# the same input (unchanged pages are linked from the previous site); and with a changed
# title, so that every page differs and all of them are written again.
bench_build() {
    local label=$1 site=$2 out=$3 run status
    cp "$site/site.toml" "$TMP/site.toml.orig"
    for run in 1 2 3; do
        case $run in
            1) echo "== $label: build 1 of 3 (fresh output)" ;;
            2) echo "== $label: build 2 of 3 (same input, replaces the previous output)" ;;
            3) echo "== $label: build 3 of 3 (every page changed, replaces the previous output)"
               sed -i '0,/^title = "/s//title = "改 /' "$site/site.toml" ;;
        esac
        status=0
        HONGGUANJIA_TIMINGS=1 timed "$BIN" build --root "$site" --output "$out" || status=$?
        local pages=0
        if [[ -d "$out" ]]; then
            pages=$(find "$out" -name '*.html' | wc -l)
        fi
        echo "   wall ${WALL}s, peak RSS $(human_kb "$RSS_KB"), exit $status, $pages pages"
        if [[ $status != 0 ]]; then
            if [[ $status == 124 || $status == 137 ]]; then
                echo "   stopped after BENCH_TIMEOUT=${TIMEOUT}s"
            fi
            row "$label (run $run)" "FAILED" "$(human_kb "$RSS_KB")" "$pages" "exit $status after ${WALL}s"
            FAILURES=$((FAILURES + 1))
            cp "$TMP/site.toml.orig" "$site/site.toml"
            return 0
        fi
        row "$label (run $run)" "${WALL}s" "$(human_kb "$RSS_KB")" "$pages" ""
    done
    cp "$TMP/site.toml.orig" "$site/site.toml"
}

# hongguanjia on about 10,000 simple pages, as like Hugo's as records allow: 10,000
# stewards with one visit each, so one short page per steward.
bench_simple() {
    local site="$TMP/simple"
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
    bench_build "simple 10k" "$site" "$TMP/simple-out"
    rm -rf "$site" "$TMP/simple-out"
}

# Hugo on 10,000 simple pages from front matter, built twice, for the per-page comparison.
bench_hugo() {
    if ! command -v hugo >/dev/null; then
        echo "== hugo: not installed, skipped (Debian: apt-get install hugo)"
        return
    fi
    local site="$TMP/hugo" run
    mkdir -p "$site/content/posts" "$site/layouts/_default"
    printf 'baseURL = "https://example.org/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n' >"$site/config.toml"
    printf '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1><p>{{ .Params.community }} {{ .Date.Format "2006-01-02" }}</p>{{ .Content }}</body></html>\n' >"$site/layouts/_default/single.html"
    printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ range first 50 .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</body></html>\n' >"$site/layouts/_default/list.html"
    python3 - "$site/content/posts" <<'EOF'
import sys
for i in range(10_000):
    with open(f"{sys.argv[1]}/p{i:05d}.md", "w") as out:
        out.write(f'+++\ntitle = "红管家 {i}"\ndate = 2018-01-{i % 28 + 1:02d}\ncommunity = "社区{i % 400}"\n+++\n走访群众，收集意见建议。\n')
EOF
    for run in 1 2; do
        echo "== hugo $(hugo version | cut -d' ' -f2): 10,000 simple pages, build $run of 2"
        timed hugo --quiet -s "$site" -d "$site/public" || true
        echo "   wall ${WALL}s, peak RSS $(human_kb "$RSS_KB")"
        row "hugo 10k (run $run)" "${WALL}s" "$(human_kb "$RSS_KB")" "$(find "$site/public" -name '*.html' | wc -l)" "simple pages"
    done
    rm -rf "$site"
}

SUMMARY_GEN=()
for w in $WORKLOADS; do
    generate "$w"
done

echo "== sample site (repository root)"
bench_build "sample" "$ROOT" "$TMP/sample-out"
rm -rf "$TMP/sample-out"

for w in $WORKLOADS; do
    bench_build "$w" "$DATA/$w" "$TMP/$w-out"
    rm -rf "$TMP/$w-out"
done

# The search index alone (docs/search.md): build time and the size of what a query loads.
for w in $WORKLOADS; do
    echo "== search index: $w"
    "$ROOT/target/release/examples/search_index" "$DATA/$w" --runs 5 | sed 's/^/   /' || echo "   search_index failed"
done

# A roll-up of $ROLLUP member summaries: what a province's CI runs after collecting the
# summary.json files its members published. Built twice, like the other sites.
bench_rollup() {
    [[ "$ROLLUP" != 0 ]] || return 0
    echo "== roll-up of $ROLLUP member summaries"
    local site="$TMP/rollup"
    mkdir -p "$site"
    "$BIN" build --root "$ROOT" --output "$TMP/rollup-member" >/dev/null
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
        if timed "$BIN" build --root "$site" --output "$TMP/rollup-out"; then
            row "rollup $ROLLUP #$run" "${WALL}s" "$(human_kb "$RSS_KB")" "-" ""
        else
            row "rollup $ROLLUP #$run" "FAILED" "" "" ""
            FAILURES=$((FAILURES + 1))
        fi
    done
    rm -rf "$site" "$TMP/rollup-out" "$TMP/rollup-member"
}

bench_rollup
bench_simple
bench_hugo

FLOOR_LINE=""
if [[ "$FLOOR" != 0 ]]; then
    echo "== file-system floor: 120,000 files of 1 KB in 40,000 folders, one thread"
    python3 - "$TMP/floor" "$TMP/floor.txt" <<'EOF'
import os, shutil, sys, time

root = sys.argv[1]
data = b"x" * 1024
t0 = time.perf_counter()
for d in range(40_000):
    folder = os.path.join(root, f"{d // 200:03d}", f"{d:05d}")
    os.makedirs(folder)
    for f in range(3):
        with open(os.path.join(folder, f"{f}.html"), "wb") as out:
            out.write(data)
t1 = time.perf_counter()
shutil.rmtree(root)
t2 = time.perf_counter()
print(f"   create {t1 - t0:.2f}s, delete {t2 - t1:.2f}s, total {t2 - t0:.2f}s")
with open(sys.argv[2], "w") as out:
    out.write(f"FLOOR {t1 - t0:.2f} {t2 - t1:.2f} {t2 - t0:.2f}\n")
EOF
    read -r _ create delete total < <(grep '^FLOOR' "$TMP/floor.txt")
    FLOOR_LINE="create ${create}s + delete ${delete}s = ${total}s (120,000 files, 40,000 folders)"
fi

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree)"
printf '%-10s %10s %10s  %s\n' "workload" "generated" "content" "folder"
printf '%s\n' "${SUMMARY_GEN[@]}"
echo
printf '%-22s %10s %12s %9s  %s\n' "build" "wall" "peak RSS" "pages" ""
printf '%s\n' "${SUMMARY[@]}"
if [[ -n "$FLOOR_LINE" ]]; then
    echo
    echo "file-system floor: $FLOOR_LINE"
fi
if [[ $FAILURES != 0 ]]; then
    echo
    echo "bench: $FAILURES build(s) failed or were stopped" >&2
    exit 1
fi
