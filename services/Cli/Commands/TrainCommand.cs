using System.ComponentModel;
using Pipeline.Compute.Trainer;
using Pipeline.Contracts.Experiments;
using Pipeline.Data.Datasets;
using Pipeline.ML.Adapters;
using Pipeline.ML.Modeling;
using Pipeline.ML.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline train`: one training run outside the pipeline. With --preset it pretrains a fresh model (saved under
/// OUT/model); with --base it finetunes that HF directory by --method, saving checkpoints under OUT/checkpoints.
/// Rerunning the same command after a crash resumes from OUT/state.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--dataset <DIR>"), Description("Tokenized dataset directory (pipeline data build).")] public string Dataset { get; init; } = "";
        [CommandOption("--out <DIR>"), Description("Output directory.")] public string Out { get; init; } = "";
        [CommandOption("--base <DIR>"), Description("Hugging Face model directory to finetune.")] public string? Base { get; init; }
        [CommandOption("--preset <NAME>"), Description("Pretrain a fresh model of this size (ci, tiny, small, base).")] public string? Preset { get; init; }
        [CommandOption("--tokenizer <DIR>"), Description("Tokenizer directory copied next to a pretrained model.")] public string? Tokenizer { get; init; }
        [CommandOption("--method <M>"), DefaultValue("full")] public string Method { get; init; } = "full";
        [CommandOption("--rank <R>"), DefaultValue(16)] public int Rank { get; init; } = 16;
        [CommandOption("--alpha <A>"), Description("LoRA α (default 2r).")] public double? Alpha { get; init; }
        [CommandOption("--targets <LIST>"), Description("attention, mlp, all or module names, comma-separated."), DefaultValue("all")] public string Targets { get; init; } = "all";
        [CommandOption("--dropout <P>"), Description("LoRA dropout, or hidden dropout for full finetuning."), DefaultValue(0.0)] public double Dropout { get; init; }
        [CommandOption("--lr <LR>"), DefaultValue(1e-4)] public double LearningRate { get; init; } = 1e-4;
        [CommandOption("--weight-decay <WD>"), DefaultValue(0.0)] public double WeightDecay { get; init; }
        [CommandOption("--optimizer <O>"), DefaultValue("lionw")] public string Optimizer { get; init; } = "lionw";
        [CommandOption("--schedule <S>"), DefaultValue("cosine")] public string Schedule { get; init; } = "cosine";
        [CommandOption("--tokens <N>"), Description("Training-token budget.")] public long Tokens { get; init; }
        [CommandOption("--milestones <LIST>"), Description("Checkpoint token counts, comma-separated (default: the budget).")] public string? Milestones { get; init; }
        [CommandOption("--batch <B>"), DefaultValue(16)] public int Batch { get; init; } = 16;
        [CommandOption("--seq <T>"), Description("Sequence length (default: the model's context).")] public int? Sequence { get; init; }
        [CommandOption("--accumulation <K>"), DefaultValue(1)] public int Accumulation { get; init; } = 1;
        [CommandOption("--seed <S>"), DefaultValue(0)] public int Seed { get; init; }
        [CommandOption("--device <D>"), DefaultValue("auto")] public string Device { get; init; } = "auto";
        [CommandOption("--threads <N>")] public int? Threads { get; init; }

        public override ValidationResult Validate() =>
            Dataset == "" ? ValidationResult.Error("--dataset is required")
            : Out == "" ? ValidationResult.Error("--out is required")
            : (Base is null) == (Preset is null) ? ValidationResult.Error("give exactly one of --base (finetune) or --preset (pretrain)")
            : Tokens <= 0 ? ValidationResult.Error("--tokens must be positive")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) torch.set_num_threads(threads);
        var device = DeviceSelection.Resolve(settings.Device);
        var dataset = TokenizedDataset.Open(settings.Dataset);
        var config = settings.Preset is { } preset ? ModelPresets.Get(preset, dataset.Info.VocabSize) : LlamaConfig.Load(Path.Combine(settings.Base!, "config.json"));
        int sequence = settings.Sequence ?? config.MaxPositionEmbeddings;
        var batches = BatchSource.Create(dataset.Split("train"), dataset.Regime, settings.Batch, sequence, settings.Seed,
            config.EosTokenId, config.PadTokenId ?? config.EosTokenId);
        var spec = Spec(settings, sequence);
        var options = spec.Training;

        AnsiConsole.MarkupLineInterpolated($"[bold]{(settings.Preset is null ? $"finetune ({settings.Method})" : $"pretrain ({settings.Preset})")}[/] on {settings.Dataset}: {options.TotalSteps} steps of {settings.Batch}×{sequence}×{settings.Accumulation} tokens, device {device}");
        WithProgress(options.TotalSteps, (report, token) =>
        {
            if (settings.Preset is not null)
                TrainingRun.Pretrain(config, batches, options, Path.Combine(settings.Out, "model"), Path.Combine(settings.Out, "state"), device,
                    settings.Tokenizer, report, token);
            else
                TrainingRun.Finetune(settings.Base!, batches, spec, Path.Combine(settings.Out, "state"),
                    TrainingRun.CheckpointsUnder(settings.Out), device, report,
                    checkpoint => AnsiConsole.MarkupLineInterpolated($"checkpoint at {checkpoint.Tokens:N0} tokens: {checkpoint.Directory}"), token);
        }, cancellationToken);
        return 0;
    }

    /// <summary>The command line as one grid entry, resolved and mapped exactly as the pipeline's trainer does its cells.</summary>
    private static RunSpec Spec(Settings s, int sequence)
    {
        var entry = new GridEntry
        {
            Method = s.Method.ToLowerInvariant(), Alpha = s.Alpha, TargetModules = LoraConfig.ResolveTargets(s.Targets.Split(',')),
            WeightDecay = s.WeightDecay, Dropout = s.Dropout, Optimizer = s.Optimizer, Schedule = s.Schedule,
        };
        var cell = Experiment.Cell(entry, entry.Method == "full" ? null : s.Rank, s.LearningRate, s.Seed, Regimes.Cpt);
        var milestones = s.Milestones?.Split(',').Select(long.Parse).ToList() ?? [s.Tokens];
        return RunSpecs.ForCell(cell, milestones, TrainingVocabulary.StepsFor(s.Tokens, s.Batch, sequence, s.Accumulation), s.Accumulation);
    }

    /// <summary>A live bar with loss, learning rate, tokens/s and ETA while <paramref name="train"/> runs.</summary>
    internal static void WithProgress(long totalSteps, Action<Action<TrainingProgress>, CancellationToken> train, CancellationToken cancellation)
    {
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: totalSteps);
                train(p =>
                {
                    task.Value = p.Step;
                    task.Description = $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F3} lr {p.LearningRate:E1} {p.TokensPerSecond:N0} tok/s ETA {p.Eta:hh\\:mm\\:ss}";
                }, cancellation);
            });
    }
}
