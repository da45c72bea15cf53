namespace SharpBpf.Abi;

/// <summary>NUMA constants of <c>BPF_MAP_CREATE</c>.</summary>
public static class NumaNode
{
    /// <summary><c>NUMA_NO_NODE</c>: no preference.</summary>
    public const uint NoNode = 0xffffffff;
}
