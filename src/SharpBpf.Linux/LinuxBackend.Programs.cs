using System.Buffers;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

// PROG_LOAD, PROG_TEST_RUN and BTF_LOAD.
public sealed unsafe partial class LinuxBackend
{
    /// <summary>The first log buffer: large enough for the log of a typical rejection.</summary>
    private const int InitialLogSize = 64 * 1024;

    /// <summary>The kernel's limit on a log buffer (<c>UINT_MAX &gt;&gt; 2</c>).</summary>
    private const uint MaxLogSize = uint.MaxValue >> 2;

    /// <summary>
    /// A cap on the <c>data_out</c>/<c>ctx_out</c> buffer allocated for a capacity: the kernel limits test-run input to
    /// a page (plus XDP fragments), so no output comes near it, and a caller's u32 capacity must not become a 4 GiB
    /// allocation.
    /// </summary>
    private const uint MaxOutputBuffer = 16 * 1024 * 1024;

    /// <inheritdoc/>
    /// <remarks>
    /// With <see cref="ProgLoadAttr.LogLevel"/> 0 a failed load is repeated once at log level 1 so the error still
    /// carries the verifier's reasons; the errno of the first attempt is returned. A log that does not fit is retried
    /// with the size the kernel reports it needs (<c>log_true_size</c>), or a doubled buffer.
    /// </remarks>
    public Errno ProgLoad(in ProgLoadAttr attr, out int fd, out string log)
    {
        ThrowIfDisposed();
        if (!WholeRecords(attr.FuncInfo.Length, attr.FuncInfoRecordSize) || !WholeRecords(attr.LineInfo.Length, attr.LineInfoRecordSize))
        {
            // Not expressible in the kernel's attr (a count and a record size): refused before the call.
            fd = -1;
            log = "func_info / line_info length is not a whole number of records\n";
            return Errno.EINVAL;
        }

        Errno err = LoadProgram(attr, attr.LogLevel, out fd, out log);
        if (err == Errno.None || attr.LogLevel != 0)
            return err;

        // Only to learn why: the program, maps and their owner types are the same, so the verdict is too.
        if (LoadProgram(attr, 1, out int again, out log) == Errno.None)
            _fds.Close(again);
        return err;
    }

    /// <inheritdoc/>
    public Errno ProgTestRun(int fd, in TestRunAttr attr, out TestRunResult result)
    {
        ThrowIfDisposed();
        byte[] dataOut = attr.DataSizeOut == 0 ? [] : new byte[Math.Min(attr.DataSizeOut, MaxOutputBuffer)];
        byte[] ctxOut = attr.CtxSizeOut == 0 ? [] : new byte[Math.Min(attr.CtxSizeOut, MaxOutputBuffer)];
        // A private copy: BPF_PROG_TYPE_SYSCALL runs write the context back into ctx_in, and the caller's memory is
        // read-only. (That in-place result is not surfaced; ctx_out is the documented output.)
        ReadOnlyMemory<byte> ctxCopy = attr.CtxIn.IsEmpty ? default : attr.CtxIn.ToArray();
        using MemoryHandle dataIn = attr.DataIn.Pin();
        using MemoryHandle ctxIn = ctxCopy.Pin();
        fixed (byte* d = dataOut)
        fixed (byte* c = ctxOut)
        {
            var native = default(TestRunAttrNative);
            native.ProgFd = (uint)fd;
            native.DataSizeIn = (uint)attr.DataIn.Length;
            native.DataIn = attr.DataIn.IsEmpty ? 0 : BpfSyscall.Ptr(dataIn.Pointer);
            native.DataSizeOut = (uint)dataOut.Length;
            native.DataOut = BpfSyscall.Ptr(dataOut.Length == 0 ? null : d);
            native.CtxSizeIn = (uint)attr.CtxIn.Length;
            native.CtxIn = ctxCopy.IsEmpty ? 0 : BpfSyscall.Ptr(ctxIn.Pointer);
            native.CtxSizeOut = (uint)ctxOut.Length;
            native.CtxOut = BpfSyscall.Ptr(ctxOut.Length == 0 ? null : c);
            native.Repeat = attr.Repeat;
            native.Flags = attr.Flags;
            native.Cpu = attr.Cpu;

            Errno err = BpfSyscall.ProgTestRun(ref native);
            // The kernel reports how much it produced; with ENOSPC that is more than the buffer held.
            result = new TestRunResult(native.Retval, native.Duration,
                Trim(dataOut, native.DataSizeOut), Trim(ctxOut, native.CtxSizeOut))
            {
                DataSizeOut = native.DataSizeOut,
                CtxSizeOut = native.CtxSizeOut,
            };
            return err;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Loaded without a log first; a failure is repeated at log level 1 for the log, as for programs.</remarks>
    public Errno BtfLoad(ReadOnlySpan<byte> btf, out int fd, out string log)
    {
        ThrowIfDisposed();
        Errno err = LoadBtf(btf, 0, out fd, out log);
        if (err == Errno.None)
            return err;
        if (LoadBtf(btf, 1, out int again, out log) == Errno.None)
            _fds.Close(again);
        return err;
    }

    private static bool WholeRecords(int length, uint recordSize) =>
        length == 0 || (recordSize != 0 && length % recordSize == 0);

    private static uint RecordCount(int length, uint recordSize) => length == 0 ? 0 : (uint)(length / recordSize);

    private Errno LoadProgram(in ProgLoadAttr attr, uint logLevel, out int fd, out string log)
    {
        byte[]? license = CString(attr.License);
        byte[]? logBuffer = logLevel != 0 ? new byte[InitialLogSize] : null;
        using MemoryHandle insns = attr.Instructions.Pin();
        using MemoryHandle funcInfo = attr.FuncInfo.Pin();
        using MemoryHandle lineInfo = attr.LineInfo.Pin();
        while (true)
        {
            Errno err;
            uint trueSize;
            fixed (byte* l = license)
            fixed (byte* b = logBuffer)
            {
                var native = default(ProgLoadAttrNative);
                native.ProgType = (uint)attr.Type;
                native.InsnCount = (uint)attr.Instructions.Length;
                native.Insns = attr.Instructions.IsEmpty ? 0 : BpfSyscall.Ptr(insns.Pointer);
                native.License = BpfSyscall.Ptr(l);
                native.LogLevel = logLevel;
                native.LogSize = (uint)(logBuffer?.Length ?? 0);
                native.LogBuf = BpfSyscall.Ptr(b);
                native.KernVersion = attr.KernVersion;
                native.ProgFlags = attr.ProgFlags;
                CopyName(attr.Name, native.ProgName, BpfAttrConstants.ObjNameLength);
                native.ExpectedAttachType = attr.ExpectedAttachType;
                native.ProgBtfFd = (uint)attr.ProgBtfFd;
                native.FuncInfoRecSize = attr.FuncInfoRecordSize;
                native.FuncInfo = attr.FuncInfo.IsEmpty ? 0 : BpfSyscall.Ptr(funcInfo.Pointer);
                native.FuncInfoCount = RecordCount(attr.FuncInfo.Length, attr.FuncInfoRecordSize);
                native.LineInfoRecSize = attr.LineInfoRecordSize;
                native.LineInfo = attr.LineInfo.IsEmpty ? 0 : BpfSyscall.Ptr(lineInfo.Pointer);
                native.LineInfoCount = RecordCount(attr.LineInfo.Length, attr.LineInfoRecordSize);

                err = BpfSyscall.ProgLoad(ref native, out fd);
                trueSize = native.LogTrueSize;
            }

            if (err == Errno.ENOSPC && TryGrowLog(ref logBuffer, trueSize))
                continue;
            log = logBuffer is null ? "" : FromCString(logBuffer);
            if (err == Errno.None)
                Own(fd);
            return err;
        }
    }

    private Errno LoadBtf(ReadOnlySpan<byte> btf, uint logLevel, out int fd, out string log)
    {
        byte[]? logBuffer = logLevel != 0 ? new byte[InitialLogSize] : null;
        while (true)
        {
            Errno err;
            uint trueSize;
            fixed (byte* data = btf)
            fixed (byte* b = logBuffer)
            {
                var native = default(BtfLoadAttrNative);
                native.Btf = BpfSyscall.Ptr(data);
                native.BtfSize = (uint)btf.Length;
                native.LogLevel = logLevel;
                native.LogSize = (uint)(logBuffer?.Length ?? 0);
                native.LogBuf = BpfSyscall.Ptr(b);
                err = BpfSyscall.BtfLoad(ref native, out fd);
                trueSize = native.LogTrueSize;
            }

            if (err == Errno.ENOSPC && TryGrowLog(ref logBuffer, trueSize))
                continue;
            log = logBuffer is null ? "" : FromCString(logBuffer);
            if (err == Errno.None)
                Own(fd);
            return err;
        }
    }

    /// <summary>A larger log buffer after ENOSPC: the size the kernel says it needs, else double, up to its limit.</summary>
    private static bool TryGrowLog(ref byte[]? buffer, uint trueSize)
    {
        if (buffer is null || (uint)buffer.Length >= MaxLogSize)
            return false;
        long size = trueSize > buffer.Length ? trueSize : 2L * buffer.Length;
        buffer = new byte[Math.Min(size, MaxLogSize)];
        return true;
    }

    private static byte[] Trim(byte[] buffer, uint produced) =>
        produced >= buffer.Length ? buffer : buffer.AsSpan(0, (int)produced).ToArray();
}
