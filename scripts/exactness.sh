#!/usr/bin/env bash
# Exactness of roll-ups at scale (docs/rollup.md): a site split by subdistrict into member
# sites, each built on its own and rolled up, must show every figure of the one site that
# holds all records. Run from anywhere:
#
#     scripts/exactness.sh [--scale city|town|city4m | --visits N | --site DIR] [--work DIR] [--keep]
#
# 1. builds the release binary and the examples it needs;
# 2. generates the synthetic city (gen_sample --scale city: 400 communities in 16
#    subdistricts in 4 districts) into WORK/whole, unless --site names a site to use (it
#    must have a 街道 column; it is only read);
# 3. splits it by subdistrict (examples/split_by_subdistrict) into WORK/members/<id>;
# 4. builds the whole site and every member (two at a time);
# 5. builds a roll-up of all subdistricts, a roll-up per district over its subdistricts,
#    and a city roll-up over the districts;
# 6. compares every figure of each top roll-up's data/summary.json with the whole site's
#    (examples/compare_summaries: counts, monthly and category series, period, commended
#    stewards, each member's row, each community), prints differences, and exits non-zero
#    on any.
#
# Outputs go to WORK (default: a new folder under /tmp), removed at exit unless --keep.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCALE=(--scale city)
SITE=""
WORK=""
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --scale) SCALE=(--scale "$2"); shift 2 ;;
        --visits) SCALE=(--visits "$2"); shift 2 ;;
        --site) SITE=$(cd "$2" && pwd); shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "不认识的参数：$1（用 --help 查看用法）" >&2; exit 2 ;;
    esac
done
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /tmp/hongguanjia-exactness.XXXXXX)
else
    mkdir -p "$WORK"
    WORK=$(cd "$WORK" && pwd)
fi
if [ "$KEEP" = 0 ]; then
    trap 'rm -rf "$WORK"' EXIT
fi

step() { printf '\n== %s\n' "$*"; }
# Wall seconds between two $EPOCHREALTIME readings.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
START=$EPOCHREALTIME
timed() {
    local label=$1; shift
    local t0=$EPOCHREALTIME
    "$@"
    printf '用时 %8s 秒  %s\n' "$(since "$t0")" "$label"
}

step "编译"
timed "cargo build --release" cargo build --release --quiet \
    --bin hongguanjia --example gen_sample --example split_by_subdistrict --example compare_summaries
BIN="$ROOT/target/release"
HGJ="$BIN/hongguanjia"

if [ -z "$SITE" ]; then
    step "生成测试站点 ${SCALE[*]}"
    SITE="$WORK/whole"
    timed "gen_sample" "$BIN/examples/gen_sample" "$SITE" "${SCALE[@]}"
fi

step "按街道拆分"
timed "split_by_subdistrict" "$BIN/examples/split_by_subdistrict" "$SITE" "$WORK/members"
MEMBERS="$WORK/members/members.tsv"
column -t -s $'\t' "$MEMBERS" || cat "$MEMBERS"

step "生成整体站点"
timed "整体站点 build" "$HGJ" build --quiet --root "$SITE" --output "$WORK/out/whole"

step "生成各街道站点（两个一起）"
build_member() {
    "$HGJ" build --quiet --root "$WORK/members/$1" --output "$WORK/out/$1"
}
export -f build_member
export HGJ WORK
timed "$(wc -l <"$MEMBERS") 个街道 build" \
    bash -c "cut -f1 '$MEMBERS' | xargs -P 2 -I{} bash -c 'build_member {}'"

# Writes a roll-up site.toml: $1 folder, $2 name, $3 level, then name=summary pairs.
rollup_site() {
    local dir=$1 name=$2 level=$3
    shift 3
    mkdir -p "$dir"
    {
        printf 'title = "%s楼道“红管家”工作汇总"\n' "$name"
        printf 'base_url = "https://example.gov.cn/rollup/"\n'
        printf 'name = "%s"\nlevel = "%s"\n' "$name" "$level"
        for pair in "$@"; do
            printf '\n[[members]]\nname = "%s"\npath = "%s"\n' "${pair%%=*}" "${pair#*=}"
        done
    } >"$dir/site.toml"
}

step "汇总"
ALL=()
while IFS=$'\t' read -r id name district _; do
    ALL+=("$name=$WORK/out/$id")
done <"$MEMBERS"
rollup_site "$WORK/rollup/all" "全市" "市" "${ALL[@]}"
timed "全部街道汇总 build" "$HGJ" build --quiet --root "$WORK/rollup/all" --output "$WORK/out/rollup-all"

CITY=()
i=0
while read -r district; do
    i=$((i + 1))
    PARTS=()
    while IFS=$'\t' read -r id name d _; do
        if [ "$d" = "$district" ]; then PARTS+=("$name=$WORK/out/$id"); fi
    done <"$MEMBERS"
    rollup_site "$WORK/rollup/d$i" "$district" "区县" "${PARTS[@]}"
    timed "区县汇总 $district build" "$HGJ" build --quiet --root "$WORK/rollup/d$i" --output "$WORK/out/d$i"
    CITY+=("$district=$WORK/out/d$i")
done < <(cut -f3 "$MEMBERS" | awk '!seen[$0]++')
rollup_site "$WORK/rollup/city" "全市" "市" "${CITY[@]}"
timed "市汇总（区县之上）build" "$HGJ" build --quiet --root "$WORK/rollup/city" --output "$WORK/out/rollup-city"

step "核对"
SUMMARIES=()
while IFS=$'\t' read -r id _; do
    SUMMARIES+=("$WORK/out/$id/data/summary.json")
done <"$MEMBERS"
status=0
"$BIN/examples/compare_summaries" "$WORK/out/whole/data/summary.json" \
    "$WORK/out/rollup-all/data/summary.json" subdistrict "${SUMMARIES[@]}" || status=1
"$BIN/examples/compare_summaries" "$WORK/out/whole/data/summary.json" \
    "$WORK/out/rollup-city/data/summary.json" district || status=1
printf '\n总用时 %s 秒\n' "$(since "$START")"
if [ "$status" = 0 ]; then
    echo "结果：汇总站点的每个数字都与整体站点相同"
else
    echo "结果：有不同，见上"
fi
exit "$status"
