using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The helpers that tell a program where it runs. In the userspace runtime "where" is the CPU slot of the run
/// (see <see cref="CpuSlots"/>), not the host core the thread happens to be on: per-CPU map copies are chosen by the
/// slot, so the CPU number a program sees must be the slot's too.
/// </summary>
public static unsafe class CpuHelpers
{
    /// <summary>Registers the helpers of this class into <paramref name="table"/> under their Linux ids.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register((int)HelperId.GetSmpProcessorId, &GetSmpProcessorId);
        table.Register((int)HelperId.GetNumaNodeId, &GetNumaNodeId);
    }

    /// <summary><c>u32 bpf_get_smp_processor_id(void)</c>: the CPU slot of the run.</summary>
    public static ulong GetSmpProcessorId(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        return (uint)state.Cpu;
    }

    /// <summary><c>long bpf_get_numa_node_id(void)</c>: always node 0, the runtime's only NUMA node.</summary>
    public static ulong GetNumaNodeId(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) => 0;
}
