using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;

namespace SharpBpf.Diff;

/// <summary>
/// Runs a conformance-style program (r1 = memory, r2 = its length, the 64-bit r0 is the result) on any backend,
/// including the kernel, through the harness of testdata/conformance/VERIFY.md: an XDP program whose wrapper calls the
/// body as a BPF-to-BPF function and stores r0 into a one-entry array through <c>lddw src=2</c>, with a packet prolog
/// that hands the body the packet's bytes when there is memory.
/// </summary>
public static class ConformanceHarness
{
    /// <summary>
    /// The XDP program for <paramref name="body"/>: the 5-slot wrapper (<c>call local +4; lddw r1, map value;
    /// *(u64 *)(r1 + 0) = r0; exit</c>), the packet prolog when <paramref name="memory"/> is given
    /// (<c>r1 = ctx->data</c>, bounds-checked against <c>data_end</c>, <c>r2 = length</c>), then the body.
    /// </summary>
    /// <param name="resultMapFd">A one-entry ARRAY of u64 that receives r0.</param>
    /// <param name="body">The program.</param>
    /// <param name="memory">The memory the body gets in r1/r2, or null for none.</param>
    public static Instruction[] Wrap(int resultMapFd, ReadOnlySpan<Instruction> body, byte[]? memory)
    {
        var insns = new List<Instruction>
        {
            new(0x85, 0, 1, 0, 4), // call local +4: the body is a BPF-to-BPF callee
            new(0x18, 1, 2, 0, resultMapFd), // lddw r1, map value (BPF_PSEUDO_MAP_VALUE, offset 0)
            new(0x00, 0, 0, 0, 0),
            new(0x7b, 1, 0, 0, 0), // *(u64 *)(r1 + 0) = r0
            new(0x95, 0, 0, 0, 0), // exit
        };
        if (memory is not null)
        {
            insns.AddRange(
            [
                new(0xb7, 0, 0, 0, -1), // r0 = -1
                new(0xbf, 6, 1, 0, 0), // r6 = r1
                new(0x61, 1, 6, 0, 0), // r1 = ctx->data
                new(0x61, 2, 6, 4, 0), // r2 = ctx->data_end
                new(0xbf, 3, 1, 0, 0), // r3 = r1
                new(0x07, 3, 0, 0, memory.Length), // r3 += len
                new(0xbd, 3, 2, 1, 0), // if r3 <= r2 goto +1
                new(0x95, 0, 0, 0, 0), // exit
                new(0xb7, 2, 0, 0, memory.Length), // r2 = len
            ]);
        }

        insns.AddRange(body);
        return [.. insns];
    }

    /// <summary>
    /// Loads <paramref name="body"/> through <see cref="Wrap"/> on <paramref name="backend"/>, test-runs it once over
    /// <paramref name="memory"/> (padded with zeros to the 14 bytes an XDP packet needs; r2 keeps the real length) and
    /// reads r0 back. Returns the errno of the first failing step (the load, with its log, or the run).
    /// </summary>
    public static Errno Run(IBpfBackend backend, ReadOnlySpan<Instruction> body, byte[]? memory, ExecutionMode mode,
        out ulong r0, out string log)
    {
        ArgumentNullException.ThrowIfNull(backend);
        r0 = 0;
        log = "";
        var err = backend.MapCreate(new MapCreateAttr { Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1 }, out var map);
        if (err != Errno.None)
        {
            log = $"BPF_MAP_CREATE of the result map: {BpfException.ErrnoName(err)}";
            return err;
        }

        var prog = -1;
        try
        {
            err = backend.ProgLoad(new ProgLoadAttr
            {
                Type = ProgramType.Xdp,
                Instructions = Wrap(map, body, memory),
                License = "MIT",
                LogLevel = 1,
                ExecutionMode = mode,
            }, out prog, out log);
            if (err != Errno.None)
            {
                prog = -1;
                return err;
            }

            var packet = new byte[Math.Max(14, memory?.Length ?? 0)];
            memory?.CopyTo(packet, 0);
            err = backend.ProgTestRun(prog, new TestRunAttr { DataIn = packet, Repeat = 1 }, out _);
            if (err != Errno.None)
            {
                log = $"BPF_PROG_TEST_RUN: {BpfException.ErrnoName(err)}";
                return err;
            }

            var value = new byte[8];
            err = backend.MapLookupElem(map, new byte[4], value, 0);
            if (err != Errno.None)
            {
                log = $"BPF_MAP_LOOKUP_ELEM of the result: {BpfException.ErrnoName(err)}";
                return err;
            }

            r0 = BinaryPrimitives.ReadUInt64LittleEndian(value);
            return Errno.None;
        }
        finally
        {
            if (prog >= 0)
                backend.Close(prog);
            backend.Close(map);
        }
    }

    /// <summary>
    /// The line of a verifier log that says why: the last non-empty line that is not the closing statistics
    /// (<c>processed N insns ...</c>, <c>verification time ...</c>).
    /// </summary>
    public static string Reason(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            if (!lines[i].StartsWith("processed ", StringComparison.Ordinal) && !lines[i].StartsWith("verification time", StringComparison.Ordinal)
                && !lines[i].StartsWith("stack depth", StringComparison.Ordinal))
                return lines[i];
        }

        return lines.Length == 0 ? "(no log)" : lines[^1];
    }
}
