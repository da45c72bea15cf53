using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Programs;

/// <summary>Turns a program command's errno into an exception message (the one place for programs).</summary>
internal static class ProgramErrorText
{
    public static BpfException LoadException(in ProgLoadAttr attr, Errno errno, string log)
    {
        var what = string.IsNullOrEmpty(attr.Name) ? $"{attr.Type} program" : $"{attr.Type} program '{attr.Name}'";
        var reason = LastLine(log) ?? errno switch
        {
            Errno.E2BIG => $"{attr.Instructions.Length} instructions: none or too many",
            Errno.EFAULT => "no license string",
            Errno.EINVAL => "invalid attributes (type, name or flags)",
            Errno.ENOTSUPP => $"execution mode {attr.ExecutionMode} is not supported",
            _ => null,
        };
        var text = $"{BpfCommand.BPF_PROG_LOAD} of {what} ({attr.Instructions.Length} instructions): {BpfException.ErrnoName(errno)}";
        if (reason is not null)
            text += $" ({reason})";
        return log.Length == 0 ? new BpfException(errno, text) : new BpfVerifierException(errno, text, log);
    }

    public static BpfException TestRunException(in ProgInfo info, in TestRunAttr attr, Errno errno, int possibleCpus,
        string? runError)
    {
        var reason = errno switch
        {
            Errno.EFAULT => runError ?? "the run faulted",
            Errno.ENXIO => $"CPU {attr.Cpu} is not possible ({possibleCpus} possible CPUs)",
            Errno.EINVAL => "attributes not valid for this program type (data, context, flags, cpu or repeat)",
            Errno.ENOTSUPP => $"{info.Type} programs have no test run",
            Errno.ENOSPC => "the output buffer is too small",
            _ => null,
        };
        var text = $"{BpfCommand.BPF_PROG_TEST_RUN} of program '{info.Name}' (id {info.Id}): {BpfException.ErrnoName(errno)}";
        return new BpfException(errno, reason is null ? text : $"{text} ({reason})");
    }

    private static string? LastLine(string log)
    {
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The kernel ends a log with statistics ("processed N insns ..."); the reason is the line before them.
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            if (!lines[i].StartsWith("processed ", StringComparison.Ordinal) && !lines[i].StartsWith("verification time", StringComparison.Ordinal)
                && !lines[i].StartsWith("stack depth", StringComparison.Ordinal))
            {
                return lines[i];
            }
        }

        return null;
    }
}
