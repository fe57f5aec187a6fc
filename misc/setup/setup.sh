#!/usr/bin/env bash
# misc/setup/setup.sh - prepare a Debian 12 host for building and testing Tessera.
#
# Idempotent: installs only missing host packages and rebuilds the guest
# artifacts only when Debian's arm64 kernel changed. See doc/setup.rst.
#
# usage: [BUILD_DIR=dir] bash misc/setup/setup.sh [--check-modules] [--update]
#   --check-modules  also build a hello-world arm64 module against the
#                    extracted headers (out-of-tree build smoke test)
#   --update         run apt-get update first (picks up a newer Debian kernel)
set -Eeuo pipefail

SCHEMA=1        # bump when the layout of $BUILD_DIR/guest changes

HOST_PKGS=(
    gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
    qemu-system-arm qemu-efi-aarch64
    libcmocka-dev python3-kconfiglib
    device-tree-compiler libfdt-dev
    gdb-multiarch cpio clang make gcc pkg-config tmux
)

CHECK_MODULES=0
FORCE_UPDATE=0
for arg in "$@"; do
    case $arg in
    --check-modules) CHECK_MODULES=1 ;;
    --update) FORCE_UPDATE=1 ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

STEP="starting"
msg() { echo "setup: $*"; }
die() { echo "setup: FAILED: $*" >&2; exit 1; }
# shellcheck disable=SC2154
trap 'rc=$?; [[ $BASH_SUBSHELL -eq 0 ]] && echo "setup: FAILED while $STEP (line $LINENO: $BASH_COMMAND, exit $rc)" >&2' ERR
TMPDIRS=()
trap 'for d in "${TMPDIRS[@]}"; do rm -rf -- "$d"; done' EXIT

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# An explicit BUILD_DIR is relative to the caller's directory; the default is
# the repository's build/.
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/build}
mkdir -p -- "$BUILD_DIR"
BUILD_DIR=$(cd -- "$BUILD_DIR" && pwd -P)
[[ $BUILD_DIR != *[[:space:]]* ]] || die "BUILD_DIR '$BUILD_DIR' contains whitespace (kbuild cannot handle it)"
GUEST=$BUILD_DIR/guest
LOG=$BUILD_DIR/setup.log
mkdir -p -- "$GUEST"

# One setup at a time per build directory (make -j may start several).
exec 9>"$BUILD_DIR/.setup.lock"
flock -w 1200 9 || die "another setup.sh still holds $BUILD_DIR/.setup.lock"
: >"$LOG"

APT_OUT=$(mktemp); TMPDIRS+=("$APT_OUT")

is_root() { [[ $(id -u) -eq 0 ]]; }
need_root() { is_root || die "must run as root to $1"; }

# apt_get ARGS...: apt-get with its output in $LOG; waits for dpkg's lock
# (DPkg::Lock::Timeout) and, since 'apt-get update' does not honour that,
# retries for up to 20 minutes while any apt/dpkg lock is busy.
apt_get() {
    local out=$APT_OUT deadline=$((SECONDS + 1200)) waited=0
    while :; do
        echo "+ apt-get $*" >>"$LOG"
        if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" >"$out" 2>&1; then
            cat "$out" >>"$LOG"
            return 0
        fi
        cat "$out" >>"$LOG"
        if grep -qE 'Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock' "$out" &&
            ((SECONDS < deadline)); then
            ((waited)) || msg "waiting for the apt/dpkg lock (another apt-get is running)"
            waited=1
            sleep 5
            continue
        fi
        echo "setup: apt-get $* failed:" >&2
        tail -n 15 "$out" | sed 's/^/setup:   /' >&2
        return 1
    done
}

APT_UPDATED=0
apt_update() {
    ((APT_UPDATED)) && return 0
    need_root "run apt-get update"
    msg "apt-get update"
    apt_get update || die "apt-get update"
    APT_UPDATED=1
}

apt_install() {
    local p
    for p in "$@"; do
        # An :arm64 compiler or headers package would replace the host's
        # cross toolchain; guest packages are only ever downloaded.
        [[ $p != *:* ]] || die "refusing to install foreign-architecture package $p"
    done
    need_root "install $*"
    msg "installing $*"
    apt_get install -y --no-install-recommends "$@" || die "apt-get install $*"
}

# missing_pkgs PKG...: print the packages that are not fully installed.
missing_pkgs() {
    local status p
    status=$'\n'$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)$'\n'
    for p in "$@"; do
        [[ $status == *$'\n'"$p install ok installed"$'\n'* ]] || echo "$p"
    done
}

# --------------------------------------------------------------------------
# 1. Host packages and the arm64 foreign architecture (for apt-get download)

STEP="checking host packages"
mapfile -t MISSING < <(missing_pkgs "${HOST_PKGS[@]}")

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    STEP="adding the arm64 architecture"
    need_root "add the arm64 architecture"
    msg "dpkg --add-architecture arm64 (for apt-get download of guest packages)"
    dpkg --add-architecture arm64
    apt_update
fi
((FORCE_UPDATE)) && apt_update
((${#MISSING[@]} == 0)) || apt_update

# --------------------------------------------------------------------------
# 2. Resolve the guest kernel from the linux-image-arm64 metapackage
#
# apt-cache is slow here (no binary cache), so the result is cached in
# $GUEST/.resolved, keyed on the apt lists, the architectures and this script.

RESOLVED=$GUEST/.resolved
apt_fingerprint() {
    {
        echo "schema=$SCHEMA"
        md5sum <"${BASH_SOURCE[0]}"
        cat /var/lib/dpkg/arch 2>/dev/null || true
        stat -L -c '%n %s %Y' /var/lib/apt/lists/*Packages* 2>/dev/null || true
    } | md5sum | cut -d' ' -f1
}

# Sets KREL (uname -r, e.g. 6.1.0-28-arm64), KABI (6.1.0-28), KBUILD_PKG
# (linux-kbuild-6.1), KBUILD_MIN, DEB_PKGS[], DEB_FILES[], DEB_SIZES[],
# DEB_SHA256[].
# Returns 1 if apt does not know the packages (lists missing or stale).
resolve_from_apt() {
    local info dep kdep line pkgs uris
    info=$(apt-cache show --no-all-versions linux-image-arm64:arm64 2>/dev/null) || return 1
    dep=$(sed -n 's/^Depends: //p' <<<"$info" | tr ',|' '\n' |
        sed -E 's/^ +//; s/[ (].*//; s/:arm64$//' |
        grep -E '^linux-image-[0-9][^ ]*-arm64$' | head -n 1) || return 1
    KREL=${dep#linux-image-}
    KABI=${KREL%-arm64}
    [[ $KABI =~ ^([0-9]+\.[0-9]+)[.-] ]] || { echo "setup: cannot parse kernel version '$KREL'" >&2; return 1; }
    KBUILD_PKG=linux-kbuild-${BASH_REMATCH[1]}
    KBUILD_MIN=
    info=$(apt-cache show --no-all-versions "linux-headers-$KREL:arm64" 2>/dev/null) || return 1
    # The headers' own dependency is authoritative for the kbuild series.
    kdep=$(sed -n 's/^Depends: //p' <<<"$info" | tr ',' '\n' | sed 's/^ *//' |
        grep -E '^linux-kbuild-[0-9]' | head -n 1) || true
    local re='^(linux-kbuild-[0-9.]+)(:[a-z0-9]+)? *(\(>= *([^)]+)\))?'
    if [[ $kdep =~ $re ]]; then
        KBUILD_PKG=${BASH_REMATCH[1]}
        KBUILD_MIN=${BASH_REMATCH[4]}
    fi
    pkgs=("linux-image-$KREL:arm64" "linux-headers-$KREL:arm64" "linux-headers-$KABI-common" "busybox-static:arm64")
    uris=$(apt-get download --print-uris "${pkgs[@]}" 2>/dev/null) || return 1
    DEB_PKGS=() DEB_FILES=() DEB_SIZES=() DEB_SHA256=()
    local p name file size sum
    for p in "${pkgs[@]}"; do
        name=${p%:arm64}
        line=$(awk -v n="$name" '{ f=$2; sub(/_.*/, "", f); if (f == n) { print $2, $3, $4; exit } }' <<<"$uris")
        [[ -n $line ]] || return 1
        read -r file size sum <<<"$line"
        DEB_PKGS+=("$p") DEB_FILES+=("$file") DEB_SIZES+=("$size") DEB_SHA256+=("${sum#SHA256:}")
    done
}

save_resolved() {
    { echo "FINGERPRINT=$1"; declare -p KREL KABI KBUILD_PKG KBUILD_MIN DEB_PKGS DEB_FILES DEB_SIZES DEB_SHA256; } >"$RESOLVED.tmp"
    mv -f "$RESOLVED.tmp" "$RESOLVED"
}

resolve_kernel() {
    local fp
    fp=$(apt_fingerprint)
    if [[ -f $RESOLVED ]] && [[ $(head -n 1 "$RESOLVED") == "FINGERPRINT=$fp" ]]; then
        # shellcheck disable=SC1090
        source <(tail -n +2 "$RESOLVED" | sed 's/^declare -/declare -g -/')
        return 0
    fi
    rm -f "$RESOLVED"
    resolve_from_apt || return 1
    save_resolved "$fp"
}

STEP="resolving the guest kernel version"
if ! resolve_kernel; then
    ((APT_UPDATED)) && die "apt knows no linux-image-arm64:arm64 (check that /etc/apt/sources.list* do not exclude arm64)"
    apt_update
    resolve_kernel || die "cannot resolve linux-image-arm64:arm64 even after apt-get update"
fi

# The host's own (amd64) kbuild tools run the arm64 headers' build.
STEP="checking $KBUILD_PKG"
mapfile -t MISSING_KB < <(missing_pkgs "$KBUILD_PKG")
if ((${#MISSING_KB[@]} == 0)) && [[ -n $KBUILD_MIN ]]; then
    have=$(dpkg-query -W -f='${Version}' "$KBUILD_PKG")
    dpkg --compare-versions "$have" ge "$KBUILD_MIN" || MISSING_KB=("$KBUILD_PKG")
fi
MISSING+=("${MISSING_KB[@]}")
if ((${#MISSING[@]})); then
    STEP="installing host packages"
    apt_update
    apt_install "${MISSING[@]}"
    mapfile -t STILL < <(missing_pkgs "${HOST_PKGS[@]}" "$KBUILD_PKG")
    ((${#STILL[@]} == 0)) || die "still not installed: ${STILL[*]}"
fi
/usr/bin/python3 -c 'import kconfiglib' 2>/dev/null ||
    die "/usr/bin/python3 cannot import kconfiglib (package python3-kconfiglib)"

# --------------------------------------------------------------------------
# 3. Guest artifacts: download (never install) and extract

DEBS=$GUEST/debs
fetch_debs() {
    local i f missing=()
    mkdir -p -- "$DEBS"
    for i in "${!DEB_FILES[@]}"; do
        f=$DEBS/${DEB_FILES[$i]}
        if [[ -f $f ]] && [[ $(stat -c %s "$f") == "${DEB_SIZES[$i]}" ]]; then
            continue
        fi
        rm -f -- "$f"
        missing+=("${DEB_PKGS[$i]}")
    done
    ((${#missing[@]})) || return 0
    msg "downloading ${missing[*]}"
    local here=$PWD
    cd -- "$DEBS"
    if ! apt_get download -o APT::Sandbox::User=root "${missing[@]}"; then
        cd -- "$here"
        return 1
    fi
    cd -- "$here"
    for i in "${!DEB_FILES[@]}"; do
        [[ -f $DEBS/${DEB_FILES[$i]} ]] || { echo "setup: download left no ${DEB_FILES[$i]}" >&2; return 1; }
    done
}

STEP="downloading guest packages"
if ! fetch_debs; then
    # Stale lists name versions the mirror no longer has: refresh once.
    ((APT_UPDATED)) && die "cannot download the guest packages"
    apt_update
    rm -f "$RESOLVED"
    resolve_kernel || die "cannot resolve linux-image-arm64:arm64 after apt-get update"
    fetch_debs || die "cannot download the guest packages"
fi
# Drop .debs of earlier kernel versions.
for f in "$DEBS"/*.deb; do
    [[ -e $f ]] || continue
    keep=0
    for g in "${DEB_FILES[@]}"; do [[ ${f##*/} == "$g" ]] && keep=1; done
    ((keep)) || rm -f -- "$f"
done

# verify_debs: delete downloaded .debs whose SHA256 is wrong; 1 if any was.
verify_debs() {
    local i f bad=0
    for i in "${!DEB_FILES[@]}"; do
        f=$DEBS/${DEB_FILES[$i]}
        [[ $(sha256sum <"$f" | cut -d' ' -f1) == "${DEB_SHA256[$i]}" ]] && continue
        msg "${DEB_FILES[$i]} is corrupt, downloading it again"
        rm -f -- "$f"
        bad=1
    done
    return "$bad"
}

deb_of() { # deb_of PKG: path of the downloaded .deb of PKG (no :arch)
    local i
    for i in "${!DEB_PKGS[@]}"; do
        [[ ${DEB_PKGS[$i]%:arm64} == "$1" ]] && { echo "$DEBS/${DEB_FILES[$i]}"; return 0; }
    done
    return 1
}

# check_image FILE: arm64 Image header, magic "ARM\x64" at offset 56.
check_image() {
    [[ $(od -An -tx1 -j56 -N4 "$1" | tr -d ' \n') == 41524d64 ]]
}

# check_aarch64_static FILE: ELF64 LE, e_machine 183 (AArch64), no PT_INTERP.
check_aarch64_static() {
    [[ $(od -An -tx1 -N6 "$1" | tr -d ' \n') == 7f454c460201 ]] || return 1
    [[ $(od -An -tx1 -j18 -N2 "$1" | tr -d ' \n') == b700 ]] || return 1
    [[ $(aarch64-linux-gnu-readelf -lW "$1") != *INTERP* ]]
}

HDR=$GUEST/headers-root/usr/src/linux-headers-$KREL
COMMON=$GUEST/headers-root/usr/src/linux-headers-$KABI-common
KBUILD_DIR=/usr/lib/$KBUILD_PKG
STAMP=$GUEST/.stamp
WANT_STAMP=$(printf 'schema %s\nkernel %s\n' "$SCHEMA" "$KREL"; printf 'deb %s\n' "${DEB_FILES[@]}")

outputs_ok() {
    [[ -f $STAMP && $(<"$STAMP") == "$WANT_STAMP" ]] &&
        [[ -f $GUEST/Image && -d $GUEST/modules/kernel && -x $GUEST/busybox ]] &&
        [[ -f $HDR/Makefile && -f $COMMON/Makefile && -L $GUEST/headers ]] &&
        [[ -f $GUEST/kernel-version && $(<"$GUEST/kernel-version") == "$KREL" ]] &&
        check_image "$GUEST/Image"
}

extract_guest() {
    local stage vmlinuz d bb
    rm -f -- "$STAMP"
    rm -rf -- "$GUEST/Image" "$GUEST/modules" "$GUEST/headers-root" "$GUEST/headers" \
        "$GUEST/busybox" "$GUEST/kernel-version" "$GUEST"/.stage.*
    stage=$(mktemp -d "$GUEST/.stage.XXXXXX"); TMPDIRS+=("$stage")

    STEP="extracting linux-image-$KREL"
    msg "extracting guest kernel $KREL"
    dpkg-deb -x "$(deb_of "linux-image-$KREL")" "$stage/kernel"
    vmlinuz=$stage/kernel/boot/vmlinuz-$KREL
    [[ -f $vmlinuz ]] || die "linux-image-$KREL has no /boot/vmlinuz-$KREL"
    # Debian documents vmlinuz as a gzip'd Image; the signed bookworm
    # package ships it uncompressed. Accept both.
    if [[ $(od -An -tx1 -N2 "$vmlinuz" | tr -d ' \n') == 1f8b ]]; then
        gunzip -c "$vmlinuz" >"$GUEST/Image.tmp"
    else
        cp -- "$vmlinuz" "$GUEST/Image.tmp"
    fi
    check_image "$GUEST/Image.tmp" || die "vmlinuz-$KREL is not an arm64 Image (no ARM\\x64 magic at 56)"
    mv -f -- "$GUEST/Image.tmp" "$GUEST/Image"
    for d in lib/modules usr/lib/modules; do
        if [[ -d $stage/kernel/$d/$KREL ]]; then
            mv -- "$stage/kernel/$d/$KREL" "$GUEST/modules"
            break
        fi
    done
    [[ -d $GUEST/modules/kernel ]] || die "linux-image-$KREL has no lib/modules/$KREL/kernel"

    STEP="extracting linux-headers-$KREL"
    mkdir -p -- "$GUEST/headers-root"
    dpkg-deb -x "$(deb_of "linux-headers-$KABI-common")" "$GUEST/headers-root"
    dpkg-deb -x "$(deb_of "linux-headers-$KREL")" "$GUEST/headers-root"
    [[ -f $HDR/Makefile && -f $COMMON/Makefile ]] || die "unexpected layout in linux-headers-$KREL"

    STEP="extracting busybox-static"
    dpkg-deb -x "$(deb_of busybox-static)" "$stage/busybox"
    for bb in bin/busybox usr/bin/busybox; do
        [[ -f $stage/busybox/$bb ]] && { cp -- "$stage/busybox/$bb" "$GUEST/busybox"; break; }
    done
    [[ -f $GUEST/busybox ]] || die "busybox-static has no busybox binary"
    chmod 0755 "$GUEST/busybox"
    check_aarch64_static "$GUEST/busybox" || die "busybox is not a static aarch64 ELF"

    echo "$KREL" >"$GUEST/kernel-version"
    rm -rf -- "$stage"
}

# Make the extracted headers usable for out-of-tree builds. Cheap and
# idempotent, so it runs every time (also after the tree has moved).
fix_headers() {
    local line out=() changed=0 dir l
    # Snag 1: the arch Makefile is "include /usr/src/linux-headers-<abi>-common/Makefile".
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line =~ ^include[[:space:]]+([^[:space:]]*/linux-headers-$KABI-common)(/.*)$ ]] &&
            [[ ${BASH_REMATCH[1]} != "$COMMON" ]]; then
            line="include $COMMON${BASH_REMATCH[2]}"
            changed=1
        fi
        out+=("$line")
    done <"$HDR/Makefile"
    ((changed == 0)) || printf '%s\n' "${out[@]}" >"$HDR/Makefile"
    grep -qxF "include $COMMON/Makefile" "$HDR/Makefile" ||
        die "$HDR/Makefile does not include $COMMON/Makefile"
    # Snag 2: scripts/ and tools/ link to ../../lib/linux-kbuild-<series>,
    # i.e. the arm64 kbuild package; use the host's native one instead.
    for dir in "$HDR" "$COMMON"; do
        for l in scripts tools; do
            [[ -L $dir/$l || ! -e $dir/$l ]] || continue
            [[ $(readlink "$dir/$l") == "$KBUILD_DIR/$l" ]] || ln -sfn -- "$KBUILD_DIR/$l" "$dir/$l"
        done
    done
    [[ -x $HDR/scripts/basic/fixdep || -x $HDR/scripts/mod/modpost ]] ||
        die "$HDR/scripts does not reach the host's $KBUILD_DIR/scripts"
    [[ $(readlink "$GUEST/headers" 2>/dev/null) == "headers-root/usr/src/linux-headers-$KREL" ]] ||
        ln -sfn -- "headers-root/usr/src/linux-headers-$KREL" "$GUEST/headers"
}

if ! outputs_ok; then
    STEP="verifying guest packages"
    if ! verify_debs; then
        fetch_debs || die "cannot download the guest packages"
        verify_debs || die "downloaded guest packages fail their SHA256 check"
    fi
    extract_guest
fi
STEP="fixing the extracted headers"
fix_headers
echo "$WANT_STAMP" >"$STAMP"
msg "guest kernel $KREL ready"

# --------------------------------------------------------------------------
# 4. Optional: out-of-tree module smoke test

if ((CHECK_MODULES)); then
    STEP="building a test module against $GUEST/headers"
    msg "building a hello-world module against the guest headers"
    t=$(mktemp -d); TMPDIRS+=("$t")
    cat >"$t/hello.c" <<'EOF'
#include <linux/init.h>
#include <linux/module.h>

static int __init hello_init(void)
{
	pr_info("hello from tessera setup\n");
	return 0;
}

static void __exit hello_exit(void)
{
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
EOF
    echo 'obj-m := hello.o' >"$t/Kbuild"
    if ! make -C "$GUEST/headers" M="$t" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules >"$t/build.log" 2>&1; then
        cat "$t/build.log" >>"$LOG"
        tail -n 20 "$t/build.log" | sed 's/^/setup:   /' >&2
        die "out-of-tree module build failed (log in $LOG)"
    fi
    cat "$t/build.log" >>"$LOG"
    [[ -f $t/hello.ko ]] || die "module build produced no hello.ko"
    [[ $(od -An -tx1 -j18 -N2 "$t/hello.ko" | tr -d ' \n') == b700 ]] || die "hello.ko is not an AArch64 object"
    grep -aq "vermagic=$KREL " "$t/hello.ko" || die "hello.ko vermagic does not name $KREL"
    msg "module build ok (hello.ko, vermagic $KREL)"
fi

msg ok
