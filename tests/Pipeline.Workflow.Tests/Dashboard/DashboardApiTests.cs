using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts.Experiments;
using Pipeline.Dashboard;
using Pipeline.Workflow;
using Pipeline.Workflow.Tests.Fixtures;
using Serilog.Events;

namespace Pipeline.Workflow.Tests.Dashboard;

/// <summary>The dashboard's HTTP API over a real PostgreSQL and RabbitMQ, with the services running on the compute test double.</summary>
[Collection(ServersCollection.Name)]
public class When_the_dashboard_api_serves_the_results_database(TestServers servers)
{
    const string Token = "test-token-7f3a";

    [Fact]
    public async Task Should_accept_a_submission_with_the_token_and_serve_its_results_back()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        await bed.StartAsync(PipelineServices.All, new ComputeTestDouble());
        await using var app = await StartAsync(bed, Token);
        using var client = Client(app, Token);

        var response = await client.PostAsJsonAsync("/api/experiments", TestRequests.Valid("from-the-api", 4, 8), ExperimentRequestFile.Json);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var submitted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("from-the-api", submitted.GetProperty("name").GetString());
        Assert.Equal(3, submitted.GetProperty("runCount").GetInt32());
        Assert.EndsWith($"/api/experiments/{submitted.GetProperty("id").GetString()}", response.Headers.Location!.ToString());
        await WaitForAsync(client, "/api/experiments/from-the-api", e => e.GetProperty("status").GetString() == "Completed");

        var experiment = await client.GetFromJsonAsync<JsonElement>("/api/experiments/from-the-api");
        Assert.Equal(3, experiment.GetProperty("runs").GetArrayLength());
        Assert.Equal(1.0, experiment.GetProperty("progress").GetDouble());
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/experiments");
        Assert.Contains(listed.EnumerateArray(), e => e.GetProperty("name").GetString() == "from-the-api");
        var csv = await client.GetStringAsync("/api/experiments/from-the-api/metrics.csv");
        Assert.StartsWith("run,method,rank,", csv);
        Assert.Equal(3 * 4 * 2 + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // runs × (base + 3) × 2 tasks, + header
    }

    [Fact]
    public async Task Should_filter_runs_metrics_checkpoints_and_rank_analyses()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        var host = await bed.StartAsync(PipelineServices.All, new ComputeTestDouble());
        await TestBed.SubmitAsync(host, TestRequests.Valid("filters", 4, 8));
        await using var app = await StartAsync(bed, Token);
        using var client = Client(app, token: null);
        await WaitForAsync(client, "/api/experiments/filters", e => e.GetProperty("status").GetString() == "Completed");

        var lora = await client.GetFromJsonAsync<JsonElement>("/api/experiments/filters/runs?method=lora");
        Assert.Equal(2, lora.GetArrayLength());
        var rank8 = await client.GetFromJsonAsync<JsonElement>("/api/experiments/filters/runs?method=lora&rank=8");
        var run = Assert.Single(rank8.EnumerateArray());
        var runId = run.GetProperty("id").GetString();

        var checkpoints = await client.GetFromJsonAsync<JsonElement>($"/api/checkpoints?experiment=filters&run={runId}");
        Assert.Equal(4, checkpoints.GetArrayLength()); // base + 3 milestones
        var metrics = await client.GetFromJsonAsync<JsonElement>("/api/metrics?experiment=filters&method=full&metric=acc");
        Assert.Equal(4 * 2, metrics.GetArrayLength()); // (base + 3) × 2 tasks
        Assert.All(metrics.EnumerateArray(), m => Assert.Equal(("full", "acc"), (m.GetProperty("method").GetString(), m.GetProperty("metric").GetString())));
        var ranks = await client.GetFromJsonAsync<JsonElement>($"/api/rank-analyses?experiment=filters&run={runId}&layer=0");
        Assert.NotEqual(0, ranks.GetArrayLength());
        Assert.All(ranks.EnumerateArray(), r => Assert.Equal(0, r.GetProperty("layer").GetInt32()));
        var samples = await client.GetFromJsonAsync<JsonElement>($"/api/samples?experiment=filters&run={run.GetProperty("cellKey").GetString()}&tokens=0");
        Assert.Equal(2 * 4, samples.GetArrayLength()); // the base checkpoint: 2 tasks × 4 items
        Assert.All(samples.EnumerateArray(), s => Assert.Equal(0, s.GetProperty("tokens").GetInt64()));
        var missing = await client.GetAsync("/api/metrics?experiment=no-such-experiment");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/samples?experiment=no-such-experiment")).StatusCode);
    }

    [Fact]
    public async Task Should_answer_an_invalid_request_with_problem_details_naming_each_field()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        await using var app = await StartAsync(bed, Token);
        using var client = Client(app, Token);
        var invalid = TestRequests.Valid("invalid") with { TokenBudget = -1, Regime = "sideways" };

        var response = await client.PostAsJsonAsync("/api/experiments", invalid, ExperimentRequestFile.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("$.tokenBudget", fields);
        Assert.Contains("$.regime", fields);
        var malformed = await client.PostAsync("/api/experiments", new StringContent("{ \"name\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Empty(await client.GetFromJsonAsync<JsonElement[]>("/api/experiments") ?? []);
    }

    [Fact]
    public async Task Should_require_the_bearer_token_for_writes_and_disable_them_without_one()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        await using (var app = await StartAsync(bed, Token))
        {
            using var anonymous = Client(app, token: null);
            var response = await anonymous.PostAsJsonAsync("/api/experiments", TestRequests.Valid("no-token"), ExperimentRequestFile.Json);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            using var wrong = Client(app, "not-the-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/api/experiments", TestRequests.Valid("wrong-token"), ExperimentRequestFile.Json)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/experiments")).StatusCode); // reads are open on loopback
        }
        await using (var app = await StartAsync(bed, token: null))
        {
            using var client = Client(app, Token);
            var response = await client.PostAsJsonAsync("/api/experiments", TestRequests.Valid("writes-off"), ExperimentRequestFile.Json);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("Writes are disabled", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Should_serve_reads_to_other_hosts_only_when_configured()
    {
        var context = FromAnotherHost();
        bool served = false;
        await Access.LoopbackUnlessPublic(context, new DashboardSettings(), () => { served = true; return Task.CompletedTask; });
        Assert.False(served);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);

        await Access.LoopbackUnlessPublic(FromAnotherHost(), new DashboardSettings { PublicReads = true }, () => { served = true; return Task.CompletedTask; });
        Assert.True(served);
    }

    [Fact]
    public async Task Should_serve_the_pages_the_chart_library_and_the_openapi_document()
    {
        await using var bed = await TestBed.OnServersAsync(servers);
        await using var app = await StartAsync(bed, Token);
        using var client = Client(app, token: null);

        Assert.Contains("<main id=\"content\"", await client.GetStringAsync("/"));
        var script = await client.GetAsync("/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Chart.js v4", await client.GetStringAsync("/lib/chart.umd.min.js"));
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/experiments", paths);
        Assert.Contains("/api/runs/{id}", paths);
        Assert.Contains("/api/rank-analyses", paths);
        Assert.Contains("/api/samples", paths);
    }

    static DefaultHttpContext FromAnotherHost() => new()
    {
        Connection = { RemoteIpAddress = IPAddress.Parse("10.1.2.3") },
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
    };

    static async Task<WebApplication> StartAsync(TestBed bed, string? token)
    {
        var configuration = new Dictionary<string, string?>(bed.Configuration) { ["urls"] = "http://127.0.0.1:0", ["Pipeline:Dashboard:Token"] = token };
        var app = DashboardApp.Create([], configuration, LogEventLevel.Warning, services => services.AddSingleton(ComputeTestDouble.Catalog));
        await app.StartAsync();
        return app;
    }

    static HttpClient Client(WebApplication app, string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    static async Task WaitForAsync(HttpClient client, string path, Func<JsonElement, bool> condition, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition(await client.GetFromJsonAsync<JsonElement>(path)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting on {path}");
            await Task.Delay(200);
        }
    }
}
