#!/usr/bin/env bash
# Installs the system packages tcp-hw's accelerator backends are tested against:
#   OpenCL: PoCL (a real OpenCL implementation on the CPU), the ICD loader, clinfo
#   XRT:    the Xilinx Runtime 2.13 from Debian (libxrt_coreutil, xbutil,
#           xclbinutil and the software-emulation library libxrt_swemu)
#
# Idempotent and non-interactive: packages already installed are not asked for
# again, and apt is not run at all when nothing is missing. Runs as root, or
# through sudo when that is available. Debian/Ubuntu (apt) only.
#
#   scripts/install-accel-deps.sh            # both stacks
#   scripts/install-accel-deps.sh opencl     # only OpenCL
#   scripts/install-accel-deps.sh xrt        # only XRT
set -euo pipefail

opencl_pkgs=(pocl-opencl-icd ocl-icd-opencl-dev ocl-icd-libopencl1 clinfo)
xrt_pkgs=(libxrt1 libxrt-dev libxrt-utils)

case "${1:-all}" in
    all) wanted=("${opencl_pkgs[@]}" "${xrt_pkgs[@]}") ;;
    opencl) wanted=("${opencl_pkgs[@]}") ;;
    xrt) wanted=("${xrt_pkgs[@]}") ;;
    *)
        echo "usage: $0 [all|opencl|xrt]" >&2
        exit 2
        ;;
esac

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${wanted[@]}"; do
    installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-accel-deps: already installed: ${wanted[*]}"
else
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-accel-deps: apt-get not found; install by hand: ${missing[*]}" >&2
        exit 1
    fi
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            echo "install-accel-deps: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
    fi
    echo "install-accel-deps: installing: ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian installs XRT under /usr/lib/<triplet>, but XRT 2.13 looks for its
# shim as $XILINX_XRT/lib/libxrt_core.so.2 (and aborts the process when it is
# missing). Give it the layout it expects at XRT's usual root, /opt/xilinx/xrt.
if installed libxrt1 && [ ! -e /opt/xilinx/xrt/lib ]; then
    libdir="$(dirname "$(dpkg -L libxrt1 | grep '/libxrt_coreutil\.so\.2$' | head -n1)")"
    if [ -n "$libdir" ] && [ "$libdir" != . ]; then
        root=()
        [ "$(id -u)" -eq 0 ] || root=(sudo -n)
        "${root[@]}" mkdir -p /opt/xilinx/xrt
        "${root[@]}" ln -sfn "$libdir" /opt/xilinx/xrt/lib
        [ -d /usr/include/xrt ] && "${root[@]}" ln -sfn /usr/include/xrt /opt/xilinx/xrt/include
        echo "install-accel-deps: /opt/xilinx/xrt/lib -> $libdir (use XILINX_XRT=/opt/xilinx/xrt)"
    fi
fi

# What was installed, for the CI log.
if command -v clinfo >/dev/null 2>&1; then
    clinfo -l 2>&1 || true
fi
if [ -d /etc/OpenCL/vendors ]; then
    echo "OpenCL ICDs: $(ls /etc/OpenCL/vendors | tr '\n' ' ')"
fi
if installed libxrt1; then
    dpkg-query -W -f='XRT: ${Package} ${Version}\n' libxrt1
fi
