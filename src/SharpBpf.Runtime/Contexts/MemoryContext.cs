using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The test run of <see cref="RuntimeProgramTypes.Memory"/> programs: <c>r1</c> points to a writable copy of
/// <c>data_in</c> (the run's context region) and <c>r2</c> holds its length, both 0 without data; repeats share the
/// memory and <c>data_out</c> is the memory after the last run. Flags, a CPU and a context are EINVAL.
/// </summary>
internal sealed class MemoryContext : IProgramContext
{
    /// <inheritdoc/>
    public bool MeasuresDuration => true;

    /// <inheritdoc/>
    public Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu)
    {
        cpu = -1;
        return attr.Flags != 0 || attr.Cpu != 0 || !attr.CtxIn.IsEmpty || attr.CtxSizeOut != 0 ? Errno.EINVAL : Errno.None;
    }

    /// <inheritdoc/>
    public Errno Prepare(ProgramType type, in TestRunAttr attr, out ContextRun? run)
    {
        run = new Run(attr.DataIn.Span);
        return Errno.None;
    }

    private sealed unsafe class Run : ContextRun
    {
        private readonly nint _memory;
        private readonly int _length;

        public Run(ReadOnlySpan<byte> data)
        {
            _length = data.Length;
            if (_length == 0)
                return;
            _memory = Allocate(_length);
            data.CopyTo(new Span<byte>((void*)_memory, _length));
        }

        public override ReadOnlySpan<byte> DataOut => _memory == 0 ? [] : new ReadOnlySpan<byte>((void*)_memory, _length);

        public override byte[]? ContextOut => null;

        public override void Enter(RunState state, out ulong r1, out ulong r2)
        {
            if (_memory != 0)
                state.SetContext(_memory, (ulong)_length);
            r1 = (ulong)_memory;
            r2 = (ulong)_length;
        }
    }
}
