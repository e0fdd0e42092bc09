#!/usr/bin/env bash
# Install the system packages DocuFlow needs, when missing. Idempotent.
# On Debian/Ubuntu it uses apt-get; elsewhere it names what to install and fails.
set -euo pipefail

# command-or-file to check  ->  Debian package
declare -A NEED=(
  [tesseract]="tesseract-ocr tesseract-ocr-eng"
  [pdftotext]="poppler-utils"
  [/usr/share/misc/magic.mgc]="libmagic1"
  [npm]="nodejs npm"
  [chromium]="chromium"
  [cc]="gcc libc6-dev"  # builds the text layer's C helper (docuflow.extraction.native)
)
# Tests also need what they start as real peers (the browser tests drive chromium, above).
if [[ "${1:-}" == "--dev" ]]; then
  :
fi

missing=()
for probe in "${!NEED[@]}"; do
  if [[ "$probe" == /* ]]; then
    [[ -e "$probe" ]] || missing+=(${NEED[$probe]})
  else
    command -v "$probe" >/dev/null 2>&1 || missing+=(${NEED[$probe]})
  fi
done
# libmagic's data file may live elsewhere; the shared library is what matters.
if [[ " ${missing[*]} " == *" libmagic1 "* ]] && ldconfig -p 2>/dev/null | grep -q 'libmagic.so.1'; then
  missing=("${missing[@]/libmagic1}")
fi
missing=($(printf '%s\n' "${missing[@]}" | awk 'NF' | sort -u))

# The extraction's C helper, built ahead of use (else it is built on first use; without a
# compiler the extraction runs the same loop in Python, slower).
build_native() {
  local python
  python="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python"
  [[ -x "$python" ]] && "$python" -m docuflow.extraction.native >/dev/null || true
}

if [[ ${#missing[@]} -eq 0 ]]; then
  build_native
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  build_native
else
  echo "DocuFlow needs these system packages (Debian names): ${missing[*]}" >&2
  echo "Install them with your package manager (Tesseract OCR, Poppler utils, libmagic)." >&2
  exit 1
fi
