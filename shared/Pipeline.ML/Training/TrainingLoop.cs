using System.Diagnostics;
using Pipeline.Data.Datasets;
using Pipeline.ML.Adapters;
using Pipeline.ML.Modeling;
using Serilog;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.ML.Training;

/// <summary>
/// One training loop for every method: pretraining, full finetuning and the LoRA family. What trains is whatever
/// requires a gradient (all weights, or only the adapters after <see cref="LoraModel.Inject"/>).
/// </summary>
public sealed class TrainingLoop(LlamaForCausalLM model, IBatchSource batches, TrainingOptions options, string stateDirectory)
{
    public event Action<TrainingProgress>? Progress;

    /// <summary>Called at each milestone, before the state that records it is saved; save the checkpoint here.</summary>
    public event Action<Milestone>? MilestoneReached;

    /// <summary>Trains to the end of the schedule, resuming from <paramref name="stateDirectory"/> when it holds a state.</summary>
    public TrainingState Run(CancellationToken cancellation = default)
    {
        options.Validate();
        var trainable = LoraModel.TrainableParameters(model);
        using var optimizer = options.Optimizer.Create(ParameterGroups(trainable));
        manual_seed(options.Seed);
        var state = TrainingState.TryLoad(stateDirectory, trainable, optimizer) ?? TrainingState.Fresh;
        if (state.Step > 0) Log.Information("Resumed training at step {Step}/{TotalSteps} ({Tokens} tokens) from {StateDirectory}", state.Step, options.TotalSteps, state.Tokens, stateDirectory);
        model.train();
        var clock = Stopwatch.StartNew();
        long startStep = state.Step;
        while (state.Step < options.TotalSteps)
        {
            cancellation.ThrowIfCancellationRequested();
            var (loss, gradNorm, tokens) = Step(state.Step, trainable, optimizer);
            state = state with { Step = state.Step + 1, Tokens = state.Tokens + tokens };
            state.Losses.Add(loss);
            Report(state, loss, gradNorm, clock.Elapsed, startStep);
            int milestonesBefore = state.NextMilestone;
            state = FireMilestones(state, loss);
            if (state.NextMilestone > milestonesBefore || state.Step % options.StateEverySteps == 0 || state.Step == options.TotalSteps)
                state.Save(stateDirectory, trainable, optimizer);
        }
        model.eval();
        return state;
    }

    private (double Loss, double GradNorm, long Tokens) Step(long step, IReadOnlyList<(string Name, Parameter Parameter)> trainable, Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        var micro = Enumerable.Range(0, options.GradientAccumulation)
            .Select(i => batches.Batch(step * options.GradientAccumulation + i)).ToList();
        double predicted = Math.Max(1, micro.Sum(b => b.PredictedTokens));
        double totalLoss = 0;
        foreach (var batch in micro)
        {
            using var inner = NewDisposeScope();
            var (inputs, labels) = ToTensors(batch);
            var loss = model.Loss(inputs, labels) * (batch.PredictedTokens / predicted);
            loss.backward();
            totalLoss += loss.item<float>();
        }
        if (!double.IsFinite(totalLoss)) throw new TrainingDivergedException(step + 1, $"loss is {totalLoss}");
        var parameters = trainable.Select(p => p.Parameter).ToList();
        double gradNorm = options.MaxGradNorm > 0
            ? nn.utils.clip_grad_norm_(parameters, options.MaxGradNorm)
            : double.NaN;
        if (options.MaxGradNorm > 0 && !double.IsFinite(gradNorm)) throw new TrainingDivergedException(step + 1, $"gradient norm is {gradNorm}");
        optimizer.Step(options.LearningRate * options.Schedule.Multiplier(step));
        optimizer.ZeroGrad();
        ReleaseCustomAutogradNodes();
        return (totalLoss, gradNorm, micro.Sum(b => (long)b.BatchSize * b.SequenceLength));
    }

    /// <summary>
    /// TorchSharp frees the nodes of custom autograd functions (LoRA's <see cref="MergedLoraFunction"/>), and the
    /// activations they saved, from .NET finalizers. Left to the GC they pile up by ~100 MB a step; one collection
    /// per step (a few milliseconds: the managed heap is small) keeps memory flat.
    /// </summary>
    private static void ReleaseCustomAutogradNodes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private (Tensor Inputs, Tensor Labels) ToTensors(TrainingBatch batch)
    {
        var shape = new long[] { batch.BatchSize, batch.SequenceLength };
        var inputs = tensor(batch.Inputs, shape, ScalarType.Int32).to(ScalarType.Int64, model.Device);
        var labels = tensor(batch.Labels, shape, ScalarType.Int32).to(ScalarType.Int64, model.Device);
        return (inputs, labels);
    }

    /// <summary>Weight decay on matrices only (not norms or DoRA magnitudes); LoRA+ puts B in its own group.</summary>
    private IReadOnlyList<ParameterGroup> ParameterGroups(IReadOnlyList<(string Name, Parameter Parameter)> trainable)
    {
        bool IsLoraB((string Name, Parameter) p) => options.LoraPlusLrRatio is not null && p.Name.Contains(".lora_B.");
        var decay = trainable.Where(p => p.Parameter.dim() >= 2 && !IsLoraB(p)).ToList();
        var noDecay = trainable.Where(p => p.Parameter.dim() < 2).ToList();
        var loraB = trainable.Where(IsLoraB).ToList();
        double wd = options.Optimizer.WeightDecay;
        return new[]
        {
            new ParameterGroup("decay", decay, 1.0, wd),
            new ParameterGroup("no_decay", noDecay, 1.0, 0),
            new ParameterGroup("lora_B", loraB, options.LoraPlusLrRatio ?? 1.0, wd),
        }.Where(g => g.Parameters.Count > 0).ToList();
    }

    private TrainingState FireMilestones(TrainingState state, double loss)
    {
        var milestones = options.MilestoneTokens;
        int next = state.NextMilestone;
        while (next < milestones.Count && state.Tokens >= milestones[next])
        {
            MilestoneReached?.Invoke(new Milestone(next, state.Step, milestones[next], loss));
            next++;
        }
        return state with { NextMilestone = next };
    }

    private void Report(TrainingState state, double loss, double gradNorm, TimeSpan elapsed, long startStep)
    {
        if (Progress is null) return;
        double stepsDone = state.Step - startStep;
        double secondsPerStep = elapsed.TotalSeconds / Math.Max(1, stepsDone);
        double tokensPerStep = (double)state.Tokens / Math.Max(1, state.Step);
        Progress(new TrainingProgress(
            state.Step, options.TotalSteps, state.Tokens, loss,
            options.LearningRate * options.Schedule.Multiplier(state.Step - 1), gradNorm,
            tokensPerStep / secondsPerStep, TimeSpan.FromSeconds(secondsPerStep * (options.TotalSteps - state.Step))));
    }
}
