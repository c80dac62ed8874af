# Shared by scripts/demo and scripts/test: installs missing Debian packages and builds.
# Sourced, not run.

RIVULET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the build, the tests, the lint (scripts/lint) and the Python workers need.
RIVULET_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libcli11-dev libflatbuffers-dev flatbuffers-compiler
  liblz4-dev libzstd-dev libsqlite3-dev libpq-dev zlib1g-dev libbz2-dev libsnappy-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  python3 python3-dev python3-venv python3-pytest python3-cloudpickle
  openjdk-17-jre-headless
)

rivulet_ensure_packages() {
  local missing=()
  for pkg in "${RIVULET_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "rivulet: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# rivulet_build <build dir> <ninja target, or "all"> <cmake args...>
rivulet_build() {
  local dir="$1" target="$2"
  shift 2
  cmake -S "$RIVULET_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" "$target"
}

# The interpreter for Python workers and tools: Debian's, which sees python3-cloudpickle and
# python3-pytest. rivulet works with any Python 3.11; this choice only makes sure those are
# there. Override with RIVULET_PYTHON.
rivulet_python() {
  echo "${RIVULET_PYTHON:-/usr/bin/python3}"
}

# rivulet_venv <directory> <requirements file>: a virtual environment made with Debian's
# python3 and holding the packages of the file (installed again only when the file changes).
# Prints the environment's python.
rivulet_venv() {
  local venv="$1" requirements="$2"
  if [ ! -x "$venv/bin/python" ]; then
    /usr/bin/python3 -m venv "$venv" >&2
  fi
  local stamp="$venv/.installed-$(basename "$requirements")"
  if ! cmp -s "$requirements" "$stamp"; then
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
    cp "$requirements" "$stamp"
  fi
  echo "$venv/bin/python"
}

# rivulet_pip_install <python>: builds and installs this checkout into that interpreter's
# environment (`pip install .`), reusing the build tree under build/wheel.
rivulet_pip_install() {
  "$1" -m pip install -q --disable-pip-version-check --no-build-isolation "$RIVULET_ROOT" >&2
}
