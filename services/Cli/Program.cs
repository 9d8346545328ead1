using Pipeline.Cli;
using Pipeline.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("pipeline");
    config.SetExceptionHandler(ErrorOutput.Report);
    config.AddCommand<VersionCommand>("version").WithDescription("Print the versions of the tensor backend.");
    config.AddCommand<TrainCommand>("train").WithDescription("Pretrain or finetune one model on a tokenized dataset, with checkpoints at token milestones.");
    config.AddCommand<TokenizeCommand>("tokenize").WithDescription("A model's tokenizer on a text or JSONL file: ids and tokens as JSON lines, exactly as Hugging Face's.");
    config.AddCommand<ScoreCommand>("score").WithDescription("Log-likelihood of a text or JSONL file under a model (and adapter), as JSON.");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks that print figures (and write JSON with --json).");
        bench.AddCommand<BenchTrainCommand>("train").WithDescription("Full finetuning vs LoRA: tokens/s, MFU, peak memory.");
        bench.AddCommand<BenchEvalCommand>("eval").WithDescription("Scoring and generation tokens/s, with and without the KV cache.");
        bench.AddCommand<BenchRankCommand>("rank").WithDescription("Time the rank analysis of a checkpoint against raw svdvals.");
        bench.AddCommand<BenchPipelineCommand>("pipeline").WithDescription("A study's wall time against its compute time, and RabbitMQ events/s.");
        bench.AddCommand<BenchScaleCommand>("scale").WithDescription("1 against 2 trainer processes on a 4-run experiment: throughput, nothing lost or trained twice.");
    });
    config.AddBranch("data", data =>
    {
        data.SetDescription("Built-in corpora, tokenizer, datasets and evaluation task sets.");
        data.AddCommand<DataBuildCommand>("build").WithDescription("Train the tokenizer and build the built-in datasets and task sets.");
        data.AddCommand<DataStatsCommand>("stats").WithDescription("Print documents, bytes and tokens per split and domain.");
        data.AddCommand<DataBundleCommand>("bundle").WithDescription("Rebuild the corpora bundle from unpacked archives (scripts/rebuild-corpora).");
    });
    config.AddCommand<RankCommand>("rank").WithDescription("Spectral rank analysis of a finetuned checkpoint or adapter against its base.");
    config.AddCommand<QuickstartCommand>("quickstart").WithDescription("Run a small built-in study end to end in this process and print its results.");
    config.AddCommand<SubmitCommand>("submit").WithDescription("Validate an experiment request and publish it (without a broker: run it here).");
    config.AddCommand<StatusCommand>("status").WithDescription("Experiments, or one experiment's runs: stage, progress, tokens/s, ETA, failures.");
    config.AddCommand<ResultsCommand>("results").WithDescription("Metrics (or --ranks) per checkpoint as a table, CSV or JSON.");
    config.AddCommand<ServicesCommand>("services").WithDescription("Run pipeline services (data-prep, trainer, evaluator, rank-analysis) in this process.");
    config.AddCommand<ReportCommand>("report").WithDescription("Write report.md with the paper's figures and findings for an experiment.");
    config.AddCommand<RetryCommand>("retry").WithDescription("Requeue a failed or diverged run.");
    config.AddCommand<AuditCommand>("audit").WithDescription("Check an experiment's results: complete, exactly once, artifacts intact, nothing abandoned.");
    config.AddCommand<DashboardCommand>("dashboard").WithDescription("Serve the results dashboard and HTTP API (writes need Pipeline__Dashboard__Token).");
});
return await app.RunAsync(args);
