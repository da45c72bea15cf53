namespace SharpBpf.Object;

/// <summary>How a map is pinned (libbpf <c>enum libbpf_pin_type</c>, the <c>pinning</c> field of a BTF map).</summary>
public enum PinningType : uint
{
    /// <summary><c>LIBBPF_PIN_NONE</c>: not pinned.</summary>
    None = 0,

    /// <summary><c>LIBBPF_PIN_BY_NAME</c>: pinned at <c>&lt;pin root&gt;/&lt;map name&gt;</c> and reused when it exists.</summary>
    ByName = 1,
}
