namespace SharpBpf.Asm;

/// <summary>The <c>src</c> field of <c>lddw</c>: what the 64-bit immediate means (RFC 9669 section 5.4).</summary>
public enum PseudoKind : byte
{
    /// <summary>src 0: a plain 64-bit constant.</summary>
    None = 0,

    /// <summary>src 1 (<c>BPF_PSEUDO_MAP_FD</c>): the map whose handle (fd) is in imm.</summary>
    MapByFd = 1,

    /// <summary>src 2 (<c>BPF_PSEUDO_MAP_VALUE</c>): address of the value of the map with handle imm, plus next_imm.</summary>
    MapValueByFd = 2,

    /// <summary>src 3 (<c>BPF_PSEUDO_BTF_ID</c>): address of the variable with BTF id imm.</summary>
    Variable = 3,

    /// <summary>src 4 (<c>BPF_PSEUDO_FUNC</c>): address of the code at the relative slot offset imm.</summary>
    CodeAddress = 4,

    /// <summary>src 5 (<c>BPF_PSEUDO_MAP_IDX</c>): the map at index imm of the program's map table.</summary>
    MapByIndex = 5,

    /// <summary>src 6 (<c>BPF_PSEUDO_MAP_IDX_VALUE</c>): address of the value of the map at index imm, plus next_imm.</summary>
    MapValueByIndex = 6,
}
