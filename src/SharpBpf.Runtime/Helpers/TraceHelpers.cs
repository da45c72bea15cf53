using System.Globalization;
using System.Text;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// <c>long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)</c> (6): formats the kernel's subset of printf
/// (<c>bpf_bprintf_prepare</c>) with up to three arguments and writes the message to the <see cref="TracePipe"/>.
/// Returns the length of the formatted message, as the kernel does; -EINVAL for a format without a NUL within
/// <c>fmt_size</c>, a character that is not printable ASCII, more conversions than arguments, or a conversion the
/// kernel does not support (<c>%o</c>, precision, <c>%h</c>...).
/// </summary>
/// <remarks>
/// Supported: <c>%d %i %u %x %X</c> with <c>l</c>/<c>ll</c> (without them the argument is 32 bits), flags
/// <c>0 + - space</c> and a width; <c>%c</c>; <c>%s</c> (a string read from the run's memory; an unreadable one
/// prints as empty, as the kernel's failed copy does); <c>%p %pK %px %ps %pS %pB</c> (the value as 16 hex digits:
/// there are no kernel symbols or pointer hashing here); <c>%pI4 %pi4 %pI6 %pi6</c> (an address read from memory);
/// <c>%%</c>.
/// </remarks>
public static unsafe class TraceHelpers
{
    /// <summary><c>MAX_BPRINTF_BUF</c>: the message is cut to this many bytes less the NUL.</summary>
    public const int MaxMessage = 512;

    private const int MaxArgs = 3;
    private const int MaxString = 512;

    /// <summary>Registers the helper under its Linux id.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.TracePrintk, &TracePrintk);
    }

    /// <summary>The helper.</summary>
    public static ulong TracePrintk(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var size = (uint)r2;
        if (size == 0)
            return Fail();
        state.CheckAccess(r1, size, write: false);
        var format = new ReadOnlySpan<byte>((void*)r1, (int)Math.Min(size, int.MaxValue));
        ReadOnlySpan<ulong> args = [r3, r4, r5];
        var message = new StringBuilder();
        if (!TryFormat(state, format, args, message))
            return Fail();
        var length = message.Length;
        var text = message.ToString();
        if (text.Length > MaxMessage - 1)
            text = text[..(MaxMessage - 1)];
        TracePipe.Write(text.EndsWith('\n') ? text[..^1] : text);
        return (ulong)length;
    }

    /// <summary>Formats like the kernel; false where the kernel returns -EINVAL.</summary>
    internal static bool TryFormat(RunState? state, ReadOnlySpan<byte> format, ReadOnlySpan<ulong> args, StringBuilder output)
    {
        var end = format.IndexOf((byte)0);
        if (end < 0)
            return false;
        format = format[..end];
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c >= 0x80 || (c < 0x20 && !IsSpace(c)) || c == 0x7f)
                return false;
            if (c != '%')
            {
                output.Append((char)c);
                continue;
            }

            if (At(format, i + 1) == '%')
            {
                output.Append('%');
                i++;
                continue;
            }

            if (next >= MaxArgs)
                return false;
            i++;
            var flags = "";
            while (At(format, i) is (byte)'0' or (byte)'+' or (byte)'-' or (byte)' ')
                flags += (char)format[i++];
            var width = 0;
            if (At(format, i) is >= (byte)'1' and <= (byte)'9')
            {
                while (At(format, i) is >= (byte)'0' and <= (byte)'9')
                    width = Math.Min((width * 10) + (format[i++] - '0'), 4096);
            }

            var arg = args[next++];
            string piece;
            var conversion = At(format, i);
            if (conversion == 'p')
            {
                var kind = At(format, i + 1);
                if ((kind == 'k' || kind == 'u') && At(format, i + 2) == 's')
                {
                    i += 2;
                    if (!StringEnds(format, i))
                        return false;
                    piece = ReadString(state, arg);
                }
                else if (kind == 0 || IsSpace(kind) || IsPunct(kind) || kind is (byte)'K' or (byte)'x' or (byte)'s' or (byte)'S' or (byte)'B')
                {
                    if (kind is (byte)'K' or (byte)'x' or (byte)'s' or (byte)'S' or (byte)'B')
                        i++;
                    piece = arg.ToString("x16", CultureInfo.InvariantCulture);
                }
                else if ((kind == 'i' || kind == 'I') && At(format, i + 2) is (byte)'4' or (byte)'6')
                {
                    piece = FormatIp(state, arg, kind == 'I', At(format, i + 2) == '4');
                    i += 2;
                }
                else
                {
                    return false;
                }
            }
            else if (conversion == 's')
            {
                if (!StringEnds(format, i))
                    return false;
                piece = ReadString(state, arg);
            }
            else if (conversion == 'c')
            {
                piece = ((char)(byte)arg).ToString();
            }
            else
            {
                var longs = 0;
                while (longs < 2 && At(format, i) == 'l')
                {
                    longs++;
                    i++;
                }

                var wide = longs > 0;
                switch (At(format, i))
                {
                    case (byte)'d' or (byte)'i':
                    {
                        var value = wide ? (long)arg : (int)arg;
                        var sign = value < 0 ? "-" : flags.Contains('+', StringComparison.Ordinal) ? "+" : flags.Contains(' ', StringComparison.Ordinal) ? " " : "";
                        var digits = value < 0 ? ((ulong)(-(value + 1)) + 1).ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
                        piece = Pad(sign, digits, flags, width);
                        output.Append(piece);
                        continue;
                    }

                    case (byte)'u':
                        piece = (wide ? arg : (uint)arg).ToString(CultureInfo.InvariantCulture);
                        break;
                    case (byte)'x':
                        piece = (wide ? arg : (uint)arg).ToString("x", CultureInfo.InvariantCulture);
                        break;
                    case (byte)'X':
                        piece = (wide ? arg : (uint)arg).ToString("X", CultureInfo.InvariantCulture);
                        break;
                    default:
                        return false;
                }

                output.Append(Pad("", piece, flags, width));
                continue;
            }

            output.Append(Pad("", piece, flags.Replace("0", "", StringComparison.Ordinal), width));
        }

        return true;
    }

    private static ulong Fail() => unchecked((ulong)-(long)Errno.EINVAL);

    private static byte At(ReadOnlySpan<byte> format, int i) => i < format.Length ? format[i] : (byte)0;

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsPunct(byte c) => c is > 0x20 and < 0x7f && !char.IsAsciiLetterOrDigit((char)c);

    /// <summary>A string conversion must be followed by the end, a space or punctuation.</summary>
    private static bool StringEnds(ReadOnlySpan<byte> format, int i)
    {
        var after = At(format, i + 1);
        return after == 0 || IsSpace(after) || IsPunct(after);
    }

    private static string Pad(string sign, string digits, string flags, int width)
    {
        var length = sign.Length + digits.Length;
        if (length >= width)
            return sign + digits;
        if (flags.Contains('-', StringComparison.Ordinal))
            return sign + digits + new string(' ', width - length);
        if (flags.Contains('0', StringComparison.Ordinal))
            return sign + new string('0', width - length) + digits;
        return new string(' ', width - length) + sign + digits;
    }

    /// <summary>A NUL-terminated string from the run's memory, byte by byte; unreadable memory ends it.</summary>
    private static string ReadString(RunState? state, ulong address)
    {
        var text = new StringBuilder();
        for (ulong i = 0; i < MaxString; i++)
        {
            if (state is null || !state.TryCheckAccess(address + i, 1, write: false))
                break;
            var b = *(byte*)(address + i);
            if (b == 0)
                break;
            text.Append((char)b);
        }

        return text.ToString();
    }

    private static string FormatIp(RunState? state, ulong address, bool compact, bool v4)
    {
        var size = v4 ? 4 : 16;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        if (state is not null && state.TryCheckAccess(address, (ulong)size, write: false))
            new ReadOnlySpan<byte>((void*)address, size).CopyTo(bytes);
        if (v4)
        {
            return compact
                ? string.Create(CultureInfo.InvariantCulture, $"{bytes[0]}.{bytes[1]}.{bytes[2]}.{bytes[3]}")
                : string.Create(CultureInfo.InvariantCulture, $"{bytes[0]:d3}.{bytes[1]:d3}.{bytes[2]:d3}.{bytes[3]:d3}");
        }

        var groups = new string[8];
        for (var g = 0; g < 8; g++)
            groups[g] = ((bytes[2 * g] << 8) | bytes[(2 * g) + 1]).ToString("x4", CultureInfo.InvariantCulture);
        return compact ? string.Join(':', groups) : string.Concat(groups);
    }
}
