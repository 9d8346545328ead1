using System.Diagnostics;
using System.Text;
using Pipeline.Data;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Checkpoints;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Checkpoints;

/// <summary>
/// Random mutations of valid safetensors and tokenizer.json files (seeded, so a failure reproduces): each must load
/// or be refused with the parser's own error naming the file, never crash, hang or allocate beyond the file's size.
/// </summary>
public class ParserFuzzTests(ITestOutputHelper output)
{
    private const int Mutations = 10_000;

    [Fact]
    public void Mutated_safetensors_load_or_fail_with_a_clear_error()
    {
        var path = Path.Combine(TinyModels.TempDirectory(), "model.safetensors");
        using (var scope = NewDisposeScope())
            Safetensors.Save(path, new Dictionary<string, Tensor>
            {
                ["model.embed_tokens.weight"] = randn(6, 4),
                ["model.norm.weight"] = ones(4, ScalarType.BFloat16),
                ["positions"] = arange(5, ScalarType.Int64),
            });
        var tally = Fuzz(File.ReadAllBytes(path), path, seed: 11, e => e is DataFormatException && e.Message.Contains(path), file =>
        {
            var tensors = Safetensors.Load(file);
            long bytes = tensors.Values.Sum(t => t.NumberOfElements * t.ElementSize);
            foreach (var tensor in tensors.Values) tensor.Dispose();
            Assert.True(bytes <= new FileInfo(file).Length, $"loaded {bytes} bytes of tensors from a {new FileInfo(file).Length}-byte file");
        });
        Assert.True(tally.Rejected > Mutations / 2, $"only {tally.Rejected} of {Mutations} mutations were refused: the mutations are too gentle");
    }

    [Fact]
    public void Mutated_tokenizer_json_loads_or_fails_with_a_clear_error()
    {
        var folder = TinyModels.TempDirectory();
        var texts = Enumerable.Range(0, 20).Select(i => $"def f_{i}(x):\n    return x + {i}  # Tom has {i * 3} apples.\n").ToList();
        HuggingFaceTokenizerFile.Save(BpeTrainer.Train(texts, vocabSize: 300), folder);
        var path = Path.Combine(folder, "tokenizer.json");
        var tally = Fuzz(File.ReadAllBytes(path), path, seed: 12, e => e is DataFormatException && e.Message.Contains(path), _ =>
        {
            var tokenizer = TextTokenizer.Load(folder);
            tokenizer.Decode(tokenizer.Encode("def g(y):\n    return y * 2  # ünïcödé"));
        });
        Assert.True(tally.Rejected > 0 && tally.Accepted > 0, $"accepted {tally.Accepted}, refused {tally.Rejected}");
    }

    private sealed record Tally(int Accepted, int Rejected);

    /// <summary>Writes each mutation over <paramref name="path"/> and parses it; anything but an expected error fails.</summary>
    private Tally Fuzz(byte[] valid, string path, int seed, Func<Exception, bool> expected, Action<string> parse)
    {
        var random = new Random(seed);
        int accepted = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Mutations; i++)
        {
            var (mutant, how) = Mutate(valid, random);
            File.WriteAllBytes(path, mutant);
            try
            {
                parse(path);
                accepted++;
            }
            catch (Exception e) when (expected(e))
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({how}) of {Path.GetFileName(path)}: unexpected {e.GetType().Name}: {e.Message}");
            }
        }
        output.WriteLine($"{Path.GetFileName(path)}: {Mutations} mutations in {clock.Elapsed.TotalSeconds:F1} s, {accepted} loaded, {rejected} refused with a clear error");
        return new Tally(accepted, rejected);
    }

    private static (byte[] Bytes, string How) Mutate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        int at = random.Next(bytes.Length);
        switch (random.Next(6))
        {
            case 0:
                for (int flips = random.Next(1, 9); flips > 0; flips--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return (bytes, "bit flips");
            case 1:
                return (bytes[..at], $"truncated at {at}");
            case 2:
                bytes[at] = (byte)"0123456789-.eE\"{}[],:"[random.Next(21)];
                return (bytes, $"JSON character at {at}");
            case 3:
                BitConverter.GetBytes(random.Next(3) switch { 0 => long.MaxValue, 1 => -1L, _ => random.NextInt64(0, bytes.Length * 2L) }).CopyTo(bytes, 0);
                return (bytes, "first 8 bytes overwritten");
            case 4:
                var digits = Encoding.ASCII.GetBytes(random.Next(2) == 0 ? "99999999999999999999" : "-1");
                return ([.. bytes[..at], .. digits, .. bytes[at..]], $"number inserted at {at}");
            default:
                int length = random.Next(1, Math.Min(64, bytes.Length - at) + 1);
                return ([.. bytes[..at], .. bytes.AsSpan(at, length), .. bytes[at..]], $"{length} bytes duplicated at {at}");
        }
    }
}
