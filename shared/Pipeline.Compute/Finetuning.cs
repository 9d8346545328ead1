using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipeline.Contracts.Stages;
using Pipeline.Data.Artifacts;
using Pipeline.Data.Datasets;
using Pipeline.ML.Modeling;
using Pipeline.ML.Training;
using static TorchSharp.torch;
using ContractDiverged = Pipeline.Contracts.Stages.TrainingDivergedException;
using ContractSpec = Pipeline.Contracts.RunSpec;
using MeasuredDiverged = Pipeline.ML.Training.TrainingDivergedException;
using TrainingProgress = Pipeline.Contracts.Stages.TrainingProgress;

namespace Pipeline.Compute;

/// <summary>
/// Trains one grid cell on the target dataset and yields a checkpoint per milestone as soon as it is stored.
/// Checkpoints and the resumable state are keyed by the run's content, so a redelivered or retried run yields what
/// is already stored and resumes training from its last state instead of starting over.
/// </summary>
public sealed class Finetuning(ArtifactStore store, ComputeSettings settings, Device device, ComputeGate gate) : IFinetuning
{
    public async IAsyncEnumerable<CheckpointArtifact> TrainAsync(RunRequest run, IProgress<TrainingProgress> progress,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var plan = Plan(run);
        var yielded = new HashSet<int>();
        foreach (var stored in plan.StoredCheckpoints(store))
        {
            yielded.Add(stored.MilestoneIndex);
            yield return stored;
        }

        var saved = Channel.CreateUnbounded<CheckpointArtifact>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var training = gate.RunAsync(() =>
        {
            try
            {
                TrainingRun.Finetune(plan.BaseDirectory, plan.Batches, plan.Spec, plan.StateDirectory, plan.Writer(store), device,
                    TrainingProgressReport.To(progress, run.TokenBudget), c => saved.Writer.TryWrite(plan.Artifact(store, c.Index, c.Step)), stop.Token);
                saved.Writer.Complete();
            }
            catch (MeasuredDiverged e) { saved.Writer.Complete(new ContractDiverged(e.Step, e.Message)); }
            catch (Exception e) { saved.Writer.Complete(e); }
        }, stop.Token);
        try
        {
            await foreach (var checkpoint in saved.Reader.ReadAllAsync(ct))
                if (yielded.Add(checkpoint.MilestoneIndex)) yield return checkpoint;
            await training;
        }
        finally
        {
            // The caller stopped reading (its announcement failed, it is shutting down): stop this training too, so
            // that it cannot finish unseen, behind the retry that resumes it.
            await StopAsync(training, stop);
        }
        // Whatever reached the store while this call waited or resumed (another attempt's milestones) is announced too.
        foreach (var stored in plan.StoredCheckpoints(store))
            if (yielded.Add(stored.MilestoneIndex)) yield return stored;
    }

    private static async Task StopAsync(Task training, CancellationTokenSource stop)
    {
        if (training.IsCompleted) return;
        await stop.CancelAsync();
        try { await training; }
        catch (OperationCanceledException) { }
    }

    private RunPlan Plan(RunRequest run)
    {
        var baseDirectory = ArtifactRefs.Resolve(store, run.BaseModel.Artifact);
        var target = run.Datasets.Single(d => d.Domain == "target");
        var dataset = TokenizedDataset.Open(ArtifactRefs.Resolve(store, target.Artifact));
        var config = LlamaConfig.Load(Path.Combine(baseDirectory, "config.json"));
        int sequence = TrainingLayout.SequenceLength(settings, config);
        var batches = BatchSource.Create(dataset.Split("train"), dataset.Regime, settings.BatchSize, sequence, run.Spec.Seed,
            config.EosTokenId, config.PadTokenId ?? config.EosTokenId);
        long steps = TrainingVocabulary.StepsFor(run.TokenBudget, settings.BatchSize, sequence, 1);
        var runKey = ContentKey.Of("runs", new
        {
            format = 1, spec = run.Spec.Key, baseModel = run.BaseModel.Artifact.Sha256, data = target.Artifact.Sha256,
            run.Regime, run.TokenBudget, run.Milestones, settings.BatchSize, sequence,
        });
        return new RunPlan(run, runKey, baseDirectory, batches, Spec(run.Spec, run.Milestones, steps),
            TrainingLayout.StateDirectory(store, runKey), (long)settings.BatchSize * sequence);
    }

    private static RunSpec Spec(ContractSpec spec, IReadOnlyList<long> milestones, long steps)
    {
        var method = TrainingVocabulary.Method(spec.Method);
        bool full = method == FinetuneMethod.Full;
        return new RunSpec
        {
            Method = method,
            Rank = spec.Rank ?? 0,
            Alpha = spec.Alpha,
            TargetModules = spec.TargetModules,
            LoraDropout = full ? 0 : spec.Dropout,
            HiddenDropout = full ? spec.Dropout : 0,
            LoraPlusLrRatio = spec.LoraPlusRatio ?? 16,
            Training = new TrainingOptions
            {
                LearningRate = spec.LearningRate,
                Schedule = TrainingVocabulary.PaperSchedule(TrainingVocabulary.Schedule(spec.Schedule), steps),
                Optimizer = new OptimizerOptions { Kind = TrainingVocabulary.Optimizer(spec.Optimizer), WeightDecay = spec.WeightDecay },
                Seed = spec.Seed,
                MilestoneTokens = milestones,
            },
        };
    }

    private sealed record RunPlan(RunRequest Run, string RunKey, string BaseDirectory, IBatchSource Batches, RunSpec Spec,
        string StateDirectory, long TokensPerStep)
    {
        private bool IsAdapter => Spec.Adapter is not null;

        public string CheckpointKey(int milestone) => $"checkpoints/{RunKey.Split('/')[1]}-{milestone:D3}";

        public CheckpointWriter Writer(ArtifactStore store) => (milestone, write) =>
            store.GetOrCreate(CheckpointKey(milestone.Index), write);

        public CheckpointArtifact Artifact(ArtifactStore store, int milestone, long step)
        {
            var checkpoint = ArtifactRefs.Of(store, CheckpointKey(milestone));
            return new CheckpointArtifact(milestone, step, Run.Milestones[milestone],
                IsAdapter ? Run.BaseModel.Artifact : checkpoint, IsAdapter ? checkpoint : null);
        }

        public IEnumerable<CheckpointArtifact> StoredCheckpoints(ArtifactStore store) =>
            Enumerable.Range(0, Run.Milestones.Count)
                .TakeWhile(i => store.Contains(CheckpointKey(i)))
                .Select(i => Artifact(store, i, (Run.Milestones[i] + TokensPerStep - 1) / TokensPerStep));
    }
}
