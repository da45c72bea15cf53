using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;

namespace SharpBpf.Runtime.Jit;

/// <summary>
/// The compiler's view of an <see cref="ILGenerator"/>: every emit goes through here so that, when a listing is
/// asked for (<c>sharpbpf prog dump --jited</c>), the same calls also write the IL as text, with each BPF
/// instruction's pc and text as a comment above its IL. Without a listing it only forwards.
/// </summary>
internal sealed class IlEmitter
{
    private readonly ILGenerator _il;
    private readonly StringBuilder? _listing;
    private readonly Dictionary<int, string> _localNames = [];

    public IlEmitter(ILGenerator il, bool listing)
    {
        _il = il;
        _listing = listing ? new StringBuilder() : null;
    }

    /// <summary>True if the emitted IL is also written as text.</summary>
    public bool IsListing => _listing is not null;

    /// <summary>The IL as text, or null when no listing was asked for.</summary>
    public string? Listing => _listing?.ToString();

    /// <summary>The size of the IL emitted so far.</summary>
    public int Size => _il.ILOffset;

    public LocalBuilder DeclareLocal(Type type, string name)
    {
        var local = _il.DeclareLocal(type);
        _localNames[local.LocalIndex] = name;
        return local;
    }

    public Label DefineLabel() => _il.DefineLabel();

    public void MarkLabel(Label label)
    {
        _il.MarkLabel(label);
        _listing?.Append(CultureInfo.InvariantCulture, $"{Name(label)}:\n");
    }

    /// <summary>A comment line in the listing (the BPF instruction an IL sequence implements).</summary>
    public void Comment(string text) => _listing?.Append("  // ").Append(text).Append('\n');

    public void Emit(OpCode op)
    {
        Line(op, null);
        _il.Emit(op);
    }

    public void Emit(OpCode op, int value)
    {
        Line(op, value.ToString(CultureInfo.InvariantCulture));
        _il.Emit(op, value);
    }

    public void Emit(OpCode op, short value)
    {
        Line(op, value.ToString(CultureInfo.InvariantCulture));
        _il.Emit(op, value);
    }

    public void Emit(OpCode op, long value)
    {
        Line(op, "0x" + value.ToString("x", CultureInfo.InvariantCulture));
        _il.Emit(op, value);
    }

    public void Emit(OpCode op, byte value)
    {
        Line(op, value.ToString(CultureInfo.InvariantCulture));
        _il.Emit(op, value);
    }

    public void Emit(OpCode op, Label label)
    {
        Line(op, Name(label));
        _il.Emit(op, label);
    }

    public void Emit(OpCode op, Label[] labels)
    {
        Line(op, "(" + string.Join(", ", labels.Select(Name)) + ")");
        _il.Emit(op, labels);
    }

    public void Emit(OpCode op, LocalBuilder local)
    {
        Line(op, _localNames.TryGetValue(local.LocalIndex, out var name) ? name : "V_" + local.LocalIndex.ToString(CultureInfo.InvariantCulture));
        _il.Emit(op, local);
    }

    public void Emit(OpCode op, MethodInfo method)
    {
        Line(op, $"{method.DeclaringType?.Name}::{method.Name}");
        _il.Emit(op, method);
    }

    public void Emit(OpCode op, FieldInfo field)
    {
        Line(op, $"{field.DeclaringType?.Name}::{field.Name}");
        _il.Emit(op, field);
    }

    public void EmitCalli(OpCode op, CallingConventions conventions, Type returnType, Type[] parameters)
    {
        Line(op, $"{returnType.Name}({string.Join(", ", parameters.Select(p => p.Name))})");
        _il.EmitCalli(op, conventions, returnType, parameters, null);
    }

    private void Line(OpCode op, string? operand)
    {
        if (_listing is null)
            return;
        _listing.Append(CultureInfo.InvariantCulture, $"  IL_{_il.ILOffset:x4}: {op.Name}");
        if (operand is not null)
            _listing.Append(' ').Append(operand);
        _listing.Append('\n');
    }

    // Label's hash code is its index in the generator, which is stable for the method.
    private static string Name(Label label) => "L" + label.GetHashCode().ToString(CultureInfo.InvariantCulture);
}
