using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Pipeline.Persistence.Rows;

namespace Pipeline.Persistence;

/// <summary>
/// The results database. One model for both providers; each provider has its own migrations, kept by the two
/// derived contexts (PostgresResultsDb, SqliteResultsDb), since column types differ.
/// </summary>
public abstract class ResultsDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<ExperimentRow> Experiments => Set<ExperimentRow>();
    public DbSet<RunRow> Runs => Set<RunRow>();
    public DbSet<BaseModelRow> BaseModels => Set<BaseModelRow>();
    public DbSet<CheckpointRow> Checkpoints => Set<CheckpointRow>();
    public DbSet<MetricRow> Metrics => Set<MetricRow>();
    public DbSet<SampleRow> Samples => Set<SampleRow>();
    public DbSet<RankAnalysisRow> RankAnalyses => Set<RankAnalysisRow>();
    public DbSet<TrainingCurveRow> TrainingCurves => Set<TrainingCurveRow>();
    public DbSet<FailureRow> Failures => Set<FailureRow>();
    public DbSet<OutboxMessageRow> Outbox => Set<OutboxMessageRow>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ExperimentRow>(e =>
        {
            e.ToTable("experiments");
            e.HasIndex(x => x.Name).IsUnique();
            e.HasIndex(x => new { x.BaseModelKey, x.Status });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        });
        model.Entity<RunRow>(e =>
        {
            e.ToTable("runs");
            e.HasIndex(x => new { x.ExperimentId, x.CellKey }).IsUnique();
            e.HasIndex(x => new { x.ExperimentId, x.Status });
            e.HasIndex(x => new { x.Method, x.Rank });
            e.HasOne<ExperimentRow>().WithMany().HasForeignKey(x => x.ExperimentId);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        });
        model.Entity<BaseModelRow>(e =>
        {
            e.ToTable("base_models");
            e.HasKey(x => x.CacheKey);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        });
        model.Entity<CheckpointRow>(e =>
        {
            e.ToTable("checkpoints");
            e.HasIndex(x => new { x.RunId, x.MilestoneIndex }).IsUnique();
            e.HasOne<RunRow>().WithMany().HasForeignKey(x => x.RunId);
        });
        model.Entity<MetricRow>(e =>
        {
            e.ToTable("metrics");
            e.HasIndex(x => new { x.CheckpointId, x.Task, x.Metric }).IsUnique();
            e.HasIndex(x => x.Metric);
            e.HasOne<CheckpointRow>().WithMany().HasForeignKey(x => x.CheckpointId);
        });
        model.Entity<SampleRow>(e =>
        {
            e.ToTable("samples");
            e.HasIndex(x => new { x.CheckpointId, x.Task, x.DocId }).IsUnique();
            e.HasOne<CheckpointRow>().WithMany().HasForeignKey(x => x.CheckpointId);
        });
        model.Entity<RankAnalysisRow>(e =>
        {
            e.ToTable("rank_analyses");
            e.HasIndex(x => new { x.CheckpointId, x.Layer, x.Module }).IsUnique();
            e.HasOne<CheckpointRow>().WithMany().HasForeignKey(x => x.CheckpointId);
        });
        model.Entity<TrainingCurveRow>(e =>
        {
            e.ToTable("training_curves");
            e.HasIndex(x => new { x.RunId, x.Step }).IsUnique();
        });
        model.Entity<FailureRow>(e =>
        {
            e.ToTable("failures");
            e.HasIndex(x => x.FailureId).IsUnique();
            e.HasIndex(x => new { x.ExperimentId, x.RunId });
        });
        model.Entity<OutboxMessageRow>(e =>
        {
            e.ToTable("outbox");
            e.HasIndex(x => x.MessageId).IsUnique();
            e.HasIndex(x => new { x.DispatchedAt, x.Id });
        });
        UseSnakeCaseColumns(model);
    }

    static void UseSnakeCaseColumns(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(Regex.Replace(property.Name, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant());
    }

    /// <summary>True when a save failed on a unique index: a concurrent or redelivered write got there first.</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException lite => lite.SqliteExtendedErrorCode is 2067 or 1555, // UNIQUE, PRIMARYKEY
        _ => false,
    };
}

public sealed class PostgresResultsDb(DbContextOptions<PostgresResultsDb> options) : ResultsDb(options);

public sealed class SqliteResultsDb(DbContextOptions<SqliteResultsDb> options) : ResultsDb(options);
