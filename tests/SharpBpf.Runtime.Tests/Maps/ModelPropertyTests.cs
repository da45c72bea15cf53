using System.Buffers.Binary;
using CsCheck;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// Random sequences of map commands (create with valid and invalid attributes, update, lookup, delete,
/// GET_NEXT_KEY, batches, freeze, close) on ARRAY and PERCPU_ARRAY, run on the userspace backend and on a small
/// managed model of the spec; every errno, descriptor number and byte must agree.
/// </summary>
public class ModelPropertyTests
{
    private static readonly uint[] s_keySizes = [4, 4, 4, 4, 0, 8];
    private static readonly uint[] s_valueSizes = [8, 4, 1, 5, 12, 16, 0, 40000];
    private static readonly uint[] s_maxEntries = [1, 2, 3, 4, 7, 0];
    private static readonly uint[] s_flags = [0, 0, 0, 0x8, 0x10, 0x400, 0x80, 0x100, 0x18, 0x1, 0x1000, 0x800, 0x180];
    private static readonly ulong[] s_updateFlags = [0, 0, 0, 1, 2, 3, 4, 5, 8, 1UL << 32];
    private static readonly ulong[] s_lookupFlags = [0, 0, 0, 0, 4, 1, 8];

    /// <summary>One random command: <see cref="Kind"/> picks the command, the other fields its arguments.</summary>
    public sealed record Op(int Kind, uint A, uint B, int C)
    {
        public override string ToString() => $"{(new[] { "create", "update", "lookup", "delete", "next", "lookup_batch", "update_batch", "freeze", "close" })[Kind]}({A},{B:x},{C})";
    }

    private static readonly Gen<Op> s_op = Gen.Select(Gen.Int[0, 8], Gen.UInt[0, 15], Gen.UInt, Gen.Int[0, 15],
        (k, a, b, c) => new Op(k, a, b, c));

    [Fact]
    public void RandomCommandSequences_AgreeWithModel()
    {
        s_op.Array[1, 60].Sample(ops =>
        {
            using var kit = new MapTestKit(cpus: 2);
            var model = new Model(cpus: 2);
            var fds = new List<int>();
            for (var step = 0; step < ops.Length; step++)
                Run(kit, model, fds, ops[step], step);
        }, iter: 300);
    }

    private static void Run(MapTestKit kit, Model model, List<int> fds, Op op, int step)
    {
        var b = kit.Backend;
        var fd = fds.Count == 0 ? 9999 : fds[(int)(op.A % (uint)fds.Count)];
        var m = model.Get(fd);
        var max = m?.Max ?? 4;
        var key = (op.B & 7) == 7 ? 0xffffffffu : op.B % (max + 2);
        var where = $"step {step}: {op} on fd {fd}";
        switch (op.Kind)
        {
            case 0:
            {
                var type = op.A % 2 == 0 ? MapType.Array : MapType.PerCpuArray;
                var attr = MapTestKit.Attr(type, s_keySizes[op.C % s_keySizes.Length], s_valueSizes[op.B % (uint)s_valueSizes.Length],
                    s_maxEntries[(op.B >> 8) % (uint)s_maxEntries.Length], s_flags[(op.B >> 16) % (uint)s_flags.Length]);
                var err = b.MapCreate(attr, out var newFd);
                var (want, wantFd) = model.Create(attr);
                Assert.True(want == err, $"{where}: create {attr}: expected {want}, got {err}");
                if (err == Errno.None)
                {
                    Assert.True(wantFd == newFd, $"{where}: expected fd {wantFd}, got {newFd}");
                    if (!fds.Contains(newFd))
                        fds.Add(newFd);
                }

                break;
            }

            case 1:
            {
                var value = Pattern(m?.SyscallValueSize ?? 8, (byte)(op.B >> 24));
                var flags = s_updateFlags[op.C % s_updateFlags.Length];
                var err = b.MapUpdateElem(fd, MapTestKit.Key(key), value, flags);
                var want = model.Update(fd, key, value, flags);
                Assert.True(want == err, $"{where}: update key {key} flags 0x{flags:x}: expected {want}, got {err}");
                break;
            }

            case 2:
            {
                var flags = s_lookupFlags[op.C % s_lookupFlags.Length];
                var got = MapTestKit.Filled((m?.SyscallValueSize ?? 8) + 8, 0xee);
                var expected = (byte[])got.Clone();
                var err = b.MapLookupElem(fd, MapTestKit.Key(key), got, flags);
                var want = model.Lookup(fd, key, expected, flags);
                Assert.True(want == err, $"{where}: lookup key {key}: expected {want}, got {err}");
                Assert.True(expected.AsSpan().SequenceEqual(got), $"{where}: lookup key {key} bytes differ");
                break;
            }

            case 3:
            {
                var err = b.MapDeleteElem(fd, MapTestKit.Key(key), 0);
                Assert.True(model.Delete(fd) == err, $"{where}: delete: got {err}");
                break;
            }

            case 4:
            {
                var got = MapTestKit.Key(0xaaaa);
                var expected = (byte[])got.Clone();
                var nullKey = op.C == 0;
                var err = b.MapGetNextKey(fd, nullKey ? default : MapTestKit.Key(key), got);
                var want = model.NextKey(fd, nullKey ? null : key, expected);
                Assert.True(want == err, $"{where}: next key: expected {want}, got {err}");
                Assert.Equal(expected, got);
                break;
            }

            case 5:
            {
                var vs = m?.SyscallValueSize ?? 8;
                var count = op.B % 6;
                uint? inBatch = op.C == 0 ? null : key;
                var keys = MapTestKit.Filled(6 * 4, 0xee);
                var values = MapTestKit.Filled(6 * vs, 0xee);
                var outBatch = MapTestKit.Filled(4, 0xee);
                var (ek, ev, eo) = ((byte[])keys.Clone(), (byte[])values.Clone(), (byte[])outBatch.Clone());
                var n = count;
                var err = b.MapLookupBatch(fd, inBatch is { } ib ? MapTestKit.Key(ib) : default, outBatch, keys, values, ref n, 0, 0);
                var en = count;
                var want = model.LookupBatch(fd, inBatch, ek, ev, eo, ref en);
                Assert.True(want == err && en == n, $"{where}: lookup batch: expected {want}/{en}, got {err}/{n}");
                Assert.Equal(ek, keys);
                Assert.Equal(ev, values);
                Assert.Equal(eo, outBatch);
                break;
            }

            case 6:
            {
                var vs = m?.SyscallValueSize ?? 8;
                var count = (uint)(op.C % 4);
                var keys = new byte[4 * 4];
                for (var i = 0; i < 4; i++)
                    BinaryPrimitives.WriteUInt32LittleEndian(keys.AsSpan(i * 4), (op.B >> (8 * i)) % (max + 2));
                var values = Pattern(4 * vs, (byte)op.A);
                var elemFlags = op.C >= 12 ? ElemFlags.BPF_F_LOCK : 0;
                var n = count;
                var err = b.MapUpdateBatch(fd, keys, values, ref n, elemFlags, 0);
                var en = count;
                var want = model.UpdateBatch(fd, keys, values, ref en, elemFlags);
                Assert.True(want == err && en == n, $"{where}: update batch: expected {want}/{en}, got {err}/{n}");
                break;
            }

            case 7:
                Assert.True(model.Freeze(fd) == b.MapFreeze(fd), $"{where}: freeze");
                break;

            default:
                Assert.True(model.Close(fd) == b.Close(fd), $"{where}: close");
                break;
        }
    }

    private static byte[] Pattern(int length, byte seed)
    {
        var v = new byte[length];
        for (var i = 0; i < length; i++)
            v[i] = (byte)(seed + 7 * i + 1);
        return v;
    }

    /// <summary>The spec, written as plainly as possible, independent of the implementation.</summary>
    private sealed class Model(int cpus)
    {
        private readonly Dictionary<int, MapModel> _fds = [];

        public MapModel? Get(int fd) => _fds.GetValueOrDefault(fd);

        public (Errno, int) Create(Backend.MapCreateAttr a)
        {
            var percpu = a.Type == MapType.PerCpuArray;
            uint[] allowed = percpu ? [0, 0x8, 0x10, 0x80, 0x100] : [0, 0x8, 0x10, 0x80, 0x100, 0x400, 0x1000];
            if (a.KeySize != 4 || a.ValueSize == 0 || a.MaxEntries == 0 || !allowed.Contains(a.MapFlags))
                return (Errno.EINVAL, -1);
            var elem = (a.ValueSize + 7) & ~7u;
            if (percpu && elem > 32768)
                return (Errno.E2BIG, -1);
            var fd = 3;
            while (_fds.ContainsKey(fd))
                fd++;
            var copies = percpu ? cpus : 1;
            _fds[fd] = new MapModel
            {
                PerCpu = percpu,
                ValueSize = (int)a.ValueSize,
                Elem = (int)elem,
                Max = a.MaxEntries,
                Cpus = copies,
                CanRead = (a.MapFlags & 0x10) == 0,
                CanWrite = (a.MapFlags & 0x8) == 0,
                Data = new byte[a.MaxEntries * elem * copies],
            };
            return (Errno.None, fd);
        }

        public Errno Lookup(int fd, uint key, byte[] output, ulong flags)
        {
            if ((flags & ~4UL) != 0)
                return Errno.EINVAL;
            if (!_fds.TryGetValue(fd, out var m))
                return Errno.EBADF;
            if (!m.CanRead)
                return Errno.EPERM;
            if (flags != 0)
                return Errno.EINVAL;
            if (key >= m.Max)
                return Errno.ENOENT;
            m.Read(key, output);
            return Errno.None;
        }

        public Errno Update(int fd, uint key, byte[] value, ulong flags)
        {
            if (!_fds.TryGetValue(fd, out var m))
                return Errno.EBADF;
            if (!m.CanWrite || m.Frozen)
                return Errno.EPERM;
            if ((flags & 4) != 0 || flags > 2)
                return Errno.EINVAL;
            if (key >= m.Max)
                return Errno.E2BIG;
            if (flags == 1)
                return Errno.EEXIST;
            m.Write(key, value);
            return Errno.None;
        }

        public Errno Delete(int fd) =>
            !_fds.TryGetValue(fd, out var m) ? Errno.EBADF : !m.CanWrite || m.Frozen ? Errno.EPERM : Errno.EINVAL;

        public Errno NextKey(int fd, uint? key, byte[] next)
        {
            if (!_fds.TryGetValue(fd, out var m))
                return Errno.EBADF;
            if (!m.CanRead)
                return Errno.EPERM;
            var k = key ?? uint.MaxValue;
            if (k == m.Max - 1)
                return Errno.ENOENT;
            BinaryPrimitives.WriteUInt32LittleEndian(next, k >= m.Max ? 0 : k + 1);
            return Errno.None;
        }

        public Errno LookupBatch(int fd, uint? inBatch, byte[] keys, byte[] values, byte[] outBatch, ref uint count)
        {
            if (!_fds.TryGetValue(fd, out var m))
                return Errno.EBADF;
            if (!m.CanRead)
                return Errno.EPERM;
            if (count == 0)
                return Errno.None;
            var start = inBatch is not { } ib || ib >= m.Max ? 0 : ib + 1;
            var available = m.Max - start;
            var n = Math.Min(available, count);
            var vs = m.SyscallValueSize;
            for (uint i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(keys.AsSpan((int)i * 4), start + i);
                m.Read(start + i, values.AsSpan((int)i * vs));
            }

            if (n > 0)
                BinaryPrimitives.WriteUInt32LittleEndian(outBatch, start + n - 1);
            var done = available < count;
            count = n;
            return done ? Errno.ENOENT : Errno.None;
        }

        public Errno UpdateBatch(int fd, byte[] keys, byte[] values, ref uint count, ulong elemFlags)
        {
            if (!_fds.TryGetValue(fd, out var m))
                return Errno.EBADF;
            if (!m.CanWrite || m.Frozen)
                return Errno.EPERM;
            if (elemFlags != 0)
                return Errno.EINVAL;
            var total = count;
            for (uint i = 0; i < total; i++)
            {
                var key = BinaryPrimitives.ReadUInt32LittleEndian(keys.AsSpan((int)i * 4));
                if (key >= m.Max)
                {
                    count = i;
                    return Errno.E2BIG;
                }

                m.Write(key, values.AsSpan((int)i * m.SyscallValueSize, m.SyscallValueSize).ToArray());
            }

            return Errno.None;
        }

        public Errno Freeze(int fd)
        {
            if (!_fds.TryGetValue(fd, out var m))
                return Errno.EBADF;
            if (!m.CanWrite || m.Frozen)
                return Errno.EPERM;
            m.Frozen = true;
            return Errno.None;
        }

        public Errno Close(int fd) => _fds.Remove(fd) ? Errno.None : Errno.EBADF;
    }

    private sealed class MapModel
    {
        public bool PerCpu { get; init; }

        public int ValueSize { get; init; }

        public int Elem { get; init; }

        public uint Max { get; init; }

        public int Cpus { get; init; }

        public bool CanRead { get; init; }

        public bool CanWrite { get; init; }

        public bool Frozen { get; set; }

        public required byte[] Data { get; init; }

        public int SyscallValueSize => PerCpu ? Elem * Cpus : ValueSize;

        // Data holds CPU c's copy of element i at (c * Max + i) * Elem.
        public void Read(uint key, Span<byte> output)
        {
            if (!PerCpu)
            {
                Data.AsSpan((int)key * Elem, ValueSize).CopyTo(output);
                return;
            }

            for (var c = 0; c < Cpus; c++)
                Data.AsSpan((int)((c * Max + key) * Elem), Elem).CopyTo(output[(c * Elem)..]);
        }

        public void Write(uint key, byte[] value)
        {
            if (!PerCpu)
            {
                value.AsSpan(0, ValueSize).CopyTo(Data.AsSpan((int)key * Elem));
                return;
            }

            for (var c = 0; c < Cpus; c++)
                value.AsSpan(c * Elem, Elem).CopyTo(Data.AsSpan((int)((c * Max + key) * Elem)));
        }
    }
}
