// A stand-in for XRT's libxrt_coreutil, for tests only: it implements the
// C API calls tcp-hw's XRT backend makes, with XRT's signatures and
// semantics (buffer objects with separate host and "device" copies that only
// xrtBOSync moves between, asynchronous runs, ERT command states), and runs
// the real kernel source (kernels/xrt/tcp_validate.cpp, compiled with it) as
// the "device". It is not XRT and not an FPGA; nothing it does is timed.
//
// Device 0 exists; xrtDeviceLoadXclbinFile accepts a file that starts with
// the axlf magic "xclbin2\0" and names the kernel "tcp_validate".
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "../../kernels/xrt/tcp_validate.h"

namespace {

struct Device {
    bool loaded = false;
    unsigned char uuid[16] = {};
};

struct Kernel {
    Device *device;
};

struct Bo {
    std::vector<unsigned char> host;
    std::vector<unsigned char> device;
    uint32_t group;
};

struct Run {
    Kernel *kernel;
    Bo *bo[3] = {nullptr, nullptr, nullptr};
    uint32_t n = 0;
    uint32_t dialect = 0;
    bool set[5] = {false, false, false, false, false};
    std::thread worker;
    int state = 1; // ERT_CMD_STATE_NEW
};

constexpr int STATE_COMPLETED = 4;
constexpr int STATE_ERROR = 5;

} // namespace

extern "C" {

void *xrtDeviceOpen(unsigned int index)
{
    if (index != 0) {
        errno = ENODEV;
        return nullptr;
    }
    return new Device();
}

int xrtDeviceClose(void *d)
{
    delete static_cast<Device *>(d);
    return 0;
}

int xrtDeviceLoadXclbinFile(void *d, const char *path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return -ENOENT;
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.size() < 24 || std::memcmp(bytes.data(), "xclbin2\0", 8) != 0 ||
        bytes.find("tcp_validate") == std::string::npos)
        return -EINVAL;
    auto *dev = static_cast<Device *>(d);
    // A uuid derived from the file, so a kernel opened with another one fails.
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes)
        h = (h ^ c) * 1099511628211ull;
    std::memcpy(dev->uuid, &h, 8);
    std::memcpy(dev->uuid + 8, &h, 8);
    dev->loaded = true;
    return 0;
}

int xrtDeviceGetXclbinUUID(void *d, unsigned char *out)
{
    auto *dev = static_cast<Device *>(d);
    if (!dev->loaded)
        return -EINVAL;
    std::memcpy(out, dev->uuid, 16);
    return 0;
}

void *xrtPLKernelOpen(void *d, const unsigned char *uuid, const char *name)
{
    auto *dev = static_cast<Device *>(d);
    if (!dev->loaded || std::memcmp(uuid, dev->uuid, 16) != 0 ||
        std::strcmp(name, "tcp_validate") != 0) {
        errno = EINVAL;
        return nullptr;
    }
    return new Kernel{dev};
}

int xrtKernelClose(void *k)
{
    delete static_cast<Kernel *>(k);
    return 0;
}

int xrtKernelArgGroupId(void *, int argno)
{
    return (argno >= 0 && argno < 3) ? argno : -EINVAL;
}

void *xrtBOAlloc(void *, size_t size, uint64_t flags, uint32_t group)
{
    if (flags != 0 || group > 2)
        return nullptr;
    auto *bo = new Bo();
    bo->host.assign(size, 0xA5);
    bo->device.assign(size, 0x5A);
    bo->group = group;
    return bo;
}

int xrtBOFree(void *b)
{
    delete static_cast<Bo *>(b);
    return 0;
}

void *xrtBOMap(void *b)
{
    return static_cast<Bo *>(b)->host.data();
}

int xrtBOSync(void *b, int dir, size_t size, size_t offset)
{
    auto *bo = static_cast<Bo *>(b);
    if (offset + size > bo->host.size())
        return -EINVAL;
    if (dir == 0)
        std::memcpy(bo->device.data() + offset, bo->host.data() + offset, size);
    else if (dir == 1)
        std::memcpy(bo->host.data() + offset, bo->device.data() + offset, size);
    else
        return -EINVAL;
    return 0;
}

void *xrtRunOpen(void *k)
{
    auto *run = new Run();
    run->kernel = static_cast<Kernel *>(k);
    return run;
}

int xrtRunSetArg(void *r, int index, ...)
{
    auto *run = static_cast<Run *>(r);
    va_list ap;
    va_start(ap, index);
    int rc = 0;
    if (index >= 0 && index < 3) {
        auto *bo = static_cast<Bo *>(va_arg(ap, void *));
        if (bo == nullptr || bo->group != static_cast<uint32_t>(index))
            rc = -EINVAL;
        else
            run->bo[index] = bo;
    } else if (index == 3) {
        run->n = va_arg(ap, unsigned int);
    } else if (index == 4) {
        run->dialect = va_arg(ap, unsigned int);
    } else {
        rc = -EINVAL;
    }
    va_end(ap);
    if (rc == 0)
        run->set[index] = true;
    return rc;
}

int xrtRunStart(void *r)
{
    auto *run = static_cast<Run *>(r);
    for (bool s : run->set)
        if (!s)
            return -EINVAL;
    Bo *slots = run->bo[0], *status = run->bo[1], *table = run->bo[2];
    if (slots->device.size() < size_t(run->n) * TCP_SLOT_BYTES || status->device.size() < run->n ||
        table->device.size() < TCP_TABLE_LEN || run->dialect > 1) {
        run->state = STATE_ERROR;
        return 0;
    }
    run->state = 3; // ERT_CMD_STATE_RUNNING
    run->worker = std::thread([run, slots, status, table] {
        std::vector<tcp_slot> s(run->n);
        if (run->n != 0)
            std::memcpy(s.data(), slots->device.data(), size_t(run->n) * TCP_SLOT_BYTES);
        tcp_validate(s.data(), status->device.data(), table->device.data(), run->n, run->dialect);
        run->state = STATE_COMPLETED;
    });
    return 0;
}

int xrtRunWait(void *r)
{
    auto *run = static_cast<Run *>(r);
    if (run->worker.joinable())
        run->worker.join();
    return run->state;
}

int xrtRunClose(void *r)
{
    auto *run = static_cast<Run *>(r);
    if (run->worker.joinable())
        run->worker.join();
    delete run;
    return 0;
}

} // extern "C"
