#!/bin/bash
# usage: bench/steady-pair.sh WARM MEASURE DIR... (each a memtop checkout with dist/ built); prints CPU ms/s of each dir's memtop -m 1 over MEASURE s after WARM s, side by side
WARM=$1; MEAS=$2; shift 2
cpu() { # sum of schedstat field1 (ns) over threads of pid and descendants
  local p=$1 t=0
  for f in /proc/$p/task/*/schedstat; do read a b c < $f 2>/dev/null && t=$((t+a)); done
  echo $t
}
declare -a S P
i=0
for d in "$@"; do
  s=h23st$$_$i; S[$i]=$s
  tmux -L $s new-session -d -x 200 -y 50 "exec $d/dist/bin.cjs -m 1"
  i=$((i+1))
done
sleep 2
for j in $(seq 0 $((i-1))); do P[$j]=$(tmux -L ${S[$j]} display -p '#{pane_pid}'); done
sleep $((WARM-2))
declare -a A R0 R1
for j in $(seq 0 $((i-1))); do A[$j]=$(cpu ${P[$j]}); done
sleep $MEAS
for j in $(seq 0 $((i-1))); do B=$(cpu ${P[$j]}); rss=$(awk '/VmRSS/{print $2}' /proc/${P[$j]}/status); echo "$(( (B-A[$j]) / MEAS / 1000 ))us/s rss=${rss}k $(cat /proc/${P[$j]}/comm) ${@:$((j+1)):1}"; done
for j in $(seq 0 $((i-1))); do tmux -L ${S[$j]} kill-server; done
