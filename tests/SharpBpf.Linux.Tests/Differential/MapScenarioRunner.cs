using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// Runs one <see cref="MapScenario"/> on both backends of a <see cref="BackendPair"/>, comparing every call (errno,
/// out count, every out byte) and then the final contents; throws on the first difference.
/// </summary>
public sealed class MapScenarioRunner(BackendPair pair, MapScenario scenario)
{
    private const byte Fill = 0xA5; // out buffers start with the same non-zero bytes, so an unwritten byte is visible
    private int _kFd = -1, _uFd = -1;

    /// <summary>How many calls were compared.</summary>
    public int Cases { get; private set; }

    private bool IsFdArray => scenario.Attr.Type is MapType.ProgArray or MapType.PerfEventArray or MapType.CgroupArray;

    private int KeySize => (int)scenario.Attr.KeySize;

    // What a syscall reads or writes per element: per-CPU values are 8-byte rounded copies for every possible CPU,
    // fd arrays take an fd and report a u32 id.
    private int ValueBytes => scenario.Attr.Type == MapType.PerCpuArray
        ? (int)((scenario.Attr.ValueSize + 7) & ~7u) * pair.Kernel.PossibleCpus
        : (int)scenario.Attr.ValueSize;

    public void Run()
    {
        Errno kErr = pair.Kernel.MapCreate(scenario.Attr, out int kFd);
        if (kErr == Errno.None)
            _kFd = kFd;
        Errno uErr = pair.User.MapCreate(scenario.Attr, out int uFd);
        if (uErr == Errno.None)
            _uFd = uFd;
        Same("BPF_MAP_CREATE", kErr, uErr);
        if (kErr != Errno.None)
            return;

        foreach (MapOp op in scenario.Ops)
            Apply(op);

        CompareContents();
    }

    public void CloseAll()
    {
        if (_kFd >= 0)
            pair.Kernel.Close(_kFd);
        if (_uFd >= 0)
            pair.User.Close(_uFd);
        _kFd = _uFd = -1;
    }

    private void Apply(MapOp op)
    {
        string what = op.ToString();
        switch (op.Kind)
        {
            case MapOpKind.Update:
            {
                byte[] key = Key(op);
                Errno k = pair.Kernel.MapUpdateElem(_kFd, key, Value(op, kernel: true), op.ElemFlags);
                Errno u = pair.User.MapUpdateElem(_uFd, key, Value(op, kernel: false), op.ElemFlags);
                Same(what, k, u);
                break;
            }
            case MapOpKind.Lookup:
            case MapOpKind.LookupAndDelete:
            {
                byte[] key = Key(op);
                byte[] kv = Out(op), uv = Out(op);
                bool andDelete = op.Kind == MapOpKind.LookupAndDelete;
                Errno k = andDelete ? pair.Kernel.MapLookupAndDeleteElem(_kFd, key, kv, op.Flags) : pair.Kernel.MapLookupElem(_kFd, key, kv, op.Flags);
                Errno u = andDelete ? pair.User.MapLookupAndDeleteElem(_uFd, key, uv, op.Flags) : pair.User.MapLookupElem(_uFd, key, uv, op.Flags);
                Same(what, k, u);
                SameBytes(what, kv, uv, values: true);
                break;
            }
            case MapOpKind.Delete:
            {
                byte[] key = Key(op);
                Same(what, pair.Kernel.MapDeleteElem(_kFd, key, op.Flags), pair.User.MapDeleteElem(_uFd, key, op.Flags));
                break;
            }
            case MapOpKind.GetNextKey:
            {
                byte[] key = Key(op);
                byte[] kn = Filled(Math.Max(0, KeySize - (op.ShortBy > 0 && op.Seed % 2 != 0 ? op.ShortBy : 0)));
                byte[] un = (byte[])kn.Clone();
                Same(what, pair.Kernel.MapGetNextKey(_kFd, key, kn), pair.User.MapGetNextKey(_uFd, key, un));
                SameBytes(what, kn, un);
                break;
            }
            case MapOpKind.LookupBatch:
                LookupBatch(op, what);
                break;
            case MapOpKind.UpdateBatch:
                UpdateBatch(op, what);
                break;
            case MapOpKind.Freeze:
                Same(what, pair.Kernel.MapFreeze(_kFd), pair.User.MapFreeze(_uFd));
                break;
            case MapOpKind.Info:
            {
                Errno k = pair.Kernel.MapGetInfo(_kFd, out MapInfo ki);
                Errno u = pair.User.MapGetInfo(_uFd, out MapInfo ui);
                Same(what, k, u);
                if (k == Errno.None && (ki with { Id = 0 }) != (ui with { Id = 0 }))
                    throw new DifferenceException($"{what}: info kernel {ki} userspace {ui}");
                break;
            }
        }
    }

    private void LookupBatch(MapOp op, string what)
    {
        uint capacity = op.Count;
        byte[] inBatch = op.NullKey ? [] : U32(op.Key);
        byte[] kOut = Filled(4), uOut = Filled(4);
        byte[] kKeys = Filled((int)capacity * KeySize), uKeys = Filled((int)capacity * KeySize);
        byte[] kVals = Filled((int)capacity * ValueBytes), uVals = Filled((int)capacity * ValueBytes);
        uint kCount = capacity, uCount = capacity;
        Errno k = pair.Kernel.MapLookupBatch(_kFd, inBatch, kOut, kKeys, kVals, ref kCount, op.ElemFlags, op.Flags);
        Errno u = pair.User.MapLookupBatch(_uFd, inBatch, uOut, uKeys, uVals, ref uCount, op.ElemFlags, op.Flags);
        Same(what, k, u);
        if (kCount != uCount)
            throw new DifferenceException($"{what}: batch count kernel {kCount} userspace {uCount} ({k})");
        SameBytes(what + " out_batch", kOut, uOut);
        SameBytes(what + " keys", kKeys, uKeys);
        SameBytes(what + " values", kVals, uVals, values: true);
    }

    private void UpdateBatch(MapOp op, string what)
    {
        uint count = Math.Min(op.Count, 12);
        var random = new Random(op.Seed);
        byte[] keys = new byte[count * KeySize];
        for (int i = 0; i + 4 <= keys.Length; i += KeySize)
            BinaryPrimitives.WriteUInt32LittleEndian(keys.AsSpan(i), (uint)random.Next(0, (int)Math.Min(scenario.Attr.MaxEntries + 2, 20)));
        byte[] kVals = new byte[count * ValueBytes], uVals = new byte[count * ValueBytes];
        for (int i = 0; i < count; i++)
        {
            MapOp element = op with { Seed = random.Next(), ShortBy = 0 };
            Value(element, kernel: true).CopyTo(kVals.AsSpan(i * ValueBytes));
            Value(element, kernel: false).CopyTo(uVals.AsSpan(i * ValueBytes));
        }

        uint kCount = count, uCount = count;
        Errno k = pair.Kernel.MapUpdateBatch(_kFd, keys, kVals, ref kCount, op.ElemFlags, op.Flags);
        Errno u = pair.User.MapUpdateBatch(_uFd, keys, uVals, ref uCount, op.ElemFlags, op.Flags);
        Same(what, k, u);
        if (kCount != uCount)
            throw new DifferenceException($"{what}: batch count kernel {kCount} userspace {uCount} ({k})");
    }

    private void CompareContents()
    {
        uint last = Math.Min(scenario.Attr.MaxEntries, 32);
        for (uint key = 0; key <= last; key++)
            Apply(new MapOp(MapOpKind.Lookup, key, false, 0, 0, 0, 0, 0, FdValueKind.Bogus));
        Apply(new MapOp(MapOpKind.LookupBatch, 0, true, 0, 0, Math.Min(scenario.Attr.MaxEntries, 64), 0, 0, FdValueKind.Bogus));
    }

    private byte[] Key(MapOp op)
    {
        if (op.NullKey && op.Kind is MapOpKind.GetNextKey or MapOpKind.Lookup)
            return [];
        byte[] key = new byte[KeySize];
        if (KeySize >= 4)
            BinaryPrimitives.WriteUInt32LittleEndian(key, op.Key);
        int cut = op.ShortBy > 0 && op.Seed % 2 == 0 ? Math.Min(op.ShortBy, key.Length) : 0;
        return key[..^cut];
    }

    private int ShortValueBy(MapOp op) => op.ShortBy > 0 && op.Seed % 2 != 0 ? op.ShortBy : 0;

    private byte[] Out(MapOp op) => Filled(Math.Max(0, (IsFdArray ? 4 : ValueBytes) - ShortValueBy(op)));

    private byte[] Value(MapOp op, bool kernel)
    {
        byte[] value = new byte[ValueBytes];
        if (IsFdArray && value.Length >= 4)
        {
            int fd = op.FdValue switch
            {
                FdValueKind.Program => kernel ? pair.KernelProg : pair.UserProg,
                FdValueKind.OwnMap => kernel ? _kFd : _uFd,
                FdValueKind.Bogus => 1_000_000,
                _ => op.Seed | 0x0100_0000,
            };
            BinaryPrimitives.WriteInt32LittleEndian(value, fd);
        }
        else
        {
            new Random(op.Seed).NextBytes(value);
        }

        return value[..^Math.Min(ShortValueBy(op), value.Length)];
    }

    private void Same(string what, Errno kernel, Errno user)
    {
        Cases++;
        if (kernel != user)
            throw new DifferenceException($"{what} on {scenario.Attr}: kernel {kernel}, userspace {user}");
    }

    private void SameBytes(string what, byte[] kernel, byte[] user, bool values = false)
    {
        if (IsFdArray && values)
        {
            // The one program's id differs between backends by design; compare it as "the program".
            NormaliseId(kernel, pair.KernelProgId);
            NormaliseId(user, pair.UserProgId);
        }

        if (!kernel.AsSpan().SequenceEqual(user))
            throw new DifferenceException(
                $"{what} on {scenario.Attr}: bytes differ\n kernel    {Convert.ToHexString(kernel)}\n userspace {Convert.ToHexString(user)}");
    }

    private static void NormaliseId(byte[] bytes, uint id)
    {
        for (int i = 0; i + 4 <= bytes.Length; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == id)
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i), 0xFEEDF00D);
        }
    }

    private static byte[] Filled(int length)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill(Fill);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
