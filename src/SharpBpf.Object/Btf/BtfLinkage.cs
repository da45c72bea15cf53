namespace SharpBpf.Object;

/// <summary>Linkage of a BTF VAR or FUNC (<c>BTF_VAR_*</c> / <c>BTF_FUNC_*</c>; the values coincide).</summary>
public enum BtfLinkage : uint
{
    Static = 0,
    Global = 1,
    Extern = 2,
}
