using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Dashboard;

/// <summary>The results database holds UTC times; SQLite hands them back unmarked, so they are written with a Z.</summary>
sealed class UtcDateTimeConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTime().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
