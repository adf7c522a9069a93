#!/bin/sh
# git builds the same history (same object hashes) under the library.
. "$(dirname "$0")/lib.sh"
cat >"$WORK/repo.sh" <<'SH'
set -e
d=$(mktemp -d); cd "$d"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
export HOME=$d GIT_CONFIG_NOSYSTEM=1
git init -q -b main .
for i in $(seq 1 30); do
  seq "$i" 4000 > "f$i.txt"; git add "f$i.txt"; git commit -q -m "commit $i"
done
git gc -q
git log --format='%H %s' | head -5
git fsck --full 2>&1
git count-objects -v | grep -v size
git diff HEAD~10 --stat | tail -1
cd /; rm -rf "$d"
SH
same "git init/commit/gc/fsck/log" sh "$WORK/repo.sh"
gpu_used "git" sh "$WORK/repo.sh"
