"""ctypes_attach: attach a pinned BPF program with libbpf and libbcc through ctypes."""
import ctypes

libbpf = ctypes.CDLL("libbpf.so.1")
libbcc = ctypes.CDLL("libbcc.so.0")


class KprobeOpts(ctypes.Structure):
    _fields_ = [("sz", ctypes.c_size_t), ("bpf_cookie", ctypes.c_uint64),
                ("offset", ctypes.c_size_t), ("retprobe", ctypes.c_bool)]


def attach_libbpf(prog):
    opts = KprobeOpts()
    opts.sz = ctypes.sizeof(opts)
    opts.offset = 0xffffffff81367160
    return libbpf.bpf_program__attach_kprobe_opts(prog, None, ctypes.byref(opts))


def attach_named(prog):
    opts = KprobeOpts(sz=ctypes.sizeof(KprobeOpts), offset=0x11)
    return libbpf.bpf_program__attach_kprobe_opts(prog, b"do_sys_openat2", ctypes.byref(opts))


def attach_libbcc(fd):
    return libbcc.bpf_attach_kprobe(fd, 0, b"p_vfs_read", None, 0xffffffff813669e0, 0)
