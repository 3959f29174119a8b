#!/bin/sh
# A fake busctl answering as systemd would, for memtop's containment tests:
# logs its arguments to $FAKE_BUSCTL_LOG and moves the pid in the fake
# /proc tree ($FAKE_PROC) into the unit asked for. With $FAKE_BUSCTL_FAIL
# set it fails as busctl does when no systemd answers.
PATH=/usr/bin:/bin
echo "$*" >> "$FAKE_BUSCTL_LOG"
if [ -n "$FAKE_BUSCTL_FAIL" ]; then
  echo "Failed to connect to bus: No such file or directory" >&2
  exit 1
fi
case "$5" in
  StartTransientUnit) unit="$7"; pid="${13}" ;;
  AttachProcessesToUnit) unit="$7"; pid="${10}" ;;
  *) echo "Unknown method $5" >&2; exit 1 ;;
esac
cur=$(sed -n 's/^0:://p' "$FAKE_PROC/$pid/cgroup")
echo "0::${cur%/*}/$unit" > "$FAKE_PROC/$pid/cgroup"
[ "$5" = StartTransientUnit ] && echo 'o "/org/freedesktop/systemd1/job/4242"'
exit 0
