namespace SharpBpf.Abi;

/// <summary><c>map_flags</c> bits accepted by <c>BPF_MAP_CREATE</c> (kernel UAPI values).</summary>
[Flags]
public enum MapFlags : uint
{
    None = 0,
    BPF_F_NO_PREALLOC = 1u << 0,
    BPF_F_NO_COMMON_LRU = 1u << 1,
    BPF_F_NUMA_NODE = 1u << 2,
    BPF_F_RDONLY = 1u << 3,
    BPF_F_WRONLY = 1u << 4,
    BPF_F_STACK_BUILD_ID = 1u << 5,
    BPF_F_ZERO_SEED = 1u << 6,
    BPF_F_RDONLY_PROG = 1u << 7,
    BPF_F_WRONLY_PROG = 1u << 8,
    BPF_F_CLONE = 1u << 9,
    BPF_F_MMAPABLE = 1u << 10,
    BPF_F_PRESERVE_ELEMS = 1u << 11,
    BPF_F_INNER_MAP = 1u << 12,
    BPF_F_LINK = 1u << 13,
    BPF_F_PATH_FD = 1u << 14,
    BPF_F_VTYPE_BTF_OBJ_FD = 1u << 15,
    BPF_F_TOKEN_FD = 1u << 16,
    BPF_F_SEGV_ON_FAULT = 1u << 17,
    BPF_F_NO_USER_CONV = 1u << 18,
}
