# Shared by scripts/demo and scripts/test: installs missing Debian packages and builds.
# Sourced, not run.

RIVULET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the build, the tests, the lint (scripts/lint) and the Python workers need.
RIVULET_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libcli11-dev libflatbuffers-dev flatbuffers-compiler
  liblz4-dev libzstd-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  python3 python3-pytest python3-cloudpickle
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
