using MassTransit;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Contracts.Stages;
using Pipeline.Hosting.Messaging;
using Pipeline.Persistence;
using Pipeline.Persistence.Rows;
using Pipeline.Workflow.Orchestration;
using Serilog;

namespace Pipeline.Workflow.RankAnalysis;

/// <summary>Measures the spectrum of ΔW for every projection of a checkpoint; written once per checkpoint.</summary>
public sealed class AnalyseCheckpointRanksConsumer(ResultsDb db, Outbox outbox, IRankAnalysisStage analysis, RunCompletion completion)
    : IConsumer<CheckpointSaved>
{
    public async Task Consume(ConsumeContext<CheckpointSaved> context)
    {
        var (message, ct) = (context.Message, context.CancellationToken);
        var checkpoint = await db.Checkpoints.SingleAsync(c => c.Id == message.CheckpointId, ct);
        if (checkpoint.RankAnalysedAt is null)
        {
            IReadOnlyList<RankResult> ranks = message.Checkpoint.IsBase ? [] : await analysis.AnalyseAsync(message, ct); // the base has ΔW = 0
            db.RankAnalyses.AddRange(ranks.Select(r => new RankAnalysisRow
            {
                CheckpointId = checkpoint.Id, Layer = r.Layer, Module = r.Module, Rows = r.Rows, Columns = r.Columns, Rank90 = r.Rank90,
                RandomRank90 = r.RandomRank90, StableRank = r.StableRank, IntruderCount = r.IntruderCount, SpectrumJson = StoredJson.Write(r.Spectrum),
            }));
            checkpoint.RankAnalysedAt = DateTime.UtcNow;
            outbox.Add(new CheckpointRankAnalysed(message.ExperimentId, message.RunId, checkpoint.Id, ranks.Count));
            await db.SaveChangesAsync(ct);
            await outbox.DispatchAsync(ct);
            Log.Information("Checkpoint {Milestone} rank-analysed: {Modules} modules", checkpoint.MilestoneIndex, ranks.Count);
        }
        await completion.TryCompleteAsync(message.ExperimentId, message.RunId, ct);
    }
}

public sealed class AnalyseCheckpointRanksConsumerDefinition : OneAtATimeDefinition<AnalyseCheckpointRanksConsumer>;
