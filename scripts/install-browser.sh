#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the browser end-to-end tests, plus
# Noto CJK fonts so that Chinese text renders in screenshots. Does nothing when all
# of them are already installed, so it is safe to run before every test run.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver
FONT_PACKAGE=fonts-noto-cjk

missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
[[ -x "$CHROMEDRIVER" ]] || missing+=(chromium-driver)
dpkg-query -W -f='${Status}' "$FONT_PACKAGE" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$FONT_PACKAGE")

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-browser: chromium, chromedriver and $FONT_PACKAGE are already installed."
    exit 0
fi

if [[ $EUID -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-browser: missing packages: ${missing[*]}." >&2
    echo "install-browser: run this script as root (or install sudo) so that apt-get can install them." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_options=(-q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)

echo "install-browser: installing ${missing[*]} with apt-get ..."
started=$SECONDS
"${as_root[@]}" apt-get "${apt_options[@]}" update
"${as_root[@]}" apt-get "${apt_options[@]}" install -y --no-install-recommends "${missing[@]}"

for binary in "$CHROMIUM" "$CHROMEDRIVER"; do
    if [[ ! -x "$binary" ]]; then
        echo "install-browser: $binary is still missing after apt-get install." >&2
        exit 1
    fi
done
echo "install-browser: done in $((SECONDS - started)) s ($("$CHROMIUM" --version), $("$CHROMEDRIVER" --version | cut -d' ' -f1-2))."
