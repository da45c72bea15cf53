using CsCheck;

namespace SharpBpf.Object.Tests;

/// <summary>
/// Random damage to every checked-in object (byte flips, truncations, insertions, overwritten header
/// words): the reader either returns a spec or throws <see cref="BpfObjectFormatException"/>. Any other
/// exception is a missing bounds check. Iteration counts are fixed so the run stays short.
/// </summary>
public class MutationPropertyTests
{
    private static readonly string[] Names = [.. TestData.AllObjects()];

    private static readonly byte[][] Objects = [.. Names.Select(TestData.Bytes)];

    /// <summary>Per object, the byte ranges of the sections the reader parses (not DWARF), from the facts files.</summary>
    private static readonly (int Offset, int Size)[][] Parsed = [.. Names.Select(n => Facts.Load(n).Sections
        .Where(s => s.Size > 0 && s.Type != "SHT_NOBITS" && !s.Name.StartsWith(".debug", StringComparison.Ordinal)
            && !s.Name.StartsWith(".rel.debug", StringComparison.Ordinal) && s.Name != ".llvm_addrsig")
        .Select(s => ((int)s.Offset, (int)s.Size))
        .ToArray())];

    private static readonly Gen<byte[]> Mutated =
        from index in Gen.Int[0, Objects.Length - 1]
        from kind in Gen.Int[0, 5]
        from seed in Gen.Int
        select Mutate(index, kind, new Random(seed));

    [Fact]
    public void Read_MutatedObject_ReturnsOrThrowsFormatErrorOnly()
    {
        // SHARPBPF_FUZZ_ITER raises the count for a longer local campaign; the default keeps the suite fast.
        long iterations = long.TryParse(Environment.GetEnvironmentVariable("SHARPBPF_FUZZ_ITER"), out long n) ? n : 4000;
        Mutated.Sample(ReadsOrRejects, iter: iterations, threads: iterations > 4000 ? -1 : 1);
    }

    private static bool ReadsOrRejects(byte[] obj)
    {
        try
        {
            var spec = BpfObjectReader.Read(obj, "mutant");
            // Touch what a loader would touch, so lazily computed parts are exercised too.
            foreach (var p in spec.Programs)
            {
                _ = p.LineAt(0);
                _ = p.LineAt(p.Instructions.Length - 1);
            }

            if (spec.Btf is not null)
            {
                foreach (var t in spec.Btf.Types)
                    _ = spec.Btf.TryGetSize(t.Id, out _);
            }

            return true;
        }
        catch (BpfObjectFormatException)
        {
            return true;
        }
    }

    private static byte[] Mutate(int index, int kind, Random random)
    {
        var bytes = Objects[index].ToList();
        switch (kind)
        {
            case 0: // flip a few random bytes
                for (int i = random.Next(1, 8); i > 0; i--)
                    bytes[random.Next(bytes.Count)] ^= (byte)random.Next(1, 256);
                break;
            case 1: // truncate
            {
                int keep = random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            }

            case 2: // insert random bytes
                bytes.InsertRange(random.Next(bytes.Count), Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256)));
                break;
            case 3: // overwrite a 32-bit word with an extreme value (offsets, sizes, counts, ids)
            {
                int at = random.Next(Math.Max(1, bytes.Count - 4)) & ~3;
                uint[] extremes = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8, (uint)random.Next()];
                uint v = extremes[random.Next(extremes.Length)];
                for (int i = 0; i < 4 && at + i < bytes.Count; i++)
                    bytes[at + i] = (byte)(v >> (8 * i));
                break;
            }

            case 4: // damage the sections the reader parses: code, relocations, symbols, strings, maps, BTF
            {
                var sections = Parsed[index];
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    var (offset, size) = sections[random.Next(sections.Length)];
                    int at = offset + random.Next(size);
                    bytes[at] = random.Next(3) switch
                    {
                        0 => (byte)random.Next(256),
                        1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                        _ => (byte)(bytes[at] + random.Next(-2, 3)),
                    };
                }

                break;
            }

            default: // flip bytes only inside the first 64 bytes or the section header table
            {
                int tail = Math.Min(bytes.Count, 64 * 40);
                for (int i = random.Next(1, 4); i > 0; i--)
                {
                    int at = random.Next(2) == 0 ? random.Next(Math.Min(64, bytes.Count)) : bytes.Count - 1 - random.Next(tail);
                    bytes[at] = (byte)random.Next(256);
                }

                break;
            }
        }

        return [.. bytes];
    }
}
