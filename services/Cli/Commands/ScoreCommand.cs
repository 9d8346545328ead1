using System.ComponentModel;
using System.Text.Json.Nodes;
using Pipeline.Data.Tasks;
using Pipeline.Data.Tokenization;
using Pipeline.ML.Adapters;
using Pipeline.ML.Checkpoints;
using Pipeline.ML.Evaluation;
using Pipeline.ML.Modeling;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline score`: the rolling log-likelihood of a text under a model (plus an optional PEFT adapter), printed as
/// JSON {total_logprob, predicted_tokens, token_logprobs} so any other implementation can cross-check it. A .jsonl
/// input is one document per line; every token of every document is predicted once, the first from BOS.
/// </summary>
public sealed class ScoreCommand : Command<ScoreCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>"), Description("Hugging Face model directory (config.json, model.safetensors, tokenizer).")] public string Model { get; init; } = "";
        [CommandOption("--adapter <DIR>"), Description("PEFT adapter directory applied on top of the model.")] public string? Adapter { get; init; }
        [CommandOption("--input <FILE>"), Description(".txt (one document) or .jsonl (a \"text\" field per line).")] public string Input { get; init; } = "";
        [CommandOption("--batch <B>"), DefaultValue(8)] public int Batch { get; init; } = 8;
        [CommandOption("--device <D>"), DefaultValue("auto")] public string Device { get; init; } = "auto";
        [CommandOption("--threads <N>")] public int? Threads { get; init; }

        public override ValidationResult Validate() =>
            Model == "" ? ValidationResult.Error("--model is required")
            : Input == "" ? ValidationResult.Error("--input is required")
            : Batch < 1 ? ValidationResult.Error("--batch must be positive")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var documents = TextInputFile.Read(settings.Input).Select(t => new PerplexityDocument(t.Id, t.Value)).ToList(); // a malformed line fails before any model time is spent
        var codec = new TokenizerCodec(TextTokenizer.Load(settings.Model));
        using var model = HfModelDirectory.Load(settings.Model, DeviceSelection.Resolve(settings.Device));
        if (settings.Adapter is { } adapter) PeftAdapter.Load(model, adapter);

        var scores = Perplexity.ScoreDocuments(new LogLikelihoodScorer(model, settings.Batch), codec, documents, keepTokenLogProbs: true);
        var result = new JsonObject
        {
            ["total_logprob"] = scores.Sum(s => s.LogProb),
            ["predicted_tokens"] = scores.Sum(s => s.Tokens),
            ["token_logprobs"] = new JsonArray(scores.SelectMany(s => s.TokenLogProbs!).Select(p => (JsonNode)p).ToArray()),
        };
        Console.Out.WriteLine(result.ToJsonString());
        return 0;
    }
}
