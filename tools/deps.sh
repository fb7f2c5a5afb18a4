#!/bin/sh
# Installs the Debian packages named on the command line that are not installed yet.
# Quiet when everything is present; needs root (apt-get) only when something is missing.
missing=""
for p in "$@"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
  case "$st" in *"ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
echo "sinter: installing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
  echo "sinter: these packages are missing and installing them needs root: sudo make deps" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || exit 1
apt-get install -y -q --no-install-recommends $missing || exit 1
