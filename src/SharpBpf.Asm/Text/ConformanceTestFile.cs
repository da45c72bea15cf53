using System.Globalization;

namespace SharpBpf.Asm;

/// <summary>
/// One bpf_conformance / uBPF <c>.data</c> test file (format in testdata/conformance/FORMAT.md sections 1-2):
/// the program (from <c>-- raw</c> if present, else assembled from <c>-- asm</c>), the input memory, and the
/// expected outcome. Parsing is pure apart from reading the files named by <c>-- asm @ FILE</c> / <c>-- mem @ FILE</c>.
/// </summary>
public sealed class ConformanceTestFile
{
    private ConformanceTestFile(string? fileName)
    {
        FileName = fileName;
    }

    /// <summary>The file this test was loaded from (as given to <see cref="Load"/>), or <see langword="null"/>.</summary>
    public string? FileName { get; }

    /// <summary>The program to run: <see cref="Raw"/> if the file has a <c>raw</c> section, else the assembled <see cref="Asm"/>; empty if it has neither.</summary>
    public Instruction[] Program { get; private set; } = [];

    /// <summary>The text of the <c>asm</c> section (comments included), or <see langword="null"/>.</summary>
    public string? Asm { get; private set; }

    /// <summary>
    /// The slots of the <c>raw</c> section, or <see langword="null"/>. Both layouts are read: one 64-bit
    /// little-endian word per token, or (as in negative/unused-*.data) a byte dump of eight two-digit hex tokens per line.
    /// </summary>
    public Instruction[]? Raw { get; private set; }

    /// <summary>The input memory (<c>mem</c> section); <c>r1</c> points at it and <c>r2</c> holds its length. <see langword="null"/> if absent.</summary>
    public byte[]? Memory { get; private set; }

    /// <summary>The expected final <c>r0</c> (last line of the <c>result</c> section), or <see langword="null"/>.</summary>
    public ulong? ExpectedResult { get; private set; }

    /// <summary>Whether the test expects loading or running to fail (an <c>error</c> or <c>error pattern</c> section). An error wins over a result.</summary>
    public bool ExpectsError => ErrorText is not null || ErrorPattern is not null;

    /// <summary>The last line of the <c>error</c> section (empty if the section is empty), or <see langword="null"/>. The text is implementation-specific: a hint only.</summary>
    public string? ErrorText { get; private set; }

    /// <summary>The regular expression of the <c>error pattern</c> section, or <see langword="null"/>.</summary>
    public string? ErrorPattern { get; private set; }

    /// <summary>Whether the test must be skipped in JIT mode (<c>no jit</c> section).</summary>
    public bool NoJit => NoJitReason is not null;

    /// <summary>The text of the <c>no jit</c> section, or <see langword="null"/>.</summary>
    public string? NoJitReason { get; private set; }

    /// <summary>The text of the <c>description</c> section, or <see langword="null"/>.</summary>
    public string? Description { get; private set; }

    /// <summary>uBPF <c>reload</c>: load the code a second time and expect that to fail.</summary>
    public bool Reload { get; private set; }

    /// <summary>uBPF <c>unload</c>: unload and reload the code before running.</summary>
    public bool Unload { get; private set; }

    /// <summary>The section keywords in file order (<c>asm</c>, <c>result</c>, <c>c</c>, <c>no register offset</c> ...).</summary>
    public IReadOnlyList<string> Sections { get; private set; } = [];

    /// <summary>Reads and parses the test file at <paramref name="path"/>.</summary>
    /// <exception cref="BpfAssemblyException">The file or its assembly is malformed.</exception>
    /// <exception cref="IOException">The file (or a file it names) cannot be read.</exception>
    public static ConformanceTestFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path)), path);
    }

    /// <summary>Parses the text of a test file.</summary>
    /// <param name="text">The file's contents.</param>
    /// <param name="directory">Where files named by <c>@ FILE</c> sections are looked up; <see langword="null"/> forbids such sections.</param>
    /// <param name="fileName">Named in error messages.</param>
    /// <exception cref="BpfAssemblyException">The file or its assembly is malformed.</exception>
    /// <exception cref="IOException">A file named by an <c>@ FILE</c> section cannot be read.</exception>
    public static ConformanceTestFile Parse(string text, string? directory = null, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var file = new ConformanceTestFile(fileName);
        var sections = new List<string>();
        var lines = text.Split('\n');
        var at = 0;
        while (at < lines.Length)
        {
            var line = Clean(lines[at]);
            at++;
            if (line.Length == 0)
                continue;
            if (!line.StartsWith("--", StringComparison.Ordinal))
                throw new BpfAssemblyException(at, $"text outside a section: '{line}'", fileName);

            var headerLine = at;
            var header = line[2..].Trim();
            var bodyStart = at;
            var body = new List<string>();
            while (at < lines.Length && !Clean(lines[at]).StartsWith("--", StringComparison.Ordinal))
                body.Add(lines[at++]);
            file.ReadSection(header, headerLine, bodyStart + 1, body, directory, sections);
        }

        file.Sections = sections;
        if (file.Raw is not null)
            file.Program = file.Raw;
        else if (file.Asm is not null)
            file.Program = ConformanceAssembler.Assemble(file.Asm, file._asmSource ?? fileName, file._asmFirstLine);
        return file;
    }

    private string? _asmSource;
    private int _asmFirstLine = 1;

    private static string Clean(string line) => ConformanceAssembler.StripComment(line).Trim();

    private void ReadSection(string header, int headerLine, int firstLine, List<string> body, string? directory, List<string> sections)
    {
        // "asm @ FILE" / "mem @ FILE": the content is another file next to the test.
        string? included = null;
        var keyword = header;
        var atSign = header.IndexOf('@', StringComparison.Ordinal);
        if (atSign >= 0)
        {
            keyword = header[..atSign].Trim();
            included = header[(atSign + 1)..].Trim();
        }

        if (sections.Contains(keyword))
            throw new BpfAssemblyException(headerLine, $"section '-- {keyword}' appears twice", FileName);
        sections.Add(keyword);

        if (included is not null)
        {
            if (keyword is not ("asm" or "mem"))
                throw new BpfAssemblyException(headerLine, $"section '-- {keyword}' cannot name a file", FileName);
            if (directory is null)
                throw new BpfAssemblyException(headerLine, $"'-- {header}' names a file but no directory was given", FileName);
            var path = Path.Combine(directory, included);
            body = [.. File.ReadAllText(path).Split('\n')];
            firstLine = 1;
            if (keyword == "asm")
                _asmSource = included;
        }

        var source = included ?? FileName;
        switch (keyword)
        {
            case "asm":
                Asm = string.Join('\n', body);
                _asmFirstLine = firstLine;
                break;
            case "raw":
                Raw = ParseRaw(body, firstLine, source);
                break;
            case "mem":
                Memory = ParseMemory(body, firstLine, source);
                break;
            case "result":
                ExpectedResult = ParseResult(body, headerLine, firstLine, source);
                break;
            case "error":
                ErrorText = LastLine(body) ?? string.Empty;
                break;
            case "error pattern":
                ErrorPattern = LastLine(body) ?? string.Empty;
                break;
            case "no jit":
                NoJitReason = Text(body);
                break;
            case "description":
                Description = Text(body);
                break;
            case "reload":
                Reload = true;
                break;
            case "unload":
                Unload = true;
                break;
            case "c":
            case "no register offset":
                break; // documentation / uBPF JIT-driver hints: no semantics
            default:
                throw new BpfAssemblyException(headerLine, $"unknown section '-- {header}'", FileName);
        }
    }

    private static string? LastLine(List<string> body) =>
        body.Select(Clean).LastOrDefault(l => l.Length > 0);

    private static string Text(List<string> body) =>
        string.Join('\n', body.Select(Clean).Where(l => l.Length > 0));

    private static Instruction[] ParseRaw(List<string> body, int firstLine, string? source)
    {
        var rows = body.Select((l, i) => (Line: firstLine + i, Tokens: Clean(l).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .Where(r => r.Tokens.Length > 0)
            .ToList();

        // negative/unused-*.data: one byte per token, eight per line, in memory order.
        var byteDump = rows.Count > 0 && rows.All(r => r.Tokens.Length == 8 && r.Tokens.All(t => t.Length == 2 && t.All(char.IsAsciiHexDigit)));
        if (byteDump)
        {
            var bytes = rows.SelectMany(r => r.Tokens).Select(t => byte.Parse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)).ToArray();
            return Instruction.FromBytes(bytes);
        }

        var result = new List<Instruction>();
        foreach (var (line, tokens) in rows)
        {
            foreach (var token in tokens)
            {
                if (!TryParseUInt64(token, out var word))
                    throw new BpfAssemblyException(line, $"invalid raw instruction word '{token}'", source);
                result.Add(Instruction.FromRaw(word));
            }
        }

        return [.. result];
    }

    private static byte[] ParseMemory(List<string> body, int firstLine, string? source)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < body.Count; i++)
        {
            var line = Clean(body[i]);
            // tcpdump -x layout ("0x0010:  0040 a8de ..."): the data follow the last colon.
            var colon = line.LastIndexOf(':');
            if (colon >= 0)
                line = line[(colon + 1)..];
            foreach (var token in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Length % 2 != 0 || !token.All(char.IsAsciiHexDigit))
                    throw new BpfAssemblyException(firstLine + i, $"invalid memory byte(s) '{token}'", source);
                for (var j = 0; j < token.Length; j += 2)
                    bytes.Add(byte.Parse(token.AsSpan(j, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }

    private static ulong? ParseResult(List<string> body, int headerLine, int firstLine, string? source)
    {
        var index = body.FindLastIndex(l => Clean(l).Length > 0);
        if (index < 0)
            throw new BpfAssemblyException(headerLine, "empty result section", source);
        var token = Clean(body[index]);
        if (TryParseUInt64(token, out var value))
            return value;
        if (token.StartsWith('-') && long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var negative))
            return unchecked((ulong)negative);
        throw new BpfAssemblyException(firstLine + index, $"invalid result '{token}'", source);
    }

    private static bool TryParseUInt64(string token, out ulong value) =>
        token.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(token.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
