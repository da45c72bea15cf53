namespace SharpBpf.Object;

/// <summary>BTF type kinds (<c>BTF_KIND_*</c> in the kernel's <c>include/uapi/linux/btf.h</c>).</summary>
public enum BtfKind : byte
{
    /// <summary>Type id 0, the implicit <c>void</c>.</summary>
    Void = 0,
    Int = 1,
    Pointer = 2,
    Array = 3,
    Struct = 4,
    Union = 5,
    Enum = 6,
    Forward = 7,
    Typedef = 8,
    Volatile = 9,
    Const = 10,
    Restrict = 11,
    Func = 12,
    FuncProto = 13,
    Var = 14,
    DataSec = 15,
    Float = 16,
    DeclTag = 17,
    TypeTag = 18,
    Enum64 = 19,
}
