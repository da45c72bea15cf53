using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// <c>bpf_get_current_pid_tgid</c> (14): the calling task. In the userspace runtime the "current task" is the host
/// thread running the program: <c>tgid</c> (the process id) in the upper 32 bits, the thread's Linux id in the
/// lower (read once per thread from <c>/proc/thread-self</c>; the managed thread id where there is none).
/// </summary>
public static unsafe class TaskHelpers
{
    [ThreadStatic]
    private static ulong t_pidTgid;

    /// <summary>Registers the helper under its Linux id.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.GetCurrentPidTgid, &GetCurrentPidTgid);
    }

    /// <summary><c>u64 bpf_get_current_pid_tgid(void)</c>.</summary>
    public static ulong GetCurrentPidTgid(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        if (t_pidTgid == 0)
            t_pidTgid = ((ulong)(uint)Environment.ProcessId << 32) | ThreadId();
        return t_pidTgid;
    }

    private static uint ThreadId()
    {
        try
        {
            // "/proc/thread-self" links to "<pid>/task/<tid>".
            var target = new FileInfo("/proc/thread-self").LinkTarget;
            if (target is not null && uint.TryParse(Path.GetFileName(target), out var tid))
                return tid;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return (uint)Environment.CurrentManagedThreadId;
    }
}
