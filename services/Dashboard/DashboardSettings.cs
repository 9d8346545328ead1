using Microsoft.Extensions.Configuration;

namespace Pipeline.Dashboard;

/// <summary>
/// Section Pipeline:Dashboard. Writes (POST /api/experiments) need <see cref="Token"/> as a bearer token and are
/// disabled without one; reads are served to loopback clients only unless <see cref="PublicReads"/> is set.
/// </summary>
public sealed record DashboardSettings
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public string? Token { get; init; }
    public bool PublicReads { get; init; }

    public bool WritesEnabled => !string.IsNullOrEmpty(Token);

    public static DashboardSettings From(IConfiguration configuration) =>
        configuration.GetSection("Pipeline:Dashboard").Get<DashboardSettings>() ?? new DashboardSettings();
}
