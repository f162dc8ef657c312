// Test helper for XRT's software emulation (sw_emu), using only XRT's own
// headers (libxrt-dev) and library (libxrt_coreutil, opened at run time).
//
//   xrt_swemu_probe make OUT.xclbin KERNEL.so
//       Assembles an xclbin (axlf) by hand around the kernel compiled by g++:
//       an EMBEDDED_METADATA section naming tcp_validate and a BITSTREAM
//       section holding the shared object, as XRT's sw_emu loader reads them.
//       (Debian's xclbinutil is a wrapper without its binary.)
//   xrt_swemu_probe load FILE.xclbin
//       xrtDeviceOpen(0) and xrtDeviceLoadXclbinFile under the real XRT, to
//       record what XRT itself does and says.
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <xrt/xclbin.h>

static int make(const char *out, const char *so_path)
{
    std::ifstream so(so_path, std::ios::binary);
    if (!so)
        return 2;
    std::string lib((std::istreambuf_iterator<char>(so)), std::istreambuf_iterator<char>());
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                      "<project name=\"tcp_validate\"><platform><device><core name=\"OCL_REGION_0\">"
                      "<kernel name=\"tcp_validate\" language=\"c\"/></core></device></platform></project>";
    const size_t sections = 2;
    const size_t header = sizeof(axlf) + (sections - 1) * sizeof(axlf_section_header);
    const size_t off_xml = (header + 7) & ~size_t(7);
    const size_t off_lib = (off_xml + xml.size() + 7) & ~size_t(7);
    std::vector<char> buf(off_lib + lib.size(), 0);
    axlf *a = reinterpret_cast<axlf *>(buf.data());
    std::memcpy(a->m_magic, "xclbin2", 8);
    a->m_signature_length = -1;
    a->m_header.m_length = buf.size();
    a->m_header.m_versionMajor = 2;
    a->m_header.m_versionMinor = 13;
    a->m_header.m_mode = XCLBIN_SW_EMU;
    for (int i = 0; i < 16; i++)
        a->m_header.uuid[i] = static_cast<unsigned char>(0x70 + i);
    a->m_header.m_numSections = sections;
    a->m_sections[0].m_sectionKind = EMBEDDED_METADATA;
    std::strcpy(a->m_sections[0].m_sectionName, "metadata");
    a->m_sections[0].m_sectionOffset = off_xml;
    a->m_sections[0].m_sectionSize = xml.size();
    a->m_sections[1].m_sectionKind = BITSTREAM;
    std::strcpy(a->m_sections[1].m_sectionName, "tcp_validate");
    a->m_sections[1].m_sectionOffset = off_lib;
    a->m_sections[1].m_sectionSize = lib.size();
    std::memcpy(buf.data() + off_xml, xml.data(), xml.size());
    std::memcpy(buf.data() + off_lib, lib.data(), lib.size());
    std::ofstream f(out, std::ios::binary);
    f.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    return f ? 0 : 2;
}

static int load(const char *xclbin)
{
    void *h = dlopen("libxrt_coreutil.so.2", RTLD_NOW);
    if (!h) {
        std::printf("dlopen: %s\n", dlerror());
        return 3;
    }
    auto open = reinterpret_cast<void *(*)(unsigned)>(dlsym(h, "xrtDeviceOpen"));
    auto load = reinterpret_cast<int (*)(void *, const char *)>(dlsym(h, "xrtDeviceLoadXclbinFile"));
    if (!open || !load)
        return 3;
    void *dev = open(0);
    std::printf("xrtDeviceOpen(0) = %s\n", dev ? "device" : "null");
    std::fflush(stdout);
    if (!dev)
        return 4;
    int rc = load(dev, xclbin);
    std::printf("xrtDeviceLoadXclbinFile = %d\n", rc);
    return rc == 0 ? 0 : 5;
}

int main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], "make") == 0)
        return make(argv[2], argv[3]);
    if (argc == 3 && std::strcmp(argv[1], "load") == 0)
        return load(argv[2]);
    std::fprintf(stderr, "usage: %s make OUT KERNEL.so | load XCLBIN\n", argv[0]);
    return 2;
}
