using System.Diagnostics;
using System.Text.Json;
using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Modeling;
using static TorchSharp.torch;

namespace Pipeline.ML.Tests.Checkpoints;

/// <summary>
/// Saved model and adapter directories, read by an independent pure-Python implementation of HF Llama and PEFT
/// (tests/reference/llama_reference.py), must give the logits our model computes.
/// </summary>
public class ReferenceImplementationTests
{
    private static readonly int[] Ids = [3, 17, 42, 5, 60, 8, 8, 31];

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, null)]
    [InlineData(false, "lora")]
    [InlineData(false, "rslora")]
    [InlineData(true, "dora")]
    public void Saved_directories_give_the_reference_logits(bool tied, string? adapter)
    {
        var config = TinyModels.Config with { TieWordEmbeddings = tied, RopeTheta = 500 };
        using var model = TinyModels.Create(seed: 9, config);
        var root = TinyModels.TempDirectory();
        var modelDirectory = Path.Combine(root, "model");
        HfModelDirectory.Save(model, modelDirectory);
        string? adapterDirectory = null;
        if (adapter is not null)
        {
            var loraConfig = new LoraConfig { Rank = 3, Alpha = 5, UseRsLora = adapter == "rslora", UseDora = adapter == "dora" };
            Adapters.LoraTests.Perturb(LoraModel.Inject(model, loraConfig, seed: 4).Values);
            adapterDirectory = Path.Combine(root, "adapter");
            PeftAdapter.Save(model, loraConfig, adapterDirectory);
        }

        using var ids = tensor(Ids.Select(i => (long)i).ToArray()).reshape(1, Ids.Length);
        using var ours = model.forward(ids)[0];
        var reference = RunReference(modelDirectory, adapterDirectory);

        using var expected = tensor(reference.SelectMany(row => row).ToArray()).reshape(Ids.Length, config.VocabSize);
        Assert.True(ours.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max |diff| {(ours - expected).abs().max().item<float>()}");
    }

    private static float[][] RunReference(string modelDirectory, string? adapterDirectory)
    {
        var script = Path.Combine(RepositoryRoot(), "tests", "reference", "llama_reference.py");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, modelDirectory, "--ids", string.Join(',', Ids) }) start.ArgumentList.Add(argument);
        if (adapterDirectory is not null) { start.ArgumentList.Add("--adapter"); start.ArgumentList.Add(adapterDirectory); }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 is required for the reference check");
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"reference failed: {errors}");
        return JsonSerializer.Deserialize<float[][]>(output)!;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pipeline.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries");
    }
}
