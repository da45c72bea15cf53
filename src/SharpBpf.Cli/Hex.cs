using System.Globalization;

namespace SharpBpf.Cli;

/// <summary>Hex byte strings as the conformance plugin protocol and the CLI take them.</summary>
public static class Hex
{
    /// <summary>
    /// Parses bytes written as hex: either separated tokens of one or two digits (<c>"b7 00 01"</c>, what the
    /// bpf_conformance runner sends), or one run of digit pairs (<c>"b70001"</c>). An optional <c>0x</c> prefix on
    /// a run is allowed. Commas count as separators.
    /// </summary>
    /// <exception cref="FormatException">A token is not hex or a run has an odd number of digits.</exception>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries);
        var result = new List<byte>();
        foreach (var raw in tokens)
        {
            var token = raw.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? raw[2..] : raw;
            if (token.Length <= 2)
            {
                result.Add(ParseByte(token, raw));
                continue;
            }

            if (token.Length % 2 != 0)
                throw new FormatException($"'{raw}' has an odd number of hex digits");
            for (var i = 0; i < token.Length; i += 2)
                result.Add(ParseByte(token.Substring(i, 2), raw));
        }

        return [.. result];
    }

    private static byte ParseByte(string digits, string token) =>
        digits.Length > 0 && byte.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b)
            ? b
            : throw new FormatException($"'{token}' is not a hex byte");
}
