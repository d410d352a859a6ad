#!/usr/bin/env bash
# Summary tables (markdown) from bench/run-overhead.sh's OUTDIR/overhead.tsv:
# per workload and capturer, the median wall time with min-max, the ratio to
# the bare run's median, the range of the ratios to the bare run of the same
# repetition (how much of the ratio is noise), the capturer's own CPU per
# event (median), the whole machine's extra CPU per event over the bare run
# (medians), events captured of those generated (the run furthest from
# generated), and output bytes per event raw and after zstd -3 (exray's
# segments are already zstd -3).
#   bench/summarize.sh OUTDIR
set -u
f=$1/overhead.tsv
[ -s "$f" ] || { echo "summarize: no $f" >&2; exit 1; }
jq -R -s -r '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
              else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r(n): if . == null then "-" else (. * pow(10; n) | round) / pow(10; n) | tostring end;
  [split("\n")[1:][] | select(length > 0) | split("\t")
   | {wl: .[0], cap: .[1], wall: (.[3] | tonumber? // null), busy: (.[4] | tonumber? // 0),
      capms: (.[5] | tonumber? // 0), gen: (.[7] | tonumber? // 0), got: (.[8] | tonumber? // 0),
      raw: (.[9] | tonumber? // 0), z: (.[10] | tonumber? // 0), rep: .[2]}
   | select(.wall != null and .gen > 0)] as $rows
  | [$rows[].wl] | unique | reverse[] as $wl
  | ($rows | map(select(.wl == $wl))) as $w
  | ($w | map(select(.cap == "bare"))) as $bare
  | ($bare | map(.wall) | median) as $bw
  | ($bare | map(.busy) | median) as $bb
  | "\n### \($wl) storm (\($w[0].gen) \(if $wl == "exec" then "fork+exec+wait" else "connects" end) per run, \($bare | length) runs each)\n",
    "| capturer (runs) | wall ms, median (min-max) | ratio to bare | ratio to bare of the same repetition, min-max | capturer CPU µs/event | machine extra CPU µs/event | captured / generated (run furthest off) | bytes/event raw | bytes/event zstd -3 |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ($w | group_by(.cap) | sort_by(.[0].wall as $x | map(.wall) | median)[] as $g
     | ($g | map(.wall) | median) as $m
     | ($g[0].gen) as $gen
     | [$g[] | .rep as $rp | .wall / ([$bare[] | select(.rep == $rp) | .wall][0] // null)?] as $pr
     | ($pr | map(select(. != null))) as $pr
     | "| \($g[0].cap) (\($g | length)) | \($m / 1e6 | r(0)) (\($g | map(.wall) | min / 1e6 | r(0))-\($g | map(.wall) | max / 1e6 | r(0))) | \(($m / $bw) | r(3))× | \(if $g[0].cap == "bare" or ($pr | length) == 0 then "-" else "\($pr | min | r(3))-\($pr | max | r(3))" end) | \(if $g[0].cap == "bare" then "-" else ($g | map(.capms) | median) * 1000 / $gen | r(1) end) | \(if $g[0].cap == "bare" then "-" else (($g | map(.busy) | median) - $bb) * 1000 / $gen | r(1) end) | \(if $g[0].cap == "bare" then "-" else "\($g | max_by(.got - $gen | if . < 0 then -. else . end) | .got)/\($gen)" end) | \(if $g[0].cap == "bare" then "-" else ($g | map(.raw) | median) / $gen | r(2) end) | \(if $g[0].cap == "bare" then "-" else ($g | map(.z) | median) / $gen | r(2) end) |")
' "$f"
if [ -s "$1/storage.tsv" ]; then
	echo
	echo "### exray storage on the mixed workload (varied argv, exec -> connect)"
	echo
	echo "| workload | records | bytes on disk | bytes/record | of which snapshot records | recorder CPU µs/record |"
	echo "| --- | --- | --- | --- | --- | --- |"
	tail -n +2 "$1/storage.tsv" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, ($6 == "" ? "-" : sprintf("%.2f", $6 * 1000 / $2))}'
fi
