#!/bin/sh
# deb-build.sh OUTDIR - build the Debian packages out of tree: copy the
# source (tracked and new, not ignored, files; the working tree's contents)
# to OUTDIR/cagma-VERSION, run dpkg-buildpackage -b there; the .deb, .ddeb,
# .buildinfo and .changes files land in OUTDIR.
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
src=$out/cagma-$ver
rm -rf "$out"
mkdir -p "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard |
	    xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
t0=$(date +%s)
(cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") \
    >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
rm -rf "$src"
echo "deb: built in $(($(date +%s) - t0)) s:"
ls -1 "$out"/*.deb
