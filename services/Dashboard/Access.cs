using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Dashboard;

/// <summary>Who may read and who may write: loopback reads unless configured otherwise, bearer-token writes.</summary>
static class Access
{
    /// <summary>Middleware: a client that is not on loopback gets 403 unless Pipeline:Dashboard:PublicReads is true.</summary>
    public static async Task LoopbackUnlessPublic(HttpContext context, DashboardSettings settings, Func<Task> next)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (settings.PublicReads || remote is null || IPAddress.IsLoopback(remote)) { await next(); return; }
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Reads are served to loopback clients only",
            detail: "Set Pipeline:Dashboard:PublicReads=true to serve other clients.").ExecuteAsync(context);
    }

    /// <summary>Endpoint filter for writes: 403 when no token is configured, 401 without the right bearer token.</summary>
    public static async ValueTask<object?> RequireToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var settings = invocation.HttpContext.RequestServices.GetRequiredService<DashboardSettings>();
        if (!settings.WritesEnabled)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Writes are disabled",
                detail: "Set Pipeline:Dashboard:Token to accept experiment requests with that bearer token.");
        var header = invocation.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        bool valid = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(settings.Token!));
        if (valid) return await next(invocation);
        invocation.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid bearer token is required",
            detail: "Send Authorization: Bearer <Pipeline:Dashboard:Token>.");
    }
}
