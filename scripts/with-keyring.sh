#!/bin/sh
# Runs CMD... inside a private D-Bus session with a freshly created, unlocked gnome-keyring,
# so tests exercise a real Secret Service without ever touching the developer's own keychain.
#
# HOME, XDG_DATA_HOME (where gnome-keyring keeps its keyring files), XDG_CONFIG_HOME and
# XDG_RUNTIME_DIR all point into one `mktemp -d` that is removed on exit. The exit code of CMD is
# propagated.
#
# Sets CERTVAULT_TEST_KEYRING=1: tests that use the real keychain refuse to run without it
# (see tests/integration/vault/keyring-guard.ts), so a plain `vitest run` cannot write test
# secrets into a real login keychain.
#
# Usage: scripts/with-keyring.sh npx vitest run tests/integration/vault
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 64
fi

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool not found; install dbus and gnome-keyring (Debian/Ubuntu: apt-get install dbus gnome-keyring)" >&2
    exit 69
  fi
done

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/certvault-keyring.XXXXXX")
trap 'rm -rf "$sandbox"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$sandbox/home" "$sandbox/data" "$sandbox/config" "$sandbox/runtime"
chmod 700 "$sandbox/runtime"

# Keep the caller's working directory and tools (npx resolves from the real project), but give
# the keyring and anything else that honours XDG a throwaway home.
export CERTVAULT_REAL_HOME="${HOME:-}"
export HOME="$sandbox/home"
export XDG_DATA_HOME="$sandbox/data"
export XDG_CONFIG_HOME="$sandbox/config"
export XDG_RUNTIME_DIR="$sandbox/runtime"
export CERTVAULT_TEST_KEYRING=1
# npm caches under HOME; point it back at the real one so `npx` still finds installed packages.
if [ -n "$CERTVAULT_REAL_HOME" ] && [ -z "${npm_config_cache:-}" ]; then
  export npm_config_cache="$CERTVAULT_REAL_HOME/.npm"
fi

status=0
dbus-run-session -- sh -c '
  # --unlock reads the password on stdin and creates the "login" keyring unlocked;
  # the daemon forks into the background and lives as long as this D-Bus session.
  printf "certvault-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' sh "$@" || status=$?
exit "$status"
