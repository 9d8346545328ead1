using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Pipeline.Persistence.Migrations;

/// <summary>
/// Rank rows used to name projections "q" … "down"; requests, reports and the API use Hugging Face's "q_proj" …
/// "down_proj", and now rank rows do too. The model is unchanged, so the migration is data only, in SQL both
/// providers run.
/// </summary>
public static class HuggingFaceModuleNames
{
    public const string Id = "20261202143000_HuggingFaceModuleNames";

    public static void Up(MigrationBuilder migration) => migration.Sql(
        "UPDATE rank_analyses SET module = module || '_proj' WHERE module IN ('q', 'k', 'v', 'o', 'gate', 'up', 'down');");

    public static void Down(MigrationBuilder migration) => migration.Sql(
        "UPDATE rank_analyses SET module = replace(module, '_proj', '') "
        + "WHERE module IN ('q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj');");
}

[DbContext(typeof(PostgresResultsDb)), Migration(HuggingFaceModuleNames.Id)]
public sealed class PostgresHuggingFaceModuleNames : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => HuggingFaceModuleNames.Up(migrationBuilder);
    protected override void Down(MigrationBuilder migrationBuilder) => HuggingFaceModuleNames.Down(migrationBuilder);
}

[DbContext(typeof(SqliteResultsDb)), Migration(HuggingFaceModuleNames.Id)]
public sealed class SqliteHuggingFaceModuleNames : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => HuggingFaceModuleNames.Up(migrationBuilder);
    protected override void Down(MigrationBuilder migrationBuilder) => HuggingFaceModuleNames.Down(migrationBuilder);
}
