using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Pipeline.Persistence;
using Pipeline.Persistence.Migrations;
using Pipeline.Persistence.Rows;

namespace Pipeline.Workflow.Tests.Database;

public class ModuleNameMigrationTests
{
    /// <summary>The last migration of the version that named rank rows "q" … "down".</summary>
    const string PreviousVersion = "20261202121927_Samples";

    [Fact]
    public async Task Renames_the_rank_rows_a_previous_version_wrote_and_only_those()
    {
        var settings = new ResultsDbSettings(null, Path.Combine(Path.GetTempPath(), $"module-names-{Guid.NewGuid():N}.db"));
        string[] written = ["q", "k", "v", "o", "gate", "up", "down", "lm_head"];
        await using (var previous = ResultsDbSetup.Open(settings))
        {
            await previous.GetService<IMigrator>().MigrateAsync(PreviousVersion);
            AddCheckpointWithRanks(previous, written);
            await previous.SaveChangesAsync();
        }

        await ResultsDbSetup.MigrateAsync(settings, CancellationToken.None);

        await using var current = ResultsDbSetup.Open(settings);
        Assert.Contains(HuggingFaceModuleNames.Id, await current.Database.GetAppliedMigrationsAsync());
        var modules = await current.RankAnalyses.OrderBy(r => r.Layer).Select(r => r.Module).ToListAsync();
        Assert.Equal(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"], modules);
    }

    static void AddCheckpointWithRanks(ResultsDb db, IReadOnlyList<string> modules)
    {
        var experiment = new ExperimentRow { Id = Guid.NewGuid(), Name = "before", ContentHash = "h", RequestJson = "{}" };
        var run = new RunRow { Id = Guid.NewGuid(), ExperimentId = experiment.Id, CellKey = "lora", Method = "lora", RequestJson = "{}" };
        var checkpoint = new CheckpointRow { Id = Guid.NewGuid(), RunId = run.Id, ModelPath = "m", ModelSha256 = "s" };
        db.AddRange(experiment, run, checkpoint);
        db.RankAnalyses.AddRange(modules.Select((module, layer) => new RankAnalysisRow
        {
            CheckpointId = checkpoint.Id, Layer = layer, Module = module, SpectrumJson = "[]",
        }));
    }
}
