# Shared by scripts/try and scripts/test: find Python 3.12+, make .venv, install.
# Sourced, not run. Sets PY to the virtual environment's python.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$(command -v "$candidate")"; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv installs versions without putting them on PATH (the bare shims may not resolve).
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python \
                   /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    if [ -x "$candidate" ] && python_ok "$candidate"; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
  if ! BASE_PY="$(find_python)"; then
    echo "Arrears casework needs Python 3.12 or newer (Django 6.1), and none was found." >&2
    echo "Install Python 3.12+ (or set PYTHON=/path/to/python3.12) and run this again." >&2
    exit 1
  fi
  echo "Creating .venv with $("$BASE_PY" --version) ($BASE_PY)"
  rm -rf .venv
  "$BASE_PY" -m venv .venv
fi
PY="$ROOT/.venv/bin/python"

# Reinstall only when the dependency list changes.
install_deps() {
  local extras="$1" stamp
  stamp=".venv/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    echo "Installing dependencies into .venv ..."
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    if [ -n "$extras" ]; then
      "$PY" -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
    else
      "$PY" -m pip install --quiet --disable-pip-version-check -e .
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
}

# A local .env with DEBUG on and a random key, unless one exists (it is not committed).
ensure_dotenv() {
  if [ ! -f .env ]; then
    printf 'DEBUG=true\nSECRET_KEY=%s\n' "$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')" > .env
    echo "Wrote .env (DEBUG=true, a random SECRET_KEY) for trying the service locally."
  fi
}

redis_answers() {
  "$PY" - "$1" <<'PYEOF'
import socket, sys
from urllib.parse import urlparse
url = urlparse(sys.argv[1])
try:
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
PYEOF
}
