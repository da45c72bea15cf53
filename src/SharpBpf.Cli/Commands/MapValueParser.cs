using System.Buffers.Binary;
using System.Globalization;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// Keys and values written the way bpftool reads them: <c>hex 01 02 ...</c> (hex bytes), a list of byte values
/// (<c>1 0 0 0</c>, decimal or <c>0x</c> hex, as <c>bpftool map update ... key 1 0 0 0</c>), or one integer that
/// fills the field little-endian (<c>7</c>, <c>-1</c>, <c>0x10</c>).
/// </summary>
public static class MapValueParser
{
    /// <summary>Parses <paramref name="text"/> into exactly <paramref name="size"/> bytes.</summary>
    /// <exception cref="FormatException">The text is not a key or value of that size; the message says why.</exception>
    public static byte[] Parse(string text, int size, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
            throw new FormatException($"{what} is empty");
        byte[] bytes;
        if (tokens[0] == "hex")
        {
            var hex = Hex.Parse(string.Join(' ', tokens.Skip(1)));
            bytes = hex;
        }
        else if (tokens.Length == 1)
        {
            return Integer(tokens[0], size, what);
        }
        else
        {
            bytes = [.. tokens.Select(t => Byte(t, what))];
        }

        if (bytes.Length != size)
            throw new FormatException($"{what} has {bytes.Length} bytes, but the map's size is {size}");
        return bytes;
    }

    private static byte[] Integer(string token, int size, string what)
    {
        if (size is < 1 or > 8)
            throw new FormatException($"{what} '{token}': an integer can fill at most 8 bytes, the map's size is {size}; give bytes ('hex 01 02 ...')");
        var negative = token.StartsWith('-');
        var digits = negative ? token[1..] : token;
        bool ok;
        ulong magnitude;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            ok = ulong.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        else
            ok = ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        if (!ok)
            throw new FormatException($"{what} '{token}' is not an integer, 'hex 01 02 ...' or a list of bytes");
        var bits = size * 8;
        ulong value;
        if (negative)
        {
            if (magnitude > (1UL << (bits - 1)))
                throw new FormatException($"{what} '{token}' does not fit {size} bytes");
            value = unchecked(0 - magnitude);
        }
        else
        {
            if (bits < 64 && magnitude >= 1UL << bits)
                throw new FormatException($"{what} '{token}' does not fit {size} bytes");
            value = magnitude;
        }

        var buffer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        return buffer[..size];
    }

    private static byte Byte(string token, string what)
    {
        var ok = token.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? byte.TryParse(token[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)
            : byte.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out b);
        return ok ? b : throw new FormatException($"{what}: '{token}' is not a byte (0-255 or 0x00-0xff)");
    }
}
