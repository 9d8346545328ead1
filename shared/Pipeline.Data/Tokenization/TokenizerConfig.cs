using System.Text.Json.Nodes;
using Pipeline.Data.UserData;

namespace Pipeline.Data.Tokenization;

/// <summary>What a model folder's `tokenizer_config.json` says beyond tokenizer.json: the names of its special tokens
/// and its chat template: a Jinja source (of a list of named templates, the one named "default"), or, as transformers
/// saves it since 4.43, the `chat_template.jinja` file beside it.</summary>
/// <param name="ChatTemplateOrigin">The file the chat template was read from, for its error messages.</param>
public sealed record TokenizerConfig(string Path, string? BosToken, string? EosToken, string? PadToken, string? ChatTemplate, string ChatTemplateOrigin)
{
    public const string FileName = "tokenizer_config.json";
    public const string ChatTemplateFile = "chat_template.jinja";

    /// <summary>Without a tokenizer_config.json, the built-in tokenizer's (Llama's) names, and a chat template only
    /// from chat_template.jinja.</summary>
    public static TokenizerConfig Read(string modelDirectory)
    {
        var path = System.IO.Path.Combine(modelDirectory, FileName);
        var templateFile = System.IO.Path.Combine(modelDirectory, ChatTemplateFile);
        var fileTemplate = File.Exists(templateFile) ? Utf8Text.ReadFile(templateFile) : null;
        if (!File.Exists(path)) return new(path, SpecialTokens.Bos, SpecialTokens.Eos, SpecialTokens.Pad, fileTemplate, templateFile);
        var root = JsonFile.ReadObject(path);
        string? Token(string field, string? fallback) =>
            root.ContainsKey(field) ? TokenizerJson.TokenName(root[field], path, field) : fallback;
        var template = Template(root["chat_template"], path);
        return new(path, Token("bos_token", SpecialTokens.Bos), Token("eos_token", SpecialTokens.Eos),
            Token("pad_token", null), template ?? fileTemplate, template is null ? templateFile : path);
    }

    private static string? Template(JsonNode? node, string path) => node switch
    {
        null => null,
        JsonArray named => named.OfType<JsonObject>()
            .Where(t => t["name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && t["name"]!.GetValue<string>() == "default")
            .Select(t => TokenizerJson.String(t["template"], path, "chat_template[default].template"))
            .FirstOrDefault(),
        _ => TokenizerJson.String(node, path, "chat_template"),
    };

    /// <summary>The special-token strings a chat template sees as variables (bos_token, eos_token, pad_token).</summary>
    public IReadOnlyDictionary<string, string> TemplateVariables() =>
        new Dictionary<string, string?> { ["bos_token"] = BosToken, ["eos_token"] = EosToken, ["pad_token"] = PadToken }
            .Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
}
