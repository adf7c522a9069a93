#!/bin/sh
# sort on a multi-MB file, and a bash script, behave as without the library.
. "$(dirname "$0")/lib.sh"
awk 'BEGIN { srand(42); for (i = 0; i < 400000; i++) printf "%08d %s\n", int(rand() * 1e8), substr("abcdefghijklmnopqrstuvwxyz", 1 + i % 26) }' >"$WORK/in.txt"
[ "$(wc -c <"$WORK/in.txt")" -gt 4000000 ] || fail "input too small"
same "sort 4+ MB" sort "$WORK/in.txt"
same "sort -n --parallel=2 -S 1M" sort -n --parallel=2 -S 1M "$WORK/in.txt"
cat >"$WORK/script.bash" <<'BASH'
declare -A m; a=()
for i in $(seq 1 3000); do a+=("item$i"); m[k$((i % 97))]+=x; done
s=$(printf '%s,' "${a[@]}"); echo "${#s} ${#m[@]} ${m[k5]:0:10}"
echo "$(echo nested $(echo subshell))" | tr a-z A-Z
(exit 4) || echo "status $?"
x=$(yes | head -n 20000 | wc -l); echo "$x"
BASH
same "bash arrays, subshells, pipes" bash "$WORK/script.bash"
gpu_used "sort" sort "$WORK/in.txt"
