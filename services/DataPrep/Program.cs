using Pipeline.Compute;
using Microsoft.Extensions.Hosting;
using Pipeline.Workflow;

// Connection settings come from appsettings.json or the environment (ConnectionStrings__RabbitMq, ConnectionStrings__Postgres).
var builder = PipelineHost.CreateBuilder(args, PipelineService.DataPrep);
builder.Services.AddComputeStages();
await builder.Build().RunAsync();
