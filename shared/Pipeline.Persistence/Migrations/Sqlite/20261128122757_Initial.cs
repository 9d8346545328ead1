using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "base_models",
                columns: table => new
                {
                    cache_key = table.Column<string>(type: "TEXT", nullable: false),
                    preset = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: true),
                    path = table.Column<string>(type: "TEXT", nullable: true),
                    sha256 = table.Column<string>(type: "TEXT", nullable: true),
                    requested_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ready_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_base_models", x => x.cache_key);
                });

            migrationBuilder.CreateTable(
                name: "experiments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", nullable: false),
                    request_json = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    base_model_key = table.Column<string>(type: "TEXT", nullable: true),
                    prepared_json = table.Column<string>(type: "TEXT", nullable: true),
                    submitted_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_experiments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "failures",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    failure_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    experiment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    stage = table.Column<string>(type: "TEXT", nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_failures", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    message_type = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    dispatched_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "training_curves",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    step = table.Column<long>(type: "INTEGER", nullable: false),
                    tokens_seen = table.Column<long>(type: "INTEGER", nullable: false),
                    loss = table.Column<double>(type: "REAL", nullable: false),
                    learning_rate = table.Column<double>(type: "REAL", nullable: false),
                    tokens_per_second = table.Column<double>(type: "REAL", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_training_curves", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    experiment_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    cell_key = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", nullable: false),
                    rank = table.Column<int>(type: "INTEGER", nullable: true),
                    learning_rate = table.Column<double>(type: "REAL", nullable: false),
                    seed = table.Column<int>(type: "INTEGER", nullable: false),
                    request_json = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    milestone_count = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<long>(type: "INTEGER", nullable: false),
                    total_steps = table.Column<long>(type: "INTEGER", nullable: false),
                    tokens_seen = table.Column<long>(type: "INTEGER", nullable: false),
                    total_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    loss = table.Column<double>(type: "REAL", nullable: true),
                    tokens_per_second = table.Column<double>(type: "REAL", nullable: true),
                    eta_seconds = table.Column<double>(type: "REAL", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.id);
                    table.ForeignKey(
                        name: "FK_runs_experiments_experiment_id",
                        column: x => x.experiment_id,
                        principalTable: "experiments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "checkpoints",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    milestone_index = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<long>(type: "INTEGER", nullable: false),
                    tokens_seen = table.Column<long>(type: "INTEGER", nullable: false),
                    model_path = table.Column<string>(type: "TEXT", nullable: false),
                    model_sha256 = table.Column<string>(type: "TEXT", nullable: false),
                    adapter_path = table.Column<string>(type: "TEXT", nullable: true),
                    adapter_sha256 = table.Column<string>(type: "TEXT", nullable: true),
                    saved_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    evaluated_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    rank_analysed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_checkpoints", x => x.id);
                    table.ForeignKey(
                        name: "FK_checkpoints_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "metrics",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    checkpoint_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    task = table.Column<string>(type: "TEXT", nullable: false),
                    domain = table.Column<string>(type: "TEXT", nullable: false),
                    metric = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<double>(type: "REAL", nullable: false),
                    std_err = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metrics", x => x.id);
                    table.ForeignKey(
                        name: "FK_metrics_checkpoints_checkpoint_id",
                        column: x => x.checkpoint_id,
                        principalTable: "checkpoints",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rank_analyses",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    checkpoint_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    layer = table.Column<int>(type: "INTEGER", nullable: false),
                    module = table.Column<string>(type: "TEXT", nullable: false),
                    rows = table.Column<int>(type: "INTEGER", nullable: false),
                    columns = table.Column<int>(type: "INTEGER", nullable: false),
                    rank90 = table.Column<int>(type: "INTEGER", nullable: false),
                    random_rank90 = table.Column<int>(type: "INTEGER", nullable: false),
                    stable_rank = table.Column<double>(type: "REAL", nullable: false),
                    intruder_count = table.Column<int>(type: "INTEGER", nullable: false),
                    spectrum_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rank_analyses", x => x.id);
                    table.ForeignKey(
                        name: "FK_rank_analyses_checkpoints_checkpoint_id",
                        column: x => x.checkpoint_id,
                        principalTable: "checkpoints",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_checkpoints_run_id_milestone_index",
                table: "checkpoints",
                columns: new[] { "run_id", "milestone_index" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_experiments_base_model_key_status",
                table: "experiments",
                columns: new[] { "base_model_key", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_experiments_name",
                table: "experiments",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_failures_experiment_id_run_id",
                table: "failures",
                columns: new[] { "experiment_id", "run_id" });

            migrationBuilder.CreateIndex(
                name: "IX_failures_failure_id",
                table: "failures",
                column: "failure_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_metrics_checkpoint_id_task_metric",
                table: "metrics",
                columns: new[] { "checkpoint_id", "task", "metric" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_metrics_metric",
                table: "metrics",
                column: "metric");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_dispatched_at_id",
                table: "outbox",
                columns: new[] { "dispatched_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_message_id",
                table: "outbox",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_rank_analyses_checkpoint_id_layer_module",
                table: "rank_analyses",
                columns: new[] { "checkpoint_id", "layer", "module" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runs_experiment_id_cell_key",
                table: "runs",
                columns: new[] { "experiment_id", "cell_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runs_experiment_id_status",
                table: "runs",
                columns: new[] { "experiment_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_method_rank",
                table: "runs",
                columns: new[] { "method", "rank" });

            migrationBuilder.CreateIndex(
                name: "IX_training_curves_run_id_step",
                table: "training_curves",
                columns: new[] { "run_id", "step" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "base_models");

            migrationBuilder.DropTable(
                name: "failures");

            migrationBuilder.DropTable(
                name: "metrics");

            migrationBuilder.DropTable(
                name: "outbox");

            migrationBuilder.DropTable(
                name: "rank_analyses");

            migrationBuilder.DropTable(
                name: "training_curves");

            migrationBuilder.DropTable(
                name: "checkpoints");

            migrationBuilder.DropTable(
                name: "runs");

            migrationBuilder.DropTable(
                name: "experiments");
        }
    }
}
