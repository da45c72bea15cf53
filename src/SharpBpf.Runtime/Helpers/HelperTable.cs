using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The helper functions a program may call, keyed by helper id (the Linux <see cref="HelperId"/> numbering for
/// the default table). Each entry is an unmanaged pointer to a static method taking the run state and
/// <c>r1</c>..<c>r5</c> and returning <c>r0</c>, so the interpreter and a later JIT call the same code directly.
/// </summary>
/// <remarks>
/// Programs resolve their helper calls when they are created; changing the table afterwards affects only
/// indirect calls (<c>callx</c>) and programs created later. A table is not meant to be changed while programs
/// using it run on other threads.
/// </remarks>
public sealed unsafe class HelperTable
{
    /// <summary>Helper ids must be below this.</summary>
    public const int MaxId = 1 << 16;

    private nint[] _functions = [];
    private string?[] _names = [];

    /// <summary>Creates an empty table.</summary>
    public HelperTable()
    {
    }

    /// <summary>The table of Linux helpers the userspace runtime implements.</summary>
    public static HelperTable CreateDefault()
    {
        var table = new HelperTable();
        LinuxHelpers.RegisterAll(table);
        return table;
    }

    /// <summary>The registered ids, ascending.</summary>
    public IEnumerable<int> Ids
    {
        get
        {
            for (var id = 0; id < _functions.Length; id++)
            {
                if (_functions[id] != 0)
                    yield return id;
            }
        }
    }

    /// <summary>
    /// Registers (or replaces) helper <paramref name="id"/>. <paramref name="name"/> defaults to the Linux name of
    /// that id.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is negative or at least <see cref="MaxId"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    public void Register(int id, delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong> function,
        string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, MaxId);
        if (function == null)
            throw new ArgumentNullException(nameof(function));
        if (id >= _functions.Length)
        {
            var size = Math.Max(id + 1, _functions.Length * 2);
            Array.Resize(ref _functions, size);
            Array.Resize(ref _names, size);
        }

        _functions[id] = (nint)function;
        _names[id] = name ?? HelperNames.Of(id);
    }

    /// <summary>Registers (or replaces) the Linux helper <paramref name="id"/> under its kernel name.</summary>
    public void Register(HelperId id, delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong> function) =>
        Register((int)id, function);

    /// <summary>True if helper <paramref name="id"/> is registered.</summary>
    public bool Contains(long id) => Lookup(id) != 0;

    /// <summary>The function of helper <paramref name="id"/>, if registered.</summary>
    public bool TryGet(long id, out delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong> function)
    {
        function = (delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong>)Lookup(id);
        return function != null;
    }

    /// <summary>The name helper <paramref name="id"/> was registered under, or its Linux name.</summary>
    public string NameOf(long id) =>
        id >= 0 && id < _names.Length && _names[id] is { } name ? name : HelperNames.Of(id);

    /// <summary>A copy of this table that can be changed independently.</summary>
    public HelperTable Clone()
    {
        var copy = new HelperTable
        {
            _functions = (nint[])_functions.Clone(),
            _names = (string?[])_names.Clone(),
        };
        return copy;
    }

    /// <summary>The raw function pointer of helper <paramref name="id"/>, or 0; single unsigned compare.</summary>
    internal nint Lookup(long id)
    {
        var functions = _functions;
        return (ulong)id < (ulong)functions.Length ? functions[id] : 0;
    }
}
